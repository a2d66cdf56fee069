package dev.jeton.limit;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The SQL of {@code usage_days}: calls per account and day, summed over every node. */
final class UsageStore {
  private final Jdbi jdbi;

  UsageStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Adds {@code calls} to the account's day (the same statement on SQLite and PostgreSQL). */
  static void add(Handle h, String accountId, String day, long calls) {
    h.createUpdate("""
            INSERT INTO usage_days (account_id, day, calls) VALUES (:a, :d, :n)
            ON CONFLICT (account_id, day) DO UPDATE SET calls = usage_days.calls + excluded.calls""")
        .bind("a", accountId).bind("d", day).bind("n", calls).execute();
  }

  /** The calls of one account on one day, 0 when none were recorded. */
  long calls(String accountId, String day) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT calls FROM usage_days WHERE account_id = :a AND day = :d")
        .bind("a", accountId).bind("d", day).mapTo(Long.class).findOne().orElse(0L));
  }

  /** The calls recorded on any of {@code days}, by account and day ({@code account|day}). */
  Map<String, Long> totals(Collection<String> days) {
    Map<String, Long> out = new HashMap<>();
    if (days.isEmpty()) {
      return out;
    }
    for (Map.Entry<String, Long> e : jdbi.withHandle(h -> h.createQuery(
            "SELECT account_id, day, calls FROM usage_days WHERE day IN (<days>)")
        .bindList("days", List.copyOf(days))
        .map((rs, ctx) -> Map.entry(rs.getString(1) + "|" + rs.getString(2), rs.getLong(3)))
        .list())) {
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  /** The account's days from {@code fromDay} on (ISO dates sort as text), oldest first. */
  List<Map.Entry<String, Long>> history(String accountId, String fromDay) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT day, calls FROM usage_days WHERE account_id = :a AND day >= :from
            ORDER BY day""")
        .bind("a", accountId).bind("from", fromDay)
        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).list());
  }
}
