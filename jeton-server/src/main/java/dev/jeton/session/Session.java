package dev.jeton.session;

import dev.jeton.token.Scope;

/**
 * One refresh-token family: from sign-in to logout, expiry or revocation. Times in ms.
 * {@code credentialGeneration} is the user's credential generation it was signed in with; a
 * session of an older generation than its user's is read as revoked ({@code password_changed}).
 */
public record Session(String id, String accountId, String userId, String clientId,
    Scope scopes, long authTime, long createdAt, long expiresAt, long lastUsedAt,
    Long revokedAt, String revokedReason, int credentialGeneration) {

  public boolean revoked() {
    return revokedAt != null;
  }
}
