package dev.jeton.user;

/** A person who signs in to one account. {@code role} is {@code admin} or {@code user}. */
public record User(String id, String accountId, String email, String passwordHash, String role,
    boolean passwordResetRequired, Long blockedAt, long createdAt, long passwordChangedAt) {

  public static final String ADMIN = "admin";
  public static final String USER = "user";

  public boolean isAdmin() {
    return ADMIN.equals(role);
  }

  public boolean blocked() {
    return blockedAt != null;
  }
}
