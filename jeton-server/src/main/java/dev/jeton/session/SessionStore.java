package dev.jeton.session;

import dev.jeton.store.Rows;
import dev.jeton.token.Scope;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** SQL for the {@code sessions} and {@code refresh_tokens} tables. */
final class SessionStore {
  /** A refresh token row joined with its session and the owner's blocked state. */
  record TokenRow(String hash, long issuedAt, long expiresAt, Long rotatedAt, String successorHash,
      boolean graceUsed, Long revokedAt, Session session, boolean ownerBlocked) {}

  /** The session's columns and its owner's, which {@link #session} reads. */
  private static final String SESSION_COLUMNS = """
      s.id, s.account_id, s.user_id, s.client_id, s.scope, s.auth_time, s.created_at,
      s.expires_at, s.last_used_at, s.revoked_at, s.revoked_reason, s.credential_generation,
      u.credential_generation AS owner_generation,
      u.password_changed_at AS owner_password_changed_at""";

  private final Jdbi jdbi;

  SessionStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Inserts the session only while its credential generation is its user's current one; answers
   * false (and inserts nothing) once the password changed. On PostgreSQL the user's row is read
   * {@code FOR SHARE}: a password change that has updated it but not yet committed is waited for
   * and then seen, so no session signed in with the old password is created behind the change's
   * back (the change revokes the sessions that exist when it commits).
   */
  static boolean insertSession(Handle h, Session s, boolean postgres) {
    return h.createUpdate("""
            INSERT INTO sessions (id, account_id, user_id, client_id, scope, auth_time, created_at,
                                  expires_at, last_used_at, credential_generation)
            SELECT :id, :a, :u, :c, :scope, :auth, :created, :exp, :created, :gen
            FROM users WHERE id = :u AND credential_generation = :gen"""
            + (postgres ? " FOR SHARE" : ""))
        .bind("id", s.id()).bind("a", s.accountId()).bind("u", s.userId())
        .bind("c", s.clientId()).bind("scope", s.scopes().render())
        .bind("auth", s.authTime()).bind("created", s.createdAt()).bind("exp", s.expiresAt())
        .bind("gen", s.credentialGeneration())
        .execute() == 1;
  }

  /** Moves a session to the user's new credential generation (the one that changed it). */
  static void renewGeneration(Handle h, String sessionId, int generation) {
    h.createUpdate("UPDATE sessions SET credential_generation = :g WHERE id = :id")
        .bind("g", generation).bind("id", sessionId).execute();
  }

  static void insertToken(Handle h, String hash, String sessionId, long now, long expiresAt) {
    h.createUpdate("""
            INSERT INTO refresh_tokens (hash, session_id, issued_at, expires_at)
            VALUES (:h, :s, :now, :exp)""")
        .bind("h", hash).bind("s", sessionId).bind("now", now).bind("exp", expiresAt)
        .execute();
  }

  Optional<TokenRow> findToken(String hash) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT t.hash, t.issued_at AS t_issued_at, t.expires_at AS t_expires_at,
                   t.rotated_at, t.successor_hash, t.grace_used, t.revoked_at AS t_revoked_at,
                   u.blocked_at AS owner_blocked,
            """ + SESSION_COLUMNS + " " + """
             FROM refresh_tokens t
             JOIN sessions s ON s.id = t.session_id
             JOIN users u ON u.id = s.user_id
             WHERE t.hash = :h""")
        .bind("h", hash)
        .map((rs, ctx) -> new TokenRow(rs.getString("hash"), rs.getLong("t_issued_at"),
            rs.getLong("t_expires_at"), Rows.longOrNull(rs, "rotated_at"),
            rs.getString("successor_hash"), rs.getInt("grace_used") != 0,
            Rows.longOrNull(rs, "t_revoked_at"), session(rs),
            Rows.longOrNull(rs, "owner_blocked") != null))
        .findOne());
  }

  Optional<Session> findSession(String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + SESSION_COLUMNS
            + " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = :id")
        .bind("id", id).map((rs, ctx) -> session(rs)).findOne());
  }

  /** Marks an unused token as rotated; false when another request used it first. */
  static boolean rotate(Handle h, String hash, String successor, long now) {
    return h.createUpdate("""
            UPDATE refresh_tokens SET rotated_at = :now, successor_hash = :succ
            WHERE hash = :h AND rotated_at IS NULL AND revoked_at IS NULL""")
        .bind("now", now).bind("succ", successor).bind("h", hash)
        .execute() == 1;
  }

  /**
   * Spends a rotated token's single grace use: revokes its still-unused successor and points the
   * token at the new one. False when the successor was already used or the grace already spent.
   */
  static boolean useGrace(Handle h, String hash, String oldSuccessor, String newSuccessor,
      long now) {
    int revoked = h.createUpdate("""
            UPDATE refresh_tokens SET revoked_at = :now
            WHERE hash = :old AND rotated_at IS NULL AND revoked_at IS NULL""")
        .bind("now", now).bind("old", oldSuccessor).execute();
    if (revoked != 1) {
      return false;
    }
    return h.createUpdate("""
            UPDATE refresh_tokens SET grace_used = 1, successor_hash = :new
            WHERE hash = :h AND grace_used = 0 AND successor_hash = :old""")
        .bind("new", newSuccessor).bind("h", hash).bind("old", oldSuccessor)
        .execute() == 1;
  }

  static void touch(Handle h, String sessionId, long now) {
    h.createUpdate("UPDATE sessions SET last_used_at = :now WHERE id = :id")
        .bind("now", now).bind("id", sessionId).execute();
  }

  /** Revokes a session; answers true if it was still active. */
  static boolean revoke(Handle h, String sessionId, long now, String reason) {
    return h.createUpdate("""
            UPDATE sessions SET revoked_at = :now, revoked_reason = :r
            WHERE id = :id AND revoked_at IS NULL""")
        .bind("now", now).bind("r", reason).bind("id", sessionId).execute() == 1;
  }

  /** Revokes a session of the account that has not ended; true when this call did. */
  static boolean revokeInAccount(Handle h, String accountId, String sessionId, long now,
      String reason) {
    return h.createUpdate("""
            UPDATE sessions SET revoked_at = :now, revoked_reason = :r
            WHERE id = :id AND account_id = :a AND revoked_at IS NULL AND expires_at > :now""")
        .bind("now", now).bind("r", reason).bind("id", sessionId).bind("a", accountId)
        .execute() == 1;
  }

  /** Revokes every active session of a user except {@code keep} (may be null). */
  static List<String> revokeAllOfUser(Handle h, String userId, String keep, long now,
      String reason) {
    List<String> ids = h.createQuery("""
            SELECT id FROM sessions WHERE user_id = :u AND revoked_at IS NULL""")
        .bind("u", userId).mapTo(String.class).list();
    ids.remove(keep);
    for (String id : ids) {
      h.createUpdate("""
              UPDATE sessions SET revoked_at = :now, revoked_reason = :r
              WHERE id = :id AND revoked_at IS NULL""")
          .bind("now", now).bind("r", reason).bind("id", id).execute();
    }
    return ids;
  }

  /** Revokes every active session of a user with one client. */
  static List<String> revokeAllOfUserForClient(Handle h, String userId, String clientId,
      long now, String reason) {
    return revokeOfClient(h, "user_id", userId, clientId, now, reason);
  }

  /** Revokes every active session of a client (a deleted client); answers their ids. */
  static List<String> revokeAllOfClient(Handle h, String accountId, String clientId, long now,
      String reason) {
    return revokeOfClient(h, "account_id", accountId, clientId, now, reason);
  }

  /**
   * Revokes the active sessions of a client whose {@code owner} column ({@code user_id} or
   * {@code account_id}, never caller input) is {@code ownerId}; answers their ids.
   */
  private static List<String> revokeOfClient(Handle h, String owner, String ownerId,
      String clientId, long now, String reason) {
    String where = " WHERE " + owner + " = :o AND client_id = :c AND revoked_at IS NULL";
    List<String> ids = h.createQuery("SELECT id FROM sessions" + where)
        .bind("o", ownerId).bind("c", clientId).mapTo(String.class).list();
    h.createUpdate("UPDATE sessions SET revoked_at = :now, revoked_reason = :r" + where)
        .bind("now", now).bind("r", reason).bind("o", ownerId).bind("c", clientId).execute();
    return ids;
  }

  /**
   * The session of a row of {@link #SESSION_COLUMNS}. One signed in with an older credential
   * generation than its user's reads as revoked when the password changed: the change revokes
   * every session it sees, and this covers any other.
   */
  private static Session session(ResultSet rs) throws SQLException {
    Long revokedAt = Rows.longOrNull(rs, "revoked_at");
    String reason = rs.getString("revoked_reason");
    int generation = rs.getInt("credential_generation");
    if (revokedAt == null && generation != rs.getInt("owner_generation")) {
      revokedAt = rs.getLong("owner_password_changed_at");
      reason = "password_changed";
    }
    return new Session(rs.getString("id"), rs.getString("account_id"), rs.getString("user_id"),
        rs.getString("client_id"), Scope.parse(rs.getString("scope")),
        rs.getLong("auth_time"), rs.getLong("created_at"), rs.getLong("expires_at"),
        rs.getLong("last_used_at"), revokedAt, reason, generation);
  }

}
