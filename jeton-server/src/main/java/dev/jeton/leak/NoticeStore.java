package dev.jeton.leak;

import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** The SQL of {@code notices}: written once, read newest first by account or by owner. */
final class NoticeStore {
  private static final String COLUMNS = """
      id, account_id, owner_kind, owner_id, kind, token_kind, token_id, action, detail,
      created_at""";

  private final Jdbi jdbi;

  NoticeStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  static void insert(Handle h, Notice n) {
    h.createUpdate("INSERT INTO notices (" + COLUMNS + ") VALUES (:id, :a, :ok, :oi, :k, :tk, "
            + ":ti, :action, :detail, :created)")
        .bind("id", n.id()).bind("a", n.accountId()).bind("ok", n.ownerKind())
        .bind("oi", n.ownerId()).bind("k", n.kind()).bind("tk", n.tokenKind())
        .bind("ti", n.tokenId()).bind("action", n.action()).bind("detail", n.detail())
        .bind("created", n.createdAt()).execute();
  }

  /** True when the account has a notice about this token written at {@code since} or later. */
  boolean existsSince(String accountId, String tokenKind, String tokenId, long since) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT count(*) FROM notices WHERE account_id = :a AND token_kind = :tk
              AND token_id = :ti AND created_at >= :since""")
        .bind("a", accountId).bind("tk", tokenKind).bind("ti", tokenId).bind("since", since)
        .mapTo(Integer.class).one()) > 0;
  }

  java.util.Optional<Notice> byId(String accountId, String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
            + " FROM notices WHERE account_id = :a AND id = :id")
        .bind("a", accountId).bind("id", id).map((rs, ctx) -> map(rs)).findOne());
  }

  /**
   * Up to {@code limit} notices of the account, or only those of one owner when
   * {@code ownerId} is non-null, newest first after {@code after}.
   */
  List<Notice> page(String accountId, String ownerId, Notice after, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS
        + " FROM notices WHERE account_id = :a");
    if (ownerId != null) {
      sql.append(" AND owner_id = :o");
    }
    if (after != null) {
      sql.append(" AND (created_at < :ct OR (created_at = :ct AND id < :cid))");
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT :n");
    return jdbi.withHandle(h -> {
      Query q = h.createQuery(sql.toString()).bind("a", accountId).bind("n", limit);
      if (ownerId != null) {
        q.bind("o", ownerId);
      }
      if (after != null) {
        q.bind("ct", after.createdAt()).bind("cid", after.id());
      }
      return q.map((rs, ctx) -> map(rs)).list();
    });
  }

  private static Notice map(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Notice(rs.getString("id"), rs.getString("account_id"), rs.getString("owner_kind"),
        rs.getString("owner_id"), rs.getString("kind"), rs.getString("token_kind"),
        rs.getString("token_id"), rs.getString("action"), rs.getString("detail"),
        rs.getLong("created_at"));
  }
}
