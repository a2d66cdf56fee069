package dev.jeton.user;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The password policy (ASVS 6.2, NIST SP 800-63B-4 3.1.1.2): 8 to 256 characters of any
 * composition, checked against a blocklist of commonly used and expected values. No composition
 * rules and no forced rotation. Refused, each with its own reason
 * (docs/security.md#password-policy):
 *
 * <ul>
 *   <li>only blank characters (spaces, line breaks, invisible formatting characters);
 *   <li>one character repeated, or a run of consecutive characters ({@code abcdefgh},
 *       {@code 87654321});
 *   <li>based on the email's local part: containing it when it has 3 or more characters, or, at
 *       any length, being nothing but copies of it with digits or symbols at the ends;
 *   <li>one of the most commonly used passwords ({@link CommonPasswords}), compared without case;
 *   <li>a commonly used password with digits, symbols or spaces added at the start or end, or
 *       with look-alike characters swapped in ({@code 0} for {@code o}, {@code @} for
 *       {@code a}, ...): {@code Passw0rd!}, {@code summer2024}, {@code 4dmin123};
 *   <li>a shorter sequence repeated when that sequence has fewer than 8 characters or is itself
 *       refused as common: {@code hellohello}, {@code passwordpassword}.
 * </ul>
 */
public final class PasswordPolicy {
  public static final int MIN_LENGTH = 8;
  public static final int MAX_LENGTH = 256;
  /** Local parts this long or longer are refused anywhere in the password. */
  static final int LOCAL_PART_CONTAINED = 3;
  /** Shortest stripped or translated form of a password that is looked up in the list. */
  static final int MIN_VARIANT_LENGTH = 4;

  static final String BLANK = "The password must not be only spaces or other invisible characters.";
  static final String ONE_CHARACTER = "The password must not be one character repeated.";
  static final String RUN = "The password must not be a run of consecutive characters.";
  static final String EMAIL = "The password must not be based on the email address.";
  static final String COMMON = "The password is one of the most commonly used passwords.";
  static final String COMMON_VARIANT = "The password is a commonly used password with digits or "
      + "symbols added or with look-alike characters swapped in.";
  static final String REPEATED = "The password must not be a short or common sequence repeated.";

  private final CommonPasswords common;

  public PasswordPolicy() {
    this.common = CommonPasswords.get();
  }

  /** Throws {@code validation_failed} naming the {@code password} field when the policy fails. */
  public void check(String password, String email) {
    String why = violation(password, email);
    if (why != null) {
      throw ApiException.validation(List.of(new ApiException.FieldError("password",
          ErrorCode.PASSWORD_POLICY_VIOLATION, why)));
    }
  }

  /** The reason the password is refused, or null. */
  String violation(String password, String email) {
    int length = password.codePointCount(0, password.length());
    if (length < MIN_LENGTH) {
      return "The password must have at least " + MIN_LENGTH + " characters.";
    }
    if (length > MAX_LENGTH) {
      return "The password must have at most " + MAX_LENGTH + " characters.";
    }
    if (password.codePoints().allMatch(PasswordPolicy::invisible)) {
      return BLANK;
    }
    String lower = password.toLowerCase(Locale.ROOT);
    int[] cps = lower.codePoints().toArray();
    int period = period(cps);
    if (period == 1) {
      return ONE_CHARACTER;
    }
    if (run(cps)) {
      return RUN;
    }
    if (basedOnEmail(lower, email)) {
      return EMAIL;
    }
    if (common.contains(lower)) {
      return COMMON;
    }
    if (commonVariant(lower)) {
      return COMMON_VARIANT;
    }
    if (period < cps.length) {
      String block = new String(cps, 0, period);
      if (period < MIN_LENGTH || common.contains(block) || commonVariant(block)) {
        return REPEATED;
      }
    }
    return null;
  }

  /** Whitespace, space separators (also no-break spaces), control and formatting characters. */
  private static boolean invisible(int cp) {
    int type = Character.getType(cp);
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp)
        || type == Character.CONTROL || type == Character.FORMAT;
  }

  /**
   * The length of the shortest block the password is made of by repetition ({@code cps.length}
   * when it is no repetition): the prefix function of Knuth-Morris-Pratt.
   */
  static int period(int[] cps) {
    int[] border = new int[cps.length];
    for (int i = 1; i < cps.length; i++) {
      int k = border[i - 1];
      while (k > 0 && cps[i] != cps[k]) {
        k = border[k - 1];
      }
      border[i] = cps[i] == cps[k] ? k + 1 : 0;
    }
    int p = cps.length - border[cps.length - 1];
    return cps.length % p == 0 ? p : cps.length;
  }

  /** Each character is the one after (or each the one before) the previous one. */
  private static boolean run(int[] cps) {
    if (cps.length < 2) {
      return false;
    }
    int step = cps[1] - cps[0];
    if (step != 1 && step != -1) {
      return false;
    }
    for (int i = 2; i < cps.length; i++) {
      if (cps[i] - cps[i - 1] != step) {
        return false;
      }
    }
    return true;
  }

  /**
   * The email's local part, also without a {@code +tag}, and compared also with dots, dashes,
   * underscores and spaces left out of both: refused anywhere in the password when it has 3 or more
   * characters; shorter ones only when the password is nothing but copies of it, maybe with digits
   * or symbols at the ends (so {@code jo@example.com} may not use {@code jojojojo} or
   * {@code jo2024!!}, but may use any password that merely contains {@code jo}).
   */
  private static boolean basedOnEmail(String lower, String email) {
    if (email == null) {
      return false;
    }
    int at = email.lastIndexOf('@');
    if (at <= 0) {
      return false;
    }
    String local = email.substring(0, at).toLowerCase(Locale.ROOT);
    Set<String> names = new LinkedHashSet<>();
    names.add(local);
    int plus = local.indexOf('+');
    if (plus > 0) {
      names.add(local.substring(0, plus));
    }
    for (String name : List.copyOf(names)) {
      names.add(squeeze(name));
    }
    String squeezed = squeeze(lower);
    String core = stripLeading(stripTrailing(lower));
    for (String name : names) {
      if (name.isEmpty()) {
        continue;
      }
      if (name.codePointCount(0, name.length()) >= LOCAL_PART_CONTAINED
          ? lower.contains(name) || squeezed.contains(name)
          : copiesOf(lower, name) || copiesOf(core, name)) {
        return true;
      }
    }
    return false;
  }

  private static String squeeze(String s) {
    return s.replaceAll("[._\\-\\s]", "");
  }

  private static boolean copiesOf(String s, String name) {
    return !s.isEmpty() && s.length() % name.length() == 0
        && s.equals(name.repeat(s.length() / name.length()));
  }

  /**
   * A listed password with digits, symbols or spaces added at the start or end, with look-alike
   * characters swapped in, or both: every form of the password without its leading and/or
   * trailing non-letters, each also translated back from look-alikes, is looked up.
   */
  private boolean commonVariant(String lower) {
    Set<String> stripped = new LinkedHashSet<>();
    stripped.add(lower);
    stripped.add(stripTrailing(lower));
    stripped.add(stripLeading(lower));
    stripped.add(stripLeading(stripTrailing(lower)));
    Set<String> forms = new LinkedHashSet<>();
    for (String s : stripped) {
      forms.add(s);
      forms.add(unLeet(s, 'i'));
      forms.add(unLeet(s, 'l'));
    }
    forms.remove(lower);
    for (String form : forms) {
      if (form.codePointCount(0, form.length()) >= MIN_VARIANT_LENGTH && common.contains(form)) {
        return true;
      }
    }
    return false;
  }

  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 0) {
      int cp = s.codePointBefore(end);
      if (Character.isLetter(cp)) {
        break;
      }
      end -= Character.charCount(cp);
    }
    return s.substring(0, end);
  }

  private static String stripLeading(String s) {
    int start = 0;
    while (start < s.length()) {
      int cp = s.codePointAt(start);
      if (Character.isLetter(cp)) {
        break;
      }
      start += Character.charCount(cp);
    }
    return s.substring(start);
  }

  /**
   * Look-alike characters read as the letters they stand for: 0 o, 1 i (or l), 3 e, 4 a, 5 s,
   * 7 t, @ a, $ s, ! i.
   */
  private static String unLeet(String s, char one) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(switch (c) {
        case '0' -> 'o';
        case '1' -> one;
        case '3' -> 'e';
        case '4', '@' -> 'a';
        case '5', '$' -> 's';
        case '7' -> 't';
        case '!' -> 'i';
        default -> c;
      });
    }
    return b.toString();
  }
}
