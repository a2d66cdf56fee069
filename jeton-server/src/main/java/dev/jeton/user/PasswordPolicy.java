package dev.jeton.user;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The password policy (ASVS 6.2, NIST 800-63B): 8 to 256 characters of any composition, not one
 * of the most common passwords, and not containing the email's local part. No composition rules
 * and no forced rotation.
 */
public final class PasswordPolicy {
  public static final int MIN_LENGTH = 8;
  public static final int MAX_LENGTH = 256;

  private final Set<String> common;

  public PasswordPolicy() {
    this.common = loadCommon();
  }

  /** Throws {@code validation_failed} naming the {@code password} field when the policy fails. */
  public void check(String password, String email) {
    String why = violation(password, email);
    if (why != null) {
      throw ApiException.validation(List.of(new ApiException.FieldError("password",
          ErrorCode.PASSWORD_POLICY_VIOLATION, why)));
    }
  }

  String violation(String password, String email) {
    int length = password.codePointCount(0, password.length());
    if (length < MIN_LENGTH) {
      return "The password must have at least " + MIN_LENGTH + " characters.";
    }
    if (length > MAX_LENGTH) {
      return "The password must have at most " + MAX_LENGTH + " characters.";
    }
    String lower = password.toLowerCase(Locale.ROOT);
    if (common.contains(lower)) {
      return "The password is one of the most commonly used passwords.";
    }
    if (email != null) {
      String local = email.substring(0, Math.max(0, email.indexOf('@'))).toLowerCase(Locale.ROOT);
      if (local.length() >= 4 && lower.contains(local)) {
        return "The password must not contain the email address.";
      }
    }
    return null;
  }

  private static Set<String> loadCommon() {
    Set<String> set = new HashSet<>();
    try (InputStream in = PasswordPolicy.class.getResourceAsStream("common-passwords.txt")) {
      if (in == null) {
        throw new IllegalStateException("common-passwords.txt missing from the jar");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        String p = line.trim();
        if (!p.isEmpty() && !p.startsWith("#")) {
          set.add(p.toLowerCase(Locale.ROOT));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Set.copyOf(set);
  }
}
