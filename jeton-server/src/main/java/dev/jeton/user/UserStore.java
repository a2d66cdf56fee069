package dev.jeton.user;

import dev.jeton.store.Rows;
import dev.jeton.store.WriteQueue;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/**
 * SQL for the {@code users} table. A deleted user's row is a tombstone ({@code deleted_at} set,
 * email, name and password cleared) that no lookup here returns.
 */
public final class UserStore {
  private static final String COLUMNS = """
      id, account_id, email, password_hash, role, password_reset_required, blocked_at,
      created_at, password_changed_at, credential_generation, name""";

  private final Jdbi jdbi;
  private final WriteQueue writes;

  public UserStore(Jdbi jdbi, WriteQueue writes) {
    this.jdbi = jdbi;
    this.writes = writes;
  }

  public Optional<User> byEmail(String accountId, String email) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
            + " FROM users WHERE account_id = :a AND email = :e AND deleted_at IS NULL")
        .bind("a", accountId).bind("e", email).map((rs, ctx) -> map(rs)).findOne());
  }

  public Optional<User> byId(String accountId, String id) {
    return jdbi.withHandle(h -> byId(h, accountId, id));
  }

  static Optional<User> byId(Handle h, String accountId, String id) {
    return h.createQuery("SELECT " + COLUMNS
            + " FROM users WHERE account_id = :a AND id = :id AND deleted_at IS NULL")
        .bind("a", accountId).bind("id", id).map((rs, ctx) -> map(rs)).findOne();
  }

  /** What the users list may be narrowed to; null fields do not narrow it. */
  record Filter(String email, String role, String status) {}

  /**
   * One page of the account's users, newest first, after {@code after} (the last of the previous
   * page, or null), {@code limit} rows at most.
   */
  List<User> page(String accountId, Filter f, User after, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS
        + " FROM users WHERE account_id = :a AND deleted_at IS NULL");
    if (f.email() != null) {
      sql.append(" AND email = :e");
    }
    if (f.role() != null) {
      sql.append(" AND role = :role");
    }
    if (f.status() != null) {
      sql.append(switch (f.status()) {
        case "blocked" -> " AND blocked_at IS NOT NULL";
        case "password_reset_required" ->
            " AND blocked_at IS NULL AND password_reset_required = 1";
        case "invited" ->
            " AND blocked_at IS NULL AND password_reset_required = 0 AND password_hash = ''";
        default -> " AND blocked_at IS NULL AND password_reset_required = 0"
            + " AND password_hash <> ''";
      });
    }
    if (after != null) {
      sql.append(" AND (created_at < :ct OR (created_at = :ct AND id < :cid))");
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT :n");
    return jdbi.withHandle(h -> {
      Query q = h.createQuery(sql.toString()).bind("a", accountId).bind("n", limit);
      if (f.email() != null) {
        q.bind("e", f.email());
      }
      if (f.role() != null) {
        q.bind("role", f.role());
      }
      if (after != null) {
        q.bind("ct", after.createdAt()).bind("cid", after.id());
      }
      return q.map((rs, ctx) -> map(rs)).list();
    });
  }

  /** Inserts; answers false when the email is already taken in the account. */
  public static boolean insert(Handle h, User u) {
    int n = h.createUpdate("""
            INSERT INTO users (id, account_id, email, password_hash, role,
                               password_reset_required, created_at, password_changed_at, name)
            VALUES (:id, :a, :e, :ph, :role, :reset, :created, :created, :name)
            ON CONFLICT (account_id, email) DO NOTHING""")
        .bind("id", u.id()).bind("a", u.accountId()).bind("e", u.email())
        .bind("ph", u.passwordHash()).bind("role", u.role())
        .bind("reset", u.passwordResetRequired() ? 1 : 0).bind("created", u.createdAt())
        .bind("name", u.name())
        .execute();
    return n == 1;
  }

  /**
   * Inserts many users in one statement batch; answers, per user in order, whether it was
   * inserted (false: the email is taken in the account).
   */
  static boolean[] insertAll(Handle h, List<User> users) {
    PreparedBatch batch = h.prepareBatch("""
        INSERT INTO users (id, account_id, email, password_hash, role,
                           password_reset_required, created_at, password_changed_at, name)
        VALUES (:id, :a, :e, :ph, :role, :reset, :created, :created, :name)
        ON CONFLICT (account_id, email) DO NOTHING""");
    for (User u : users) {
      batch.bind("id", u.id()).bind("a", u.accountId()).bind("e", u.email())
          .bind("ph", u.passwordHash()).bind("role", u.role())
          .bind("reset", u.passwordResetRequired() ? 1 : 0).bind("created", u.createdAt())
          .bind("name", u.name()).add();
    }
    int[] counts = batch.execute();
    boolean[] inserted = new boolean[users.size()];
    for (int i = 0; i < counts.length; i++) {
      inserted[i] = counts[i] == 1;
    }
    return inserted;
  }

  /** Of these emails, those already taken in the account. */
  static List<String> takenEmails(Handle h, String accountId, List<String> emails) {
    return h.createQuery("SELECT email FROM users WHERE account_id = :a AND email IN (<e>)")
        .bind("a", accountId).bindList("e", emails).mapTo(String.class).list();
  }

  public int countAdmins(String accountId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT count(*) FROM users WHERE account_id = :a AND role = 'admin'"
                + " AND deleted_at IS NULL")
        .bind("a", accountId).mapTo(Integer.class).one());
  }

  /**
   * Locks the account's users against concurrent admin changes until the caller's transaction
   * ends (PostgreSQL; SQLite's single writer already serialises them), so that two admins
   * demoting or blocking each other at once cannot leave the account without one.
   */
  static void lockAccount(Handle h, String accountId, boolean postgres) {
    if (postgres) {
      h.createQuery("SELECT id FROM accounts WHERE id = :a FOR UPDATE")
          .bind("a", accountId).mapTo(String.class).findOne();
    }
  }

  /** Admins of the account who can sign in: neither blocked nor deleted. */
  static int countActiveAdmins(Handle h, String accountId) {
    return h.createQuery("""
            SELECT count(*) FROM users WHERE account_id = :a AND role = 'admin'
              AND blocked_at IS NULL AND deleted_at IS NULL""")
        .bind("a", accountId).mapTo(Integer.class).one();
  }

  /**
   * Sets a new password and starts the next credential generation; answers that generation. The
   * row is locked until the caller's transaction ends, so a session being started with the old
   * generation either commits first (and is revoked by the same transaction) or is refused.
   */
  public static int updatePassword(Handle h, String userId, String hash, long now) {
    h.createUpdate("""
            UPDATE users SET password_hash = :ph, password_changed_at = :now,
                             password_reset_required = 0,
                             credential_generation = credential_generation + 1
            WHERE id = :id""")
        .bind("ph", hash).bind("now", now).bind("id", userId).execute();
    return generation(h, userId);
  }

  /**
   * Replaces a password hash by a stronger one of the same password (an imported hash, or
   * weaker parameters) if it is still {@code previous}; not a credential change, so nothing
   * signed in with it ends.
   */
  static void rehash(Handle h, String userId, String previous, String hash) {
    h.createUpdate("UPDATE users SET password_hash = :ph WHERE id = :id AND password_hash = :old")
        .bind("ph", hash).bind("id", userId).bind("old", previous).execute();
  }

  /** Sets name, email and role where non-null; false when the email is taken. */
  static boolean update(Handle h, String userId, String email, String name, String role) {
    if (email != null && h.createQuery("""
            SELECT count(*) FROM users u JOIN users o ON o.account_id = u.account_id
            WHERE u.id = :id AND o.email = :e AND o.id <> u.id""")
        .bind("id", userId).bind("e", email).mapTo(Integer.class).one() > 0) {
      return false;
    }
    StringBuilder set = new StringBuilder();
    if (email != null) {
      set.append("email = :e");
    }
    if (name != null) {
      set.append(set.length() > 0 ? ", " : "").append("name = :name");
    }
    if (role != null) {
      set.append(set.length() > 0 ? ", " : "").append("role = :role");
    }
    if (set.length() > 0) {
      var update = h.createUpdate("UPDATE users SET " + set + " WHERE id = :id").bind("id", userId);
      if (email != null) {
        update.bind("e", email);
      }
      if (name != null) {
        update.bind("name", name);
      }
      if (role != null) {
        update.bind("role", role);
      }
      update.execute();
    }
    return true;
  }

  /**
   * Sets or clears the blocked state and the reset-required flag; when {@code endCredentials},
   * also starts the next credential generation, so that a session being signed in concurrently
   * is refused. Answers the generation.
   */
  static int setState(Handle h, String userId, Long blockedAt, boolean resetRequired,
      boolean endCredentials) {
    h.createUpdate("""
            UPDATE users SET blocked_at = :b, password_reset_required = :r,
                             credential_generation = credential_generation + :inc
            WHERE id = :id""")
        .bind("b", blockedAt).bind("r", resetRequired ? 1 : 0)
        .bind("inc", endCredentials ? 1 : 0).bind("id", userId).execute();
    return generation(h, userId);
  }

  /** Sets or clears the blocked state and the reset-required flag (tests). */
  public void setState(String userId, Long blockedAt, boolean resetRequired) {
    writes.submit(h -> setState(h, userId, blockedAt, resetRequired, false));
  }

  /**
   * Turns the user into a tombstone: the email becomes {@code deleted:<id>} (freeing the
   * address), password and name are cleared, the user counts as blocked, and a new credential
   * generation refuses whatever was being signed in.
   */
  static void tombstone(Handle h, String userId, long now) {
    h.createUpdate("""
            UPDATE users SET email = :e, password_hash = '', name = NULL, deleted_at = :now,
                             blocked_at = COALESCE(blocked_at, :now),
                             credential_generation = credential_generation + 1
            WHERE id = :id""")
        .bind("e", "deleted:" + userId).bind("now", now).bind("id", userId).execute();
  }

  private static int generation(Handle h, String userId) {
    return h.createQuery("SELECT credential_generation FROM users WHERE id = :id")
        .bind("id", userId).mapTo(Integer.class).one();
  }

  private static User map(ResultSet rs) throws SQLException {
    return new User(rs.getString("id"), rs.getString("account_id"), rs.getString("email"),
        rs.getString("password_hash"), rs.getString("role"),
        rs.getInt("password_reset_required") != 0, Rows.longOrNull(rs, "blocked_at"),
        rs.getLong("created_at"), rs.getLong("password_changed_at"),
        rs.getInt("credential_generation"), rs.getString("name"));
  }
}
