package dev.jeton.http;

import io.javalin.http.Context;
import java.io.IOException;

/** Writing JSON answers. */
public final class Responses {
  private Responses() {}

  /** Writes {@code body} as JSON with the given status. */
  public static void json(Context ctx, int status, Object body) {
    ctx.status(status);
    ctx.contentType("application/json");
    write(ctx, Json.bytes(body));
  }

  /**
   * Writes a whole body straight to the response, with its length. Not {@code ctx.result}: Javalin
   * copies a result through a new 32 KiB buffer per response, most of the {@code byte[]} a cheap
   * request allocated in JFR's samples (docs/performance.md#access-log).
   */
  public static void write(Context ctx, byte[] body) {
    ctx.res().setContentLength(body.length);
    try {
      ctx.res().getOutputStream().write(body);
    } catch (IOException e) {
      // the client is gone; there is no one left to answer, and the container ends the exchange
    }
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
