package dev.jeton.pat;

import dev.jeton.store.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** SQL for the {@code service_principals} table. */
final class PrincipalStore {
  private static final String COLUMNS =
      "id, account_id, name, created_at, created_by, disabled_at";

  private final Jdbi jdbi;

  PrincipalStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  Optional<ServicePrincipal> byId(String accountId, String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
            + " FROM service_principals WHERE id = :id AND account_id = :a")
        .bind("id", id).bind("a", accountId).map((rs, ctx) -> map(rs)).findOne());
  }

  boolean nameTaken(String accountId, String name) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT id FROM service_principals WHERE account_id = :a AND name = :n")
        .bind("a", accountId).bind("n", name).mapTo(String.class).findOne().isPresent());
  }

  /** One page of the account's principals, newest first, after {@code after} (or from the top). */
  List<ServicePrincipal> page(String accountId, ServicePrincipal after, int limit) {
    String sql = "SELECT " + COLUMNS + " FROM service_principals WHERE account_id = :a"
        + (after == null ? "" : " AND (created_at < :ct OR (created_at = :ct AND id < :cid))")
        + " ORDER BY created_at DESC, id DESC LIMIT :n";
    return jdbi.withHandle(h -> {
      Query q = h.createQuery(sql).bind("a", accountId).bind("n", limit);
      if (after != null) {
        q.bind("ct", after.createdAt()).bind("cid", after.id());
      }
      return q.map((rs, ctx) -> map(rs)).list();
    });
  }

  static void insert(Handle h, ServicePrincipal p) {
    h.createUpdate("""
            INSERT INTO service_principals (id, account_id, name, created_at, created_by)
            VALUES (:id, :a, :name, :created, :by)""")
        .bind("id", p.id()).bind("a", p.accountId()).bind("name", p.name())
        .bind("created", p.createdAt()).bind("by", p.createdBy())
        .execute();
  }

  static int rename(Handle h, String accountId, String id, String name) {
    return h.createUpdate(
            "UPDATE service_principals SET name = :n WHERE id = :id AND account_id = :a")
        .bind("n", name).bind("id", id).bind("a", accountId).execute();
  }

  /** Disables ({@code disabledAt} non-null) or enables the principal. */
  static int setDisabled(Handle h, String accountId, String id, Long disabledAt) {
    return h.createUpdate(
            "UPDATE service_principals SET disabled_at = :d WHERE id = :id AND account_id = :a")
        .bind("d", disabledAt).bind("id", id).bind("a", accountId).execute();
  }

  static int delete(Handle h, String accountId, String id) {
    return h.createUpdate("DELETE FROM service_principals WHERE id = :id AND account_id = :a")
        .bind("id", id).bind("a", accountId).execute();
  }

  private static ServicePrincipal map(ResultSet rs) throws SQLException {
    return new ServicePrincipal(rs.getString("id"), rs.getString("account_id"),
        rs.getString("name"), rs.getLong("created_at"), rs.getString("created_by"),
        Rows.longOrNull(rs, "disabled_at"));
  }
}
