package dev.jeton.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Fuzz test of JSON request bodies ({@link JsonBody} over {@link Json#MAPPER}) as the client
 * registration route reads them: the first line of the input is the {@code Content-Type}, the rest
 * the body. Every refusal is an {@link ApiException} with a code of {@link JsonBody#ERRORS}:
 * {@code unsupported_content_type} exactly when the Content-Type is not {@code application/json}
 * in UTF-8 by RFC 9110 8.3.1 syntax (anything outside that syntax is refused), {@code invalid_json}
 * only for what an independent Jackson reader also refuses (duplicate keys, trailing tokens,
 * numbers over 64 characters) or nesting deeper than 32, and one
 * {@code validation_failed} naming exactly the fields an independent check finds wrong. Values
 * that are accepted equal what the independent reader reads. Inputs in
 * {@code src/test/resources/dev/jeton/http/JsonBodyFuzzTestInputs/read/}; docs/fuzzing.md.
 */
class JsonBodyFuzzTest {
  private static final Set<String> FIELDS = Set.of("name", "type", "redirect_uris", "scopes",
      "token_lifetimes", "email");
  private static final Set<String> LIFETIMES = Set.of("access_token", "refresh_token");
  /**
   * Nesting unbounded (the bound of 32 is checked on its tree), numbers of at most 64 characters
   * as documented; duplicates and trailing tokens refused.
   */
  private static final ObjectMapper REFERENCE = reference();

  private static ObjectMapper reference() {
    ObjectMapper m = new ObjectMapper();
    m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(100_000).maxNumberLength(64).build());
    m.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    return m;
  }

  @FuzzTest(maxDuration = "5m")
  void read(byte[] data) {
    int nl = indexOf(data, (byte) '\n');
    String type = nl <= 0 ? "application/json" : new String(data, 0, nl, StandardCharsets.UTF_8);
    byte[] body = nl < 0 ? data : Arrays.copyOfRange(data, nl + 1, data.length);
    JsonNode expected = referenceTree(body);
    Boolean utf8Json = isUtf8Json(type);

    JsonBody json;
    try {
      json = JsonBody.read(FakeContext.of(Map.of("Content-Type", type), null, body), FIELDS);
    } catch (ApiException e) {
      assertThat(JsonBody.ERRORS).as("refusal code").contains(e.code());
      if (e.code() == ErrorCode.UNSUPPORTED_CONTENT_TYPE) {
        assertThat(utf8Json).as("refused Content-Type %s", type).isNotEqualTo(Boolean.TRUE);
      } else {
        assertThat(utf8Json).as("Content-Type %s", type).isEqualTo(Boolean.TRUE);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON);
        assertThat(expected == null || !(expected instanceof ObjectNode)
            || depth(expected) > 32 || hasSuspiciousText(expected))
            .as("invalid_json for a well-formed object %s", new String(body,
                StandardCharsets.UTF_8)).isTrue();
      }
      return;
    }
    assertThat(utf8Json).as("accepted Content-Type %s", type).isEqualTo(Boolean.TRUE);
    assertThat(expected).as("accepted a body the reference refuses").isInstanceOf(ObjectNode.class);

    String name = json.requiredString("name", 200);
    String clientType = json.requiredString("type", 20);
    List<String> redirects = json.optionalStrings("redirect_uris", 20, 2000);
    List<String> scopes = json.optionalStrings("scopes", 50, 200);
    String email = json.optionalString("email", 320);
    JsonBody lifetimes = json.optionalObject("token_lifetimes", LIFETIMES);
    Long access = lifetimes == null ? null : lifetimes.optionalLong("access_token", 60, 86_400);
    json.absorb(lifetimes, "token_lifetimes");

    Set<String> bad = new HashSet<>();
    Set<String> tolerated = new HashSet<>();
    check(expected, "name", name, 200, true, bad, tolerated);
    check(expected, "type", clientType, 20, true, bad, tolerated);
    check(expected, "email", email, 320, false, bad, tolerated);
    checkList(expected, "redirect_uris", redirects, 20, 2000, bad, tolerated);
    checkList(expected, "scopes", scopes, 50, 200, bad, tolerated);
    checkLifetimes(expected.get("token_lifetimes"), lifetimes, access, bad);
    for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        bad.add(Text.clip(f));
      }
    }
    Set<String> reported = new HashSet<>();
    try {
      json.validate();
    } catch (ApiException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
      for (ApiException.FieldError fe : e.errors()) {
        assertThat(JsonBody.ERRORS).as("field error code").contains(fe.code());
        reported.add(fe.code() == ErrorCode.FIELD_UNKNOWN && bad.contains(fe.field())
            ? fe.field() : top(fe.field()));
      }
      assertThat(e.errors()).isNotEmpty();
    }
    Set<String> unexpected = new HashSet<>(reported);
    unexpected.removeAll(bad);
    unexpected.removeAll(tolerated);
    assertThat(unexpected).as("fields reported but not wrong").isEmpty();
    assertThat(reported).as("fields wrong but not reported").containsAll(bad);
  }

  /** The field an error names: the top-level field, or an unknown field's clipped name. */
  private static String top(String field) {
    if (field.startsWith("token_lifetimes.")) {
      return "token_lifetimes";
    }
    int bracket = field.indexOf('[');
    String head = bracket < 0 ? field : field.substring(0, bracket);
    return FIELDS.contains(head) ? head : field;
  }

  private static void check(JsonNode tree, String field, String got, int max, boolean required,
      Set<String> bad, Set<String> tolerated) {
    JsonNode v = tree.get(field);
    if (v == null || v.isNull()) {
      assertThat(got).isNull();
      if (required) {
        bad.add(field);
      }
      return;
    }
    if (!v.isTextual() || v.textValue().length() > max) {
      assertThat(got).as(field).isNull();
      bad.add(field);
      return;
    }
    if (got == null && suspicious(v.textValue())) {
      tolerated.add(field);
      return;
    }
    assertThat(got).as(field).isEqualTo(v.textValue());
  }

  private static void checkList(JsonNode tree, String field, List<String> got, int maxItems,
      int maxChars, Set<String> bad, Set<String> tolerated) {
    JsonNode v = tree.get(field);
    if (v == null || v.isNull()) {
      assertThat(got).isNull();
      return;
    }
    boolean ok = v.isArray() && v.size() <= maxItems;
    List<String> texts = new ArrayList<>();
    boolean odd = false;
    if (ok) {
      for (JsonNode item : v) {
        ok &= item.isTextual() && item.textValue().length() <= maxChars;
        if (item.isTextual()) {
          texts.add(item.textValue());
          odd |= suspicious(item.textValue());
        }
      }
    }
    if (!ok) {
      assertThat(got).as(field).isNull();
      bad.add(field);
    } else if (got == null && odd) {
      tolerated.add(field);
    } else {
      assertThat(got).as(field).isEqualTo(texts);
    }
  }

  private static void checkLifetimes(JsonNode v, JsonBody got, Long access, Set<String> bad) {
    if (v == null || v.isNull()) {
      assertThat(got).isNull();
      return;
    }
    if (!v.isObject()) {
      assertThat(got).isNull();
      bad.add("token_lifetimes");
      return;
    }
    for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
      if (!LIFETIMES.contains(it.next())) {
        bad.add("token_lifetimes");
      }
    }
    JsonNode a = v.get("access_token");
    if (a == null || a.isNull()) {
      assertThat(access).isNull();
    } else if (a.canConvertToExactIntegral() && a.canConvertToLong() && a.asLong() >= 60
        && a.asLong() <= 86_400) {
      assertThat(access).isEqualTo(a.asLong());
    } else {
      assertThat(access).as("token_lifetimes.access_token %s", a).isNull();
      bad.add("token_lifetimes");
    }
  }

  /**
   * Whether a Content-Type is application/json with no charset or UTF-8 (RFC 8259 8.1); null when
   * it does not follow RFC 9110 8.3.1's grammar ({@code type "/" subtype *( OWS ";" OWS [
   * token "=" ( token / quoted-string ) ] )}), which may then be refused or read as UTF-8.
   */
  private static Boolean isUtf8Json(String type) {
    String[] parts = splitOutsideQuotes(type);
    String[] media = ows(parts[0]).split("/", -1);
    if (media.length != 2 || !isToken(media[0]) || !isToken(media[1])) {
      return null;
    }
    boolean utf8 = true;
    for (int i = 1; i < parts.length; i++) {
      String p = ows(parts[i]);
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String value = eq < 0 ? "" : p.substring(eq + 1);
      if (eq < 0 || !isToken(p.substring(0, eq)) || !(isToken(value) || isQuoted(value))) {
        return null;
      }
      if (p.substring(0, eq).equalsIgnoreCase("charset")) {
        String cs = isQuoted(value) ? value.substring(1, value.length() - 1)
            .replaceAll("\\\\(.)", "$1") : value;
        utf8 &= cs.toLowerCase(Locale.ROOT).equals("utf-8");
      }
    }
    return utf8 && ows(parts[0]).equalsIgnoreCase("application/json");
  }

  /** Splits at every ';' that is not inside a quoted-string. */
  private static String[] splitOutsideQuotes(String s) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ';' && !quoted) {
        parts.add(part.toString());
        part.setLength(0);
        continue;
      }
      part.append(c);
      if (quoted && c == '\\' && i + 1 < s.length()) {
        part.append(s.charAt(++i));
      } else if (c == '"') {
        quoted = !quoted;
      }
    }
    parts.add(part.toString());
    return parts.toArray(String[]::new);
  }

  /** Without the optional whitespace (spaces and tabs, RFC 9110 5.6.3) around it. */
  private static String ows(String s) {
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

  /** RFC 9110 5.6.2 {@code token}. */
  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
        return false;
      }
    }
    return true;
  }

  /** RFC 9110 5.6.4 {@code quoted-string} (ASCII only). */
  private static boolean isQuoted(String s) {
    if (s.length() < 2 || s.charAt(0) != '"' || s.charAt(s.length() - 1) != '"') {
      return false;
    }
    for (int i = 1; i < s.length() - 1; i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
        if (i >= s.length() - 1 || s.charAt(i) < 0x20 && s.charAt(i) != '\t'
            || s.charAt(i) > 0x7E) {
          return false;
        }
      } else if (c == '"' || (c < 0x20 && c != '\t') || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode referenceTree(byte[] body) {
    try {
      return REFERENCE.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static int depth(JsonNode n) {
    int d = 0;
    for (JsonNode c : n) {
      d = Math.max(d, depth(c));
    }
    return n.isContainerNode() ? d + 1 : 0;
  }

  /** A string (value or field name) with a NUL, another control or an unpaired surrogate. */
  private static boolean hasSuspiciousText(JsonNode n) {
    if (n.isTextual()) {
      return suspicious(n.textValue());
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      if (suspicious(it.next().getKey())) {
        return true;
      }
    }
    for (JsonNode c : n) {
      if (hasSuspiciousText(c)) {
        return true;
      }
    }
    return false;
  }

  /** Text the edge may refuse: control characters and unpaired UTF-16 surrogates. */
  static boolean suspicious(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        return true;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  private static int indexOf(byte[] data, byte b) {
    for (int i = 0; i < data.length; i++) {
      if (data[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
