package dev.jeton.user;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Email normalisation: trimmed, Unicode NFC, lower-cased (with {@code Locale.ROOT}); and a
 * deliberately simple syntax check (one {@code @}, a dotted domain, no spaces or controls,
 * at most 254 characters).
 */
public final class Emails {
  private Emails() {}

  public static String normalise(String raw) {
    return Normalizer.normalize(raw.trim(), Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
  }

  /** Null when valid, otherwise why not. */
  public static String problem(String email) {
    if (email.isEmpty()) {
      return "The email address is empty.";
    }
    if (email.length() > 254) {
      return "The email address is longer than 254 characters.";
    }
    int at = email.indexOf('@');
    if (at <= 0 || at != email.lastIndexOf('@') || at > 64) {
      return "The email address must have the form name@example.com.";
    }
    String domain = email.substring(at + 1);
    if (domain.length() < 3 || !domain.contains(".") || domain.startsWith(".")
        || domain.endsWith(".") || domain.contains("..")) {
      return "The email address must have the form name@example.com.";
    }
    for (int i = 0; i < email.length(); i++) {
      char c = email.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '<' || c == '>') {
        return "The email address contains a space or a control character.";
      }
    }
    return null;
  }
}
