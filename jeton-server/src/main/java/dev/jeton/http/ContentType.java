package dev.jeton.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@code Content-Type} header read strictly by the grammar of RFC 9110 8.3.1: a
 * {@code type/subtype} of tokens, then parameters {@code ; name=value} where the value is a token
 * or a quoted-string, with only spaces and tabs as optional whitespace. Anything else is not a
 * media type at all, and {@link #parse} answers null: a header a reader could split in two ways
 * (a parameter glued to a charset, control characters between parameters) is refused rather than
 * guessed at.
 *
 * @param type the media type, lower case ({@code application/json})
 * @param parameters the parameters in order, names lower case, values unquoted
 */
record ContentType(String type, List<Parameter> parameters) {
  /** One parameter; the name lower case, the value as sent once unquoted. */
  record Parameter(String name, String value) {}

  /** The header read, or null when it is not a media type by RFC 9110's grammar. */
  static ContentType parse(String header) {
    if (header == null) {
      return null;
    }
    Reader r = new Reader(header);
    r.ows();
    String major = r.token();
    if (major == null || !r.take('/')) {
      return null;
    }
    String minor = r.token();
    if (minor == null) {
      return null;
    }
    List<Parameter> parameters = new ArrayList<>();
    r.ows();
    while (r.take(';')) {
      r.ows();
      if (r.atEnd() || r.peek() == ';') {
        continue; // RFC 9110 allows empty parameters: "text/plain;;charset=utf-8"
      }
      String name = r.token();
      if (name == null || !r.take('=')) {
        return null;
      }
      String value = r.peek() == '"' ? r.quoted() : r.token();
      if (value == null) {
        return null;
      }
      parameters.add(new Parameter(name.toLowerCase(Locale.ROOT), value));
      r.ows();
    }
    if (!r.atEnd()) {
      return null;
    }
    return new ContentType((major + "/" + minor).toLowerCase(Locale.ROOT),
        List.copyOf(parameters));
  }

  /**
   * Whether every {@code charset} parameter names UTF-8 (there may be none). The label is
   * compared exactly, ignoring case: {@code utf-8x} or {@code utf8} is another charset.
   */
  boolean charsetIsUtf8OrAbsent() {
    for (Parameter p : parameters) {
      if (p.name().equals("charset") && !p.value().equalsIgnoreCase("utf-8")) {
        return false;
      }
    }
    return true;
  }

  /** A cursor over the header. */
  private static final class Reader {
    private final String s;
    private int i;

    Reader(String s) {
      this.s = s;
    }

    boolean atEnd() {
      return i == s.length();
    }

    char peek() {
      return atEnd() ? '\0' : s.charAt(i);
    }

    boolean take(char c) {
      if (!atEnd() && s.charAt(i) == c) {
        i++;
        return true;
      }
      return false;
    }

    /** Optional whitespace: spaces and tabs (RFC 9110 5.6.3). */
    void ows() {
      while (!atEnd() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
    }

    /** A token (RFC 9110 5.6.2), or null when none starts here. */
    String token() {
      int start = i;
      while (!atEnd() && isTokenChar(s.charAt(i))) {
        i++;
      }
      return i == start ? null : s.substring(start, i);
    }

    /**
     * A quoted-string (RFC 9110 5.6.4) without its quotes and escapes, or null when it is not
     * closed or holds a control character or non-ASCII text.
     */
    String quoted() {
      StringBuilder v = new StringBuilder();
      i++; // the opening quote
      while (!atEnd()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return v.toString();
        }
        if (c == '\\') {
          if (atEnd() || !isQuotedChar(s.charAt(i))) {
            return null;
          }
          c = s.charAt(i++);
        } else if (!isQuotedChar(c)) {
          return null;
        }
        v.append(c);
      }
      return null;
    }

    private static boolean isTokenChar(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** HTAB, SP and visible ASCII; obsolete text (bytes over 0x7F) is not taken. */
    private static boolean isQuotedChar(char c) {
      return c == '\t' || (c >= 0x20 && c < 0x7f);
    }
  }
}
