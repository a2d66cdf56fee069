package dev.jeton.oauth;

import java.security.SecureRandom;
import java.util.Locale;

/**
 * Device-flow user codes (RFC 8628 6.1): 8 characters from the 20 consonants
 * {@code BCDFGHJKLMNPQRSTVWXZ} (no vowels, so no words; no look-alike digits), 20^8 = 2^34.6
 * possibilities (docs/security.md#user-code-guessing), shown as {@code XXXX-XXXX}. Entry is
 * case-insensitive and ignores dashes and spaces (RFC 8628 6.1); the normalised form has 8
 * upper-case letters and no dash.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8628#section-6.1">RFC 8628 6.1</a>
 */
final class UserCodes {
  static final String ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
  static final int LENGTH = 8;

  private final SecureRandom random;

  UserCodes(SecureRandom random) {
    this.random = random;
  }

  /** A new code in display form, e.g. {@code WDJB-MJHT}. */
  String generate() {
    StringBuilder b = new StringBuilder(LENGTH + 1);
    for (int i = 0; i < LENGTH; i++) {
      if (i == LENGTH / 2) {
        b.append('-');
      }
      b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }

  /** The normalised code (upper case, no dashes or spaces), or null when it cannot be one. */
  static String normalise(String entered) {
    if (entered == null || entered.length() > 32) {
      return null;
    }
    String s = entered.replace("-", "").replace(" ", "").toUpperCase(Locale.ROOT);
    if (s.length() != LENGTH) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      if (ALPHABET.indexOf(s.charAt(i)) < 0) {
        return null;
      }
    }
    return s;
  }

  /** The display form of a normalised code. */
  static String display(String normalised) {
    return normalised.substring(0, LENGTH / 2) + "-" + normalised.substring(LENGTH / 2);
  }
}
