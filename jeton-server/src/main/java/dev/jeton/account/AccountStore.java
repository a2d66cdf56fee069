package dev.jeton.account;

import dev.jeton.store.Rows;
import dev.jeton.store.WriteQueue;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** SQL for the {@code accounts} table. */
final class AccountStore {
  private static final String COLUMNS = """
      id, parent_id, name, created_at, disabled_at, access_token_ttl, refresh_token_ttl,
      refresh_token_idle_ttl, admin_session_ttl, refresh_grace, pat_default_ttl, pat_max_ttl,
      pat_no_expiry, pat_max_per_owner, registration, ceil_access_token, ceil_refresh_token,
      ceil_refresh_token_idle, ceil_admin_session, ceil_refresh_grace, authorization_code_ttl,
      ceil_authorization_code, rate_limit_calls, rate_limit_period, rate_limit_keys,
      concurrency_limit, daily_quota, quota_time_zone""";

  private final Jdbi jdbi;
  private final WriteQueue writes;

  AccountStore(Jdbi jdbi, WriteQueue writes) {
    this.jdbi = jdbi;
    this.writes = writes;
  }

  Optional<Account> find(String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
            + " FROM accounts WHERE id = :id AND deleted_at IS NULL")
        .bind("id", id).map((rs, ctx) -> map(rs)).findOne());
  }

  /** True when the id is taken, by a live or a deleted account. */
  boolean idTaken(String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM accounts WHERE id = :id")
        .bind("id", id).mapTo(Integer.class).one()) > 0;
  }

  /** How many accounts that are not deleted have this one as their parent. */
  int liveChildren(String id) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT count(*) FROM accounts WHERE parent_id = :id AND deleted_at IS NULL")
        .bind("id", id).mapTo(Integer.class).one());
  }

  /**
   * Deletes the account and every one below it, in one transaction: each becomes a tombstone
   * (deleted and disabled, its id kept); its sessions, browser sessions and personal access tokens
   * are revoked; its users lose email, name and password (as a deleted user does); its clients'
   * secrets stop working; its signing keys are destroyed; its setup and password links end and
   * its notices go. Answers the ids deleted.
   */
  List<String> deleteTree(String id, long now) {
    return writes.submit(h -> {
      List<String> ids = h.createQuery("""
              WITH RECURSIVE t (id) AS (
                SELECT id FROM accounts WHERE id = :id
                UNION ALL
                SELECT c.id FROM accounts c JOIN t ON c.parent_id = t.id
              )
              SELECT id FROM t""").bind("id", id).mapTo(String.class).list();
      h.createUpdate("""
              UPDATE accounts SET deleted_at = :now, disabled_at = COALESCE(disabled_at, :now)
              WHERE id IN (<ids>) AND deleted_at IS NULL""")
          .bindList("ids", ids).bind("now", now).execute();
      h.createUpdate("""
              UPDATE sessions SET revoked_at = :now, revoked_reason = 'account_deleted'
              WHERE account_id IN (<ids>) AND revoked_at IS NULL""")
          .bindList("ids", ids).bind("now", now).execute();
      h.createUpdate("""
              UPDATE web_sessions SET revoked_at = :now
              WHERE account_id IN (<ids>) AND revoked_at IS NULL""")
          .bindList("ids", ids).bind("now", now).execute();
      h.createUpdate("""
              UPDATE personal_access_tokens SET revoked_at = :now,
                     revoked_reason = 'account_deleted'
              WHERE account_id IN (<ids>) AND revoked_at IS NULL""")
          .bindList("ids", ids).bind("now", now).execute();
      h.createUpdate("""
              UPDATE users SET email = 'deleted:' || id, password_hash = '', name = NULL,
                     deleted_at = :now, blocked_at = COALESCE(blocked_at, :now),
                     credential_generation = credential_generation + 1
              WHERE account_id IN (<ids>) AND deleted_at IS NULL""")
          .bindList("ids", ids).bind("now", now).execute();
      h.createUpdate("""
              UPDATE clients SET secret_hash = 'deleted'
              WHERE account_id IN (<ids>) AND secret_hash IS NOT NULL""")
          .bindList("ids", ids).execute();
      h.createUpdate("UPDATE setup_tokens SET used_at = :now WHERE account_id IN (<ids>) "
              + "AND used_at IS NULL").bindList("ids", ids).bind("now", now).execute();
      h.createUpdate("UPDATE password_links SET used_at = :now WHERE account_id IN (<ids>) "
              + "AND used_at IS NULL").bindList("ids", ids).bind("now", now).execute();
      h.createUpdate("DELETE FROM notices WHERE account_id IN (<ids>)")
          .bindList("ids", ids).execute();
      h.createUpdate("DELETE FROM signing_keys WHERE account_id IN (<ids>)")
          .bindList("ids", ids).execute();
      return ids;
    });
  }

  static void insert(Handle h, Account a) {
    h.createUpdate("""
            INSERT INTO accounts (id, parent_id, name, created_at, registration)
            VALUES (:id, :parent, :name, :created, :registration)""")
        .bind("id", a.id()).bind("parent", a.parentId()).bind("name", a.name())
        .bind("created", a.createdAt()).bind("registration", a.registration())
        .execute();
  }

  /** Every account below {@code ancestorId} (not itself), ordered by id. */
  List<Account> descendants(String ancestorId) {
    return jdbi.withHandle(h -> h.createQuery("""
            WITH RECURSIVE sub (id) AS (
              SELECT id FROM accounts WHERE parent_id = :a
              UNION ALL
              SELECT c.id FROM accounts c JOIN sub ON c.parent_id = sub.id
            )
            SELECT""" + " " + COLUMNS + " " + """
             FROM accounts WHERE id IN (SELECT id FROM sub) AND deleted_at IS NULL ORDER BY id""")
        .bind("a", ancestorId).map((rs, ctx) -> map(rs)).list());
  }

  void update(String id, String name, Account.Overrides o, Account.PatOverrides p,
      String registration) {
    writes.submit(h -> h.createUpdate("""
            UPDATE accounts SET name = :name, access_token_ttl = :at, refresh_token_ttl = :rt,
                   refresh_token_idle_ttl = :idle, admin_session_ttl = :admin,
                   refresh_grace = :grace, authorization_code_ttl = :code,
                   pat_default_ttl = :pdef, pat_max_ttl = :pmax,
                   pat_no_expiry = :pnoexp, pat_max_per_owner = :pcount,
                   registration = :registration
            WHERE id = :id""")
        .bind("id", id).bind("name", name).bind("at", o.accessToken())
        .bind("rt", o.refreshToken()).bind("idle", o.refreshTokenIdle())
        .bind("admin", o.adminSession()).bind("grace", o.refreshGrace())
        .bind("code", o.authorizationCode())
        .bind("pdef", p.defaultLifetime()).bind("pmax", p.maxLifetime())
        .bind("pnoexp", p.noExpiry() == null ? null : (p.noExpiry() ? 1 : 0))
        .bind("pcount", p.maxPerOwner()).bind("registration", registration)
        .execute());
  }

  /** Sets the ceilings an ancestor places on the account's lifetimes. */
  void setCeilings(String id, Account.Overrides c) {
    writes.submit(h -> h.createUpdate("""
            UPDATE accounts SET ceil_access_token = :at, ceil_refresh_token = :rt,
                   ceil_refresh_token_idle = :idle, ceil_admin_session = :admin,
                   ceil_refresh_grace = :grace, ceil_authorization_code = :code
            WHERE id = :id""")
        .bind("id", id).bind("at", c.accessToken()).bind("rt", c.refreshToken())
        .bind("idle", c.refreshTokenIdle()).bind("admin", c.adminSession())
        .bind("grace", c.refreshGrace()).bind("code", c.authorizationCode()).execute());
  }

  /**
   * Enables the account and those of its descendants disabled at the same moment ({@code
   * disabledAt}: by the same disabling).
   */
  int enableTree(String id, long disabledAt) {
    return writes.submit(h -> h.createUpdate("""
            WITH RECURSIVE t (id) AS (
              SELECT id FROM accounts WHERE id = :id
              UNION ALL
              SELECT c.id FROM accounts c JOIN t ON c.parent_id = t.id
            )
            UPDATE accounts SET disabled_at = NULL
            WHERE id IN (SELECT id FROM t) AND disabled_at = :at""")
        .bind("id", id).bind("at", disabledAt).execute());
  }

  /** Disables the account and all its descendants, and revokes their sessions. */
  int disableTree(String id, long now) {
    return writes.submit(h -> {
      String tree = """
          WITH RECURSIVE t (id) AS (
            SELECT id FROM accounts WHERE id = :id
            UNION ALL
            SELECT c.id FROM accounts c JOIN t ON c.parent_id = t.id
          )""";
      int n = h.createUpdate(tree + " " + """
               UPDATE accounts SET disabled_at = :now
               WHERE id IN (SELECT id FROM t) AND disabled_at IS NULL""")
          .bind("id", id).bind("now", now).execute();
      h.createUpdate(tree + " " + """
               UPDATE sessions SET revoked_at = :now, revoked_reason = 'account_disabled'
               WHERE account_id IN (SELECT id FROM t) AND revoked_at IS NULL""")
          .bind("id", id).bind("now", now).execute();
      return n;
    });
  }

  private static Account map(ResultSet rs) throws SQLException {
    return new Account(rs.getString("id"), rs.getString("parent_id"), rs.getString("name"),
        rs.getLong("created_at"), Rows.longOrNull(rs, "disabled_at"),
        new Account.Overrides(Rows.longOrNull(rs, "access_token_ttl"),
            Rows.longOrNull(rs, "refresh_token_ttl"), Rows.longOrNull(rs, "refresh_token_idle_ttl"),
            Rows.longOrNull(rs, "admin_session_ttl"), Rows.longOrNull(rs, "refresh_grace"),
            Rows.longOrNull(rs, "authorization_code_ttl")),
        new Account.PatOverrides(Rows.longOrNull(rs, "pat_default_ttl"),
            Rows.longOrNull(rs, "pat_max_ttl"),
            Rows.longOrNull(rs, "pat_no_expiry") == null ? null
                : Rows.longOrNull(rs, "pat_no_expiry") != 0,
            Rows.longOrNull(rs, "pat_max_per_owner") == null ? null
                : Rows.longOrNull(rs, "pat_max_per_owner").intValue()),
        rs.getString("registration"),
        new Account.Overrides(Rows.longOrNull(rs, "ceil_access_token"),
            Rows.longOrNull(rs, "ceil_refresh_token"),
            Rows.longOrNull(rs, "ceil_refresh_token_idle"),
            Rows.longOrNull(rs, "ceil_admin_session"), Rows.longOrNull(rs, "ceil_refresh_grace"),
            Rows.longOrNull(rs, "ceil_authorization_code")),
        new Account.LimitOverrides(Rows.longOrNull(rs, "rate_limit_calls"),
            Rows.longOrNull(rs, "rate_limit_period"), rs.getString("rate_limit_keys"),
            Rows.longOrNull(rs, "concurrency_limit"), Rows.longOrNull(rs, "daily_quota"),
            rs.getString("quota_time_zone")));
  }

  /** Sets the account's own API limits (null fields: the server's defaults). */
  void setLimits(String id, Account.LimitOverrides l) {
    writes.submit(h -> h.createUpdate("""
            UPDATE accounts SET rate_limit_calls = :calls, rate_limit_period = :period,
                   rate_limit_keys = :keys, concurrency_limit = :conc, daily_quota = :quota,
                   quota_time_zone = :zone
            WHERE id = :id""")
        .bind("id", id).bind("calls", l.calls()).bind("period", l.periodSeconds())
        .bind("keys", l.keys()).bind("conc", l.concurrency()).bind("quota", l.dailyQuota())
        .bind("zone", l.timeZone()).execute());
  }

}
