package dev.jeton.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fuzz tests of the one form decoder ({@link Form}, RFC 6749 Appendix B): the bytes of a form
 * body or query string are either refused with {@code invalid_request}, or decoded exactly as an
 * independent strict decoder written here decodes them (UTF-8 text, {@code &}-separated pairs split
 * at the first {@code =}, {@code +} a space, {@code %XX} a byte, the result UTF-8 again), and the
 * decoded parameters survive a round trip through percent-encoding. A refusal is allowed only where
 * the independent decoder also finds the input malformed, a parameter repeated (RFC 6749 3.1), or
 * a decoded control character (NUL and other controls may be refused at the edge). Inputs in
 * {@code src/test/resources/dev/jeton/http/FormFuzzTestInputs/<method>/}; docs/fuzzing.md.
 */
class FormFuzzTest {
  private static final String NOT_UTF8 = "not UTF-8";

  /** A form body as the OAuth endpoints read it: {@link Form#parseAll} and {@link Form#parse}. */
  @FuzzTest(maxDuration = "5m")
  void parseBody(byte[] body) {
    Map<String, List<String>> expected = Reference.form(body);
    Map<String, List<String>> all;
    try {
      all = Form.parseAll(body, NOT_UTF8);
    } catch (ApiException e) {
      assertRefusalAllowed(e, expected, body);
      return;
    }
    assertThat(expected).as("the reference decoder refuses what Form accepted").isNotNull();
    assertThat(all).as("decoded parameters").isEqualTo(expected);
    assertThat(new ArrayList<>(all.keySet())).isEqualTo(new ArrayList<>(expected.keySet()));
    assertSingleValued(Form::parse, body, all);
    // round trip: the decoded parameters, percent-encoded again, decode to themselves
    assertThat(Form.parseAll(Reference.encode(all), NOT_UTF8)).isEqualTo(all);
  }

  /** One name or value as Basic client credentials and the request guard decode it. */
  @FuzzTest(maxDuration = "5m")
  void decodeValue(byte[] data) {
    String s = new String(data, StandardCharsets.UTF_8);
    String expected = Reference.decode(s);
    String decoded;
    try {
      decoded = Form.decode(s);
    } catch (ApiException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(expected == null || Reference.hasControl(expected))
          .as("Form.decode refused %s, which decodes to %s", s, expected).isTrue();
      return;
    }
    assertThat(decoded).isEqualTo(expected);
    assertThat(Form.decode(Reference.encode(decoded))).isEqualTo(decoded);
  }

  /** A query string as {@link Form#query} reads it from the request. */
  @FuzzTest(maxDuration = "5m")
  void query(byte[] data) {
    String raw = new String(data, StandardCharsets.UTF_8);
    byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
    Map<String, List<String>> expected = Reference.form(bytes);
    Form form;
    try {
      form = Form.query(FakeContext.of(Map.of(), raw, new byte[0]));
    } catch (ApiException e) {
      assertRefusalAllowed(e, expected, bytes);
      return;
    }
    assertThat(expected).as("the reference decoder refuses what Form accepted").isNotNull();
    for (Map.Entry<String, List<String>> p : expected.entrySet()) {
      assertThat(p.getValue()).as("Form.query accepted a repeated parameter").hasSize(1);
      assertThat(form.get(p.getKey())).isEqualTo(emptyToNull(p.getValue().get(0)));
    }
  }

  /**
   * A whole form request: the first line of the input is the {@code Content-Type} header, the
   * rest the body. Accepted only as {@code application/x-www-form-urlencoded} without a charset
   * other than UTF-8 (RFC 6749 3.2, Appendix B).
   */
  @FuzzTest(maxDuration = "5m")
  void request(byte[] data) {
    int nl = indexOf(data, (byte) '\n');
    String type = nl < 0 ? null : new String(data, 0, nl, StandardCharsets.UTF_8);
    byte[] body = nl < 0 ? data : Arrays.copyOfRange(data, nl + 1, data.length);
    Context ctx = FakeContext.of(type == null ? Map.of() : Map.of("Content-Type", type), null,
        body);
    Map<String, List<String>> expected = Reference.form(body);
    try {
      Form form = Form.parse(ctx);
      assertThat(Reference.isFormType(type)).as("accepted Content-Type %s", type).isTrue();
      assertThat(expected).as("the reference decoder refuses what Form accepted").isNotNull();
      for (Map.Entry<String, List<String>> p : expected.entrySet()) {
        assertThat(p.getValue()).as("Form.parse accepted a repeated parameter").hasSize(1);
        assertThat(form.get(p.getKey())).isEqualTo(emptyToNull(p.getValue().get(0)));
      }
    } catch (ApiException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
      if (Reference.isFormType(type)) {
        assertRefusalAllowed(e, expected, body);
      }
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static void assertRefusalAllowed(ApiException e, Map<String, List<String>> expected,
      byte[] input) {
    assertThat(e.code()).as("refusal code").isEqualTo(ErrorCode.INVALID_REQUEST);
    if (expected == null) {
      return;
    }
    boolean repeated = expected.values().stream().anyMatch(v -> v.size() > 1);
    boolean control = expected.entrySet().stream().anyMatch(p -> Reference.hasControl(p.getKey())
        || p.getValue().stream().anyMatch(Reference::hasControl));
    assertThat(repeated || control)
        .as("Form refused well-formed input %s (%s)", Arrays.toString(input), e.getMessage())
        .isTrue();
  }

  private static void assertSingleValued(java.util.function.Function<byte[], Form> parse,
      byte[] body, Map<String, List<String>> all) {
    boolean repeated = all.values().stream().anyMatch(v -> v.size() > 1);
    Form form;
    try {
      form = parse.apply(body);
    } catch (ApiException e) {
      assertThat(repeated).as("Form.parse refused %s: %s", all, e.getMessage()).isTrue();
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
      return;
    }
    assertThat(repeated).as("Form.parse accepted a repeated parameter").isFalse();
    for (Map.Entry<String, List<String>> p : all.entrySet()) {
      assertThat(form.get(p.getKey())).isEqualTo(emptyToNull(p.getValue().get(0)));
    }
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }

  private static int indexOf(byte[] data, byte b) {
    for (int i = 0; i < data.length; i++) {
      if (data[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** The reference: a straightforward strict decoder, independent of {@link Form}'s code. */
  static final class Reference {
    private Reference() {}

    /** The parameters in order with every value, or null when the input is malformed. */
    static Map<String, List<String>> form(byte[] body) {
      String text = utf8(body);
      if (text == null) {
        return null;
      }
      Map<String, List<String>> out = new LinkedHashMap<>();
      for (String pair : text.split("&", -1)) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if (name == null || value == null) {
          return null;
        }
        out.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      }
      return out;
    }

    /** One percent-decoded part, or null when malformed. */
    static String decode(String part) {
      byte[] raw = part.getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int i = 0; i < raw.length; i++) {
        if (raw[i] == '+') {
          out.write(' ');
        } else if (raw[i] == '%') {
          if (i + 2 >= raw.length || hex(raw[i + 1]) < 0 || hex(raw[i + 2]) < 0) {
            return null;
          }
          out.write(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
          i += 2;
        } else {
          out.write(raw[i]);
        }
      }
      return utf8(out.toByteArray());
    }

    private static int hex(byte b) {
      if (b >= '0' && b <= '9') {
        return b - '0';
      }
      if (b >= 'a' && b <= 'f') {
        return b - 'a' + 10;
      }
      if (b >= 'A' && b <= 'F') {
        return b - 'A' + 10;
      }
      return -1;
    }

    /** The text of valid UTF-8 (decoding and re-encoding give the same bytes), else null. */
    static String utf8(byte[] bytes) {
      String s = new String(bytes, StandardCharsets.UTF_8);
      return Arrays.equals(s.getBytes(StandardCharsets.UTF_8), bytes) ? s : null;
    }

    /** Percent-encodes every byte except unreserved characters (RFC 3986 2.3). */
    static String encode(String s) {
      StringBuilder b = new StringBuilder();
      for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
        char c = (char) (x & 0xFF);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '-' || c == '.' || c == '_' || c == '~') {
          b.append(c);
        } else {
          b.append('%').append(String.format(Locale.ROOT, "%02X", x & 0xFF));
        }
      }
      return b.toString();
    }

    static byte[] encode(Map<String, List<String>> params) {
      List<String> pairs = new ArrayList<>();
      params.forEach((n, vs) -> vs.forEach(v -> pairs.add(encode(n) + "=" + encode(v))));
      return String.join("&", pairs).getBytes(StandardCharsets.UTF_8);
    }

    /** A C0 or C1 control character or DEL (Unicode category Cc). */
    static boolean hasControl(String s) {
      return s.chars().anyMatch(Character::isISOControl);
    }

    /** RFC 6749 3.2's media type, with no charset other than UTF-8 (Appendix B). */
    static boolean isFormType(String contentType) {
      if (contentType == null) {
        return false;
      }
      String[] parts = contentType.split(";", -1);
      if (!parts[0].trim().equalsIgnoreCase(Form.MEDIA_TYPE)) {
        return false;
      }
      for (int i = 1; i < parts.length; i++) {
        String[] kv = parts[i].split("=", 2);
        if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("charset")
            && !kv[1].trim().replace("\"", "").equalsIgnoreCase("utf-8")) {
          return false;
        }
      }
      return true;
    }
  }
}
