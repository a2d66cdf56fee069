package dev.jeton.web;

import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The SQL of {@code web_sessions}: browser sessions stored by the hash of their cookie. */
final class WebSessionStore {
  private final Jdbi jdbi;

  /** A stored session, with whether its user is blocked (epoch ms). */
  record Row(String accountId, String userId, long created, long seen, long expires,
      boolean revoked, boolean blocked) {}

  WebSessionStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  static void insert(Handle h, String hash, String accountId, String userId, long now,
      long expiresAt) {
    h.createUpdate("""
            INSERT INTO web_sessions (hash, account_id, user_id, created_at, last_seen_at,
                                      expires_at)
            VALUES (:h, :a, :u, :now, :now, :exp)""")
        .bind("h", hash).bind("a", accountId).bind("u", userId)
        .bind("now", now).bind("exp", expiresAt).execute();
  }

  Optional<Row> find(String hash) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT w.account_id, w.user_id, w.created_at, w.last_seen_at, w.expires_at,
                   w.revoked_at, u.blocked_at
            FROM web_sessions w JOIN users u ON u.id = w.user_id WHERE w.hash = :h""")
        .bind("h", hash)
        .map((rs, c) -> new Row(rs.getString("account_id"), rs.getString("user_id"),
            rs.getLong("created_at"), rs.getLong("last_seen_at"), rs.getLong("expires_at"),
            rs.getObject("revoked_at") != null, rs.getObject("blocked_at") != null))
        .findOne());
  }

  static void touch(Handle h, String hash, long now) {
    h.createUpdate("UPDATE web_sessions SET last_seen_at = :now WHERE hash = :h")
        .bind("now", now).bind("h", hash).execute();
  }

  static void revoke(Handle h, String hash, long now) {
    h.createUpdate("UPDATE web_sessions SET revoked_at = :now WHERE hash = :h "
        + "AND revoked_at IS NULL").bind("now", now).bind("h", hash).execute();
  }
}
