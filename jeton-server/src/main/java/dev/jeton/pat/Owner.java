package dev.jeton.pat;

/**
 * Whom a personal access token acts for: a user of the account ({@value #USER}) or one of its
 * service principals ({@value #PRINCIPAL}).
 */
public record Owner(String kind, String id) {
  public static final String USER = "user";
  public static final String PRINCIPAL = "principal";

  public static Owner user(String id) {
    return new Owner(USER, id);
  }

  public static Owner principal(String id) {
    return new Owner(PRINCIPAL, id);
  }
}
