package dev.jeton.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.store.Database;
import dev.jeton.store.WriteQueue;
import dev.jeton.testing.Databases;
import dev.jeton.testing.Engine;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/limits.md#across-nodes: nodes on one PostgreSQL database take each other's calls out of
 * their rate-limit buckets and count each other's requests in flight, each row applied exactly
 * once. Two nodes here are two sets of limiter, slots and exchange on one database, flushed by
 * hand so that every step is deterministic; the test with real processes is {@link
 * TwoNodesTest}.
 */
class LimitExchangeTest {
  private static final String KEY = "acc\u0000token\u0000s:one\u0000100/6000";
  private static final Duration PERIOD = Duration.ofSeconds(6000);

  @TempDir
  Path dir;
  private Database db;
  private WriteQueue writes;
  private Node a;
  private Node b;

  /** One node's limits. */
  private final class Node {
    final RateLimiter rates = new RateLimiter(Clock.systemUTC(), 1000);
    final InFlight inFlight = new InFlight();
    final LimitExchange exchange = new LimitExchange(db.jdbi(), writes, Clock.systemUTC());

    /** Takes {@code n} calls from the bucket, answers how many were admitted. */
    int call(int n) {
      int admitted = 0;
      for (int i = 0; i < n; i++) {
        if (rates.take(KEY, 100, PERIOD).allowed()) {
          exchange.spent(KEY, 100, PERIOD);
          admitted++;
        }
      }
      return admitted;
    }

    void flush() {
      exchange.flush(rates, inFlight);
    }
  }

  @BeforeEach
  void open() {
    db = Database.open(Databases.create(Engine.POSTGRES, dir));
    db.migrate();
    writes = new WriteQueue(db);
    a = new Node();
    b = new Node();
    // both have looked once: from here on every row of the other is news
    a.flush();
    b.flush();
  }

  @AfterEach
  void close() {
    writes.close();
    db.close();
  }

  @Test
  void callsAdmittedOnOneNodeAreTakenFromTheOthersBucketOnceAndItsDebtIsRefused() {
    assertThat(a.call(60)).isEqualTo(60);
    a.flush();
    b.flush();
    assertThat(b.rates.take(KEY, 100, PERIOD).remaining())
        .as("100 calls less the 60 of node a and this one").isBetween(39L, 40L);
    b.exchange.spent(KEY, 100, PERIOD);
    // reading again applies nothing twice
    b.flush();
    b.flush();
    assertThat(b.call(50)).as("what is left of the shared 100").isBetween(39, 40);
    b.flush();
    a.flush();
    assertThat(a.call(10)).as("node a has learnt of node b's calls").isZero();

    // both nodes spend the same bucket before either hears of the other: it goes into debt,
    // and the debt is refused on both once exchanged
    String other = "acc\u0000ip\u0000198.51.100.7\u00005/6000";
    for (Node n : List.of(a, b)) {
      for (int i = 0; i < 5; i++) {
        assertThat(n.rates.take(other, 5, PERIOD).allowed()).isTrue();
        n.exchange.spent(other, 5, PERIOD);
      }
    }
    a.flush();
    b.flush();
    a.flush();
    assertThat(a.rates.waitSeconds(other)).as("five calls of debt at one per 1,200 s")
        .isGreaterThan(4800);
    assertThat(b.rates.waitSeconds(other)).isGreaterThan(4800);
  }

  @Test
  void requestsInFlightOnOneNodeCountOnTheOthersUntilTheyEndOrTheNodeFallsSilent()
      throws Exception {
    List<InFlight.Slot> slots = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      slots.add(a.inFlight.tryAcquire("acc", 10));
    }
    a.flush();
    b.flush();
    assertThat(b.exchange.othersInFlight("acc")).isEqualTo(3);
    assertThat(b.exchange.othersInFlight("another")).isZero();
    slots.remove(0).close();
    a.flush();
    b.flush();
    assertThat(b.exchange.othersInFlight("acc")).isEqualTo(2);
    slots.forEach(InFlight.Slot::close);
    a.flush();
    b.flush();
    assertThat(b.exchange.othersInFlight("acc")).as("a row saying nothing is in flight").isZero();

    // a node that stops writing (killed with requests in flight) stops counting
    a.inFlight.tryAcquire("acc", 10);
    a.flush();
    b.flush();
    assertThat(b.exchange.othersInFlight("acc")).isEqualTo(1);
    Thread.sleep(LimitExchange.IN_FLIGHT_FRESH.toMillis() + 200);
    b.flush();
    assertThat(b.exchange.othersInFlight("acc")).isZero();
  }

  @Test
  void aNodeStartingDoesNotTakeCallsMadeBeforeItAndSkipsLinesItCannotRead() {
    assertThat(a.call(30)).isEqualTo(30);
    a.flush();
    Node late = new Node();
    late.flush();
    assertThat(late.rates.take(KEY, 100, PERIOD).remaining()).as("a full bucket").isEqualTo(99);

    // a row from another version: lines it does not know are skipped, the rest applied
    writes.submit(h -> h.createUpdate("""
            INSERT INTO limit_exchange (node, seq, sent_at, body) VALUES ('v99', 1, :at, :body)""")
        .bind("at", System.currentTimeMillis())
        .bind("body", "x whatever\nr !!! 1 2\nr "
            + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8))
            + " 100 6000 9\nc notbase64! x\n").execute());
    late.flush();
    assertThat(late.rates.take(KEY, 100, PERIOD).remaining()).isEqualTo(89);
  }
}
