package dev.jeton.http;

import dev.jeton.error.ErrorCode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.Set;

/**
 * Registers routes, recording on each request its route template (so that metrics and logs group
 * by route, never by raw path, which would carry ids and grow without bound), the form its
 * errors take ({@link ErrorWriter.Format}) and the error codes the route declares it may answer.
 */
public final class Router {
  private final RoutesConfig routes;
  private final ErrorWriter.Format format;
  private final Set<ErrorCode> declared;

  public Router(RoutesConfig routes) {
    this(routes, ErrorWriter.Format.PROBLEM, null);
  }

  private Router(RoutesConfig routes, ErrorWriter.Format format, Set<ErrorCode> declared) {
    this.routes = routes;
    this.format = format;
    this.declared = declared;
  }

  /**
   * The same router for routes whose errors take {@code format} and that answer only the
   * {@code declared} codes (besides {@link ErrorWriter#ANY_ROUTE}).
   */
  public Router as(ErrorWriter.Format format, Set<ErrorCode> declared) {
    return new Router(routes, format, Set.copyOf(declared));
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
      ctx.attribute(ErrorWriter.FORMAT, format);
      if (declared != null) {
        ctx.attribute(ErrorWriter.DECLARED, declared);
      }
      h.handle(ctx);
    });
    return this;
  }
}
