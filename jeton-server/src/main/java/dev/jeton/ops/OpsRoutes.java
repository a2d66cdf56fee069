package dev.jeton.ops;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.http.Text;
import dev.jeton.observe.Metrics;
import dev.jeton.store.Database;
import dev.jeton.store.WriteQueue;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** Liveness, readiness and Prometheus metrics. */
public final class OpsRoutes {
  private static final java.time.Duration PROBE_TIMEOUT = java.time.Duration.ofSeconds(2);

  private final Database db;
  private final WriteQueue writes;
  private final Metrics metrics;

  /** The errors of {@code /metrics}: the scrape token is missing or wrong. */
  public static final Set<ErrorCode> METRICS_ERRORS = Set.of(ErrorCode.TOKEN_MISSING,
      ErrorCode.METRICS_TOKEN_INVALID);

  private final byte[] metricsToken;
  private final java.util.function.BooleanSupplier draining;

  /**
   * @param metricsToken the bearer token a scrape must present; empty: {@code /metrics} is not
   *     served at all
   * @param draining true once the node is stopping: readiness fails while it still serves
   */
  public OpsRoutes(Database db, WriteQueue writes, Metrics metrics, String metricsToken,
      java.util.function.BooleanSupplier draining) {
    this.draining = draining;
    this.db = db;
    this.writes = writes;
    this.metrics = metrics;
    this.metricsToken = metricsToken.isEmpty() ? new byte[0] : sha256(metricsToken);
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, Set.of())
        .get("/health/live", ctx -> Responses.json(ctx, 200, Map.of("status", "up")))
        .get("/health/ready", this::ready);
    r.as(ErrorWriter.Format.PROBLEM, METRICS_ERRORS).produces("text/plain")
        .get("/metrics", this::metrics);
  }

  /**
   * Ready when the node is not stopping and the database answers a read and a write transaction
   * can begin and commit (on SQLite through the writer thread, so a stuck or read-only writer
   * shows here too). A draining node answers 503 {@code draining} while it still serves.
   */
  private void ready(Context ctx) {
    ctx.header("Cache-Control", "no-store");
    if (draining.getAsBoolean()) {
      Responses.json(ctx, 503, Map.of("status", "draining"));
      return;
    }
    boolean ok = db.ready() && writes.probe(PROBE_TIMEOUT);
    if (!ok) {
      ctx.header("Retry-After", "5");
    }
    Responses.json(ctx, ok ? 200 : 503, Map.of("status", ok ? "ready" : "not_ready",
        "database", ok ? "up" : "down"));
  }

  /**
   * The Prometheus exposition, only for the holder of the configured token: the metrics show
   * every account's traffic (docs/security.md#metrics-token). Without a token configured the
   * route does not exist, so an unconfigured server reveals nothing.
   */
  private void metrics(Context ctx) {
    if (metricsToken.length == 0) {
      throw new ApiException(ErrorCode.ROUTE_NOT_FOUND, "No route matches GET /metrics.");
    }
    ctx.attribute(ErrorWriter.REALM, "metrics");
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      throw new ApiException(ErrorCode.TOKEN_MISSING,
          "Scraping /metrics needs 'Authorization: Bearer <JETON_METRICS_TOKEN>'.");
    }
    String presented = header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? Text.ows(header.substring(7)) : "";
    // digests of equal length, compared in constant time: neither content nor length leaks
    if (!MessageDigest.isEqual(sha256(presented), metricsToken)) {
      throw new ApiException(ErrorCode.METRICS_TOKEN_INVALID,
          "The bearer token is not this server's metrics token.");
    }
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
    ctx.result(metrics.scrape());
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
