package dev.jeton.http;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one decoder of {@code application/x-www-form-urlencoded} data in Jeton, used by the OAuth
 * endpoints, the pages' forms, client authentication (RFC 6749 2.3.1) and the request guard's
 * {@code _method=GET} path alike, so that the same bytes mean the same thing everywhere. Parsed
 * strictly: the body must be
 * {@code application/x-www-form-urlencoded} (RFC 6749 3.2, RFC 7009 2.1, RFC 7662 2.1) in UTF-8
 * (Appendix B), each parameter may appear at most once (RFC 6749 3.1, 3.2), and a parameter sent
 * without a value counts as omitted (RFC 6749 3.1), and no name or value may carry a control
 * character (docs/security.md#control-characters). Every violation is {@code invalid_request}
 * naming the parameter. The size is already capped at 1 MiB by the request guard.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-3.2">RFC 6749 3.2</a>
 */
public final class Form {
  public static final String MEDIA_TYPE = "application/x-www-form-urlencoded";

  private final Map<String, String> values;
  private final Map<String, List<String>> repeated;

  private Form(Map<String, String> values, Map<String, List<String>> repeated) {
    this.values = values;
    this.repeated = repeated;
  }

  private Form(Map<String, String> values) {
    this(values, Map.of());
  }

  /**
   * Every non-empty value of a parameter the parse allowed to repeat (such as RFC 8707's
   * {@code resource}), in order; empty when absent.
   */
  public List<String> all(String name) {
    return repeated.getOrDefault(name, List.of());
  }

  /** The value of a parameter, or null when it is absent or empty. */
  public String get(String name) {
    String v = values.get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /** The value of a required parameter; {@code invalid_request} naming it when missing. */
  public String required(String name) {
    String v = get(name);
    if (v == null) {
      throw invalidRequest("The parameter '" + name + "' is required.");
    }
    return v;
  }

  public static Form parse(Context ctx) {
    return parse(ctx, Set.of());
  }

  /**
   * The request's form, where the parameters named in {@code repeatable} may appear more than
   * once (read them with {@link #all}); every other parameter at most once.
   */
  public static Form parse(Context ctx, Set<String> repeatable) {
    checkType(ctx.header("Content-Type"));
    if (ctx.req().getAttribute(RequestGuard.FORM_BODY) instanceof byte[] read) {
      return parse(read, repeatable, "The request body is not valid UTF-8.");
    }
    byte[] body;
    try (InputStream in = ctx.req().getInputStream()) {
      body = in.readAllBytes();
    } catch (IOException e) {
      throw invalidRequest("The request body could not be read.");
    }
    return parse(body, repeatable, "The request body is not valid UTF-8.");
  }

  /** The query string's parameters, decoded like a form body (RFC 6749 3.1). */
  public static Form query(Context ctx) {
    String raw = ctx.queryString();
    return raw == null ? new Form(Map.of())
        : parse(raw.getBytes(StandardCharsets.UTF_8), "The query string is not valid UTF-8.");
  }

  /** Parses a form body, refusing repeated parameters (RFC 6749 3.1, 3.2). */
  public static Form parse(byte[] body) {
    return parse(body, "The request body is not valid UTF-8.");
  }

  private static Form parse(byte[] body, String notUtf8) {
    return parse(body, Set.of(), notUtf8);
  }

  private static Form parse(byte[] body, Set<String> repeatable, String notUtf8) {
    Map<String, String> values = new HashMap<>();
    Map<String, List<String>> repeated = new HashMap<>();
    for (Map.Entry<String, List<String>> e : parseAll(body, notUtf8).entrySet()) {
      if (repeatable.contains(e.getKey())) {
        List<String> present = e.getValue().stream().filter(v -> !v.isEmpty()).toList();
        if (!present.isEmpty()) {
          repeated.put(e.getKey(), present);
        }
        continue;
      }
      if (e.getValue().size() > 1) {
        throw invalidRequest("The parameter '" + Text.clip(e.getKey()) + "' is repeated; send "
            + "each parameter at most once (RFC 6749 3.1).");
      }
      values.put(e.getKey(), e.getValue().get(0));
    }
    return new Form(values, repeated);
  }

  /**
   * Decodes form data or a query string strictly, keeping repeated parameters (in order) for a
   * caller that must know which were repeated, such as the authorization endpoint.
   */
  public static Map<String, List<String>> parseAll(byte[] data, String notUtf8) {
    String text = utf8(data, notUtf8);
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (String pair : text.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      String control = controlsIn(name, value);
      if (control != null) {
        throw invalidRequest(control);
      }
      values.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
    }
    return values;
  }

  /** Why a parameter is refused for a control character in its name or value, or null. */
  private static String controlsIn(String name, String value) {
    String problem = Text.controlProblem("The name of a parameter", name);
    return problem != null ? problem
        : Text.controlProblem("The parameter '" + Text.clip(name) + "'", value);
  }

  /**
   * Why a raw query string is refused for a control character in a parameter's name or value,
   * or null when it has none. Other malformations are left to the handler that reads the query,
   * so that a route reading no query still refuses control characters in it
   * (docs/security.md#control-characters).
   */
  public static String controlProblem(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String problem;
      try {
        problem = controlsIn(decode(eq < 0 ? pair : pair.substring(0, eq)),
            eq < 0 ? "" : decode(pair.substring(eq + 1)));
      } catch (ApiException e) {
        continue; // malformed escapes and invalid UTF-8 are the reading handler's to answer
      }
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static void checkType(String contentType) {
    if (contentType == null) {
      throw invalidRequest("Send the parameters as an " + MEDIA_TYPE + " body (RFC 6749 3.2); "
          + "the request has no Content-Type.");
    }
    String[] parts = contentType.split(";", -1);
    if (!parts[0].trim().toLowerCase(Locale.ROOT).equals(MEDIA_TYPE)) {
      throw invalidRequest("Send the parameters as an " + MEDIA_TYPE + " body (RFC 6749 3.2), "
          + "not " + Text.clip(parts[0].trim()) + ".");
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("charset")) {
        String cs = p.substring(eq + 1).trim().replace("\"", "");
        if (!cs.equalsIgnoreCase("utf-8")) {
          throw invalidRequest("The form must be encoded in UTF-8 (RFC 6749 Appendix B), not "
              + Text.clip(cs) + ".");
        }
      }
    }
  }

  /**
   * Percent-decodes one name or value ({@code +} is a space), strictly as UTF-8.
   *
   * @throws ApiException {@code invalid_request} for a malformed escape or invalid UTF-8
   */
  public static String decode(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < raw.length; i++) {
      byte b = raw[i];
      if (b == '+') {
        out.write(' ');
      } else if (b == '%') {
        int hi = i + 1 < raw.length ? Character.digit(raw[i + 1], 16) : -1;
        int lo = i + 2 < raw.length ? Character.digit(raw[i + 2], 16) : -1;
        if (hi < 0 || lo < 0) {
          throw invalidRequest("The body has a malformed percent-encoding; '%' must be followed "
              + "by two hexadecimal digits.");
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        out.write(b);
      }
    }
    return utf8(out.toByteArray(), "A percent-encoded parameter is not valid UTF-8.");
  }

  private static String utf8(byte[] bytes, String error) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw invalidRequest(error);
    }
  }

  public static ApiException invalidRequest(String description) {
    return new ApiException(ErrorCode.INVALID_REQUEST, description);
  }
}
