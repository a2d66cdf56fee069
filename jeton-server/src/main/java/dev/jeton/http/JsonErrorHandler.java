package dev.jeton.http;

import dev.jeton.error.ErrorCode;
import java.nio.ByteBuffer;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error answers (a request line or headers too large, unparseable HTTP) as problem
 * documents, so that even a request that never reaches the router gets a catalogued JSON error.
 */
public final class JsonErrorHandler extends ErrorHandler {
  private final Problems problems;

  public JsonErrorHandler(Problems problems) {
    this.problems = problems;
  }

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
      default -> status >= 400 && status < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL_ERROR;
    };
    Object rid = request.getAttribute(RequestIds.ATTRIBUTE);
    String requestId = rid != null ? rid.toString() : RequestIds.choose(
        request.getHeaders().get(RequestIds.HEADER),
        request.getHeaders().get(RequestIds.CORRELATION_HEADER));
    byte[] body = Json.bytes(problems.document(code, code.title() + ".", List.of(), requestId));
    response.setStatus(code.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    // The same security headers as every answer that passes the request guard.
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("X-Frame-Options", "DENY");
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    response.getHeaders().put("Content-Security-Policy",
        "default-src 'none'; frame-ancestors 'none'");
    response.getHeaders().put(RequestIds.HEADER, requestId);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }
}
