package dev.jeton.pat;

import dev.jeton.token.Scope;

/**
 * A personal access token as stored: never its secret, which exists only in the answer that
 * created it. Times are epoch milliseconds; {@code expiresAt} null means no expiry.
 */
public record Pat(String id, String accountId, Owner owner, String comment, Scope scope,
    long createdAt, Long expiresAt, Long lastUsedAt, String lastUsedIp, Long revokedAt,
    String revokedReason) {

  /** Neither revoked nor expired at {@code now}. */
  public boolean live(long now) {
    return revokedAt == null && (expiresAt == null || expiresAt > now);
  }

  /** The same token with a more recent use than the stored one, if {@code use} is. */
  Pat withUse(Use use) {
    if (use == null || (lastUsedAt != null && lastUsedAt >= use.at())) {
      return this;
    }
    return new Pat(id, accountId, owner, comment, scope, createdAt, expiresAt, use.at(), use.ip(),
        revokedAt, revokedReason);
  }

  /** One use of a token: when and from which address. */
  record Use(long at, String ip) {}
}
