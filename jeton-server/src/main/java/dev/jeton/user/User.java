package dev.jeton.user;

/**
 * A person who signs in to one account. {@code role} is {@code admin} or {@code user};
 * {@code credentialGeneration} goes up by one with every password change, and whatever was signed
 * in with an older one is refused (docs/security.md#credential-change).
 */
public record User(String id, String accountId, String email, String passwordHash, String role,
    boolean passwordResetRequired, Long blockedAt, long createdAt, long passwordChangedAt,
    int credentialGeneration) {

  public static final String ADMIN = "admin";
  public static final String USER = "user";

  public boolean isAdmin() {
    return ADMIN.equals(role);
  }

  public boolean blocked() {
    return blockedAt != null;
  }
}
