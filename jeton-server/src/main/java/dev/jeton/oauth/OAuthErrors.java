package dev.jeton.oauth;

import dev.jeton.client.ClientAuthenticator;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.RequestIds;
import dev.jeton.http.Responses;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The error response of the OAuth endpoints (RFC 6749 5.2, RFC 7009 2.2.1, RFC 7662 2.3): a JSON
 * object {@code {"error", "error_description", "request_id"}} with {@code Cache-Control:
 * no-store} and {@code Pragma: no-cache}, never a problem document. The status is the catalog
 * entry's: 400, and 401 for {@code invalid_client}, which carries {@code WWW-Authenticate: Basic}
 * when the client tried HTTP Basic (RFC 6749 5.2). {@code error} is the catalog code, so the
 * RFC's codes appear verbatim; the few other codes an OAuth endpoint can return (an unknown or
 * disabled account) keep their own status.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-5.2">RFC 6749 5.2</a>
 */
final class OAuthErrors {
  private OAuthErrors() {}

  /**
   * Wraps an OAuth endpoint so that every {@link ApiException} it throws is written in the
   * OAuth format; {@code realm} gives the Basic realm for the request (its issuer).
   */
  static Handler guarded(Handler h, Function<Context, String> realm) {
    return ctx -> {
      try {
        h.handle(ctx);
      } catch (ApiException e) {
        write(ctx, e.code(), e.detail(), realm.apply(ctx));
      }
    };
  }

  static void write(Context ctx, ErrorCode code, String description, String realm) {
    if (code == ErrorCode.INVALID_CLIENT && realm != null
        && ClientAuthenticator.usesBasic(ctx.header("Authorization"))) {
      ctx.header("WWW-Authenticate", "Basic realm=\"" + realm + "\"");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code.code());
    body.put("error_description", safe(description));
    body.put("request_id", ctx.attribute(RequestIds.ATTRIBUTE));
    Responses.tokens(ctx, code.status(), body);
  }

  /** RFC 6749 5.2 allows only %x20-21 / %x23-5B / %x5D-7E in {@code error_description}. */
  static String safe(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' ? c : '\'');
    }
    return b.toString();
  }
}
