package dev.jeton.limit;

import dev.jeton.store.WriteQueue;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls per account and day, counted in memory on each node and added to {@code usage_days} by
 * {@link #flush} (every second): the request path never waits for the database, and every node
 * reads back the sum of all nodes at each flush. A node therefore sees the other nodes' calls at
 * most one flush late, which bounds how far a quota can be overrun (docs/limits.md#precision).
 * A day is the calendar day in the quota's time zone; the first call of a new day starts at zero.
 */
public final class DailyQuota {
  private static final Logger LOG = LoggerFactory.getLogger(DailyQuota.class);

  /** One account's day: the best known total of all nodes, and this node's calls not yet added. */
  private static final class Counter {
    final String accountId;
    final String day;
    final AtomicLong total;
    final AtomicLong pending = new AtomicLong();

    Counter(String accountId, String day, long total) {
      this.accountId = accountId;
      this.day = day;
      this.total = new AtomicLong(total);
    }
  }

  /** The result of counting a call: allowed or not, calls left (-1: unlimited). */
  public record Take(boolean allowed, long remaining) {}

  private final Clock clock;
  private final UsageStore store;
  private final WriteQueue writes;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

  public DailyQuota(Clock clock, Jdbi jdbi, WriteQueue writes) {
    this.clock = clock;
    this.store = new UsageStore(jdbi);
    this.writes = writes;
  }

  /** A day of one zone: its ISO date and the ms it starts and ends (the next midnight). */
  private record Day(String date, long start, long end) {}

  /** The current day of each zone in use, worked out once per day rather than per call. */
  private final ConcurrentHashMap<ZoneId, Day> days = new ConcurrentHashMap<>();

  private Day day(ZoneId zone) {
    long now = clock.millis();
    Day d = days.get(zone);
    if (d == null || now >= d.end() || now < d.start()) {
      LocalDate date = LocalDate.ofInstant(Instant.ofEpochMilli(now), zone);
      d = new Day(date.toString(), date.atStartOfDay(zone).toInstant().toEpochMilli(),
          date.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli());
      days.put(zone, d);
    }
    return d;
  }

  /** The day it is now in {@code zone}, as an ISO date. */
  public String today(ZoneId zone) {
    return day(zone).date();
  }

  /** The ms the current day of {@code zone} ends. */
  long resetsAtMillis(ZoneId zone) {
    return day(zone).end();
  }

  /**
   * Counts one call of the account unless its {@code quota} (0: unlimited) is used up; a refused
   * call is not counted.
   */
  public Take take(String accountId, long quota, ZoneId zone) {
    Counter c = counter(accountId, day(zone).date());
    long n = c.total.incrementAndGet();
    if (quota > 0 && n > quota) {
      c.total.decrementAndGet();
      return new Take(false, 0);
    }
    c.pending.incrementAndGet();
    return new Take(true, quota > 0 ? quota - n : -1);
  }

  /** The account's calls today, on every node as far as this node knows. */
  public long used(String accountId, ZoneId zone) {
    String day = today(zone);
    Counter c = counters.get(accountId + "|" + day);
    return c != null ? c.total.get() : store.calls(accountId, day);
  }

  /** The account's recorded days from {@code fromDay} on, oldest first. */
  public List<Map.Entry<String, Long>> history(String accountId, String fromDay) {
    return store.history(accountId, fromDay);
  }

  private Counter counter(String accountId, String day) {
    String key = accountId + "|" + day;
    Counter c = counters.get(key);
    if (c != null) {
      return c;
    }
    // the first call of the day on this node: start from what the other nodes (or this one
    // before a restart) recorded
    return counters.computeIfAbsent(key, k -> new Counter(accountId, day,
        store.calls(accountId, day)));
  }

  /**
   * Adds every counter's pending calls to the database in one write and reads back the totals of
   * all nodes; counters of past days are dropped once written. On failure the calls stay pending
   * for the next flush, so none is lost.
   */
  public void flush() {
    List<Counter> all = new ArrayList<>(counters.values());
    if (all.isEmpty()) {
      return;
    }
    long[] taken = new long[all.size()];
    for (int i = 0; i < taken.length; i++) {
      taken[i] = all.get(i).pending.getAndSet(0);
    }
    try {
      writes.submit(h -> {
        for (int i = 0; i < all.size(); i++) {
          long n = taken[i];
          if (n != 0) {
            UsageStore.add(h, all.get(i).accountId, all.get(i).day, n);
          }
        }
        return null;
      });
    } catch (RuntimeException e) {
      for (int i = 0; i < all.size(); i++) {
        all.get(i).pending.addAndGet(taken[i]);
      }
      LOG.warn("usage counts not written, kept for the next flush: {}", e.toString());
      return;
    }
    Set<String> days = new HashSet<>();
    for (Counter c : all) {
      days.add(c.day);
    }
    Map<String, Long> totals;
    try {
      totals = store.totals(days);
    } catch (RuntimeException e) {
      LOG.warn("usage totals not read: {}", e.toString());
      return;
    }
    for (Counter c : all) {
      Long recorded = totals.get(c.accountId + "|" + c.day);
      if (recorded != null) {
        c.total.set(recorded + c.pending.get());
      }
    }
    // zones are at most a day from UTC: a day before UTC's yesterday is over everywhere
    String stale = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(1).toString();
    counters.values().removeIf(c -> c.day.compareTo(stale) < 0 && c.pending.get() == 0);
  }
}
