package dev.jeton.rejection;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** The SQL of {@code rejections}: written in batches, read newest first. */
final class RejectionStore {
  private static final String COLUMNS = """
      id, account_id, at, code, fingerprint, token_kind, token_id, owner_id, client_id, ip,
      user_agent, route, request_id""";

  private final Jdbi jdbi;

  RejectionStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  static void insert(Handle h, List<Rejection> batch) {
    var b = h.prepareBatch("INSERT INTO rejections (" + COLUMNS + ") VALUES (:id, :a, :at, :code, "
        + ":fp, :tk, :ti, :o, :c, :ip, :ua, :route, :rid)");
    for (Rejection r : batch) {
      b.bind("id", r.id()).bind("a", r.accountId()).bind("at", r.at()).bind("code", r.code())
          .bind("fp", r.fingerprint()).bind("tk", r.tokenKind()).bind("ti", r.tokenId())
          .bind("o", r.ownerId()).bind("c", r.clientId()).bind("ip", r.ip())
          .bind("ua", r.userAgent()).bind("route", r.route()).bind("rid", r.requestId())
          .add();
    }
    b.execute();
  }

  /** Up to {@code limit} of the account's rejections matching {@code f}, newest first. */
  List<Rejection> page(String accountId, RejectionLog.Filter f, String afterId, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS
        + " FROM rejections WHERE account_id = :a");
    condition(sql, f.ownerId(), "owner_id = :o");
    condition(sql, f.code(), "code = :code");
    condition(sql, f.clientId(), "client_id = :c");
    condition(sql, f.fingerprint(), "fingerprint = :fp");
    condition(sql, f.tokenId(), "token_id = :ti");
    condition(sql, f.requestId(), "request_id = :rid");
    condition(sql, f.since(), "at >= :since");
    condition(sql, f.until(), "at <= :until");
    condition(sql, afterId, "id < :after");
    sql.append(" ORDER BY id DESC LIMIT :n");
    return jdbi.withHandle(h -> {
      Query q = h.createQuery(sql.toString()).bind("a", accountId).bind("n", limit);
      bind(q, "o", f.ownerId());
      bind(q, "code", f.code());
      bind(q, "c", f.clientId());
      bind(q, "fp", f.fingerprint());
      bind(q, "ti", f.tokenId());
      bind(q, "rid", f.requestId());
      bind(q, "since", f.since());
      bind(q, "until", f.until());
      bind(q, "after", afterId);
      return q.map((rs, ctx) -> new Rejection(rs.getString("id"), rs.getString("account_id"),
          rs.getLong("at"), rs.getString("code"), rs.getString("fingerprint"),
          rs.getString("token_kind"), rs.getString("token_id"), rs.getString("owner_id"),
          rs.getString("client_id"), rs.getString("ip"), rs.getString("user_agent"),
          rs.getString("route"), rs.getString("request_id"))).list();
    });
  }

  /** Whether the account has a rejection with this id (a cursor's). */
  boolean exists(String accountId, String id) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT count(*) FROM rejections WHERE account_id = :a AND id = :id")
        .bind("a", accountId).bind("id", id).mapTo(Integer.class).one()) > 0;
  }

  /** The newest rejection of the account answered to request {@code requestId}. */
  Optional<Rejection> byRequest(String accountId, String requestId) {
    List<Rejection> l = page(accountId, new RejectionLog.Filter(null, null, null, null, null, requestId,
        null, null), null, 1);
    return l.stream().findFirst();
  }

  private static void bind(Query q, String name, Object value) {
    if (value != null) {
      q.bind(name, value);
    }
  }

  private static void condition(StringBuilder sql, Object value, String clause) {
    if (value != null) {
      sql.append(" AND ").append(clause);
    }
  }
}
