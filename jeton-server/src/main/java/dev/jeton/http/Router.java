package dev.jeton.http;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Registers routes, recording on each request its route template (so that metrics and logs group
 * by route, never by raw path, which would carry ids and grow without bound), the form its
 * errors take ({@link ErrorWriter.Format}) and the error codes the route declares it may answer.
 * Before the handler runs it refuses control characters in the path and query, and a request
 * whose {@code Accept} excludes every media type the route produces (406 {@code not_acceptable},
 * RFC 9110 12.5.1): JSON for the JSON API. Pages (HTML, also for errors) and the OAuth endpoints
 * (whose media type RFC 6749 5.1 fixes as JSON, decision 33) serve any {@code Accept}.
 */
public final class Router {
  private final RoutesConfig routes;
  private final ErrorWriter.Format format;
  private final Set<ErrorCode> declared;
  private final List<Route> registered;
  /** The media types the routes produce; empty when they serve any {@code Accept}. */
  private final List<String> produces;

  /** A registered route: its method, path template and error format. */
  public record Route(String method, String path, ErrorWriter.Format format) {}

  public Router(RoutesConfig routes) {
    this(routes, ErrorWriter.Format.PROBLEM, null, new ArrayList<>(), producedBy(
        ErrorWriter.Format.PROBLEM));
  }

  private Router(RoutesConfig routes, ErrorWriter.Format format, Set<ErrorCode> declared,
      List<Route> registered, List<String> produces) {
    this.routes = routes;
    this.format = format;
    this.declared = declared;
    this.registered = registered;
    this.produces = produces;
  }

  private static List<String> producedBy(ErrorWriter.Format format) {
    return format == ErrorWriter.Format.PROBLEM ? List.of("application/json") : List.of();
  }

  /** Every route registered so far, through this router or the ones {@link #as} made. */
  public List<Route> routes() {
    return List.copyOf(registered);
  }

  /**
   * The same router for routes whose errors take {@code format} and that answer only the
   * {@code declared} codes (besides {@link ErrorWriter#ANY_ROUTE}).
   */
  public Router as(ErrorWriter.Format format, Set<ErrorCode> declared) {
    return new Router(routes, format, Set.copyOf(declared), registered, producedBy(format));
  }

  /**
   * The same router for routes that produce {@code mediaTypes} (a request accepting none of
   * them is 406), or, with none, that serve any {@code Accept}.
   */
  public Router produces(String... mediaTypes) {
    return new Router(routes, format, declared, registered, List.of(mediaTypes));
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
    registered.add(new Route(type.name(), path, format));
    routes.addHttpHandler(type, path, ctx -> {
      mark(ctx, path);
      refuseControls(ctx);
      if (!produces.isEmpty() && !MediaRanges.acceptsAny(ctx.header("Accept"), produces)) {
        throw new ApiException(ErrorCode.NOT_ACCEPTABLE, "This route answers only "
            + String.join(" or ", produces) + ", which the Accept header '"
            + Text.clip(ctx.header("Accept")) + "' excludes.");
      }
      h.handle(ctx);
    });
    if (format == ErrorWriter.Format.OAUTH) {
      otherMethodsNotAllowed(type, path);
    }
    return this;
  }

  private void mark(Context ctx, String path) {
    ctx.attribute(RequestGuard.ROUTE, path);
    ctx.attribute(ErrorWriter.FORMAT, format);
    if (declared != null) {
      ctx.attribute(ErrorWriter.DECLARED, declared);
    }
  }

  /**
   * An OAuth endpoint takes one method (POST, RFC 6749 3.2): the others are answered here, so
   * that a client sending them gets the endpoint's RFC 6749 5.2 error object (with {@code Allow})
   * rather than the JSON API's problem document.
   */
  private void otherMethodsNotAllowed(HandlerType allowed, String path) {
    for (HandlerType other : List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT,
        HandlerType.PATCH, HandlerType.DELETE)) {
      if (other == allowed) {
        continue;
      }
      if (registered.stream().anyMatch(r -> r.path().equals(path)
          && r.method().equals(other.name()))) {
        throw new IllegalStateException("an OAuth endpoint takes one method: " + path);
      }
      routes.addHttpHandler(other, path, ctx -> {
        mark(ctx, path);
        ctx.header("Allow", allowed.name());
        throw new ApiException(ErrorCode.METHOD_NOT_ALLOWED, ctx.method() + " is not allowed "
            + "here; send a " + allowed.name() + " (RFC 6749 3.2).");
      });
    }
  }

  /**
   * Refuses a control character in any path parameter or query parameter before the handler
   * runs, whether or not it reads them (docs/security.md#control-characters): {@code
   * invalid_parameter} for the JSON API, the RFC 6749 {@code invalid_request} for the OAuth
   * endpoints and pages.
   */
  private void refuseControls(Context ctx) {
    String problem = null;
    for (Map.Entry<String, String> p : ctx.pathParamMap().entrySet()) {
      problem = Text.controlProblem("The path parameter '" + p.getKey() + "'", p.getValue());
      if (problem != null) {
        break;
      }
    }
    if (problem == null) {
      problem = Form.controlProblem(ctx.queryString());
    }
    if (problem != null) {
      throw new ApiException(format == ErrorWriter.Format.PROBLEM ? ErrorCode.INVALID_PARAMETER
          : ErrorCode.INVALID_REQUEST, problem);
    }
  }
}
