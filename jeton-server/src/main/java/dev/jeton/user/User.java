package dev.jeton.user;

/**
 * A person who signs in to one account. {@code role} is {@code admin} or {@code user};
 * {@code credentialGeneration} goes up by one with every password change, and whatever was signed
 * in with an older one is refused (docs/security.md#credential-change). An empty
 * {@code passwordHash} means no password is set yet (a user created or imported without one signs
 * in only after setting it through a one-time link); {@code name} is null when none was given.
 */
public record User(String id, String accountId, String email, String passwordHash, String role,
    boolean passwordResetRequired, Long blockedAt, long createdAt, long passwordChangedAt,
    int credentialGeneration, String name) {

  public static final String ADMIN = "admin";
  public static final String USER = "user";

  public boolean isAdmin() {
    return ADMIN.equals(role);
  }

  public boolean blocked() {
    return blockedAt != null;
  }

  /** True when the user has a password to sign in with. */
  public boolean hasPassword() {
    return !passwordHash.isEmpty();
  }

  /** The state the users API reports: {@code blocked}, {@code password_reset_required},
   * {@code invited} (no password yet) or {@code active}. */
  public String status() {
    if (blocked()) {
      return "blocked";
    }
    if (passwordResetRequired) {
      return "password_reset_required";
    }
    return hasPassword() ? "active" : "invited";
  }
}
