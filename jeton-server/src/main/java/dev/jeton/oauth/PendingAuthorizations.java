package dev.jeton.oauth;

import org.jdbi.v3.core.Handle;

/**
 * Authorizations a user approved that have not become a session yet: authorization codes not
 * exchanged (or being exchanged) and approved device codes not yet polled. Revoking a grant, a
 * password change and logging out everywhere withdraw them in the same transaction, so nothing
 * the user approved before can sign anyone in afterwards (docs/security.md#grant-revocation).
 */
final class PendingAuthorizations {
  private PendingAuthorizations() {}

  /**
   * Withdraws the user's pending authorizations of one client, or of every client with
   * {@code clientId} null; answers how many.
   */
  static int withdraw(Handle h, String userId, String clientId, long now) {
    return AuthorizationCodeStore.revokePending(h, userId, clientId, now)
        + DeviceCodeStore.withdrawApprovals(h, userId, clientId, now);
  }
}
