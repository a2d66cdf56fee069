package dev.jeton.http;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.jdbi.v3.core.ConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every exception that leaves a handler into a problem document: catalog errors as they
 * are (with the RFC 6750 challenge for credential errors), the router's own 404/405 as
 * {@code route_not_found}/{@code method_not_allowed}, a lost database as a 503 (fail closed), and
 * anything else as a 500 {@code internal_error} whose details go only to the log.
 */
public final class ErrorMapping {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

  /** Request attribute: the realm to name in the challenge. */
  public static final String REALM = "jeton.realm";
  /** Request attribute: the scope that was missing, for {@code insufficient_scope}. */
  public static final String REQUIRED_SCOPE = "jeton.required_scope";

  private final Problems problems;

  public ErrorMapping(Problems problems) {
    this.problems = problems;
  }

  public void api(ApiException e, Context ctx) {
    write(ctx, e.code(), e.detail(), e.errors());
    if (e.retryAfterSeconds() > 0) {
      ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
    }
    if (e.code().status() == 401 || e.code() == ErrorCode.INSUFFICIENT_SCOPE
        || e.code() == ErrorCode.TOKEN_IN_URL) {
      Object realm = ctx.attribute(REALM);
      if (realm != null) {
        String challenge = challenge(e.code(), e.detail(), realm.toString(),
            ctx.attribute(REQUIRED_SCOPE));
        if (challenge != null) {
          ctx.header("WWW-Authenticate", challenge);
        }
      }
    }
  }

  public void other(Exception e, Context ctx) {
    if (e instanceof HttpResponseException h) {
      switch (h.getStatus()) {
        case 404 -> write(ctx, ErrorCode.ROUTE_NOT_FOUND,
            "No route matches " + ctx.method() + " " + clip(ctx.path()) + ".", List.of());
        case 405 -> {
          String allowed = h.getDetails().get("availableMethods");
          if (allowed != null) {
            ctx.header("Allow", allowed.replace(" ", ""));
          }
          write(ctx, ErrorCode.METHOD_NOT_ALLOWED,
              ctx.method() + " is not allowed on " + clip(ctx.path()) + ".", List.of());
        }
        case 413 -> write(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "The request body is too large.",
            List.of());
        default -> {
          if (h.getStatus() >= 500) {
            LOG.error("router error", e);
            write(ctx, ErrorCode.INTERNAL_ERROR, "The server failed to handle the request.",
                List.of());
          } else {
            write(ctx, ErrorCode.BAD_REQUEST, "The request could not be handled: "
                + clip(h.getMessage()), List.of());
          }
        }
      }
      return;
    }
    if (isDatabaseDown(e)) {
      LOG.error("database unavailable", e);
      ctx.header("Retry-After", "5");
      write(ctx, ErrorCode.SERVICE_UNAVAILABLE, "The database is unavailable.", List.of());
      return;
    }
    LOG.error("unexpected failure", e);
    write(ctx, ErrorCode.INTERNAL_ERROR,
        "The server failed to handle the request; the request id identifies it in the logs.",
        List.of());
  }

  private static boolean isDatabaseDown(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectionException || t instanceof SQLTransientConnectionException) {
        return true;
      }
    }
    return false;
  }

  private void write(Context ctx, ErrorCode code, String detail,
      List<ApiException.FieldError> errors) {
    String requestId = ctx.attribute(RequestIds.ATTRIBUTE);
    ctx.status(code.status());
    ctx.header("Cache-Control", "no-store");
    ctx.contentType(Problems.CONTENT_TYPE);
    ctx.result(Json.bytes(problems.document(code, detail, errors, requestId)));
  }

  private static String clip(String s) {
    if (s == null) {
      return "";
    }
    String printable = s.replaceAll("[^\\x20-\\x7E]", "?");
    return printable.length() > 200 ? printable.substring(0, 200) + "..." : printable;
  }

  /**
   * The RFC 6750 challenge for an error, or null when the error is not about the credential.
   * Error descriptions are reduced to the characters RFC 6750 3 allows.
   */
  static String challenge(ErrorCode code, String detail, String realm, String scope) {
    String base = "Bearer realm=\"" + realm + "\"";
    if (code == ErrorCode.TOKEN_MISSING) {
      return base;
    }
    if (code == ErrorCode.INSUFFICIENT_SCOPE) {
      return base + ", error=\"insufficient_scope\", error_description=\"" + safe(detail) + "\""
          + (scope == null ? "" : ", scope=\"" + scope + "\"");
    }
    if (code == ErrorCode.TOKEN_IN_URL) {
      return base + ", error=\"invalid_request\", error_description=\"" + safe(detail) + "\"";
    }
    if (code.isInvalidToken() || code == ErrorCode.REFRESH_TOKEN_REUSED) {
      return base + ", error=\"invalid_token\", error_description=\"" + safe(detail) + "\"";
    }
    return null;
  }

  private static String safe(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' ? c : '\'');
    }
    return b.toString();
  }
}
