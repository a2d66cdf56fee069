package dev.jeton.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The SQL of the purge: finds rows that can never be used again with range queries on indexes
 * (V7__purge_indexes.sql) that read no row the purge must keep, and deletes them by primary key,
 * a bounded number per statement.
 *
 * <p>On PostgreSQL every delete locks the rows it picks with {@code FOR UPDATE SKIP LOCKED}: a row
 * some request holds is left for the next run instead of waited for, and purges on several nodes
 * share the work without blocking each other. SQLite has a single writer, so there is nothing to
 * skip.
 */
final class PurgeStore {
  /**
   * The tables whose rows {@link #deleteExpired} removes once they expired before the cutoff:
   * name and the extra condition (authorization codes that created a session go with it instead).
   */
  static final Map<String, String> EXPIRING = expiring();

  /** Every table whose rows the purge counts for {@code jeton_table_rows}. */
  static final List<String> COUNTED = List.of("accounts", "users", "sessions", "refresh_tokens",
      "authorization_codes", "device_codes", "web_sessions", "setup_tokens", "grants",
      "clients", "signing_keys", "personal_access_tokens", "password_links", "rejections",
      "usage_days", "qr_logins", "devices");

  private final Jdbi jdbi;
  private final String skipLocked;

  PurgeStore(Jdbi jdbi, boolean postgres) {
    this.jdbi = jdbi;
    this.skipLocked = postgres ? " FOR UPDATE SKIP LOCKED" : "";
  }

  private static Map<String, String> expiring() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("authorization_codes", " AND session_id IS NULL");
    m.put("device_codes", "");
    m.put("qr_logins", "");
    m.put("web_sessions", "");
    m.put("setup_tokens", "");
    m.put("password_links", "");
    return java.util.Collections.unmodifiableMap(m);
  }

  /** The key column of each table of {@link #EXPIRING}: {@code hash} unless named here. */
  private static final Map<String, String> KEYS = Map.of("qr_logins", "id");

  /**
   * Up to {@code limit} sessions that ended before {@code cutoff} (ms): revoked, past their
   * absolute expiry, or idle, their one live refresh token (neither rotated nor revoked) expired.
   * Each of the three is an index range read (sessions_revoked, sessions_expires,
   * refresh_tokens_live).
   */
  List<String> endedSessions(long cutoff, int limit) {
    return jdbi.withHandle(h -> {
      Set<String> ids = new LinkedHashSet<>();
      ids.addAll(h.createQuery("""
              SELECT id FROM sessions
              WHERE revoked_at IS NOT NULL AND revoked_at < :cutoff LIMIT :n""")
          .bind("cutoff", cutoff).bind("n", limit).mapTo(String.class).list());
      if (ids.size() < limit) {
        ids.addAll(h.createQuery("""
                SELECT id FROM sessions WHERE expires_at < :cutoff LIMIT :n""")
            .bind("cutoff", cutoff).bind("n", limit - ids.size()).mapTo(String.class).list());
      }
      if (ids.size() < limit) {
        ids.addAll(h.createQuery("""
                SELECT session_id FROM refresh_tokens
                WHERE rotated_at IS NULL AND revoked_at IS NULL AND expires_at < :cutoff
                LIMIT :n""")
            .bind("cutoff", cutoff).bind("n", limit - ids.size()).mapTo(String.class).list());
      }
      return new ArrayList<>(ids);
    });
  }

  /**
   * Deletes up to {@code limit} spent refresh tokens (rotated, or revoked by a grace retry) of
   * these sessions; answers how many. Their live tokens go with the sessions themselves, so an
   * idle session stays findable until it is deleted.
   */
  int deleteSpentTokens(Handle h, List<String> sessionIds, int limit) {
    return h.createUpdate("""
            DELETE FROM refresh_tokens WHERE hash IN (
              SELECT hash FROM refresh_tokens
              WHERE session_id IN (<ids>) AND (rotated_at IS NOT NULL OR revoked_at IS NOT NULL)
              LIMIT :n""" + skipLocked + ")")
        .bindList("ids", sessionIds).bind("n", limit).execute();
  }

  /** Rows {@link #deleteSessions} removed. */
  record Removed(int sessions, int refreshTokens, int authorizationCodes) {}

  /**
   * Deletes these sessions with their remaining refresh tokens and the authorization codes that
   * created them (a replayed code no longer has a session to revoke). On PostgreSQL a session
   * some request holds is skipped, and so are its tokens and codes.
   */
  Removed deleteSessions(Handle h, List<String> sessionIds) {
    List<String> ids = skipLocked.isEmpty() ? sessionIds : h.createQuery(
            "SELECT id FROM sessions WHERE id IN (<ids>)" + skipLocked)
        .bindList("ids", sessionIds).mapTo(String.class).list();
    if (ids.isEmpty()) {
      return new Removed(0, 0, 0);
    }
    int tokens = h.createUpdate("DELETE FROM refresh_tokens WHERE session_id IN (<ids>)")
        .bindList("ids", ids).execute();
    int codes = h.createUpdate("DELETE FROM authorization_codes WHERE session_id IN (<ids>)")
        .bindList("ids", ids).execute();
    int sessions = h.createUpdate("DELETE FROM sessions WHERE id IN (<ids>)")
        .bindList("ids", ids).execute();
    return new Removed(sessions, tokens, codes);
  }

  /**
   * Deletes up to {@code limit} rows of one of the {@link #EXPIRING} tables that expired before
   * {@code cutoff} (ms); answers how many.
   */
  int deleteExpired(Handle h, String table, long cutoff, int limit) {
    String extra = EXPIRING.get(table);
    if (extra == null) {
      throw new IllegalArgumentException("not a purged table: " + table);
    }
    String key = KEYS.getOrDefault(table, "hash");
    return h.createUpdate("DELETE FROM " + table + " WHERE " + key + " IN (SELECT " + key
            + " FROM " + table + " WHERE expires_at < :cutoff" + extra + " LIMIT :n" + skipLocked
            + ")")
        .bind("cutoff", cutoff).bind("n", limit).execute();
  }

  /**
   * Deletes up to {@code limit} personal access tokens revoked or expired before {@code cutoff}
   * (ms); a token without expiry goes only once revoked.
   */
  int deleteEndedPats(Handle h, long cutoff, int limit) {
    return h.createUpdate("""
            DELETE FROM personal_access_tokens WHERE id IN (
              SELECT id FROM personal_access_tokens
              WHERE revoked_at < :cutoff OR expires_at < :cutoff LIMIT :n""" + skipLocked + ")")
        .bind("cutoff", cutoff).bind("n", limit).execute();
  }

  /**
   * Deletes the daily call counts of days before {@code beforeDay} (an ISO date; a year is kept
   * for usage reports, docs/limits.md#usage): a few hundred rows per account at most.
   */
  int deleteUsageDays(Handle h, String beforeDay) {
    return h.createUpdate("DELETE FROM usage_days WHERE day < :d").bind("d", beforeDay)
        .execute();
  }

  /** Deletes up to {@code limit} devices last registered before {@code cutoff} (ms). */
  int deleteStaleDevices(Handle h, long cutoff, int limit) {
    return h.createUpdate("""
            DELETE FROM devices WHERE id IN (
              SELECT id FROM devices WHERE updated_at < :cutoff LIMIT :n""" + skipLocked + ")")
        .bind("cutoff", cutoff).bind("n", limit).execute();
  }

  /** Deletes up to {@code limit} rejections older than {@code cutoff} (ms). */
  int deleteOldRejections(Handle h, long cutoff, int limit) {
    return h.createUpdate("""
            DELETE FROM rejections WHERE id IN (
              SELECT id FROM rejections WHERE at < :cutoff LIMIT :n""" + skipLocked + ")")
        .bind("cutoff", cutoff).bind("n", limit).execute();
  }

  /** The accounts holding more than {@code max} rejections. */
  List<String> accountsOverRejections(int max) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT account_id FROM rejections GROUP BY account_id HAVING count(*) > :max""")
        .bind("max", max).mapTo(String.class).list());
  }

  /**
   * Deletes up to {@code limit} of the account's rejections older than its newest {@code keep}
   * (ids sort by time).
   */
  int deleteRejectionsBeyond(Handle h, String accountId, int keep, int limit) {
    return h.createUpdate("""
            DELETE FROM rejections WHERE id IN (
              SELECT id FROM rejections WHERE account_id = :a AND id < (
                SELECT id FROM rejections WHERE account_id = :a ORDER BY id DESC
                LIMIT 1 OFFSET :keep)
              ORDER BY id LIMIT :n)""")
        .bind("a", accountId).bind("keep", keep - 1).bind("n", limit).execute();
  }

  /** The number of rows of every {@link #COUNTED} table. */
  Map<String, Long> countRows() {
    return jdbi.withHandle(h -> {
      Map<String, Long> counts = new LinkedHashMap<>();
      for (String table : COUNTED) {
        counts.put(table, h.createQuery("SELECT count(*) FROM " + table)
            .mapTo(Long.class).one());
      }
      return counts;
    });
  }
}
