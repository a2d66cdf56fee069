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
 * {@code unsupported_content_type} unless {@code application/json} in UTF-8, {@code invalid_json}
 * only for what an independent, unbounded Jackson reader also refuses or what exceeds the
 * documented bounds (nesting 32, numbers of 64 digits, duplicate keys, trailing tokens), and one
 * {@code validation_failed} naming exactly the fields an independent check finds wrong. Values
 * that are accepted equal what the independent reader reads. Inputs in
 * {@code src/test/resources/dev/jeton/http/JsonBodyFuzzTestInputs/read/}; docs/fuzzing.md.
 */
class JsonBodyFuzzTest {
  private static final Set<String> FIELDS = Set.of("name", "type", "redirect_uris", "scopes",
      "token_lifetimes", "email");
  private static final Set<String> LIFETIMES = Set.of("access_token", "refresh_token");
  /** Unbounded except for what Jackson itself needs; duplicates and trailing tokens refused. */
  private static final ObjectMapper REFERENCE = reference();

  private static ObjectMapper reference() {
    ObjectMapper m = new ObjectMapper();
    m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(100_000).maxNumberLength(1_000_000).build());
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

    JsonBody json;
    try {
      json = JsonBody.read(FakeContext.of(Map.of("Content-Type", type), null, body), FIELDS);
    } catch (ApiException e) {
      assertThat(JsonBody.ERRORS).as("refusal code").contains(e.code());
      if (e.code() == ErrorCode.UNSUPPORTED_CONTENT_TYPE) {
        assertThat(isUtf8Json(type)).as("refused Content-Type %s", type).isFalse();
      } else {
        assertThat(isUtf8Json(type)).as("Content-Type %s", type).isTrue();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON);
        assertThat(expected == null || !(expected instanceof ObjectNode)
            || depth(expected) > 32 || hasLongNumber(expected) || hasSuspiciousText(expected))
            .as("invalid_json for a well-formed object %s", new String(body,
                StandardCharsets.UTF_8)).isTrue();
      }
      return;
    }
    assertThat(isUtf8Json(type)).as("accepted Content-Type %s", type).isTrue();
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

  /** application/json with no charset, or UTF-8 (RFC 8259 8.1). */
  private static boolean isUtf8Json(String type) {
    String[] parts = type.split(";", -1);
    if (!parts[0].trim().equalsIgnoreCase("application/json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      if (kv[0].trim().equalsIgnoreCase("charset") && (kv.length < 2
          || !kv[1].trim().replace("\"", "").toLowerCase(Locale.ROOT).equals("utf-8"))) {
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

  private static boolean hasLongNumber(JsonNode n) {
    if (n.isNumber()) {
      return n.asText().length() > 64;
    }
    for (JsonNode c : n) {
      if (hasLongNumber(c)) {
        return true;
      }
    }
    return false;
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
