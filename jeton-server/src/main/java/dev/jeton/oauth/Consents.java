package dev.jeton.oauth;

import dev.jeton.oauth.Consents;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.Scope;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Remembered consent (RFC 6749 4.1.1 step B, ASVS 10.7.1-10.7.3): the scopes a user granted to
 * a client, in the {@code grants} table, one row per user and client. A request for scopes
 * already granted skips the consent page; the user can list and revoke grants.
 */
final class Consents {
  private final Jdbi jdbi;
  private final WriteQueue writes;
  private final Clock clock;

  /** A live grant; {@code createdAt} in ms. */
  record Grant(String clientId, Scope scopes, long createdAt) {}

  Consents(Jdbi jdbi, WriteQueue writes, Clock clock) {
    this.jdbi = jdbi;
    this.writes = writes;
    this.clock = clock;
  }

  /** The scopes the user has granted the client (empty when none or revoked). */
  Optional<Scope> granted(String userId, String clientId) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT scope FROM grants
            WHERE user_id = :u AND client_id = :c AND revoked_at IS NULL""")
        .bind("u", userId).bind("c", clientId).mapTo(String.class).findOne()
        .map(Scope::parse));
  }

  /** Adds {@code scopes} to the user's grant to the client (creating or renewing it). */
  void remember(String accountId, String userId, String clientId, Scope scopes) {
    long now = clock.millis();
    String scope = granted(userId, clientId).orElse(Scope.EMPTY).union(scopes).render();
    writes.submit(h -> {
      int updated = h.createUpdate("""
              UPDATE grants SET scope = :s, revoked_at = NULL,
                created_at = CASE WHEN revoked_at IS NULL THEN created_at ELSE :now END
              WHERE user_id = :u AND client_id = :c""")
          .bind("s", scope).bind("now", now).bind("u", userId).bind("c", clientId).execute();
      if (updated == 0) {
        h.createUpdate("""
                INSERT INTO grants (account_id, user_id, client_id, scope, created_at)
                VALUES (:a, :u, :c, :s, :now)""")
            .bind("a", accountId).bind("u", userId).bind("c", clientId).bind("s", scope)
            .bind("now", now).execute();
      }
      return null;
    });
  }

  /** The user's live grants, oldest first. */
  List<Grant> list(String userId) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT client_id, scope, created_at FROM grants
            WHERE user_id = :u AND revoked_at IS NULL ORDER BY created_at, client_id""")
        .bind("u", userId)
        .map((rs, c) -> new Grant(rs.getString("client_id"), Scope.parse(rs.getString("scope")),
            rs.getLong("created_at")))
        .list());
  }

  /** Revokes the grant; false when there was no live one. */
  boolean revoke(String userId, String clientId) {
    long now = clock.millis();
    return writes.submit(h -> h.createUpdate("""
            UPDATE grants SET revoked_at = :now
            WHERE user_id = :u AND client_id = :c AND revoked_at IS NULL""")
        .bind("now", now).bind("u", userId).bind("c", clientId).execute() == 1);
  }
}
