package dev.jeton.admin;

import dev.jeton.store.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * The SQL of the admin's list of an account's tokens: sessions (first-party sign-ins and OAuth
 * grants, each one refresh-token family) and personal access tokens, each read newest first by
 * (created_at, id) on its account index (V12__account_token_lists.sql).
 */
final class AccountTokenStore {
  private final Jdbi jdbi;

  AccountTokenStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Up to {@code limit} sessions of the account matching the filter, newest first. A session's
   * expiry is the sooner of its absolute limit and its live refresh token's (idle) expiry; one
   * signed in with an older credential generation than its user's counts as revoked.
   */
  List<AccountToken> sessions(String accountId, AccountTokens.Filter f, long now, int limit) {
    StringBuilder sql = new StringBuilder("""
        SELECT s.id, s.user_id, s.client_id, s.scope, s.created_at, s.last_used_at,
               s.revoked_at, s.revoked_reason,
               CASE WHEN s.credential_generation < u.credential_generation THEN 1 ELSE 0 END
                 AS outdated,
               (SELECT min(t.expires_at) FROM refresh_tokens t WHERE t.session_id = s.id
                  AND t.rotated_at IS NULL AND t.revoked_at IS NULL) AS live_until,
               s.expires_at
          FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.account_id = :a""");
    Map<String, Object> binds = new TreeMap<>();
    if (f.kind() != null) {
      sql.append(f.kind().equals(AccountToken.SESSION) ? " AND s.client_id = :fp"
          : " AND s.client_id <> :fp");
      binds.put("fp", AccountToken.FIRST_PARTY_CLIENT);
    }
    if (f.owner() != null) {
      sql.append(" AND s.user_id = :owner");
      binds.put("owner", f.owner());
    }
    if (f.clientId() != null) {
      sql.append(" AND s.client_id = :client");
      binds.put("client", f.clientId());
    }
    if (f.activeOnly()) {
      sql.append(" AND s.revoked_at IS NULL AND s.expires_at > :now AND EXISTS (SELECT 1 FROM "
          + "refresh_tokens t WHERE t.session_id = s.id AND t.rotated_at IS NULL "
          + "AND t.revoked_at IS NULL AND t.expires_at > :now)"
          + " AND s.credential_generation = u.credential_generation");
      binds.put("now", now);
    }
    common(sql, binds, f, "s.");
    return jdbi.withHandle(h -> bound(h.createQuery(sql.toString()), binds, accountId, limit)
        .map((rs, ctx) -> session(rs)).list());
  }

  /** Up to {@code limit} personal access tokens of the account matching the filter. */
  List<AccountToken> pats(String accountId, AccountTokens.Filter f, long now, int limit) {
    StringBuilder sql = new StringBuilder("""
        SELECT p.id, p.owner_kind, p.owner_id, p.comment, p.scope, p.created_at, p.expires_at,
               p.last_used_at, p.revoked_at, p.revoked_reason
          FROM personal_access_tokens p
         WHERE p.account_id = :a""");
    Map<String, Object> binds = new TreeMap<>();
    if (f.owner() != null) {
      sql.append(" AND p.owner_id = :owner");
      binds.put("owner", f.owner());
    }
    if (f.activeOnly()) {
      sql.append(" AND p.revoked_at IS NULL AND (p.expires_at IS NULL OR p.expires_at > :now)");
      binds.put("now", now);
    }
    common(sql, binds, f, "p.");
    return jdbi.withHandle(h -> bound(h.createQuery(sql.toString()), binds, accountId, limit)
        .map((rs, ctx) -> pat(rs)).list());
  }

  /** The time filters and the cursor, then the order; {@code t} is the table's alias. */
  private static void common(StringBuilder sql, Map<String, Object> binds,
      AccountTokens.Filter f, String t) {
    range(sql, binds, t + "created_at", "ca", f.createdAfter(), "cb", f.createdBefore());
    range(sql, binds, t + "expires_at", "ea", f.expiresAfter(), "eb", f.expiresBefore());
    range(sql, binds, t + "last_used_at", "la", f.lastUsedAfter(), "lb", f.lastUsedBefore());
    if (f.after() != null) {
      sql.append(" AND (").append(t).append("created_at < :cur_t OR (").append(t)
          .append("created_at = :cur_t AND ").append(t).append("id < :cur_id))");
      binds.put("cur_t", f.after().createdAt());
      binds.put("cur_id", f.after().id());
    }
    sql.append(" ORDER BY ").append(t).append("created_at DESC, ").append(t)
        .append("id DESC LIMIT :n");
  }

  private static void range(StringBuilder sql, Map<String, Object> binds, String column,
      String afterName, Long after, String beforeName, Long before) {
    if (after != null) {
      sql.append(" AND ").append(column).append(" > :").append(afterName);
      binds.put(afterName, after);
    }
    if (before != null) {
      sql.append(" AND ").append(column).append(" < :").append(beforeName);
      binds.put(beforeName, before);
    }
  }

  private static Query bound(Query q, Map<String, Object> binds, String accountId, int limit) {
    q.bind("a", accountId).bind("n", limit);
    binds.forEach(q::bind);
    return q;
  }

  private static AccountToken session(ResultSet rs) throws SQLException {
    String client = rs.getString("client_id");
    Long revokedAt = Rows.longOrNull(rs, "revoked_at");
    String reason = rs.getString("revoked_reason");
    boolean outdated = rs.getInt("outdated") == 1;
    long expires = rs.getLong("expires_at");
    Long liveUntil = Rows.longOrNull(rs, "live_until");
    if (liveUntil != null && liveUntil < expires) {
      expires = liveUntil;
    }
    return new AccountToken(rs.getString("id"),
        AccountToken.FIRST_PARTY_CLIENT.equals(client) ? AccountToken.SESSION : AccountToken.OAUTH,
        AccountToken.USER, rs.getString("user_id"),
        AccountToken.FIRST_PARTY_CLIENT.equals(client) ? null : client,
        List.of(rs.getString("scope").split(" ")), null, rs.getLong("created_at"), expires,
        rs.getLong("last_used_at"), revokedAt,
        revokedAt == null && outdated ? "password_changed" : reason, liveUntil == null);
  }

  private static AccountToken pat(ResultSet rs) throws SQLException {
    String scope = rs.getString("scope");
    return new AccountToken(rs.getString("id"), AccountToken.PAT, rs.getString("owner_kind"),
        rs.getString("owner_id"), null,
        scope.isEmpty() ? List.of() : new ArrayList<>(List.of(scope.split(" "))),
        rs.getString("comment"), rs.getLong("created_at"), Rows.longOrNull(rs, "expires_at"),
        Rows.longOrNull(rs, "last_used_at"), Rows.longOrNull(rs, "revoked_at"),
        rs.getString("revoked_reason"), false);
  }
}
