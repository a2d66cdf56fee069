package dev.jeton.http;

import io.javalin.http.Context;

/** Writing JSON answers. */
public final class Responses {
  private Responses() {}

  /** Writes {@code body} as JSON with the given status. */
  public static void json(Context ctx, int status, Object body) {
    ctx.status(status);
    ctx.contentType("application/json");
    ctx.result(Json.bytes(body));
  }

  /** Writes a token response: JSON, {@code Cache-Control: no-store} and {@code Pragma: no-cache}. */
  public static void tokens(Context ctx, int status, Object body) {
    ctx.header("Cache-Control", "no-store");
    ctx.header("Pragma", "no-cache");
    json(ctx, status, body);
  }

  /** Allows shared caches to keep a public document for {@code seconds}. */
  public static void publicCache(Context ctx, int seconds) {
    ctx.header("Cache-Control", "public, max-age=" + seconds);
  }
}
