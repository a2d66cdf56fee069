package dev.jeton.push;

import dev.jeton.store.Rows;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The SQL of {@code devices}: the registration token sealed, and found by its hash. */
final class DeviceStore {
  private static final String COLUMNS = """
      id, account_id, user_id, platform, name, app_id, created_at, updated_at, last_push_at""";

  /** A device with its sealed registration token. */
  record Sealed(Device device, String tokenSealed) {}

  private final Jdbi jdbi;

  DeviceStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  static void insert(Handle h, Device d, String tokenHash, String sealed) {
    h.createUpdate("""
            INSERT INTO devices (id, account_id, user_id, token_hash, token_sealed, platform,
              name, app_id, created_at, updated_at)
            VALUES (:id, :a, :u, :th, :ts, :p, :n, :app, :c, :c)""")
        .bind("id", d.id()).bind("a", d.accountId()).bind("u", d.userId())
        .bind("th", tokenHash).bind("ts", sealed).bind("p", d.platform()).bind("n", d.name())
        .bind("app", d.appId()).bind("c", d.createdAt()).execute();
  }

  /** The device of the account holding the token with {@code tokenHash}, whoever's it is. */
  static Optional<Device> byTokenHash(Handle h, String accountId, String tokenHash) {
    return h.createQuery("SELECT " + COLUMNS
            + " FROM devices WHERE account_id = :a AND token_hash = :th")
        .bind("a", accountId).bind("th", tokenHash).map((rs, c) -> device(rs)).findOne();
  }

  /** Gives an existing registration to {@code userId} with new details. */
  static void reassign(Handle h, String id, String userId, String platform, String name,
      String appId, long now) {
    h.createUpdate("""
            UPDATE devices SET user_id = :u, platform = :p, name = :n, app_id = :app,
              updated_at = :now
            WHERE id = :id""")
        .bind("u", userId).bind("p", platform).bind("n", name).bind("app", appId)
        .bind("now", now).bind("id", id).execute();
  }

  static int countOfUser(Handle h, String accountId, String userId) {
    return h.createQuery("SELECT COUNT(*) FROM devices WHERE account_id = :a AND user_id = :u")
        .bind("a", accountId).bind("u", userId).mapTo(Integer.class).one();
  }

  List<Device> ofUser(String accountId, String userId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
            + " FROM devices WHERE account_id = :a AND user_id = :u ORDER BY created_at, id")
        .bind("a", accountId).bind("u", userId).map((rs, c) -> device(rs)).list());
  }

  /** The user's devices with their sealed tokens, to send to. */
  List<Sealed> sealedOfUser(String accountId, String userId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
            + ", token_sealed FROM devices WHERE account_id = :a AND user_id = :u")
        .bind("a", accountId).bind("u", userId)
        .map((rs, c) -> new Sealed(device(rs), rs.getString("token_sealed"))).list());
  }

  Optional<Device> byId(String accountId, String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
            + " FROM devices WHERE account_id = :a AND id = :id")
        .bind("a", accountId).bind("id", id).map((rs, c) -> device(rs)).findOne());
  }

  static boolean rename(Handle h, String accountId, String userId, String id, String name,
      long now) {
    return h.createUpdate("""
            UPDATE devices SET name = :n, updated_at = :now
            WHERE account_id = :a AND user_id = :u AND id = :id""")
        .bind("n", name).bind("now", now).bind("a", accountId).bind("u", userId)
        .bind("id", id).execute() == 1;
  }

  /** Deletes a device of the user (any user's with {@code userId} null); true if it was there. */
  static boolean delete(Handle h, String accountId, String userId, String id) {
    return h.createUpdate("DELETE FROM devices WHERE account_id = :a AND id = :id"
            + (userId == null ? "" : " AND user_id = :u"))
        .bind("a", accountId).bind("id", id).bind("u", userId).execute() == 1;
  }

  /** Deletes every device of a user (deleted); answers how many. */
  static int deleteAllOfUser(Handle h, String userId) {
    return h.createUpdate("DELETE FROM devices WHERE user_id = :u").bind("u", userId).execute();
  }

  /** Deletes a device FCM no longer knows, unless it was registered again since {@code seen}. */
  static boolean prune(Handle h, String id, long seen) {
    return h.createUpdate("DELETE FROM devices WHERE id = :id AND updated_at <= :seen")
        .bind("id", id).bind("seen", seen).execute() == 1;
  }

  static void pushed(Handle h, String id, long now) {
    h.createUpdate("UPDATE devices SET last_push_at = :now WHERE id = :id")
        .bind("now", now).bind("id", id).execute();
  }

  private static Device device(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Device(rs.getString("id"), rs.getString("account_id"), rs.getString("user_id"),
        rs.getString("platform"), rs.getString("name"), rs.getString("app_id"),
        rs.getLong("created_at"), rs.getLong("updated_at"), Rows.longOrNull(rs, "last_push_at"));
  }
}
