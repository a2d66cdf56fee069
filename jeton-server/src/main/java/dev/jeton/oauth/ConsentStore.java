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

  /**
   * Adds {@code scopes} to the user's live consent to the client, or starts a fresh one (no row,
   * or a revoked one). Safe against concurrent callers on both engines: the row is created with
   * {@code INSERT ... ON CONFLICT DO NOTHING}, and an existing row is changed by compare-and-set
   * on the value read, re-read when another transaction changed it first (PostgreSQL's READ
   * COMMITTED re-checks the condition against the committed row), so no approval is lost.
   */
  static void add(Handle h, String accountId, String userId, String clientId, Scope scopes,
      long now) {
    int inserted = h.createUpdate("""
            INSERT INTO grants (account_id, user_id, client_id, scope, created_at)
            VALUES (:a, :u, :c, :s, :now)
            ON CONFLICT (user_id, client_id) DO NOTHING""")
        .bind("a", accountId).bind("u", userId).bind("c", clientId)
        .bind("s", scopes.render()).bind("now", now).execute();
    if (inserted == 1) {
      return;
    }
    for (int attempt = 0; attempt < 8; attempt++) {
      Row row = h.createQuery("""
              SELECT scope, revoked_at FROM grants WHERE user_id = :u AND client_id = :c""")
          .bind("u", userId).bind("c", clientId)
          .map((rs, ctx) -> new Row(rs.getString(1), rs.getObject(2) == null))
          .one();
      Scope next = row.live() ? Scope.parse(row.scope()).union(scopes) : scopes;
      int changed = h.createUpdate("""
              UPDATE grants SET scope = :s, revoked_at = NULL,
                created_at = CASE WHEN revoked_at IS NULL THEN created_at ELSE :now END
              WHERE user_id = :u AND client_id = :c AND scope = :old
                AND (CASE WHEN revoked_at IS NULL THEN 1 ELSE 0 END) = :live""")
          .bind("s", next.render()).bind("now", now).bind("u", userId).bind("c", clientId)
          .bind("old", row.scope()).bind("live", row.live() ? 1 : 0)
          .execute();
      if (changed == 1) {
        return;
      }
    }
    throw new IllegalStateException("the consent kept changing under concurrent approvals");
  }

  private record Row(String scope, boolean live) {}

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
