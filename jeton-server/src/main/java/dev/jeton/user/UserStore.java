package dev.jeton.user;

import dev.jeton.store.WriteQueue;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** SQL for the {@code users} table. */
public final class UserStore {
  private static final String COLUMNS = """
      id, account_id, email, password_hash, role, password_reset_required, blocked_at,
      created_at, password_changed_at, credential_generation""";

  private final Jdbi jdbi;
  private final WriteQueue writes;

  public UserStore(Jdbi jdbi, WriteQueue writes) {
    this.jdbi = jdbi;
    this.writes = writes;
  }

  public Optional<User> byEmail(String accountId, String email) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT " + COLUMNS + " FROM users WHERE account_id = :a AND email = :e")
        .bind("a", accountId).bind("e", email).map((rs, ctx) -> map(rs)).findOne());
  }

  public Optional<User> byId(String accountId, String id) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT " + COLUMNS + " FROM users WHERE account_id = :a AND id = :id")
        .bind("a", accountId).bind("id", id).map((rs, ctx) -> map(rs)).findOne());
  }

  /** Inserts; answers false when the email is already taken in the account. */
  public static boolean insert(Handle h, User u) {
    int n = h.createUpdate("""
            INSERT INTO users (id, account_id, email, password_hash, role,
                               password_reset_required, created_at, password_changed_at)
            VALUES (:id, :a, :e, :ph, :role, :reset, :created, :created)
            ON CONFLICT (account_id, email) DO NOTHING""")
        .bind("id", u.id()).bind("a", u.accountId()).bind("e", u.email())
        .bind("ph", u.passwordHash()).bind("role", u.role())
        .bind("reset", u.passwordResetRequired() ? 1 : 0).bind("created", u.createdAt())
        .execute();
    return n == 1;
  }

  public int countAdmins(String accountId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT count(*) FROM users WHERE account_id = :a AND role = 'admin'")
        .bind("a", accountId).mapTo(Integer.class).one());
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
    return h.createQuery("SELECT credential_generation FROM users WHERE id = :id")
        .bind("id", userId).mapTo(Integer.class).one();
  }

  /** Sets or clears the blocked state and the reset-required flag (admin tools, tests). */
  public void setState(String userId, Long blockedAt, boolean resetRequired) {
    writes.submit(h -> h.createUpdate("""
            UPDATE users SET blocked_at = :b, password_reset_required = :r WHERE id = :id""")
        .bind("b", blockedAt).bind("r", resetRequired ? 1 : 0).bind("id", userId).execute());
  }

  private static User map(ResultSet rs) throws SQLException {
    long blocked = rs.getLong("blocked_at");
    Long blockedAt = rs.wasNull() ? null : blocked;
    return new User(rs.getString("id"), rs.getString("account_id"), rs.getString("email"),
        rs.getString("password_hash"), rs.getString("role"),
        rs.getInt("password_reset_required") != 0, blockedAt, rs.getLong("created_at"),
        rs.getLong("password_changed_at"), rs.getInt("credential_generation"));
  }
}
