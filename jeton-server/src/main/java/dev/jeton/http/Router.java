package dev.jeton.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

/**
 * Registers routes, recording each one's template on the request so that metrics and logs group
 * by route, never by raw path (which would carry ids and grow without bound).
 */
public final class Router {
  private final RoutesConfig routes;

  public Router(RoutesConfig routes) {
    this.routes = routes;
  }

  public Router get(String path, Handler h) {
    return add(HandlerType.GET, path, h);
  }

  public Router post(String path, Handler h) {
    return add(HandlerType.POST, path, h);
  }

  public Router patch(String path, Handler h) {
    return add(HandlerType.PATCH, path, h);
  }

  public Router delete(String path, Handler h) {
    return add(HandlerType.DELETE, path, h);
  }

  private Router add(HandlerType type, String path, Handler h) {
    routes.addHttpHandler(type, path, ctx -> {
      ctx.attribute(RequestGuard.ROUTE, path);
      h.handle(ctx);
    });
    return this;
  }
}
