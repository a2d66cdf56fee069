package dev.jeton.ops;

import dev.jeton.observe.Metrics;
import dev.jeton.store.Database;
import dev.jeton.store.WriteQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The scheduled purge (docs/operations.md#retention): deletes what can never be used again, once
 * it has been unusable for the retention window, so that storage stays bounded while a recently
 * revoked or expired token is still answered precisely ({@code token_revoked},
 * {@code token_expired}, {@code refresh_token_reused}) rather than {@code token_unknown}.
 *
 * <ul>
 *   <li>A session and all its refresh tokens go once the session ended (revoked, past its absolute
 *       limit, or idle: its live refresh token expired) longer ago than the window. While a
 *       session can still be used, every rotated token of it is kept: presenting one is how reuse
 *       is detected (docs/security.md#refresh-reuse).
 *   <li>An authorization code that created a session goes with that session: until then a replay
 *       still revokes it (docs/security.md#code-single-use). Other codes, device codes, browser
 *       sessions and setup links go once they expired longer ago than the window.
 *   <li>A personal access token goes once it was revoked or expired longer ago than the window
 *       (one without expiry only once revoked).
 * </ul>
 *
 * <p>Deletes run in batches of at most {@link #BATCH} rows per statement, each batch a unit of
 * work of the {@link WriteQueue} (on SQLite it takes its turn on the single writer between
 * request writes and is committed with them), and after each batch the purge pauses
 * {@link #PAUSE_FACTOR} times as long as the batch took to be committed, so it takes at most a
 * fifth of the writer's time. Each run ends with the row count of every table
 * ({@code jeton_table_rows}) and one log line.
 */
public final class Purge implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Purge.class);
  /**
   * Rows per delete statement: deleting a million refresh tokens, the statements of a batch took
   * 5.2 ms on SQLite on average, before its commit (docs/performance.md#purge).
   */
  static final int BATCH = 200;
  /** Sessions deleted per batch, each with its live refresh token and code. */
  static final int SESSION_BATCH = 100;
  /** The pause after a batch, as a multiple of the time from its submission to its commit. */
  static final int PAUSE_FACTOR = 4;
  /** The first run after start waits this long (or the interval, if shorter). */
  static final Duration FIRST_RUN = Duration.ofMinutes(1);

  private final PurgeStore store;
  private final WriteQueue writes;
  private final Metrics metrics;
  private final Clock clock;
  private final Duration retention;
  private final Object running = new Object();
  private ScheduledExecutorService scheduler;

  /** What one run removed, by table, and how long it took. */
  public record Result(Map<String, Integer> removed, long millis, int batches,
      long slowestBatchMicros) {
    /** Rows removed from all tables. */
    public int total() {
      return removed.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /**
   * How long a device nobody registered again is kept: FCM treats a registration token unused for
   * 270 days as expired, and apps register their token again at each start (docs/push.md).
   */
  static final Duration DEVICES_KEPT = Duration.ofDays(270);

  /** How long the rejection log keeps a rejection, whatever the retention window. */
  static final Duration REJECTIONS_KEPT = Duration.ofDays(30);
  /** The most rejections the log keeps per account (the newest). */
  static final int REJECTIONS_PER_ACCOUNT = 100_000;
  /** Days of call counts kept for usage reports. */
  static final int USAGE_DAYS_KEPT = 400;

  public Purge(Database db, WriteQueue writes, Metrics metrics, Clock clock, Duration retention) {
    this.store = new PurgeStore(db.jdbi(), db.dialect() == Database.Dialect.POSTGRES);
    this.writes = writes;
    this.metrics = metrics;
    this.clock = clock;
    this.retention = retention;
  }

  /** Runs the purge every {@code interval} on one daemon thread; {@code ZERO} runs it never. */
  public void start(Duration interval) {
    if (interval.isZero()) {
      LOG.info("purge disabled (JETON_PURGE_INTERVAL=0): expired rows are kept");
      return;
    }
    Duration first = interval.compareTo(FIRST_RUN) < 0 ? interval : FIRST_RUN;
    schedule(first, interval);
  }

  /** Schedules runs with any delays (tests use short ones). */
  synchronized void schedule(Duration first, Duration interval) {
    if (scheduler != null) {
      throw new IllegalStateException("the purge is already scheduled");
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "jeton-purge");
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleWithFixedDelay(this::runLogged, first.toMillis(), interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * One scheduled run. Whatever it throws is logged and swallowed: an exception escaping a
   * scheduled task would cancel every later run.
   */
  void runLogged() {
    try {
      run();
    } catch (PurgeFailed e) {
      // logged by run(), with what it removed before it failed
    } catch (Throwable e) {
      LOG.error("purge failed; the next run is in one interval", e);
    }
  }

  /**
   * Deletes everything that has been unusable for longer than the retention window, counts the
   * rows of every table into the gauges and logs one line. Runs one at a time.
   *
   * @throws PurgeFailed when a statement failed (logged already; what was deleted stays deleted)
   */
  public Result run() {
    synchronized (running) {
      Run run = new Run();
      long cutoff = clock.millis() - retention.toMillis();
      try {
        purgeSessions(run, cutoff);
        for (String table : PurgeStore.EXPIRING.keySet()) {
          int n;
          do {
            n = run.batch(h -> store.deleteExpired(h, table, cutoff, BATCH));
            run.add(table, n);
          } while (n == BATCH);
        }
        int pats;
        do {
          pats = run.batch(h -> store.deleteEndedPats(h, cutoff, BATCH));
          run.add("personal_access_tokens", pats);
        } while (pats == BATCH);
        String yearAgo = java.time.LocalDate.ofInstant(java.time.Instant.ofEpochMilli(
            clock.millis()), java.time.ZoneOffset.UTC).minusDays(USAGE_DAYS_KEPT).toString();
        run.add("usage_days", run.batch(h -> store.deleteUsageDays(h, yearAgo)));
        long rejectionCutoff = clock.millis() - REJECTIONS_KEPT.toMillis();
        int rejections;
        do {
          rejections = run.batch(h -> store.deleteOldRejections(h, rejectionCutoff, BATCH));
          run.add("rejections", rejections);
        } while (rejections == BATCH);
        for (String account : store.accountsOverRejections(REJECTIONS_PER_ACCOUNT)) {
          do {
            rejections = run.batch(h -> store.deleteRejectionsBeyond(h, account,
                REJECTIONS_PER_ACCOUNT, BATCH));
            run.add("rejections", rejections);
          } while (rejections == BATCH);
        }
        long deviceCutoff = clock.millis() - DEVICES_KEPT.toMillis();
        int devices;
        do {
          devices = run.batch(h -> store.deleteStaleDevices(h, deviceCutoff, BATCH));
          run.add("devices", devices);
        } while (devices == BATCH);
        store.countRows().forEach(metrics::tableRows);
      } catch (RuntimeException e) {
        if (Thread.currentThread().isInterrupted()) {
          run.line(LOG.atInfo()).log("purge stopped by shutdown");
        } else {
          run.line(LOG.atError().setCause(e)).log("purge failed; the next run is in one interval");
        }
        throw new PurgeFailed(e);
      }
      metrics.purgeSucceeded(clock.millis());
      run.line(LOG.atInfo()).log("purge finished");
      return run.result();
    }
  }

  /** Thrown by {@link #run()} after it logged the failure. */
  public static final class PurgeFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PurgeFailed(RuntimeException cause) {
      super("the purge failed", cause);
    }
  }

  /**
   * Deletes ended sessions, some at a time: first their spent refresh tokens (as many batches as
   * it takes), then the sessions with their live tokens and codes, in one batch.
   */
  private void purgeSessions(Run run, long cutoff) {
    while (true) {
      List<String> ids = store.endedSessions(cutoff, SESSION_BATCH);
      if (ids.isEmpty()) {
        return;
      }
      int n;
      do {
        n = run.batch(h -> store.deleteSpentTokens(h, ids, BATCH));
        run.add("refresh_tokens", n);
      } while (n == BATCH);
      PurgeStore.Removed removed = run.batch(h -> store.deleteSessions(h, ids));
      run.add("refresh_tokens", removed.refreshTokens());
      run.add("authorization_codes", removed.authorizationCodes());
      run.add("sessions", removed.sessions());
      if (removed.sessions() == 0) {
        // every session found was held by a request (PostgreSQL): leave them to the next run
        return;
      }
    }
  }

  /** The counters of one run. */
  private final class Run {
    final long started = System.nanoTime();
    final Map<String, Integer> removed = new LinkedHashMap<>();
    int batches;
    long slowestNanos;

    Run() {
      removed.put("sessions", 0);
      removed.put("refresh_tokens", 0);
      for (String table : PurgeStore.EXPIRING.keySet()) {
        removed.put(table, 0);
      }
      removed.put("personal_access_tokens", 0);
    }

    /**
     * Runs one batch on the write queue, then pauses {@link #PAUSE_FACTOR} times as long as the
     * batch took from submission to commit: when requests keep the writer busy, the batch waited
     * longer for its turn and the purge slows down with them.
     */
    <T> T batch(WriteQueue.Work<T> work) {
      long[] took = new long[1];
      long submitted = System.nanoTime();
      T answer = writes.submit(h -> {
        long t0 = System.nanoTime();
        T result = work.run(h);
        took[0] = System.nanoTime() - t0;
        return result;
      });
      long roundTrip = System.nanoTime() - submitted;
      batches++;
      slowestNanos = Math.max(slowestNanos, took[0]);
      metrics.purgeBatch(took[0]);
      pause(roundTrip * PAUSE_FACTOR);
      return answer;
    }

    void add(String table, int n) {
      if (n > 0) {
        removed.merge(table, n, Integer::sum);
        metrics.purged(table, n);
      }
    }

    Result result() {
      return new Result(Map.copyOf(removed), (System.nanoTime() - started) / 1_000_000, batches,
          slowestNanos / 1_000);
    }

    /** The run's numbers as the key-values of its one log line. */
    LoggingEventBuilder line(LoggingEventBuilder b) {
      removed.forEach((table, n) -> b.addKeyValue(table + "_removed", n));
      return b.addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000)
          .addKeyValue("batches", batches)
          .addKeyValue("slowest_batch_ms", Math.round(slowestNanos / 100_000.0) / 10.0)
          .addKeyValue("retention_days", retention.toHours() / 24.0);
    }
  }

  private static void pause(long nanos) {
    if (nanos <= 0) {
      return;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("the purge was interrupted", e);
    }
  }

  /** Stops the schedule; a run in progress is interrupted between two batches. */
  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
