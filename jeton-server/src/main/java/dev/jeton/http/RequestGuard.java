package dev.jeton.http;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.AccessLog;
import dev.jeton.observe.Metrics;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.slf4j.MDC;

/**
 * The first thing every request meets: assigns the request id (echoed and logged), refuses
 * over-long URIs (414), over-large bodies (413) and bodies in a charset the runtime does not know
 * (415) before anything reads them, caps the body
 * stream at the limit, serves a form POST carrying {@code _method=GET} as that GET, sets the
 * security headers, and writes the access log line and request metrics.
 */
public final class RequestGuard implements Filter {
  /** Longest request URI (path and query) accepted. */
  public static final int MAX_URI = 8 * 1024;
  /** Largest request body accepted. */
  public static final long MAX_BODY = 1024 * 1024;
  /** Largest request body accepted by a bulk operation (a POST to a path of {@code bulk}). */
  public static final long MAX_BULK_BODY = 10 * 1024 * 1024;
  /** Request attribute holding the matched route template (set by the router). */
  public static final String ROUTE = "jeton.route";
  /** Request attribute holding what must be released when the request ends. */
  private static final String ON_DONE = "jeton.onDone";

  private final ErrorWriter errors;
  private final Metrics metrics;
  private final AccessLog access;
  private final boolean https;
  private final java.util.function.Predicate<String> bulk;

  /**
   * A guard whose body limit is {@link #MAX_BODY}, and {@link #MAX_BULK_BODY} for a POST to a
   * path {@code bulk} accepts.
   */
  public RequestGuard(ErrorWriter errors, Metrics metrics, AccessLog access, boolean https,
      java.util.function.Predicate<String> bulk) {
    this.errors = errors;
    this.metrics = metrics;
    this.access = access;
    this.https = https;
    this.bulk = bulk;
  }

  /** The most body bytes this request may carry. */
  private long bodyLimit(HttpServletRequest req) {
    return "POST".equals(req.getMethod()) && bulk.test(req.getRequestURI()) ? MAX_BULK_BODY
        : MAX_BODY;
  }

  @Override
  public void doFilter(ServletRequest sreq, ServletResponse sres, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest req = (HttpServletRequest) sreq;
    HttpServletResponse res = (HttpServletResponse) sres;
    long start = System.nanoTime();
    String correlation = req.getHeader(RequestIds.CORRELATION_HEADER);
    String requestId = RequestIds.choose(req.getHeader(RequestIds.HEADER), correlation);
    req.setAttribute(RequestIds.ATTRIBUTE, requestId);
    MDC.put("request_id", requestId);
    res.setHeader(RequestIds.HEADER, requestId);
    if (correlation != null && correlation.equals(requestId)) {
      res.setHeader(RequestIds.CORRELATION_HEADER, correlation);
    }
    securityHeaders(res);
    String method = req.getMethod();
    try {
      method = admit(req, res, chain, requestId);
      if (!req.isAsyncStarted()) {
        // an event stream goes on after this returns: its answer is not complete yet
        discardUnread(req, res, bodyLimit(req));
      }
    } finally {
      releaseAll(req);
      long nanos = System.nanoTime() - start;
      Object route = req.getAttribute(ROUTE);
      int status = res.getStatus();
      metrics.request(method, route == null ? "unmatched" : route.toString(), status, nanos);
      if ((status >= 400 || !isQuietPath(req.getRequestURI())) && access.wants(status)) {
        access.write(method, req.getRequestURI(), status, nanos, req.getRemoteAddr());
      }
      MDC.remove("request_id");
    }
  }

  /**
   * Has {@code resource} closed when the request ends, whether it succeeded, failed, threw or
   * its client went away: the one place a request's held resources (a concurrency slot) are given
   * back.
   */
  public static void whenDone(jakarta.servlet.http.HttpServletRequest req,
      AutoCloseable resource) {
    @SuppressWarnings("unchecked")
    java.util.List<AutoCloseable> list = (java.util.List<AutoCloseable>) req.getAttribute(ON_DONE);
    if (list == null) {
      list = new java.util.ArrayList<>(2);
      req.setAttribute(ON_DONE, list);
    }
    list.add(resource);
  }

  private static void releaseAll(HttpServletRequest req) {
    @SuppressWarnings("unchecked")
    java.util.List<AutoCloseable> list = (java.util.List<AutoCloseable>) req.getAttribute(ON_DONE);
    if (list == null) {
      return;
    }
    req.removeAttribute(ON_DONE);
    for (AutoCloseable c : list) {
      try {
        c.close();
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(RequestGuard.class).error("release failed", e);
      }
    }
  }

  /**
   * False when the Content-Type names a charset the runtime does not know or cannot name (e.g.
   * {@code utf-7}): the servlet container refuses to parse such a header, so it is answered here
   * as 415 before anything asks for the content type.
   */
  private static boolean knownCharset(HttpServletRequest req) {
    if (req.getHeader("Content-Type") == null) {
      return true;
    }
    try {
      req.getContentType();
      req.getCharacterEncoding();
      return true;
    } catch (IllegalArgumentException e) { // UnsupportedCharset-, IllegalCharsetNameException
      return false;
    }
  }

  /**
   * Refuses what no route may see (a URI or declared body over the limit, an unknown charset)
   * or hands the request, capped and with its method override applied, to the routes; the
   * method the request was served as.
   */
  private String admit(HttpServletRequest req, HttpServletResponse res, FilterChain chain,
      String requestId) throws IOException, ServletException {
    String query = req.getQueryString();
    int uriLength = req.getRequestURI().length() + (query == null ? 0 : query.length() + 1);
    if (uriLength > MAX_URI) {
      errors.writeRaw(res, ErrorCode.URI_TOO_LONG, "The request URI has " + uriLength
          + " characters; at most " + MAX_URI + " are accepted.", requestId);
      return req.getMethod();
    }
    long declared = req.getContentLengthLong();
    long limit = bodyLimit(req);
    if (declared > limit) {
      res.setHeader("Connection", "close");
      errors.writeRaw(res, ErrorCode.PAYLOAD_TOO_LARGE, "The request body has " + declared
          + " bytes; at most " + limit + " are accepted.", requestId);
      return req.getMethod();
    }
    if (!knownCharset(req)) {
      errors.writeRaw(res, ErrorCode.UNSUPPORTED_CONTENT_TYPE, "The Content-Type '"
          + Text.clip(req.getHeader("Content-Type")) + "' names a charset this server does not "
          + "know; send the body in UTF-8.", requestId);
      return req.getMethod();
    }
    HttpServletRequest limited = new Limited(req, limit);
    HttpServletRequest effective = methodOverride(limited, res, requestId);
    if (effective == null) {
      return req.getMethod();
    }
    chain.doFilter(effective, res);
    return effective.getMethod();
  }

  /**
   * Reads and drops what an answer left unread of a body within the limit, so that the
   * connection stays usable. A request refused before its body was read (a 401, a 415) would
   * otherwise leave bytes the container cannot skip without waiting: it closes the connection
   * after the answer, and when the answer was already sent (the guard's own refusals) it cannot
   * say so first with {@code Connection: close}, so a client that sends its next request on that
   * connection gets no answer at all. Bodies over the limit (declared or found, 413) and requests
   * still waiting for {@code 100 Continue} are left to the container, which closes the
   * connection.
   */
  private static void discardUnread(HttpServletRequest req, HttpServletResponse res,
      long limit) {
    long declared = req.getContentLengthLong();
    if (declared == 0 || declared > limit || res.getStatus() == 413) {
      return;
    }
    String expect = req.getHeader("Expect");
    if (expect != null && expect.toLowerCase(Locale.ROOT).contains("100-continue")) {
      return;
    }
    try {
      ServletInputStream in = req.getInputStream();
      if (in.isFinished()) {
        return;
      }
      // the answer is complete and goes out first (with its length): a client may wait for it
      // before it sends the rest
      res.getOutputStream().close();
      byte[] sink = new byte[8192];
      long budget = limit;
      int n;
      while (budget > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, budget))) >= 0) {
        budget -= n;
      }
    } catch (IOException | IllegalStateException e) {
      // the body cannot be read (the client went away, or it was read as characters): the
      // container closes the connection, which is all that is left to do
    }
  }

  /**
   * Probes, metrics scrapes and public documents (keys, discovery, catalog, assets) are polled
   * constantly and carry no user action: their successful requests are counted in the metrics
   * but not written to the access log.
   */
  static boolean isQuietPath(String path) {
    return path.startsWith("/health/") || path.equals("/metrics")
        || path.contains("/.well-known/") || path.startsWith("/assets/")
        || path.startsWith("/api/v1/errors");
  }

  private void securityHeaders(HttpServletResponse res) {
    ErrorWriter.SECURITY_HEADERS.forEach(res::setHeader);
    if (https) {
      res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }
  }

  /**
   * The request attribute holding a form body this guard has already read (a {@code byte[]}),
   * so that handlers parse it without reading and copying it again.
   */
  public static final String FORM_BODY = "jeton.formBody";

  /**
   * For a form POST whose {@code _method} is GET (a body field, or a URL parameter with the rest
   * of the query in the body): the same request as a GET, with the other
   * fields appended to the query string. Otherwise the request, with its body replayable. Null
   * when an error was already written.
   */
  private HttpServletRequest methodOverride(HttpServletRequest req, HttpServletResponse res,
      String requestId) throws IOException {
    String type = req.getContentType();
    if (!"POST".equals(req.getMethod()) || type == null
        || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      return req;
    }
    byte[] body;
    try {
      long length = req.getContentLengthLong();
      // a declared length within the limit is read into one right-sized array
      body = length >= 0 && length <= MAX_BODY
          ? req.getInputStream().readNBytes((int) length)
          : req.getInputStream().readAllBytes();
    } catch (BodyLimit.TooLarge e) {
      res.setHeader("Connection", "close");
      errors.writeRaw(res, ErrorCode.PAYLOAD_TOO_LARGE,
          "The request body is larger than " + MAX_BODY + " bytes.", requestId);
      return null;
    }
    String form = new String(body, StandardCharsets.UTF_8);
    StringBuilder rest = new StringBuilder();
    boolean get = false;
    try {
      for (String pair : form.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        if ("_method".equals(Form.decode(eq < 0 ? pair : pair.substring(0, eq)))) {
          get = "GET".equalsIgnoreCase(Form.decode(eq < 0 ? "" : pair.substring(eq + 1)));
          continue;
        }
        rest.append(rest.length() > 0 ? "&" : "").append(pair);
      }
      // _method may also sit in the URL, with the rest of the query in the body.
      StringBuilder query = new StringBuilder();
      String rawQuery = req.getQueryString();
      if (rawQuery != null) {
        for (String pair : rawQuery.split("&")) {
          int eq = pair.indexOf('=');
          if ("_method".equals(Form.decode(eq < 0 ? pair : pair.substring(0, eq)))) {
            get |= "GET".equalsIgnoreCase(Form.decode(eq < 0 ? "" : pair.substring(eq + 1)));
            continue;
          }
          if (!pair.isEmpty()) {
            query.append(query.length() > 0 ? "&" : "").append(pair);
          }
        }
      }
      if (!get) {
        req.setAttribute(FORM_BODY, body);
        return new Replay(req, body);
      }
      String merged = query.length() == 0 ? rest.toString()
          : rest.length() == 0 ? query.toString() : query + "&" + rest;
      Form.parse(merged.getBytes(StandardCharsets.UTF_8));
      return new AsGet(req, merged);
    } catch (ApiException e) {
      if (!get) {
        // Not a GET in disguise: the handler parses the body itself and answers in its own
        // format (an OAuth endpoint's invalid_request, a page's error page).
        req.setAttribute(FORM_BODY, body);
        return new Replay(req, body);
      }
      errors.writeRaw(res, ErrorCode.INVALID_PARAMETER, e.detail(), requestId);
      return null;
    }
  }

  /** The request with its body stream capped at its limit. */
  private static final class Limited extends HttpServletRequestWrapper {
    private final long limit;
    private ServletInputStream stream;

    Limited(HttpServletRequest req, long limit) {
      super(req);
      this.limit = limit;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new BodyLimit(super.getInputStream(), limit);
      }
      return stream;
    }
  }

  /** A request whose already-read body is served again from memory. */
  private static final class Replay extends HttpServletRequestWrapper {
    private final byte[] body;

    Replay(HttpServletRequest req, byte[] body) {
      super(req);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      return new BytesStream(body);
    }
  }

  /** The {@code _method=GET} form POST, presented as a GET with the fields as query. */
  private static final class AsGet extends HttpServletRequestWrapper {
    private final String query;

    AsGet(HttpServletRequest req, String query) {
      super(req);
      this.query = query;
    }

    @Override
    public String getMethod() {
      return "GET";
    }

    @Override
    public String getQueryString() {
      return query.isEmpty() ? null : query;
    }

    @Override
    public String getContentType() {
      return null;
    }

    @Override
    public String getHeader(String name) {
      return "Content-Type".equalsIgnoreCase(name) ? null : super.getHeader(name);
    }

    @Override
    public int getContentLength() {
      return 0;
    }

    @Override
    public long getContentLengthLong() {
      return 0;
    }

    @Override
    public ServletInputStream getInputStream() {
      return new BytesStream(new byte[0]);
    }
  }

  private static final class BytesStream extends ServletInputStream {
    private final ByteArrayInputStream in;

    BytesStream(byte[] bytes) {
      this.in = new ByteArrayInputStream(bytes);
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return in.read(b, off, len);
    }

    @Override
    public boolean isFinished() {
      return in.available() == 0;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(jakarta.servlet.ReadListener listener) {
      throw new UnsupportedOperationException("synchronous reads only");
    }
  }
}
