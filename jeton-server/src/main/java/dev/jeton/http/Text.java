package dev.jeton.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Text that goes on the wire: quoting client input, error descriptions, query strings. */
public final class Text {
  private Text() {}

  /** Client input made safe to quote in a detail: printable ASCII, at most 64 characters. */
  public static String clip(String s) {
    return clip(s, 64);
  }

  /** Client input made safe to quote in a detail: printable ASCII, at most {@code max} chars. */
  public static String clip(String s, int max) {
    if (s == null) {
      return "";
    }
    String printable = s.replaceAll("[^\\x20-\\x7E]", "?");
    return printable.length() > max ? printable.substring(0, max) + "..." : printable;
  }

  /**
   * Text fit for a quoted header parameter (RFC 6750 3) and an RFC 6749 5.2 {@code
   * error_description} (%x20-21 / %x23-5B / %x5D-7E): anything else becomes {@code '}.
   */
  public static String quotable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' ? c : '\'');
    }
    return b.toString();
  }

  /**
   * The index of the first control character in {@code s} (Unicode category Cc: C0
   * U+0000-U+001F, DEL U+007F and C1 U+0080-U+009F), or -1 when there is none. No parameter,
   * path segment, JSON string or credential Jeton reads may carry one
   * (docs/security.md#control-characters).
   */
  public static int firstControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.getType(s.charAt(i)) == Character.CONTROL) {
        return i;
      }
    }
    return -1;
  }

  /**
   * {@code s} without the optional whitespace around a header field value (RFC 9110 5.6.3: spaces
   * and tabs only). Unlike {@link String#trim} it keeps NUL and other control characters, which
   * the reader must then refuse.
   */
  public static String ows(String s) {
    int b = 0;
    int e = s.length();
    while (b < e && (s.charAt(b) == ' ' || s.charAt(b) == '\t')) {
      b++;
    }
    while (e > b && (s.charAt(e - 1) == ' ' || s.charAt(e - 1) == '\t')) {
      e--;
    }
    return s.substring(b, e);
  }

  /** The code point at {@code i} of {@code s} as {@code U+XXXX}. */
  public static String codePoint(String s, int i) {
    return String.format(java.util.Locale.ROOT, "U+%04X", s.codePointAt(i));
  }

  /**
   * Why {@code value}, found in {@code where} (e.g. "The parameter 'scope'"), is refused, or null
   * when it carries no control character.
   */
  public static String controlProblem(String where, String value) {
    int at = firstControl(value);
    return at < 0 ? null : where + " contains the control character " + codePoint(value, at)
        + "; no value Jeton reads may contain control characters.";
  }

  /**
   * The index of the first UTF-16 surrogate in {@code s} that is not half of a pair (a JSON
   * {@code "\ud800"} escape decodes to one), or -1. Such text is not Unicode: it cannot be
   * stored or compared faithfully (encoders replace it with {@code ?}).
   */
  public static int firstLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /** Form-urlencoding with {@code %20} for spaces, which every query parser reads alike. */
  public static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code uri} with {@code params} appended to its query, each {@link #encode encoded}. */
  public static String withQuery(String uri, Map<String, String> params) {
    StringBuilder b = new StringBuilder(uri);
    char sep = uri.indexOf('?') >= 0 ? '&' : '?';
    for (Map.Entry<String, String> e : params.entrySet()) {
      b.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
      sep = '&';
    }
    return b.toString();
  }
}
