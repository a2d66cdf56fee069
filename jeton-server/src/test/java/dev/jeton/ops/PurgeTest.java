package dev.jeton.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.jeton.store.WriteQueue;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Settings;
import dev.jeton.testing.TestServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * The scheduled purge of sessions and refresh tokens (docs/operations.md#retention), on both
 * engines: what has been unusable longer than the retention window is deleted, in batches; what
 * a rule still needs is kept, so reuse detection (docs/security.md#refresh-reuse) and the answers
 * to recently revoked or expired tokens survive every run (docs/security.md#retention).
 */
@OnBothEngines
@Settings({"PURGE_RETENTION=7d", "REFRESH_GRACE=0"})
class PurgeTest {
  private static final String PASSWORD = "retention pass phrase 31";
  private static final Duration RETENTION = Duration.ofDays(7);
  private static final Duration DAY = Duration.ofDays(1);

  TestServer server;
  Jdbi jdbi;
  Capture log;

  /** Keeps the events of the purge's logger. */
  static final class Capture extends AppenderBase<ILoggingEvent> {
    final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent e) {
      events.add(e);
    }

    List<ILoggingEvent> messages(String message) {
      return events.stream().filter(e -> e.getMessage().equals(message)).toList();
    }
  }

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    this.jdbi = server.app().database().jdbi();
    log = new Capture();
    log.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    log.start();
    purgeLogger().addAppender(log);
  }

  @AfterEach
  void stopCapture() {
    purgeLogger().detachAppender(log);
  }

  private static Logger purgeLogger() {
    return (Logger) LoggerFactory.getLogger(Purge.class);
  }

  private Api.Response signIn(String email) {
    Api.Response r = server.register("main", email, PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r;
  }

  private String refreshed(String refreshToken) {
    Api.Response r = server.refresh("main", refreshToken);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.text("refresh_token");
  }

  private Purge.Result purge() {
    return server.app().purge().run();
  }

  private long count(String table) {
    return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM " + table)
        .mapTo(Long.class).one());
  }

  @Test
  void purgeWhenSessionRevokedThenKeptAndExplainedWithinRetentionThenDeleted() {
    String rt1 = signIn("revoked@example.com").text("refresh_token");
    String rt2 = refreshed(rt1);
    // reuse detection revokes the session
    assertThat(server.refresh("main", rt1).code()).isEqualTo("refresh_token_reused");

    server.clock().advance(RETENTION.minusMinutes(1));
    assertThat(purge().removed()).containsEntry("sessions", 0).containsEntry("refresh_tokens", 0);
    assertThat(server.refresh("main", rt1).code()).isEqualTo("token_revoked");
    assertThat(server.refresh("main", rt2).code()).isEqualTo("token_revoked");

    server.clock().advance(Duration.ofMinutes(2));
    assertThat(purge().removed()).containsEntry("sessions", 1).containsEntry("refresh_tokens", 2);
    assertThat(server.refresh("main", rt1).code()).isEqualTo("token_unknown");
    assertThat(server.refresh("main", rt2).code()).isEqualTo("token_unknown");
    assertThat(count("sessions")).isZero();
    assertThat(count("refresh_tokens")).isZero();
  }

  /**
   * docs/security.md#retention, docs/security.md#refresh-reuse: however old a spent refresh token
   * is, while its session lives the purge keeps it, so presenting it is still reuse and revokes the
   * family. A purge that deleted tokens by their own expiry would answer token_unknown here and
   * leave the thief's family alive.
   */
  @Test
  void purgeWhenSessionLiveThenItsOldSpentTokensKeptAndTheirReuseRevokesTheFamily() {
    String rt1 = signIn("live@example.com").text("refresh_token");
    String rt = refreshed(rt1);
    for (int i = 0; i < 3; i++) {
      server.clock().advance(Duration.ofDays(20));
      rt = refreshed(rt);
    }
    // rt1 expired 60 days after sign-in minus its 30-day idle limit: 50 days ago
    assertThat(purge().removed()).containsEntry("sessions", 0).containsEntry("refresh_tokens", 0);
    assertThat(count("refresh_tokens")).isEqualTo(5);

    Api.Response reuse = server.refresh("main", rt1);
    assertThat(reuse.code()).isEqualTo("refresh_token_reused");
    assertThat(server.refresh("main", rt).code()).isEqualTo("token_revoked");
  }

  @Test
  void purgeWhenSessionIdleLongerThanRetentionThenSessionAndAllItsTokensDeleted() {
    String rt1 = signIn("idle@example.com").text("refresh_token");
    String rt2 = refreshed(rt1);

    server.clock().advance(Duration.ofDays(30).plus(RETENTION).minusMinutes(1));
    assertThat(purge().removed()).containsEntry("sessions", 0);
    assertThat(server.refresh("main", rt2).code()).isEqualTo("token_expired");

    server.clock().advance(Duration.ofMinutes(2));
    assertThat(purge().removed()).containsEntry("sessions", 1).containsEntry("refresh_tokens", 2);
    assertThat(server.refresh("main", rt2).code()).isEqualTo("token_unknown");
    assertThat(server.refresh("main", rt1).code()).isEqualTo("token_unknown");
  }

  @Test
  @Settings("REFRESH_TOKEN_TTL=3d")
  void purgeWhenSessionPastAbsoluteLimitLongerThanRetentionThenDeleted() {
    String rt = signIn("absolute@example.com").text("refresh_token");
    for (int i = 0; i < 2; i++) {
      server.clock().advance(DAY);
      rt = refreshed(rt);
    }
    server.clock().advance(DAY.plus(RETENTION).minusMinutes(1));
    assertThat(purge().removed()).containsEntry("sessions", 0);
    assertThat(server.refresh("main", rt).code()).isEqualTo("token_expired");

    server.clock().advance(Duration.ofMinutes(2));
    assertThat(purge().removed()).containsEntry("sessions", 1).containsEntry("refresh_tokens", 3);
    assertThat(server.refresh("main", rt).code()).isEqualTo("token_unknown");
  }

  @Test
  void purgeWhenSetupLinkExpiredLongerThanRetentionThenDeleted() {
    server.app().newSetupLink("main");
    long links = count("setup_tokens");
    assertThat(links).isPositive();
    server.clock().advance(Duration.ofDays(7).plus(RETENTION).minusMinutes(1));
    assertThat(purge().removed()).containsEntry("setup_tokens", 0);
    server.clock().advance(Duration.ofMinutes(2));
    assertThat(purge().removed()).containsEntry("setup_tokens", (int) links);
    assertThat(count("setup_tokens")).isZero();
  }

  // ---- batches ---------------------------------------------------------------------------------

  /** Rows written straight into the tables, far more than one batch. */
  private final class Seed {
    final String userId;
    final long now = server.clock().millis();
    int serial;

    Seed(String userId) {
      this.userId = userId;
    }

    long daysAgo(int days) {
      return now - Duration.ofDays(days).toMillis();
    }

    /** A session and its tokens: {@code spent} rotated ones, then one live one. */
    String session(Handle h, long expiresAt, Long revokedAt, int spent, long liveExpiresAt) {
      String id = "ses_seed" + (serial++);
      h.createUpdate("""
              INSERT INTO sessions (id, account_id, user_id, client_id, scope, auth_time,
                created_at, expires_at, last_used_at, revoked_at, revoked_reason)
              VALUES (:id, 'main', :u, 'jeton', 'user', 0, 0, :exp, 0, :rev, :why)""")
          .bind("id", id).bind("u", userId).bind("exp", expiresAt).bind("rev", revokedAt)
          .bind("why", revokedAt == null ? null : "logout").execute();
      PreparedBatch b = h.prepareBatch("""
          INSERT INTO refresh_tokens (hash, session_id, issued_at, expires_at, rotated_at,
            successor_hash)
          VALUES (:h, :s, 0, :exp, :rot, :succ)""");
      for (int i = 0; i < spent; i++) {
        b.bind("h", id + "_" + i).bind("s", id).bind("exp", daysAgo(60)).bind("rot", daysAgo(61))
            .bind("succ", id + "_" + (i + 1)).add();
      }
      b.bind("h", id + "_" + spent).bind("s", id).bind("exp", liveExpiresAt)
          .bind("rot", (Long) null).bind("succ", (String) null).add();
      b.execute();
      return id;
    }
  }

  @Test
  void purgeWhenMoreRowsThanOneBatchThenEveryEndedRowDeletedAndEveryLiveOneKept() {
    String userId = signIn("many@example.com").json().path("user").path("id").asText();
    Seed seed = new Seed(userId);
    long future = seed.daysAgo(-30);
    Map<String, Object> ids = new HashMap<>();
    server.app().writes().submit(h -> {
      // ended: revoked 8 days ago, with 1,234 spent tokens and the code that created it
      String revoked = seed.session(h, future, seed.daysAgo(8), 1234, future);
      h.createUpdate("""
              INSERT INTO authorization_codes (hash, account_id, client_id, user_id,
                code_challenge, scope, auth_time, created_at, expires_at, used_at, session_id)
              VALUES ('code_seed', 'main', 'cli_x', :u, 'c', 'read', 0, 0, :exp, :exp, :s)""")
          .bind("u", userId).bind("exp", seed.daysAgo(30)).bind("s", revoked).execute();
      // ended: 450 past their absolute limit, 300 idle (their live token expired 8 days ago)
      for (int i = 0; i < 450; i++) {
        seed.session(h, seed.daysAgo(8), null, 0, seed.daysAgo(8));
      }
      for (int i = 0; i < 300; i++) {
        seed.session(h, future, null, 2, seed.daysAgo(8));
      }
      // kept: a live session whose 700 spent tokens expired long ago (reuse detection needs them)
      ids.put("live", seed.session(h, future, null, 700, future));
      // kept: revoked within the retention window
      ids.put("recent", seed.session(h, future, seed.daysAgo(6), 2, future));
      return null;
    });
    long before = count("refresh_tokens");

    Purge.Result result = purge();

    assertThat(result.removed()).containsEntry("sessions", 751)
        .containsEntry("refresh_tokens", 1235 + 450 + 900)
        .containsEntry("authorization_codes", 1);
    // 1,234 spent tokens at 200 a statement, then 751 sessions at 100 a batch
    assertThat(result.batches()).isGreaterThanOrEqualTo(7 + 8);
    assertThat(count("refresh_tokens")).isEqualTo(before - 2585).isEqualTo(1 + 701 + 3);
    assertThat(count("sessions")).isEqualTo(3);
    assertThat(count("authorization_codes")).isZero();
    long liveTokens = jdbi.withHandle(h -> h.createQuery(
            "SELECT count(*) FROM refresh_tokens WHERE session_id = :s")
        .bind("s", ids.get("live")).mapTo(Long.class).one());
    assertThat(liveTokens).isEqualTo(701);
    // a second run finds nothing more
    assertThat(purge().total()).isZero();
  }

  // ---- gauges and the log line -----------------------------------------------------------------

  @Test
  void purgeWhenRunThenRowGaugesMatchTheTablesAndOneLogLineSaysWhatWasRemoved() {
    String rt = signIn("gauge@example.com").text("refresh_token");
    String next = refreshed(rt);
    signIn("gauge2@example.com");
    assertThat(server.api().postJson(TestServer.v1("main") + "/auth/logout",
        "{\"refresh_token\":" + Api.q(next) + "}").status()).isEqualTo(204);
    server.clock().advance(RETENTION.plusMinutes(1));
    log.events.clear();

    Purge.Result result = purge();

    String scrape = server.app().metrics().scrape();
    for (String table : PurgeStore.COUNTED) {
      assertThat(scrape).as(table)
          .contains("jeton_table_rows{table=\"" + table + "\"} " + count(table) + ".0");
    }
    assertThat(count("refresh_tokens")).isEqualTo(1);
    assertThat(scrape).contains("jeton_purged_rows_total{table=\"refresh_tokens\"} 2.0")
        .contains("jeton_purged_rows_total{table=\"sessions\"} 1.0")
        .contains("jeton_purge_last_success_timestamp_seconds")
        .contains("jeton_purge_batch_seconds_count");

    assertThat(log.events).hasSize(1);
    ILoggingEvent line = log.events.get(0);
    assertThat(line.getLevel()).isEqualTo(Level.INFO);
    assertThat(line.getMessage()).isEqualTo("purge finished");
    Map<String, Object> kv = new HashMap<>();
    for (KeyValuePair p : line.getKeyValuePairs()) {
      kv.put(p.key, p.value);
    }
    assertThat(kv).containsEntry("sessions_removed", 1).containsEntry("refresh_tokens_removed", 2)
        .containsEntry("authorization_codes_removed", 0).containsEntry("device_codes_removed", 0)
        .containsEntry("web_sessions_removed", 0).containsEntry("setup_tokens_removed", 0)
        .containsEntry("batches", result.batches())
        .containsKeys("duration_ms", "slowest_batch_ms", "retention_days");
  }

  // ---- alongside requests ------------------------------------------------------------------------

  /**
   * The purge deletes thousands of rows while four clients refresh their own sessions: every
   * refresh succeeds (the purge's batches take turns with them on the writer, and on PostgreSQL
   * lock only rows that are already dead), and nothing of the live sessions is lost.
   */
  @Test
  void purgeWhileClientsRefreshThenEveryRefreshSucceedsAndLiveSessionsKeepTheirTokens()
      throws Exception {
    String userId = signIn("busy@example.com").json().path("user").path("id").asText();
    Seed seed = new Seed(userId);
    server.app().writes().submit(h -> {
      for (int i = 0; i < 40; i++) {
        seed.session(h, seed.daysAgo(-30), seed.daysAgo(9), 99, seed.daysAgo(-30));
      }
      return null;
    });
    List<String> chains = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      chains.add(signIn("chain" + i + "@example.com").text("refresh_token"));
    }
    ExecutorService pool = Executors.newFixedThreadPool(5);
    try {
      Future<Purge.Result> purged = pool.submit(this::purge);
      List<Future<Integer>> clients = new ArrayList<>();
      for (String first : chains) {
        clients.add(pool.submit(() -> {
          String rt = first;
          int ok = 0;
          for (int i = 0; i < 25; i++) {
            Api.Response r = server.refresh("main", rt);
            if (r.status() == 200) {
              ok++;
              rt = r.text("refresh_token");
            }
          }
          return ok;
        }));
      }
      for (Future<Integer> c : clients) {
        assertThat(c.get()).isEqualTo(25);
      }
      assertThat(purged.get().removed()).containsEntry("sessions", 40)
          .containsEntry("refresh_tokens", 4000);
    } finally {
      pool.shutdownNow();
    }
    // the 4 chains have 26 tokens each, the first sign-in 1
    assertThat(count("refresh_tokens")).isEqualTo(4 * 26 + 1);
  }

  // ---- the schedule ------------------------------------------------------------------------------

  /** A clock whose first two readings fail: with an Error, then with an exception. */
  static final class FailingClock extends Clock {
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public long millis() {
      int n = reads.incrementAndGet();
      if (n == 1) {
        throw new AssertionError("first reading fails with an Error");
      }
      if (n == 2) {
        throw new IllegalStateException("second reading fails with an exception");
      }
      return System.currentTimeMillis();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @Test
  void scheduleWhenARunThrowsThenTheErrorIsLoggedAndTheNextRunsStillHappen() throws Exception {
    try (WriteQueue writes = new WriteQueue(server.app().database());
        Purge purge = new Purge(server.app().database(), writes, server.app().metrics(),
            new FailingClock(), RETENTION)) {
      purge.schedule(Duration.ofMillis(10), Duration.ofMillis(10));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (log.messages("purge finished").size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      List<ILoggingEvent> failures = log.events.stream()
          .filter(e -> e.getLevel() == Level.ERROR).toList();
      assertThat(failures).hasSize(2);
      assertThat(failures).allSatisfy(e -> assertThat(e.getThreadName()).isEqualTo("jeton-purge"));
      assertThat(failures.get(0).getThrowableProxy().getClassName())
          .isEqualTo(AssertionError.class.getName());
      assertThat(failures.get(1).getThrowableProxy().getClassName())
          .isEqualTo(IllegalStateException.class.getName());
      assertThat(log.messages("purge finished")).hasSizeGreaterThanOrEqualTo(2);
    }
  }
}
