package dev.jeton.web;

import io.javalin.http.Context;
import java.net.URI;
import java.util.Locale;

/**
 * The browser cookies of the sign-in pages (RFC 6265bis 4.1.3.2 {@code __Host-} prefix, ASVS
 * 3.3.1-3.3.4, docs/security.md#session-cookie): {@code HttpOnly}, {@code SameSite=Lax},
 * {@code Path=/}, no {@code Domain}. When the base URL is https, or its host is a loopback address
 * (which browsers treat as a secure context), the cookies are {@code Secure} and carry the
 * {@code __Host-} prefix, e.g. {@code __Host-jeton_session}; on any other plain-http base URL
 * browsers would drop such cookies, so the plain names ({@code jeton_session}) are used without
 * {@code Secure}.
 */
public final class Cookies {
  static final String SESSION = "jeton_session";
  static final String CSRF = "jeton_csrf";

  private final boolean secure;

  public Cookies(String baseUrl) {
    URI u = URI.create(baseUrl);
    String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
    this.secure = "https".equalsIgnoreCase(u.getScheme()) || host.equals("localhost")
        || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1")
        || host.endsWith(".localhost");
  }

  /** The cookie's name as sent: {@code __Host-name} when secure, else {@code name}. */
  String name(String base) {
    return secure ? "__Host-" + base : base;
  }

  /** The value of a cookie, or null. */
  String read(Context ctx, String base) {
    String v = ctx.cookie(name(base));
    return v == null || v.isEmpty() ? null : v;
  }

  /** Sets a session cookie (no Max-Age: it ends with the browser; the server bounds it). */
  void set(Context ctx, String base, String value) {
    ctx.res().addHeader("Set-Cookie", name(base) + "=" + value + "; Path=/; HttpOnly; "
        + "SameSite=Lax" + (secure ? "; Secure" : ""));
  }

  /** Deletes a cookie. */
  void clear(Context ctx, String base) {
    ctx.res().addHeader("Set-Cookie", name(base) + "=; Path=/; Max-Age=0; HttpOnly; "
        + "SameSite=Lax" + (secure ? "; Secure" : ""));
  }
}
