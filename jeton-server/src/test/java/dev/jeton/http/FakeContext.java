package dev.jeton.http;

import io.javalin.http.Context;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Javalin {@link Context} over a fixed request (headers, query string, body), for fuzz tests
 * that call a parser exactly as a route does, without a server. Only what the parsers read is
 * answered; anything else fails loudly, so a parser that starts reading more is noticed.
 */
public final class FakeContext {
  private FakeContext() {}

  /** A request with these headers (names case-insensitive), query string (or null) and body. */
  public static Context of(Map<String, String> headers, String query, byte[] body) {
    Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    h.putAll(headers);
    ByteArrayInputStream in = new ByteArrayInputStream(body);
    ServletInputStream stream = new ServletInputStream() {
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
      public void setReadListener(ReadListener listener) {
        throw new UnsupportedOperationException();
      }
    };
    InvocationHandler request = (proxy, method, args) -> switch (method.getName()) {
      case "getHeader" -> h.get((String) args[0]);
      case "getContentType" -> h.get("Content-Type");
      case "getQueryString" -> query;
      case "getAttribute", "getCharacterEncoding" -> null;
      case "getInputStream" -> stream;
      default -> throw new UnsupportedOperationException("FakeContext request: " + method);
    };
    HttpServletRequest req = (HttpServletRequest) Proxy.newProxyInstance(
        FakeContext.class.getClassLoader(), new Class<?>[] {HttpServletRequest.class}, request);
    InvocationHandler context = (proxy, method, args) -> {
      if (method.getName().equals("req") && method.getParameterCount() == 0) {
        return req;
      }
      if (method.isDefault()) {
        return InvocationHandler.invokeDefault(proxy, method, args);
      }
      throw new UnsupportedOperationException("FakeContext: " + method);
    };
    return (Context) Proxy.newProxyInstance(FakeContext.class.getClassLoader(),
        new Class<?>[] {Context.class}, context);
  }
}
