package dev.jeton.session;

import dev.jeton.token.Scope;

/** One refresh-token family: from sign-in to logout, expiry or revocation. Times in ms. */
public record Session(String id, String accountId, String userId, String clientId,
    Scope scopes, long authTime, long createdAt, long expiresAt, long lastUsedAt,
    Long revokedAt, String revokedReason) {

  public boolean revoked() {
    return revokedAt != null;
  }
}
