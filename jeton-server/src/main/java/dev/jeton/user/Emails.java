package dev.jeton.user;

import dev.jeton.http.Text;
import java.text.Normalizer;
import java.util.Locale;

/**
 * Email addresses: normalised (Unicode NFKC, so that full-width and other compatibility forms are
 * the address they look like, then trimmed and lower-cased with {@code Locale.ROOT}) before they
 * are compared or stored, and checked with a deliberately simple syntax (one {@code @}, a dotted
 * domain, at most 254 characters) that refuses what no address should carry: spaces, control
 * characters, invisible formatting characters such as the bidirectional controls (which make an
 * address display as another one), and angle brackets (docs/security.md#email-identity).
 */
public final class Emails {
  private Emails() {}

  public static String normalise(String raw) {
    String folded = Normalizer.normalize(raw, Normalizer.Form.NFKC).strip()
        .toLowerCase(Locale.ROOT);
    // lower-casing can leave a string that is no longer NFKC (e.g. U+0130): normalise once more
    return Normalizer.normalize(folded, Normalizer.Form.NFKC);
  }

  /** Null when valid, otherwise what is wrong with it, naming the offending character. */
  public static String problem(String email) {
    if (email.isEmpty()) {
      return "The email address is empty.";
    }
    if (email.length() > 254) {
      return "The email address is longer than 254 characters.";
    }
    for (int i = 0; i < email.length(); i = email.offsetByCodePoints(i, 1)) {
      int c = email.codePointAt(i);
      String bad = badCharacter(c);
      if (bad != null) {
        return "The email address contains " + bad + ".";
      }
    }
    int at = email.indexOf('@');
    if (at <= 0 || at != email.lastIndexOf('@') || at > 64) {
      return "The email address must have the form name@example.com, with exactly one '@'.";
    }
    String domain = email.substring(at + 1);
    if (domain.length() < 3 || !domain.contains(".") || domain.startsWith(".")
        || domain.endsWith(".") || domain.contains("..")) {
      return "The email address must have the form name@example.com; '"
          + Text.clip(domain) + "' is not a domain name with a dot.";
    }
    return null;
  }

  /** What makes {@code c} unfit for an address, or null. */
  private static String badCharacter(int c) {
    if (Character.getType(c) == Character.CONTROL) {
      return "the control character " + codePoint(c);
    }
    if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
      return "a space (" + codePoint(c) + ")";
    }
    if (isBidiControl(c)) {
      return "the bidirectional control " + codePoint(c) + ", which makes text display in "
          + "another order than it is written";
    }
    if (Character.getType(c) == Character.FORMAT) {
      return "the invisible formatting character " + codePoint(c);
    }
    if (c == '<' || c == '>') {
      return "'" + (char) c + "', which no address may contain";
    }
    return null;
  }

  /** The Unicode Bidi_Control characters (UAX #9): marks, embeddings, overrides, isolates. */
  static boolean isBidiControl(int c) {
    return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E)
        || (c >= 0x2066 && c <= 0x2069);
  }

  private static String codePoint(int c) {
    return String.format(Locale.ROOT, "U+%04X", c);
  }
}
