package dev.jeton.admin;

import java.util.List;

/**
 * One token of an account as its admins see it (docs/tokens.md#admin): a session (a first-party
 * sign-in, {@value #SESSION}, or an OAuth client's grant to a user, {@value #OAUTH}: one
 * refresh-token family with its access tokens) or a personal access token ({@value #PAT}) of a
 * user or a service principal. Times in ms; {@code revokedReason} without {@code revokedAt} is a
 * session ended by a later password change; {@code noLiveRefreshToken} is a session whose
 * refresh tokens are all spent or expired.
 */
record AccountToken(String id, String kind, String ownerKind, String ownerId, String clientId,
    List<String> scopes, String comment, long createdAt, Long expiresAt, Long lastUsedAt,
    Long revokedAt, String revokedReason, boolean noLiveRefreshToken) {
  static final String SESSION = "session";
  static final String OAUTH = "oauth";
  static final String PAT = "pat";
  static final String USER = "user";
  static final String FIRST_PARTY_CLIENT = dev.jeton.session.SessionService.FIRST_PARTY_CLIENT;

  /** {@code active}, {@code expired} or {@code revoked} at {@code now}. */
  String status(long now) {
    if (revokedAt != null || revokedReason != null) {
      return "revoked";
    }
    if (noLiveRefreshToken || (expiresAt != null && expiresAt <= now)) {
      return "expired";
    }
    return "active";
  }
}
