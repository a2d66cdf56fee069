package dev.jeton.http;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Metrics;
import dev.jeton.store.Database;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders every error Jeton answers, whatever raised it: an {@link ApiException} from a handler,
 * the router's own 404/405/413, a lost database, an unexpected failure, the request guard's
 * limits and Jetty's own protocol errors. The route family, recorded on the request by the
 * {@link Router}, chooses the form:
 *
 * <ul>
 *   <li>{@link Format#PROBLEM}: an RFC 9457 problem document for the JSON API, plus the RFC 6750
 *       3 {@code WWW-Authenticate} challenge when a bearer credential was refused;
 *   <li>{@link Format#OAUTH}: the RFC 6749 5.2 error object of the OAuth endpoints, with {@code
 *       server_error} and {@code temporarily_unavailable} for failures that are not the client's
 *       (RFC 6749 4.1.2.1), and the Basic challenge for {@code invalid_client};
 *   <li>{@link Format#PAGE}: an HTML page naming the catalog entry, or, once the authorization
 *       endpoint has decided that a valid request may be answered at its redirect URI (see
 *       {@link #REDIRECT}), the redirect of RFC 6749 4.1.2.1 with {@code error}, {@code state}
 *       and {@code iss} (RFC 9207).
 * </ul>
 *
 * <p>Whatever the form, the status and the code come from the catalog, details sent to clients
 * are printable ASCII, and causes of server failures go only to the log. Each route may declare
 * the codes it answers; a code outside that set is counted and logged, so that a test run
 * proves every answered code was declared.
 */
public final class ErrorWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorWriter.class);

  /** The media type of problem documents (RFC 9457 3). */
  public static final String PROBLEM_JSON = "application/problem+json";
  /** Request attribute: the {@link Format} of the matched route. */
  public static final String FORMAT = "jeton.error_format";
  /** Request attribute: the codes the matched route declares ({@code Set<ErrorCode>}). */
  public static final String DECLARED = "jeton.error_codes";
  /** Request attribute: the realm of a challenge (the issuer). */
  public static final String REALM = "jeton.realm";
  /** Request attribute: the scope that was missing, for {@code insufficient_scope}. */
  public static final String REQUIRED_SCOPE = "jeton.required_scope";
  /**
   * Request attribute: where an authorization error is redirected ({@link Redirect}); set only
   * for a valid request the user has taken part in, or a {@code prompt=none} one.
   */
  public static final String REDIRECT = "jeton.error_redirect";

  /**
   * Codes any route may answer without declaring them: the HTTP-level failures the server
   * itself raises before or around a handler, and an issuer that does not exist or is disabled.
   */
  public static final Set<ErrorCode> ANY_ROUTE = Set.of(ErrorCode.ROUTE_NOT_FOUND,
      ErrorCode.METHOD_NOT_ALLOWED, ErrorCode.NOT_ACCEPTABLE, ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.URI_TOO_LONG,
      ErrorCode.REQUEST_HEADERS_TOO_LARGE, ErrorCode.BAD_REQUEST, ErrorCode.INVALID_PARAMETER,
      ErrorCode.INTERNAL_ERROR, ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.ACCOUNT_NOT_FOUND,
      ErrorCode.ACCOUNT_DISABLED);

  /**
   * The codes of RFC 6749 4.1.2.1 and OIDC Core 3.1.2.6 that Jeton sends back to a client's
   * redirect URI: the user's answer, {@code prompt=none}'s, and the server's own failures. A
   * malformed or unsupported request ({@code invalid_request}, {@code unsupported_response_type},
   * {@code unauthorized_client}, {@code invalid_scope}) always gets a page, so that no registered
   * client can bounce a browser off the issuer (RFC 9700 4.11.2,
   * docs/security.md#untrusted-client-no-redirect).
   */
  private static final Set<String> REDIRECTABLE = Set.of("access_denied", "login_required",
      "consent_required", "server_error", "temporarily_unavailable");

  /**
   * The headers of every answer that is not a page: nothing may be sniffed, framed, referred or
   * cached, and the body can load nothing.
   */
  public static final Map<String, String> SECURITY_HEADERS = Map.of(
      "X-Content-Type-Options", "nosniff",
      "Referrer-Policy", "no-referrer",
      "X-Frame-Options", "DENY",
      "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'",
      "Cache-Control", "no-store");

  /** How a route family answers errors. */
  public enum Format {
    PROBLEM, OAUTH, PAGE
  }

  /**
   * A validated authorization response target (RFC 6749 4.1.2.1): the client's registered
   * redirect URI, the request's {@code state}, the issuer, and the redirect status (302 after a
   * GET, 303 after a form POST).
   */
  public record Redirect(String uri, String state, String issuer, int status) {}

  private final String baseUrl;
  private final Pages pages;
  private final Metrics metrics;

  public ErrorWriter(String baseUrl, Pages pages, Metrics metrics) {
    this.baseUrl = baseUrl;
    this.pages = pages;
    this.metrics = metrics;
  }

  /** The catalog entry, detail and extras of one failure. */
  private record Failure(ErrorCode code, String detail, List<ApiException.FieldError> errors,
      long retryAfter, Map<String, Object> members) {
    Failure(ErrorCode code, String detail) {
      this(code, detail, List.of(), 0);
    }

    Failure(ErrorCode code, String detail, List<ApiException.FieldError> errors,
        long retryAfter) {
      this(code, detail, errors, retryAfter, Map.of());
    }
  }

  /** The exception handler of every route: classifies {@code e} and writes it. */
  public void handle(Exception e, Context ctx) {
    Failure f = classify(e, ctx);
    checkDeclared(ctx, f.code());
    Format format = ctx.attribute(FORMAT);
    switch (format == null ? Format.PROBLEM : format) {
      case PROBLEM -> problem(ctx, f);
      case OAUTH -> oauth(ctx, f);
      case PAGE -> page(ctx, f);
    }
  }

  private Failure classify(Exception e, Context ctx) {
    if (e instanceof ApiException a) {
      return new Failure(a.code(), a.detail(), a.errors(), a.retryAfterSeconds(), a.members());
    }
    if (e instanceof HttpResponseException h) {
      switch (h.getStatus()) {
        case 404:
          return new Failure(ErrorCode.ROUTE_NOT_FOUND,
              "No route matches " + ctx.method() + " " + Text.clip(ctx.path(), 200) + ".");
        case 405:
          String allowed = h.getDetails().get("availableMethods");
          if (allowed != null) {
            ctx.header("Allow", allowed.replace(" ", ""));
          }
          return new Failure(ErrorCode.METHOD_NOT_ALLOWED,
              ctx.method() + " is not allowed on " + Text.clip(ctx.path(), 200) + ".");
        case 413:
          return new Failure(ErrorCode.PAYLOAD_TOO_LARGE, "The request body is too large.");
        default:
          if (h.getStatus() >= 500) {
            LOG.error("router error", e);
            return new Failure(ErrorCode.INTERNAL_ERROR,
                "The server failed to handle the request.");
          }
          return new Failure(ErrorCode.BAD_REQUEST,
              "The request could not be handled: " + Text.clip(h.getMessage(), 200));
      }
    }
    if (Database.isUnavailable(e)) {
      // One line per request, no stack trace: an outage must not bury the log.
      LOG.error("database unavailable: {}", Text.clip(String.valueOf(rootCause(e)), 300));
      return new Failure(ErrorCode.SERVICE_UNAVAILABLE, "The database is unavailable.",
          List.of(), 5);
    }
    LOG.error("unexpected failure", e);
    return new Failure(ErrorCode.INTERNAL_ERROR,
        "The server failed to handle the request; the request id identifies it in the logs.");
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private void checkDeclared(Context ctx, ErrorCode code) {
    Set<ErrorCode> declared = ctx.attribute(DECLARED);
    if (declared != null && !declared.contains(code) && !ANY_ROUTE.contains(code)) {
      Object route = ctx.attribute(RequestGuard.ROUTE);
      metrics.undeclaredError(String.valueOf(route), code.code());
      LOG.warn("route {} answered {}, which it does not declare", route, code.code());
    }
  }

  // --- problem documents (RFC 9457), with the RFC 6750 challenge --------------------------

  private void problem(Context ctx, Failure f) {
    if (f.retryAfter() > 0) {
      ctx.header("Retry-After", Long.toString(f.retryAfter()));
    }
    String realm = ctx.attribute(REALM);
    if (realm != null) {
      String challenge = bearerChallenge(f.code(), f.detail(), realm,
          ctx.attribute(REQUIRED_SCOPE));
      if (challenge != null) {
        ctx.header("WWW-Authenticate", challenge);
      }
    }
    ctx.status(f.code().status());
    ctx.header("Cache-Control", "no-store");
    ctx.contentType(PROBLEM_JSON);
    Map<String, Object> doc = document(f.code(), f.detail(), f.errors(),
        ctx.attribute(RequestIds.ATTRIBUTE));
    doc.putAll(f.members());
    ctx.result(Json.bytes(doc));
  }

  /** The RFC 9457 document of an error, with the catalog's code, remedy and the request id. */
  Map<String, Object> document(ErrorCode code, String detail,
      List<ApiException.FieldError> errors, String requestId) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("type", baseUrl + "/api/v1/errors/" + code.code());
    doc.put("title", code.title());
    doc.put("status", code.status());
    doc.put("detail", detail);
    doc.put("code", code.code());
    doc.put("remedy", code.remedy());
    doc.put("retryable", code.retryable());
    doc.put("request_id", requestId);
    if (!errors.isEmpty()) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (ApiException.FieldError e : errors) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("field", e.field());
        item.put("code", e.code().code());
        item.put("detail", e.detail());
        list.add(item);
      }
      doc.put("errors", list);
    }
    return doc;
  }

  /**
   * The RFC 6750 3 challenge for a refused bearer credential, or null when the error is not
   * about the credential: no error code when none was sent (3.1), {@code invalid_request},
   * {@code invalid_token} or {@code insufficient_scope} otherwise.
   */
  static String bearerChallenge(ErrorCode code, String detail, String realm, String scope) {
    String base = "Bearer realm=\"" + realm + "\"";
    String error = switch (code) {
      case TOKEN_MISSING -> null;
      case INSUFFICIENT_SCOPE -> "insufficient_scope";
      case TOKEN_IN_URL -> "invalid_request";
      default -> code.isInvalidToken() || code == ErrorCode.REFRESH_TOKEN_REUSED
          ? "invalid_token" : "";
    };
    if (error == null) {
      return base;
    }
    if (error.isEmpty()) {
      return null;
    }
    return base + ", error=\"" + error + "\", error_description=\"" + Text.quotable(detail) + "\""
        + (code == ErrorCode.INSUFFICIENT_SCOPE && scope != null ? ", scope=\"" + scope + "\""
            : "");
  }

  // --- OAuth error objects (RFC 6749 5.2, RFC 7009 2.2.1, RFC 7662 2.3, RFC 8628 3.5) -------

  private void oauth(Context ctx, Failure f) {
    String realm = ctx.attribute(REALM);
    String authorization = ctx.header("Authorization");
    if (f.code() == ErrorCode.INVALID_CLIENT && realm != null && authorization != null
        && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      ctx.header("WWW-Authenticate", "Basic realm=\"" + realm + "\"");
    }
    if (f.retryAfter() > 0) {
      ctx.header("Retry-After", Long.toString(f.retryAfter()));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", oauthCode(f.code()));
    body.put("error_description", Text.quotable(f.detail()));
    // RFC 6749 5.2: a page about the error; the catalog entry of its code, as a problem's type
    body.put("error_uri", baseUrl + "/api/v1/errors/" + f.code().code());
    body.put("request_id", ctx.attribute(RequestIds.ATTRIBUTE));
    body.putAll(f.members());
    Responses.tokens(ctx, f.code().status(), body);
  }

  /**
   * The RFC 6749 {@code error} of a catalog entry: the catalog uses the RFC's codes verbatim,
   * a wrong method is a malformed request ({@code invalid_request}, with the 405 status and
   * {@code Allow}), and a failure of the server is {@code server_error} or
   * {@code temporarily_unavailable}.
   */
  static String oauthCode(ErrorCode code) {
    return switch (code) {
      case METHOD_NOT_ALLOWED -> "invalid_request";
      case INTERNAL_ERROR -> "server_error";
      case SERVICE_UNAVAILABLE -> "temporarily_unavailable";
      default -> code.code();
    };
  }

  // --- pages, and the authorization response's error redirect -----------------------------

  private void page(Context ctx, Failure f) {
    Redirect r = ctx.attribute(REDIRECT);
    String error = oauthCode(f.code());
    if (r != null && REDIRECTABLE.contains(error)) {
      Map<String, String> p = new LinkedHashMap<>();
      p.put("error", error);
      p.put("error_description", Text.quotable(f.detail()));
      if (r.state() != null) {
        p.put("state", r.state());
      }
      p.put("iss", r.issuer());
      ctx.status(r.status());
      ctx.header("Location", Text.withQuery(r.uri(), p));
      return;
    }
    if (f.retryAfter() > 0) {
      ctx.header("Retry-After", Long.toString(f.retryAfter()));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("title", f.code().title());
    m.put("detail", f.detail());
    m.put("remedy", f.code().remedy());
    m.put("code", f.code().code());
    m.put("requestId", String.valueOf((Object) ctx.attribute(RequestIds.ATTRIBUTE)));
    pages.render(ctx, f.code().status(), "error.jte", m);
  }

  // --- outside the router: the request guard and Jetty's own errors -----------------------

  /** Writes a problem document to a raw servlet response (the request guard's refusals). */
  public void writeRaw(HttpServletResponse res, ErrorCode code, String detail, String requestId)
      throws IOException {
    if (res.isCommitted()) {
      return;
    }
    res.resetBuffer();
    res.setStatus(code.status());
    res.setContentType(PROBLEM_JSON);
    res.setHeader("Cache-Control", "no-store");
    byte[] body = Json.bytes(document(code, detail, List.of(), requestId));
    res.setContentLength(body.length);
    res.getOutputStream().write(body);
  }

  /**
   * Jetty's error handler: a request line or headers too large or unparseable HTTP never reach
   * the router, and still get a catalogued problem document with the usual headers.
   */
  public ErrorHandler jettyHandler() {
    return new ErrorHandler() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        ErrorCode code = switch (status) {
          case 404 -> ErrorCode.ROUTE_NOT_FOUND;
          case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
          case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
          case 414 -> ErrorCode.URI_TOO_LONG;
          case 415 -> ErrorCode.UNSUPPORTED_CONTENT_TYPE;
          case 431 -> ErrorCode.REQUEST_HEADERS_TOO_LARGE;
          case 503 -> ErrorCode.SERVICE_UNAVAILABLE;
          default -> status >= 400 && status < 500 ? ErrorCode.BAD_REQUEST
              : ErrorCode.INTERNAL_ERROR;
        };
        Object rid = request.getAttribute(RequestIds.ATTRIBUTE);
        String requestId = rid != null ? rid.toString() : RequestIds.choose(
            request.getHeaders().get(RequestIds.HEADER),
            request.getHeaders().get(RequestIds.CORRELATION_HEADER));
        byte[] body = Json.bytes(document(code, code.title() + ".", List.of(), requestId));
        response.setStatus(code.status());
        SECURITY_HEADERS.forEach(response.getHeaders()::put);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, PROBLEM_JSON);
        response.getHeaders().put(RequestIds.HEADER, requestId);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        // Jetty closes the connection after a request it could not parse: say so, or a client
        // would send its next request on a connection that is already gone
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
      }
    };
  }
}
