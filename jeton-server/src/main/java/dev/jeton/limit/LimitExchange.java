package dev.jeton.limit;

import dev.jeton.store.WriteQueue;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;

/**
 * What the rate limits and the cap on requests in flight of one node must know of the other
 * nodes on the same PostgreSQL database (docs/limits.md#across-nodes).
 *
 * <p>At every {@link #flush} a node writes one row to {@code limit_exchange}: the calls each of
 * its rate-limit buckets admitted since its previous row, and its requests in flight per account.
 * It then reads the rows the other nodes wrote since it last looked, takes their calls out of its
 * own buckets (a bucket may go into debt: those calls were admitted, and the debt is refused
 * until it is repaid) and keeps their requests in flight, which count against the cap here too.
 * A node therefore learns of another's calls one to two flushes late; that delay is what bounds
 * how far a limit can be exceeded across nodes. The request path never waits for the database.
 *
 * <p>Rows are numbered per node by the node itself, written one after another by one thread, so
 * a reader that has applied a node's row {@code n} has applied every earlier one: no row is
 * applied twice or skipped. A node that stops writing is forgotten after {@link #KEEP}; its
 * requests in flight stop counting after {@link #IN_FLIGHT_FRESH}.
 */
final class LimitExchange {
  /** Rows are read back this far; node clocks must agree within it (they must for JWTs anyway). */
  static final Duration WINDOW = Duration.ofSeconds(30);
  /** Rows older than this are deleted. */
  static final Duration KEEP = Duration.ofMinutes(2);
  /** Another node's requests in flight count this long after its last row. */
  static final Duration IN_FLIGHT_FRESH = Duration.ofSeconds(3);
  /** Every this many flushes the old rows are deleted. */
  private static final int PURGE_EVERY = 30;

  /** Calls one bucket admitted here since the last row. */
  private record Spent(long calls, long periodSeconds, AtomicLong count) {}

  /** Another node as last heard of: its last row applied, when, and its requests in flight. */
  private record Node(long seq, long heardNanos, Map<String, Integer> inFlight) {}

  private final ExchangeStore store;
  private final Clock wall;
  private final String node;
  private final ConcurrentHashMap<String, Spent> spent = new ConcurrentHashMap<>();
  private final Map<String, Node> nodes = new HashMap<>();
  /** The other nodes' requests in flight per account, as of the last read. */
  private volatile Map<String, Integer> othersInFlight = Map.of();
  private long seq;
  private boolean sentBusy;
  private boolean started;
  private int flushes;

  LimitExchange(Jdbi jdbi, WriteQueue writes, Clock wall) {
    this.store = new ExchangeStore(jdbi, writes);
    this.wall = wall;
    byte[] id = new byte[9];
    new SecureRandom().nextBytes(id);
    this.node = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
  }

  /** Records a call {@code key}'s bucket of {@code calls} per {@code period} admitted here. */
  void spent(String key, long calls, Duration period) {
    Spent s = spent.get(key);
    if (s == null) {
      s = spent.computeIfAbsent(key, k -> new Spent(calls, period.toSeconds(), new AtomicLong()));
    }
    s.count().incrementAndGet();
  }

  /** The requests in flight of {@code accountId} on the other nodes, as last heard. */
  int othersInFlight(String accountId) {
    Integer n = othersInFlight.get(accountId);
    return n == null ? 0 : n;
  }

  /**
   * Writes this node's row (when it has anything to say) and applies the rows of the others:
   * their calls to {@code rates}. Calls that could not be written are kept for the next flush.
   */
  synchronized void flush(RateLimiter rates, InFlight inFlight) {
    writeOwn(inFlight);
    readOthers(rates);
    if (++flushes % PURGE_EVERY == 0) {
      long cutoff = wall.millis() - KEEP.toMillis();
      store.deleteBefore(cutoff);
    }
  }

  private void writeOwn(InFlight inFlight) {
    StringBuilder body = new StringBuilder();
    List<Map.Entry<Spent, Long>> taken = new ArrayList<>();
    for (Map.Entry<String, Spent> e : spent.entrySet()) {
      Spent s = e.getValue();
      long n = s.count().getAndSet(0);
      if (n <= 0) {
        // idle since the last row: forgotten (a call racing this removal, in the instant after
        // a second of silence, may go untold)
        spent.remove(e.getKey(), s);
        continue;
      }
      taken.add(Map.entry(s, n));
      body.append("r ").append(encode(e.getKey())).append(' ').append(s.calls()).append(' ')
          .append(s.periodSeconds()).append(' ').append(n).append('\n');
    }
    Map<String, Integer> busy = inFlight.busy();
    for (Map.Entry<String, Integer> e : busy.entrySet()) {
      body.append("c ").append(encode(e.getKey())).append(' ').append(e.getValue()).append('\n');
    }
    // a row with nothing to say is written once after a busy one, so the others drop its counts
    if (taken.isEmpty() && busy.isEmpty() && !sentBusy) {
      return;
    }
    long next = seq + 1;
    String text = body.toString();
    long now = wall.millis();
    try {
      store.insert(node, next, now, text);
    } catch (RuntimeException e) {
      for (Map.Entry<Spent, Long> t : taken) {
        t.getKey().count().addAndGet(t.getValue());
      }
      throw e;
    }
    seq = next;
    sentBusy = !busy.isEmpty();
  }

  private void readOthers(RateLimiter rates) {
    Map<String, Long> applied = new HashMap<>();
    nodes.forEach((id, n) -> applied.put(id, n.seq()));
    List<ExchangeStore.Row> rows = store.since(wall.millis() - WINDOW.toMillis(), node, applied);
    long nanos = System.nanoTime();
    for (ExchangeStore.Row row : rows) {
      Node before = nodes.get(row.node());
      // the first read only learns where each node stands: calls older than this node are not
      // taken from its buckets
      boolean apply = started;
      Map<String, Integer> busy = new HashMap<>();
      for (String line : row.body().split("\n")) {
        String[] f = line.split(" ");
        try {
          if (f.length == 5 && f[0].equals("r") && apply) {
            rates.spend(decode(f[1]), Long.parseLong(f[2]),
                Duration.ofSeconds(Long.parseLong(f[3])), Long.parseLong(f[4]));
          } else if (f.length == 3 && f[0].equals("c")) {
            busy.put(decode(f[1]), Integer.parseInt(f[2]));
          }
        } catch (IllegalArgumentException e) {
          // a line this version does not read (written by another version): skipped
        }
      }
      if (before == null || row.seq() > before.seq()) {
        nodes.put(row.node(), new Node(row.seq(), nanos, busy));
      }
    }
    started = true;
    long stale = nanos - IN_FLIGHT_FRESH.toNanos();
    long gone = nanos - KEEP.toNanos();
    nodes.values().removeIf(n -> n.heardNanos() < gone);
    Map<String, Integer> sum = new HashMap<>();
    for (Node n : nodes.values()) {
      if (n.heardNanos() >= stale) {
        n.inFlight().forEach((account, count) -> sum.merge(account, count, Integer::sum));
      }
    }
    othersInFlight = Map.copyOf(sum);
  }

  private static String encode(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(
        s.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String s) {
    return new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
  }
}
