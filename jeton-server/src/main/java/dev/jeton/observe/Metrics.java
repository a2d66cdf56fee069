package dev.jeton.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus metrics: HTTP requests by route template, method and status; tokens issued by kind;
 * token rejections by catalog code; error codes a route answered without declaring them; the row
 * counts of the tables and what the purge deleted; plus JVM metrics. Served at {@code /metrics}.
 */
public final class Metrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentMap<String, Counter> issued = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> rejected = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> pushes = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> requests = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> undeclared = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, AtomicLong> tableRows = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> purged = new ConcurrentHashMap<>();
  private final AtomicLong purgeSucceededAt = new AtomicLong();
  private volatile Timer purgeBatches;

  private final java.util.concurrent.atomic.AtomicBoolean jvmBinding =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final java.util.concurrent.CountDownLatch jvmBound =
      new java.util.concurrent.CountDownLatch(1);

  private final Counter rejectionsNotLogged;

  public Metrics() {
    rejectionsNotLogged = Counter.builder("jeton_rejection_log_dropped")
        .description("Token rejections not written to the rejection log because its queue was "
            + "full or the database refused the write (requests never wait for the log)")
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("jeton_access_log_shed",
            StdoutAppender.class, c -> StdoutAppender.shedAccessLines())
        .description("Access log lines dropped because the log writer was behind (requests "
            + "never wait for the access log)")
        .register(registry);
  }

  public void tokenIssued(String kind) {
    issued.computeIfAbsent(kind, k -> Counter.builder("jeton_tokens_issued")
        .description("Tokens issued, by kind").tag("kind", k).register(registry)).increment();
  }

  public void tokenRejected(String code) {
    rejected.computeIfAbsent(code, c -> Counter.builder("jeton_token_rejections")
        .description("Token presentations rejected, by error code").tag("code", c)
        .register(registry)).increment();
  }

  /**
   * One push message's end (docs/push.md): sent, pruned (FCM said the device's token is gone),
   * failed (refused, or retries ran out), dropped (the send queue was full) or limited (the
   * user's push budget was spent).
   */
  public void push(String result) {
    pushes.computeIfAbsent(result, r -> Counter.builder("jeton_push_messages")
        .description("Push messages to registered devices, by how they ended").tag("result", r)
        .register(registry)).increment();
  }

  /** A rejection the rejection log could not keep (its queue was full or the write failed). */
  public void rejectionNotLogged() {
    rejectionsNotLogged.increment();
  }

  /** Records one HTTP request; {@code route} is the matched template, never the raw path. */
  public void request(String method, String route, int status, long nanos) {
    String key = method + ' ' + route + ' ' + status;
    requests.computeIfAbsent(key, k -> Timer.builder("jeton_http_requests")
        .description("HTTP requests by route template, method and status")
        .tag("method", method).tag("route", route).tag("status", Integer.toString(status))
        .register(registry)).record(Duration.ofNanos(nanos));
  }

  /**
   * Records an error code a route answered without declaring it: a gap between what the route
   * documents and what it does (tests require none).
   */
  public void undeclaredError(String route, String code) {
    undeclared.computeIfAbsent(route + ' ' + code, k -> Counter.builder("jeton_undeclared_errors")
        .description("Error answers whose code the route does not declare, by route and code")
        .tag("route", route).tag("code", code).register(registry)).increment();
  }

  /** The undeclared route and code pairs answered so far ("route code"). */
  public java.util.Set<String> undeclaredErrors() {
    return java.util.Set.copyOf(undeclared.keySet());
  }

  /**
   * Sets the row count of a table, as the purge last counted it ({@code jeton_table_rows}; no
   * query runs at scrape time).
   */
  public void tableRows(String table, long rows) {
    tableRows.computeIfAbsent(table, t -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder("jeton_table_rows", value, AtomicLong::get)
          .description("Rows in the table, counted at the end of the last purge run")
          .tag("table", t).register(registry);
      return value;
    }).set(rows);
  }

  /** Counts rows the purge deleted from a table. */
  public void purged(String table, long rows) {
    purged.computeIfAbsent(table, t -> Counter.builder("jeton_purged_rows")
        .description("Rows deleted by the purge, by table").tag("table", t)
        .register(registry)).increment(rows);
  }

  /** Records one purge batch: how long its statements held the database writer. */
  public void purgeBatch(long nanos) {
    Timer t = purgeBatches;
    if (t == null) {
      t = Timer.builder("jeton_purge_batch")
          .description("Time each purge batch's delete statements took, before the commit")
          .register(registry);
      purgeBatches = t;
    }
    t.record(Duration.ofNanos(nanos));
  }

  /** Records the end of a successful purge run (epoch ms). */
  public void purgeSucceeded(long epochMillis) {
    if (purgeSucceededAt.getAndSet(epochMillis) == 0) {
      Gauge.builder("jeton_purge_last_success_timestamp_seconds", purgeSucceededAt,
              v -> v.get() / 1000.0)
          .description("When the last purge run finished without error (Unix time)")
          .register(registry);
    }
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Binds the JVM's metrics (memory, GC, threads, CPU, uptime) on a thread of their own: setting
   * up their JMX beans takes a tenth of a start, which the server need not wait for. A scrape
   * waits until they are bound; without this call, the first scrape binds them.
   */
  public void bindJvmMetricsInBackground() {
    if (jvmBinding.compareAndSet(false, true)) {
      Thread t = new Thread(this::bindJvm, "jeton-jvm-metrics");
      t.setDaemon(true);
      t.start();
    }
  }

  private void bindJvm() {
    try {
      new JvmMemoryMetrics().bindTo(registry);
      new JvmGcMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);
    } finally {
      jvmBound.countDown();
    }
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    if (jvmBinding.compareAndSet(false, true)) {
      bindJvm();
    }
    try {
      jvmBound.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return registry.scrape();
  }
}
