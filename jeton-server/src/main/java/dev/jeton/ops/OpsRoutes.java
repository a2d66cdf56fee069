package dev.jeton.ops;

import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.observe.Metrics;
import dev.jeton.store.Database;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Set;

/** Liveness, readiness and Prometheus metrics. */
public final class OpsRoutes {
  private final Database db;
  private final Metrics metrics;

  public OpsRoutes(Database db, Metrics metrics) {
    this.db = db;
    this.metrics = metrics;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, Set.of())
        .get("/health/live", ctx -> Responses.json(ctx, 200, Map.of("status", "up")))
        .get("/health/ready", this::ready)
        .get("/metrics", this::metrics);
  }

  private void ready(Context ctx) {
    boolean ok = db.ready();
    if (!ok) {
      ctx.header("Retry-After", "5");
    }
    Responses.json(ctx, ok ? 200 : 503, Map.of("status", ok ? "ready" : "not_ready",
        "database", ok ? "up" : "down"));
  }

  private void metrics(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
    ctx.result(metrics.scrape());
  }
}
