package dev.jeton.token;

import java.util.regex.Pattern;

/** The syntax of account ids: 2 to 63 lower-case letters, digits and inner hyphens. */
public final class AccountIds {
  private static final Pattern ID = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])");

  private AccountIds() {}

  public static boolean isValid(String id) {
    return id != null && ID.matcher(id).matches();
  }
}
