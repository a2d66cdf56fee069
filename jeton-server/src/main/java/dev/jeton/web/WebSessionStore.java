package dev.jeton.web;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The SQL of {@code web_sessions}: browser sessions stored by the hash of their cookie. */
final class WebSessionStore {
  private final Jdbi jdbi;

  /**
   * A stored session, with whether its user is blocked and whether it was signed in with the
   * user's current credential generation (epoch ms).
   */
  record Row(String hash, String accountId, String userId, long created, long seen, long expires,
      boolean revoked, boolean blocked, int generation, boolean currentCredentials) {}

  private static final String COLUMNS = """
      w.hash, w.account_id, w.user_id, w.created_at, w.last_seen_at, w.expires_at, w.revoked_at,
      w.credential_generation, u.blocked_at, u.credential_generation AS owner_generation""";

  WebSessionStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Inserts a session signed in with credential generation {@code generation}, only while it is
   * still the user's (as {@code SessionStore.insertSession}); false when the password changed.
   */
  static boolean insert(Handle h, String hash, String accountId, String userId, int generation,
      long now, long expiresAt, boolean postgres) {
    return h.createUpdate("""
            INSERT INTO web_sessions (hash, account_id, user_id, created_at, last_seen_at,
                                      expires_at, credential_generation)
            SELECT :h, :a, :u, :now, :now, :exp, :gen
            FROM users WHERE id = :u AND credential_generation = :gen"""
            + (postgres ? " FOR SHARE" : ""))
        .bind("h", hash).bind("a", accountId).bind("u", userId).bind("gen", generation)
        .bind("now", now).bind("exp", expiresAt).execute() == 1;
  }

  Optional<Row> find(String hash) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
            + " FROM web_sessions w JOIN users u ON u.id = w.user_id WHERE w.hash = :h")
        .bind("h", hash).map((rs, c) -> row(rs)).findOne());
  }

  /** The user's sessions that are not revoked and not past their absolute expiry. */
  List<Row> unexpiredOfUser(String userId, long now) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + """
             FROM web_sessions w JOIN users u ON u.id = w.user_id
            WHERE w.user_id = :u AND w.revoked_at IS NULL AND w.expires_at > :now
            ORDER BY w.created_at, w.hash""")
        .bind("u", userId).bind("now", now).map((rs, c) -> row(rs)).list());
  }

  static void touch(Handle h, String hash, long now) {
    h.createUpdate("UPDATE web_sessions SET last_seen_at = :now WHERE hash = :h")
        .bind("now", now).bind("h", hash).execute();
  }

  /** Revokes one session; false when it was revoked already. */
  static boolean revoke(Handle h, String hash, long now) {
    return h.createUpdate("UPDATE web_sessions SET revoked_at = :now WHERE hash = :h "
        + "AND revoked_at IS NULL").bind("now", now).bind("h", hash).execute() == 1;
  }

  /** Revokes every unexpired session of the user; answers how many. */
  static int revokeAllOfUser(Handle h, String userId, long now) {
    return h.createUpdate("""
            UPDATE web_sessions SET revoked_at = :now
            WHERE user_id = :u AND revoked_at IS NULL AND expires_at > :now""")
        .bind("now", now).bind("u", userId).execute();
  }

  private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
    int generation = rs.getInt("credential_generation");
    return new Row(rs.getString("hash"), rs.getString("account_id"), rs.getString("user_id"),
        rs.getLong("created_at"), rs.getLong("last_seen_at"), rs.getLong("expires_at"),
        rs.getObject("revoked_at") != null, rs.getObject("blocked_at") != null, generation,
        generation == rs.getInt("owner_generation"));
  }
}
