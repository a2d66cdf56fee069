package dev.jeton.qr;

import dev.jeton.store.Rows;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The SQL of {@code qr_logins}: the QR secret and the poll token stored by hash; every change of
 * state is a compare-and-set on the state it leaves.
 */
final class QrLoginStore {
  private static final String COLUMNS = """
      id, account_id, client_id, poll_hash, matching_code, state, created_at, expires_at,
      desktop_ip, desktop_agent, user_id, scanned_at, decided_at, consumed_at, push_user_id,
      scanned_by, desktop_location""";

  private final Jdbi jdbi;

  QrLoginStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  static void insert(Handle h, QrLogin l, String secretHash) {
    h.createUpdate("""
            INSERT INTO qr_logins (id, account_id, client_id, secret_hash, poll_hash,
              matching_code, state, created_at, expires_at, desktop_ip, desktop_agent,
              push_user_id, desktop_location)
            VALUES (:id, :a, :c, :s, :p, :m, :st, :now, :exp, :ip, :ua, :pu, :loc)""")
        .bind("id", l.id()).bind("a", l.accountId()).bind("c", l.clientId())
        .bind("s", secretHash).bind("p", l.pollHash()).bind("m", l.matchingCode())
        .bind("st", l.state()).bind("now", l.createdAt()).bind("exp", l.expiresAt())
        .bind("ip", l.desktopIp()).bind("ua", l.desktopAgent()).bind("pu", l.pushUserId())
        .bind("loc", l.desktopLocation()).execute();
  }

  Optional<QrLogin> byId(String id) {
    return find("id", id);
  }

  Optional<QrLogin> bySecretHash(String hash) {
    return find("secret_hash", hash);
  }

  private Optional<QrLogin> find(String column, String value) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM qr_logins WHERE "
            + column + " = :v")
        .bind("v", value)
        .map((rs, c) -> new QrLogin(rs.getString("id"), rs.getString("account_id"),
            rs.getString("client_id"), rs.getString("poll_hash"), rs.getString("matching_code"),
            rs.getString("state"), rs.getLong("created_at"), rs.getLong("expires_at"),
            rs.getString("desktop_ip"), rs.getString("desktop_agent"), rs.getString("user_id"),
            Rows.longOrNull(rs, "scanned_at"), Rows.longOrNull(rs, "decided_at"),
            Rows.longOrNull(rs, "consumed_at"), rs.getString("push_user_id"),
            rs.getString("scanned_by"), rs.getString("desktop_location")))
        .findOne());
  }

  /**
   * A pending, unexpired login taken by {@code userId}'s phone, {@code by} QR code or push (then
   * only as the user the push went to); true when this call did it.
   */
  static boolean scan(Handle h, String id, String userId, String by, long now) {
    return h.createUpdate("""
            UPDATE qr_logins SET state = :scanned, user_id = :u, scanned_at = :now,
              scanned_by = :by
            WHERE id = :id AND state = :pending AND expires_at > :now"""
            + (QrLogin.BY_PUSH.equals(by) ? " AND push_user_id = :u" : ""))
        .bind("scanned", QrLogin.SCANNED).bind("pending", QrLogin.PENDING).bind("u", userId)
        .bind("by", by).bind("now", now).bind("id", id).execute() == 1;
  }

  /** The scanning user's decision on an unexpired scanned login; true when this call made it. */
  static boolean decide(Handle h, String id, String userId, String state, long now) {
    return h.createUpdate("""
            UPDATE qr_logins SET state = :st, decided_at = :now
            WHERE id = :id AND state = :scanned AND user_id = :u AND expires_at > :now""")
        .bind("st", state).bind("scanned", QrLogin.SCANNED).bind("u", userId).bind("now", now)
        .bind("id", id).execute() == 1;
  }

  /** Marks an approved, unexpired login consumed; true when this call did. */
  static boolean consume(Handle h, String id, long now) {
    return h.createUpdate("""
            UPDATE qr_logins SET state = :consumed, consumed_at = :now
            WHERE id = :id AND state = :approved AND expires_at > :now""")
        .bind("consumed", QrLogin.CONSUMED).bind("approved", QrLogin.APPROVED)
        .bind("now", now).bind("id", id).execute() == 1;
  }

  /** Records the session an exchange started. */
  static void attachSession(Handle h, String id, String sessionId) {
    h.createUpdate("UPDATE qr_logins SET session_id = :s WHERE id = :id")
        .bind("s", sessionId).bind("id", id).execute();
  }
}
