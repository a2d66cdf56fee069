package dev.jeton.oauth;

import dev.jeton.token.Scope;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The SQL of remembered consents, the {@code grants} table: one row per user and client. */
final class ConsentStore {
  private final Jdbi jdbi;

  ConsentStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  Optional<Scope> granted(String userId, String clientId) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT scope FROM grants
            WHERE user_id = :u AND client_id = :c AND revoked_at IS NULL""")
        .bind("u", userId).bind("c", clientId).mapTo(String.class).findOne()
        .map(Scope::parse));
  }

  /** Sets the user's consent to the client to {@code scope}, renewing a revoked one. */
  static void upsert(Handle h, String accountId, String userId, String clientId, Scope scope,
      long now) {
    int updated = h.createUpdate("""
            UPDATE grants SET scope = :s, revoked_at = NULL,
              created_at = CASE WHEN revoked_at IS NULL THEN created_at ELSE :now END
            WHERE user_id = :u AND client_id = :c""")
        .bind("s", scope.render()).bind("now", now).bind("u", userId).bind("c", clientId)
        .execute();
    if (updated == 0) {
      h.createUpdate("""
              INSERT INTO grants (account_id, user_id, client_id, scope, created_at)
              VALUES (:a, :u, :c, :s, :now)""")
          .bind("a", accountId).bind("u", userId).bind("c", clientId)
          .bind("s", scope.render()).bind("now", now).execute();
    }
  }

  List<Consents.Consent> live(String userId) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT client_id, scope, created_at FROM grants
            WHERE user_id = :u AND revoked_at IS NULL ORDER BY created_at, client_id""")
        .bind("u", userId)
        .map((rs, c) -> new Consents.Consent(rs.getString("client_id"),
            Scope.parse(rs.getString("scope")), rs.getLong("created_at")))
        .list());
  }

  static boolean revoke(Handle h, String userId, String clientId, long now) {
    return h.createUpdate("""
            UPDATE grants SET revoked_at = :now
            WHERE user_id = :u AND client_id = :c AND revoked_at IS NULL""")
        .bind("now", now).bind("u", userId).bind("c", clientId).execute() == 1;
  }
}
