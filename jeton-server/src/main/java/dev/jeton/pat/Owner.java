package dev.jeton.pat;

/**
 * Whom a personal access token acts for: a user of the account ({@code kind} {@value #USER}).
 * The kind is stored beside the id, so that other kinds of owner can hold tokens of the same
 * shape.
 */
public record Owner(String kind, String id) {
  public static final String USER = "user";

  public static Owner user(String id) {
    return new Owner(USER, id);
  }
}
