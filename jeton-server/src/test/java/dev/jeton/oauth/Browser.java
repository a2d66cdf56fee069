package dev.jeton.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testing.Api;
import dev.jeton.testing.TestServer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser for the authorization tests: keeps cookies by hand, never follows redirects, sends
 * form posts with this server's Origin, and reads hidden form fields and redirect parameters.
 */
final class Browser {
  private static final Pattern HIDDEN =
      Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");

  final Map<String, String> cookies = new LinkedHashMap<>();
  final List<String> setCookies = new java.util.ArrayList<>();
  private final TestServer server;

  Browser(TestServer server) {
    this.server = server;
  }

  Api.Response get(String path) {
    return keep(server.api().send("GET", path, null, headers(null)));
  }

  Api.Response post(String path, String form) {
    return keep(server.api().send("POST", path, form, headers(OAuthTesting.FORM)));
  }

  /** A POST without cookies and from another origin (a cross-site attacker's form). */
  Api.Response postCrossSite(String path, String form) {
    return server.api().send("POST", path, form, Map.of("Content-Type", OAuthTesting.FORM,
        "Origin", "https://evil.example"));
  }

  private Map<String, String> headers(String contentType) {
    Map<String, String> h = new HashMap<>();
    if (contentType != null) {
      h.put("Content-Type", contentType);
      h.put("Origin", server.api().base());
    }
    if (!cookies.isEmpty()) {
      StringBuilder b = new StringBuilder();
      cookies.forEach((k, v) -> b.append(b.length() == 0 ? "" : "; ").append(k).append('=')
          .append(v));
      h.put("Cookie", b.toString());
    }
    return h;
  }

  private Api.Response keep(Api.Response r) {
    r.headers().forEach((name, values) -> {
      if (name.equalsIgnoreCase("Set-Cookie")) {
        for (String v : values) {
          setCookies.add(v);
          String pair = v.split(";", 2)[0];
          int eq = pair.indexOf('=');
          String n = pair.substring(0, eq);
          String value = pair.substring(eq + 1);
          if (value.isEmpty() || v.contains("Max-Age=0")) {
            cookies.remove(n);
          } else {
            cookies.put(n, value);
          }
        }
      }
    });
    return r;
  }

  /** The hidden fields of the page's form, HTML-unescaped. */
  static Map<String, String> hidden(Api.Response page) {
    Map<String, String> m = new LinkedHashMap<>();
    Matcher x = HIDDEN.matcher(page.body());
    while (x.find()) {
      m.put(unescape(x.group(1)), unescape(x.group(2)));
    }
    return m;
  }

  static String unescape(String s) {
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", "\"")
        .replace("&quot;", "\"").replace("&#39;", "'").replace("&#x27;", "'")
        .replace("&amp;", "&");
  }

  /** A form body from a map of fields plus extra name/value pairs. */
  static String form(Map<String, String> fields, String... extra) {
    String[] all = new String[fields.size() * 2 + extra.length];
    int i = 0;
    for (Map.Entry<String, String> e : fields.entrySet()) {
      all[i++] = e.getKey();
      all[i++] = e.getValue();
    }
    System.arraycopy(extra, 0, all, i, extra.length);
    return OAuthTesting.form(all);
  }

  /** The Location of a redirect, asserting its status. */
  static String location(Api.Response r, int status) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    return r.header("Location").orElseThrow(() -> new AssertionError("no Location: " + r));
  }

  /** The decoded query parameters of a URL. */
  static Map<String, String> query(String url) {
    Map<String, String> m = new LinkedHashMap<>();
    int q = url.indexOf('?');
    if (q < 0) {
      return m;
    }
    for (String pair : url.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }
}
