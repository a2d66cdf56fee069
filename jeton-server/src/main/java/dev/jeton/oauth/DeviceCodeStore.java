package dev.jeton.oauth;

import dev.jeton.store.Rows;
import dev.jeton.token.Scope;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The SQL of {@code device_codes}: device and user codes stored by hash; polls, decisions and
 * the exchange are each a compare-and-set.
 */
final class DeviceCodeStore {
  private final Jdbi jdbi;

  DeviceCodeStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  static void insert(Handle h, String hash, String userCodeHash, String accountId,
      String clientId, Scope scopes, long now, long expiresAt, int intervalS, String status) {
    h.createUpdate("""
            INSERT INTO device_codes (hash, user_code_hash, account_id, client_id, scope,
              created_at, expires_at, interval_s, status)
            VALUES (:h, :u, :a, :c, :s, :now, :exp, :i, :st)""")
        .bind("h", hash).bind("u", userCodeHash).bind("a", accountId).bind("c", clientId)
        .bind("s", scopes.render()).bind("now", now).bind("exp", expiresAt)
        .bind("i", intervalS).bind("st", status).execute();
  }

  Optional<DeviceCodes.Device> byHash(String hash) {
    return find("hash", hash);
  }

  Optional<DeviceCodes.Device> byUserCodeHash(String hash) {
    return find("user_code_hash", hash);
  }

  private Optional<DeviceCodes.Device> find(String column, String value) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT hash, account_id, client_id, scope, expires_at, interval_s, last_polled_at,
                   status, user_id, auth_time, used_at, credential_generation
            FROM device_codes WHERE\s""" + column + " = :v")
        .bind("v", value)
        .map((rs, c) -> new DeviceCodes.Device(rs.getString("hash"), rs.getString("account_id"),
            rs.getString("client_id"), Scope.parse(rs.getString("scope")),
            rs.getLong("expires_at"), rs.getInt("interval_s"),
            Rows.longOrNull(rs, "last_polled_at"), rs.getString("status"),
            rs.getString("user_id"), Rows.longOrNull(rs, "auth_time"),
            Rows.longOrNull(rs, "used_at"), rs.getInt("credential_generation")))
        .findOne());
  }

  /**
   * Records a poll at {@code now} if the last one was at {@code previous} (-1: none), adding
   * {@code addS} seconds to the interval; true when this call did.
   */
  static boolean poll(Handle h, String hash, long previous, long now, int addS) {
    return h.createUpdate("""
            UPDATE device_codes SET last_polled_at = :now, interval_s = interval_s + :add
            WHERE hash = :h AND COALESCE(last_polled_at, -1) = :prev""")
        .bind("now", now).bind("add", addS).bind("h", hash).bind("prev", previous)
        .execute() == 1;
  }

  /** Moves a pending, unexpired authorization to {@code status}; true when this call did. */
  static boolean decide(Handle h, String hash, String status, String userId, long authTime,
      int generation, long now) {
    return h.createUpdate("""
            UPDATE device_codes SET status = :st, user_id = :u, auth_time = :auth,
              credential_generation = :gen, decided_at = :now
            WHERE hash = :h AND status = :pending AND expires_at > :now""")
        .bind("st", status).bind("u", userId).bind("auth", authTime).bind("gen", generation)
        .bind("now", now)
        .bind("h", hash).bind("pending", DeviceCodes.PENDING).execute() == 1;
  }

  /** Marks an approved, unused code used; true when this call did. */
  static boolean spend(Handle h, String hash, long now) {
    return h.createUpdate("UPDATE device_codes SET used_at = :now "
            + "WHERE hash = :h AND status = :st AND used_at IS NULL")
        .bind("now", now).bind("h", hash).bind("st", DeviceCodes.APPROVED).execute() == 1;
  }

  /**
   * Records the session the exchange created; false when the approval was withdrawn meanwhile
   * (a compare-and-set on the row {@link #withdrawApprovals} updates).
   */
  static boolean attachSession(Handle h, String hash, String sessionId) {
    return h.createUpdate("""
            UPDATE device_codes SET session_id = :s WHERE hash = :h AND status = :st""")
        .bind("s", sessionId).bind("h", hash).bind("st", DeviceCodes.APPROVED).execute() == 1;
  }

  /**
   * Turns the user's approvals (of one client, or of all with {@code clientId} null) that have
   * not created a session yet into denials; answers how many. A device polling for one gets
   * {@code access_denied}.
   */
  static int withdrawApprovals(Handle h, String userId, String clientId, long now) {
    return h.createUpdate("""
            UPDATE device_codes SET status = :denied, decided_at = :now
            WHERE user_id = :u AND status = :approved AND session_id IS NULL
              AND expires_at > :now""" + (clientId == null ? "" : " AND client_id = :c"))
        .bind("denied", DeviceCodes.DENIED).bind("approved", DeviceCodes.APPROVED)
        .bind("now", now).bind("u", userId).bind("c", clientId).execute();
  }
}
