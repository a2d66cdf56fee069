package dev.jeton.token;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An OAuth 2.0 scope (RFC 6749 3.3): an immutable set of scope tokens that keeps the order it was
 * built in (a client's registration order, say), with {@link #sorted()} for the stable order of
 * the wire forms that sort it. Its text form is the RFC's: {@code scope-token *( SP scope-token )}
 * with {@code scope-token = 1*( %x21 / %x23-5B / %x5D-7E )}, the tokens separated by single spaces;
 * the empty text is the empty scope. Every scope string Jeton reads or writes, on the wire, in a
 * token or in a database column, goes through {@link #parse(String)} and {@link #render()}.
 *
 * <p>Equality is that of sets: two scopes with the same tokens in another order are equal.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-3.3">RFC 6749 3.3</a>
 */
public final class Scope implements Iterable<String> {
  /** The scope without tokens; its text is the empty string. */
  public static final Scope EMPTY = new Scope(List.of());

  /** The message of a malformed scope, naming the syntax (RFC 6749 3.3). */
  static final String MALFORMED = "The scope is malformed: scope tokens are separated by single "
      + "spaces and use printable ASCII except the double quote and the backslash "
      + "(RFC 6749 3.3).";

  private final List<String> values;
  private final Set<String> set;

  private Scope(List<String> values) {
    this.values = List.copyOf(values);
    this.set = Set.copyOf(values);
  }

  /**
   * Parses a space-delimited scope (RFC 6749 3.3); a token given twice counts once. The empty
   * text is the empty scope.
   *
   * @throws MalformedScopeException for a leading, trailing or double space, or a character
   *     outside {@code %x21 / %x23-5B / %x5D-7E} (a control, {@code "}, {@code \}, non-ASCII)
   */
  public static Scope parse(String text) {
    if (text.isEmpty()) {
      return EMPTY;
    }
    return of(List.of(text.split(" ", -1)));
  }

  /**
   * The scope of these tokens, in their iteration order; a token given twice counts once.
   *
   * @throws MalformedScopeException when one is not an RFC 6749 3.3 scope token
   */
  public static Scope of(Collection<String> tokens) {
    Set<String> distinct = new LinkedHashSet<>();
    for (String token : tokens) {
      if (!isToken(token)) {
        throw new MalformedScopeException();
      }
      distinct.add(token);
    }
    return distinct.isEmpty() ? EMPTY : new Scope(new ArrayList<>(distinct));
  }

  /** The scope of these tokens, in this order (see {@link #of(Collection)}). */
  public static Scope of(String... tokens) {
    return of(List.of(tokens));
  }

  /** RFC 6749 3.3: {@code scope-token = 1*( %x21 / %x23-5B / %x5D-7E )}. */
  public static boolean isToken(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7E || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  public boolean contains(String token) {
    return set.contains(token);
  }

  public boolean containsAll(Scope other) {
    return set.containsAll(other.set);
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** The tokens, in this scope's order. */
  public List<String> values() {
    return values;
  }

  @Override
  public Iterator<String> iterator() {
    return values.iterator();
  }

  /** The same tokens in ascending (code point) order: the stable order of sorted wire forms. */
  public Scope sorted() {
    List<String> s = new ArrayList<>(values);
    s.sort(null);
    return new Scope(s);
  }

  /**
   * Narrows this (granted) scope to {@code requested}: the requested tokens, in this scope's
   * order, when every one of them lies within this scope (RFC 6749 3.3, 6).
   *
   * @throws ScopeNotGrantedException naming the requested tokens this scope lacks
   */
  public Scope narrow(Scope requested) {
    List<String> excess = new ArrayList<>();
    for (String token : requested.values) {
      if (!set.contains(token)) {
        excess.add(token);
      }
    }
    if (!excess.isEmpty()) {
      throw new ScopeNotGrantedException(new Scope(excess));
    }
    return new Scope(values.stream().filter(requested.set::contains).toList());
  }

  /** This scope's tokens followed by those of {@code more} it lacks. */
  public Scope union(Scope more) {
    List<String> all = new ArrayList<>(values);
    all.addAll(more.values);
    return of(all);
  }

  /** The text form: the tokens in this scope's order, separated by single spaces. */
  public String render() {
    return String.join(" ", values);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Scope other && set.equals(other.set);
  }

  @Override
  public int hashCode() {
    return set.hashCode();
  }

  @Override
  public String toString() {
    return render();
  }

  /** A scope text or token outside the syntax of RFC 6749 3.3. */
  public static final class MalformedScopeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    MalformedScopeException() {
      super(MALFORMED);
    }
  }

  /** A requested scope that asks for more than the scope it must lie within. */
  public static final class ScopeNotGrantedException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient Scope excess;

    ScopeNotGrantedException(Scope excess) {
      super("The scope " + excess.render() + " was not granted (RFC 6749 3.3).");
      this.excess = excess;
    }

    /** The requested tokens that were not within the granted scope, in request order. */
    public Scope excess() {
      return excess;
    }
  }
}
