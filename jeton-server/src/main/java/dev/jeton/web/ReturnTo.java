package dev.jeton.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The {@code return_to} target of the sign-in page: only a same-origin, relative path under the
 * account's issuer, so the page can never become an open redirector (RFC 9700 2.1 and 4.11,
 * docs/security.md#no-open-redirect). Absolute and scheme-relative URLs, backslashes, control
 * characters, dot segments (also percent-encoded) and paths outside {@code /accounts/{account}/}
 * are refused.
 */
public final class ReturnTo {
  static final int MAX = 6 * 1024;

  private ReturnTo() {}

  /** The target if it is safe, else null. */
  public static String safe(String accountId, String raw) {
    String prefix = "/accounts/" + accountId + "/";
    if (raw == null || raw.length() > MAX || !raw.startsWith(prefix)) {
      return null;
    }
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c < 0x21 || c > 0x7E || c == '\\') {
        return null;
      }
    }
    URI u;
    try {
      u = new URI(raw);
    } catch (URISyntaxException e) {
      return null;
    }
    String path = u.getRawPath();
    if (u.getScheme() != null || u.getRawAuthority() != null || u.getRawFragment() != null
        || path == null || !path.startsWith(prefix) || path.contains("//")
        || path.toLowerCase(Locale.ROOT).contains("%2e") || path.contains("/./")
        || path.contains("/../") || path.endsWith("/.") || path.endsWith("/..")) {
      return null;
    }
    return raw;
  }
}
