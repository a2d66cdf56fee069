package dev.jeton.http;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders errors as RFC 9457 problem documents ({@code application/problem+json}) carrying the
 * catalog {@code code}, the {@code request_id} and, where several fields are wrong, {@code
 * errors[]}. Used by the API handlers, the request guard and Jetty's own error handler alike, so
 * that no error is ever an HTML or empty body.
 */
public final class Problems {
  public static final String CONTENT_TYPE = "application/problem+json";

  private final String baseUrl;

  public Problems(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** The problem document for an error. */
  public Map<String, Object> document(ErrorCode code, String detail,
      List<ApiException.FieldError> errors, String requestId) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("type", typeUri(code));
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

  /** The URI naming a catalog entry; it resolves to the entry's JSON. */
  public String typeUri(ErrorCode code) {
    return baseUrl + "/api/v1/errors/" + code.code();
  }

  /** Writes the problem to a raw servlet response (used outside Javalin's routing). */
  public void write(HttpServletResponse res, ErrorCode code, String detail, String requestId)
      throws IOException {
    if (res.isCommitted()) {
      return;
    }
    res.resetBuffer();
    res.setStatus(code.status());
    res.setContentType(CONTENT_TYPE);
    res.setHeader("Cache-Control", "no-store");
    byte[] body = Json.bytes(document(code, detail, List.of(), requestId));
    res.setContentLength(body.length);
    res.getOutputStream().write(body);
  }
}
