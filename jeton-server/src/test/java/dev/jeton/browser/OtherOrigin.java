package dev.jeton.browser;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A second web origin on another 127.0.0.1 port (a JDK HttpServer): it plays the OAuth client's
 * redirect URI ({@code /cb}, recording each request URI it receives) and serves whatever pages a
 * test puts in it (e.g. an attacker's auto-submitting form or a page framing Jeton's pages).
 */
final class OtherOrigin implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, String> pages = new ConcurrentHashMap<>();
  final List<URI> callbacks = new CopyOnWriteArrayList<>();

  OtherOrigin() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      String body;
      int status = 200;
      if (path.equals("/cb")) {
        callbacks.add(ex.getRequestURI());
        body = "<!DOCTYPE html><title>Client callback</title><p id=\"cb\">callback received</p>";
      } else if (pages.containsKey(path)) {
        body = pages.get(path);
      } else {
        status = 404;
        body = "not found";
      }
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      ex.sendResponseHeaders(status, b.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(b);
      }
    });
    server.start();
  }

  /** {@code http://127.0.0.1:<port>} */
  String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  String callback() {
    return origin() + "/cb";
  }

  /** Serves {@code html} at {@code path}; answers its URL. */
  String page(String path, String html) {
    pages.put(path, html);
    return origin() + path;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
