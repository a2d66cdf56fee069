package dev.jeton.ops;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.http.Text;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Publishes the error catalog: {@code GET /api/v1/errors} and one entry per code. */
public final class ErrorRoutes {
  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, Set.of())
        .get("/api/v1/errors", this::list)
        .get("/api/v1/errors/{code}", this::one);
  }

  private void list(Context ctx) {
    List<Map<String, Object>> entries = new ArrayList<>();
    for (ErrorCode c : ErrorCode.values()) {
      entries.add(entry(c));
    }
    Responses.publicCache(ctx, 3600);
    Responses.json(ctx, 200, Map.of("errors", entries));
  }

  private void one(Context ctx) {
    String code = ctx.pathParam("code");
    for (ErrorCode c : ErrorCode.values()) {
      if (c.code().equals(code.toLowerCase(Locale.ROOT))) {
        Responses.publicCache(ctx, 3600);
        Responses.json(ctx, 200, entry(c));
        return;
      }
    }
    throw new ApiException(ErrorCode.ROUTE_NOT_FOUND, "There is no error code '"
        + Text.clip(code) + "' in the catalog.");
  }

  static Map<String, Object> entry(ErrorCode c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("code", c.code());
    m.put("status", c.status());
    m.put("title", c.title());
    m.put("remedy", c.remedy());
    m.put("retryable", c.retryable());
    return m;
  }
}
