package dev.jeton.limit;

import dev.jeton.store.WriteQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** The SQL of {@code limit_exchange}: the rows the nodes write for each other (LimitExchange). */
final class ExchangeStore {
  /** One node's row: its number {@code seq} (per node, in the order written) and its lines. */
  record Row(String node, long seq, String body) {}

  private final Jdbi jdbi;
  private final WriteQueue writes;

  ExchangeStore(Jdbi jdbi, WriteQueue writes) {
    this.jdbi = jdbi;
    this.writes = writes;
  }

  void insert(String node, long seq, long sentAt, String body) {
    writes.submit(h -> h.createUpdate("""
            INSERT INTO limit_exchange (node, seq, sent_at, body)
            VALUES (:node, :seq, :at, :body)""")
        .bind("node", node).bind("seq", seq).bind("at", sentAt).bind("body", body).execute());
  }

  /** Deletes the rows written before {@code cutoff} (ms). */
  void deleteBefore(long cutoff) {
    writes.submit(h -> h.createUpdate("DELETE FROM limit_exchange WHERE sent_at < :c")
        .bind("c", cutoff).execute());
  }

  /**
   * The rows written since {@code since} (ms) by nodes other than {@code me}: of the nodes in
   * {@code applied} only those after the number given, of any other node all; ordered by node
   * and number.
   */
  List<Row> since(long since, String me, Map<String, Long> applied) {
    return jdbi.withHandle(h -> {
      StringBuilder sql = new StringBuilder(
          "SELECT node, seq, body FROM limit_exchange WHERE sent_at >= :since AND node <> :me");
      List<String> known = new ArrayList<>(applied.keySet());
      if (!known.isEmpty()) {
        sql.append(" AND (");
        for (int i = 0; i < known.size(); i++) {
          sql.append("(node = :n").append(i).append(" AND seq > :s").append(i).append(") OR ");
        }
        sql.append("node NOT IN (<known>))");
      }
      sql.append(" ORDER BY node, seq");
      Query q = h.createQuery(sql.toString()).bind("since", since).bind("me", me);
      for (int i = 0; i < known.size(); i++) {
        q.bind("n" + i, known.get(i)).bind("s" + i, applied.get(known.get(i)));
      }
      if (!known.isEmpty()) {
        q.bindList("known", known);
      }
      return q.map((rs, ctx) -> new Row(rs.getString(1), rs.getLong(2), rs.getString(3))).list();
    });
  }
}
