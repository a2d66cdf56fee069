package dev.jeton.oauth;

import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.Scope;
import dev.jeton.token.TokenKind;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Pending device authorizations (RFC 8628 3.2) in {@code device_codes}: the device code
 * ({@code jeton_dc_...}, 178 CSPRNG bits, RFC 8628 5.2, docs/security.md#secret-entropy) and
 * the user code are stored only as SHA-256 hashes. They live {@link #LIFETIME}. The user's
 * decision is a compare-and-set from {@code pending}; an approved code is spent once by a
 * compare-and-set on {@code used_at} (docs/security.md#device-code-single-use); polls are
 * compare-and-set on {@code last_polled_at}, so two racing polls cannot both pass the interval
 * check (RFC 8628 3.5).
 */
final class DeviceCodes {
  static final Duration LIFETIME = Duration.ofMinutes(10);
  static final int INTERVAL_S = 5;
  static final String PENDING = "pending";
  static final String APPROVED = "approved";
  static final String DENIED = "denied";

  private final Jdbi jdbi;
  private final WriteQueue writes;
  private final OpaqueTokens tokens;
  private final UserCodes userCodes;
  private final Clock clock;

  /** A stored authorization; times in ms, {@code userId}/{@code authTime} set on a decision. */
  record Device(String hash, String accountId, String clientId, Scope scopes,
      long expiresAt, int intervalS, Long lastPolledAt, String status, String userId,
      Long authTime, Long usedAt) {}

  /** What a new authorization hands the client. */
  record Issued(String deviceCode, String userCode) {}

  DeviceCodes(Jdbi jdbi, WriteQueue writes, OpaqueTokens tokens, UserCodes userCodes,
      Clock clock) {
    this.jdbi = jdbi;
    this.writes = writes;
    this.tokens = tokens;
    this.userCodes = userCodes;
    this.clock = clock;
  }

  /** Stores a new pending authorization; retries the (unlikely) user-code collision. */
  Issued issue(String accountId, String clientId, Scope scopes) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      String deviceCode = tokens.generate(TokenKind.DC);
      String userCode = userCodes.generate();
      long now = clock.millis();
      try {
        writes.submit(h -> h.createUpdate("""
                INSERT INTO device_codes (hash, user_code_hash, account_id, client_id, scope,
                  created_at, expires_at, interval_s, status)
                VALUES (:h, :u, :a, :c, :s, :now, :exp, :i, :st)""")
            .bind("h", OpaqueTokens.hash(deviceCode))
            .bind("u", OpaqueTokens.hash(UserCodes.normalise(userCode)))
            .bind("a", accountId).bind("c", clientId).bind("s", scopes.render())
            .bind("now", now).bind("exp", now + LIFETIME.toMillis()).bind("i", INTERVAL_S)
            .bind("st", PENDING).execute());
        return new Issued(deviceCode, userCode);
      } catch (RuntimeException e) {
        last = e;
      }
    }
    throw last;
  }

  Optional<Device> byDeviceCode(String deviceCode) {
    return find("hash", OpaqueTokens.hash(deviceCode));
  }

  /** The authorization of a normalised user code. */
  Optional<Device> byUserCode(String normalised) {
    return find("user_code_hash", OpaqueTokens.hash(normalised));
  }

  private Optional<Device> find(String column, String value) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT hash, account_id, client_id, scope, expires_at, interval_s, last_polled_at,
                   status, user_id, auth_time, used_at
            FROM device_codes WHERE\s""" + column + " = :v")
        .bind("v", value)
        .map((rs, c) -> {
          return new Device(rs.getString("hash"), rs.getString("account_id"),
              rs.getString("client_id"), Scope.parse(rs.getString("scope")),
              rs.getLong("expires_at"), rs.getInt("interval_s"),
              nullableLong(rs, "last_polled_at"), rs.getString("status"),
              rs.getString("user_id"), nullableLong(rs, "auth_time"),
              nullableLong(rs, "used_at"));
        })
        .findOne());
  }

  /**
   * Records a poll at {@code now} if the last one is still {@code previous}; answers false when a
   * concurrent poll won. With {@code slowDown} the interval also grows by 5 s (RFC 8628 3.5).
   */
  boolean poll(Device d, long now, boolean slowDown) {
    long prev = d.lastPolledAt() == null ? -1 : d.lastPolledAt();
    return writes.submit(h -> h.createUpdate("""
            UPDATE device_codes SET last_polled_at = :now, interval_s = interval_s + :add
            WHERE hash = :h AND COALESCE(last_polled_at, -1) = :prev""")
        .bind("now", now).bind("add", slowDown ? INTERVAL_S : 0).bind("h", d.hash())
        .bind("prev", prev).execute() == 1);
  }

  /** Records the user's decision; false when the authorization was already decided. */
  boolean decide(String hash, boolean approve, String userId, long authTime) {
    long now = clock.millis();
    return writes.submit(h -> h.createUpdate("""
            UPDATE device_codes SET status = :st, user_id = :u, auth_time = :auth,
              decided_at = :now
            WHERE hash = :h AND status = :pending AND expires_at > :now""")
        .bind("st", approve ? APPROVED : DENIED).bind("u", userId).bind("auth", authTime)
        .bind("now", now).bind("h", hash).bind("pending", PENDING).execute() == 1);
  }

  /** Spends an approved code; false when another poll spent it first (RFC 8628 3.5). */
  boolean spend(String hash) {
    long now = clock.millis();
    return writes.submit(h -> h.createUpdate("UPDATE device_codes SET used_at = :now "
            + "WHERE hash = :h AND status = :st AND used_at IS NULL")
        .bind("now", now).bind("h", hash).bind("st", APPROVED).execute() == 1);
  }

  /** Records the session the exchange created. */
  void attachSession(String hash, String sessionId) {
    writes.submit(h -> h.createUpdate("UPDATE device_codes SET session_id = :s WHERE hash = :h")
        .bind("s", sessionId).bind("h", hash).execute());
  }

  private static Long nullableLong(java.sql.ResultSet rs, String column)
      throws java.sql.SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }
}
