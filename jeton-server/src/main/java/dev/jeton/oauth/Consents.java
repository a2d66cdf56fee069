package dev.jeton.oauth;

import dev.jeton.store.WriteQueue;
import dev.jeton.token.Scope;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Remembered consent (RFC 6749 4.1.1 step B, ASVS 10.7.1-10.7.3): the scopes a user granted to
 * a client, in the {@code grants} table, one row per user and client. A request for scopes
 * already granted skips the consent page; the user can list and revoke grants.
 */
final class Consents {
  private final ConsentStore store;
  private final WriteQueue writes;
  private final Clock clock;

  /** A live consent; {@code createdAt} in ms. */
  record Consent(String clientId, Scope scopes, long createdAt) {}

  Consents(Jdbi jdbi, WriteQueue writes, Clock clock) {
    this.store = new ConsentStore(jdbi);
    this.writes = writes;
    this.clock = clock;
  }

  /** The scopes the user has granted the client (empty when none or revoked). */
  Optional<Scope> granted(String userId, String clientId) {
    return store.granted(userId, clientId);
  }

  /** Adds {@code scopes} to the user's consent to the client (creating or renewing it). */
  void remember(String accountId, String userId, String clientId, Scope scopes) {
    long now = clock.millis();
    writes.submit(h -> {
      ConsentStore.add(h, accountId, userId, clientId, scopes, now);
      return null;
    });
  }

  /** {@link #remember} inside the caller's transaction. */
  void rememberIn(Handle h, String accountId, String userId, String clientId, Scope scopes) {
    ConsentStore.add(h, accountId, userId, clientId, scopes, clock.millis());
  }

  /** The user's live consents, oldest first. */
  List<Consent> list(String userId) {
    return store.live(userId);
  }

  /** Revokes the consent inside the caller's transaction; false when there was no live one. */
  boolean revokeIn(Handle h, String userId, String clientId) {
    return ConsentStore.revoke(h, userId, clientId, clock.millis());
  }
}
