package dev.jeton.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a JSON object request body and its fields, collecting every field problem so that one
 * {@code validation_failed} answer lists them all. Every string field is refused
 * ({@code field_invalid}) when it carries a control character (docs/security.md#control-characters)
 * or an unpaired UTF-16 surrogate, which storage would turn into {@code ?}
 * (docs/security.md#unicode-text).
 */
public final class JsonBody {
  /** The errors any route reading a JSON body may answer. */
  public static final Set<ErrorCode> ERRORS = Set.of(ErrorCode.UNSUPPORTED_CONTENT_TYPE,
      ErrorCode.INVALID_JSON, ErrorCode.VALIDATION_FAILED, ErrorCode.FIELD_MISSING,
      ErrorCode.FIELD_INVALID, ErrorCode.FIELD_UNKNOWN);

  private final ObjectNode node;
  private final List<ApiException.FieldError> errors = new ArrayList<>();

  /** {@link #ERRORS} and {@code more}: the declared errors of a route that reads JSON. */
  public static Set<ErrorCode> errorsWith(ErrorCode... more) {
    Set<ErrorCode> all = new HashSet<>(ERRORS);
    all.addAll(Arrays.asList(more));
    return Set.copyOf(all);
  }

  private JsonBody(ObjectNode node) {
    this.node = node;
  }

  /**
   * Parses the body: {@code unsupported_content_type} unless JSON, {@code payload_too_large} past
   * the limit (reading no further), {@code invalid_json} unless one well-formed object, and
   * {@code field_unknown} for any field not in {@code allowed}.
   */
  public static JsonBody read(Context ctx, Set<String> allowed) {
    String type = ctx.header("Content-Type");
    if (type == null || !isJson(type)) {
      throw new ApiException(ErrorCode.UNSUPPORTED_CONTENT_TYPE,
          "Send the body as application/json" + (type == null ? "" : ", not " + Text.clip(type)) + ".");
    }
    JsonNode parsed;
    try (InputStream in = ctx.req().getInputStream()) {
      parsed = Json.MAPPER.readTree(in);
    } catch (BodyLimit.TooLarge e) {
      throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE,
          "The request body is larger than " + e.limit() + " bytes.");
    } catch (JacksonException e) {
      if (e.getCause() instanceof BodyLimit.TooLarge tl) {
        throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE,
            "The request body is larger than " + tl.limit() + " bytes.");
      }
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new ApiException(ErrorCode.INVALID_JSON, "The body is not valid JSON" + where + ".");
    } catch (IOException e) {
      throw new ApiException(ErrorCode.INVALID_JSON, "The body could not be read.");
    }
    if (parsed == null || parsed.isMissingNode()) {
      throw new ApiException(ErrorCode.INVALID_JSON, "The body is empty; send a JSON object.");
    }
    if (!(parsed instanceof ObjectNode obj)) {
      throw new ApiException(ErrorCode.INVALID_JSON, "The body must be a JSON object.");
    }
    JsonBody body = new JsonBody(obj);
    for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        body.errors.add(new ApiException.FieldError(Text.clip(name), ErrorCode.FIELD_UNKNOWN,
            "The field '" + Text.clip(name) + "' is not accepted here."));
      }
    }
    return body;
  }

  /**
   * {@code application/json}, with no charset or UTF-8 (RFC 8259 8.1), by RFC 9110's grammar:
   * {@code charset=utf-8x}, a charset after a malformed parameter or control characters between
   * parameters are refused, never read as UTF-8.
   */
  static boolean isJson(String contentType) {
    ContentType t = ContentType.parse(contentType);
    return t != null && t.type().equals("application/json") && t.charsetIsUtf8OrAbsent();
  }

  /** A required string field, at most {@code max} characters. Null (recorded) when bad. */
  public String requiredString(String field, int max) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      errors.add(new ApiException.FieldError(field, ErrorCode.FIELD_MISSING,
          "The field '" + field + "' is required."));
      return null;
    }
    return string(field, v, max);
  }

  /** An optional string field; null when absent. */
  public String optionalString(String field, int max) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : string(field, v, max);
  }

  /** An optional object field; null when absent. */
  public JsonBody optionalObject(String field, Set<String> allowed) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!(v instanceof ObjectNode obj)) {
      errors.add(new ApiException.FieldError(field, ErrorCode.FIELD_INVALID,
          "The field '" + field + "' must be an object."));
      return null;
    }
    JsonBody nested = new JsonBody(obj);
    for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        errors.add(new ApiException.FieldError(field + "." + Text.clip(name), ErrorCode.FIELD_UNKNOWN,
            "The field '" + field + "." + Text.clip(name) + "' is not accepted here."));
      }
    }
    return nested;
  }

  /**
   * An optional array of strings; null when absent or JSON null. At most {@code maxItems} items of
   * at most {@code maxChars} characters each (a sanity cap: callers apply their own rules).
   */
  public List<String> optionalStrings(String field, int maxItems, int maxChars) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      errors.add(new ApiException.FieldError(field, ErrorCode.FIELD_INVALID,
          "The field '" + field + "' must be an array of strings."));
      return null;
    }
    if (v.size() > maxItems) {
      errors.add(new ApiException.FieldError(field, ErrorCode.FIELD_INVALID,
          "The field '" + field + "' must have at most " + maxItems + " items."));
      return null;
    }
    List<String> out = new ArrayList<>(v.size());
    boolean ok = true;
    for (int i = 0; i < v.size(); i++) {
      String s = string(field + "[" + i + "]", v.get(i), maxChars);
      ok &= s != null;
      out.add(s);
    }
    return ok ? List.copyOf(out) : null;
  }

  /**
   * A required array of at most {@code maxItems} objects, each read as a body of its own: fields
   * not in {@code allowed} and an element that is not an object are recorded in that element's
   * {@link #problems()}, not in this body's, so that the caller can answer per element. Null
   * (recorded here) when the field is missing, not an array or too long.
   */
  public List<JsonBody> requiredObjects(String field, int maxItems, Set<String> allowed) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      errors.add(new ApiException.FieldError(field, ErrorCode.FIELD_MISSING,
          "The field '" + field + "' is required."));
      return null;
    }
    if (!v.isArray()) {
      errors.add(new ApiException.FieldError(field, ErrorCode.FIELD_INVALID,
          "The field '" + field + "' must be an array of objects."));
      return null;
    }
    if (v.size() > maxItems) {
      errors.add(new ApiException.FieldError(field, ErrorCode.FIELD_INVALID,
          "The field '" + field + "' must have at most " + maxItems + " items; it has "
          + v.size() + "."));
      return null;
    }
    List<JsonBody> out = new ArrayList<>(v.size());
    for (JsonNode item : v) {
      if (item instanceof ObjectNode obj) {
        JsonBody element = new JsonBody(obj);
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
          String name = it.next();
          if (!allowed.contains(name)) {
            element.errors.add(new ApiException.FieldError(Text.clip(name),
                ErrorCode.FIELD_UNKNOWN, "The field '" + Text.clip(name)
                + "' is not accepted here."));
          }
        }
        out.add(element);
      } else {
        JsonBody element = new JsonBody(Json.MAPPER.createObjectNode());
        element.errors.add(new ApiException.FieldError("", ErrorCode.FIELD_INVALID,
            "The item must be a JSON object."));
        out.add(element);
      }
    }
    return out;
  }

  /** The problems recorded in this body so far. */
  public List<ApiException.FieldError> problems() {
    return List.copyOf(errors);
  }

  /** True when the field is present (even as null). */
  public boolean has(String field) {
    return node.has(field);
  }

  /** An optional boolean; null when absent or JSON null. */
  public Boolean optionalBoolean(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isBoolean()) {
      errors.add(new ApiException.FieldError(field, ErrorCode.FIELD_INVALID,
          "The field '" + field + "' must be true or false."));
      return null;
    }
    return v.booleanValue();
  }

  /** An optional whole number in [min, max]; null when absent or JSON null. */
  public Long optionalLong(String field, long min, long max) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToExactIntegral() || !v.canConvertToLong()
        || v.asLong() < min || v.asLong() > max) {
      errors.add(new ApiException.FieldError(field, ErrorCode.FIELD_INVALID,
          "The field '" + field + "' must be a whole number from " + min + " to " + max + "."));
      return null;
    }
    return v.asLong();
  }

  /** Records a problem with a field found by the caller's own checks. */
  public void reject(String field, ErrorCode code, String detail) {
    errors.add(new ApiException.FieldError(field, code, detail));
  }

  /** Merges the problems of a nested object. */
  public void absorb(JsonBody nested, String prefix) {
    if (nested != null) {
      for (ApiException.FieldError e : nested.errors) {
        errors.add(new ApiException.FieldError(prefix + "." + e.field(), e.code(), e.detail()));
      }
      nested.errors.clear();
    }
  }

  /** Throws one {@code validation_failed} listing every problem recorded so far. */
  public void validate() {
    if (!errors.isEmpty()) {
      throw ApiException.validation(List.copyOf(errors));
    }
  }

  private String string(String field, JsonNode v, int max) {
    if (!v.isTextual()) {
      errors.add(new ApiException.FieldError(field, ErrorCode.FIELD_INVALID,
          "The field '" + field + "' must be a string."));
      return null;
    }
    String s = v.textValue();
    String control = Text.controlProblem("The field '" + field + "'", s);
    if (control != null) {
      errors.add(new ApiException.FieldError(field, ErrorCode.FIELD_INVALID, control));
      return null;
    }
    int lone = Text.firstLoneSurrogate(s);
    if (lone >= 0) {
      errors.add(new ApiException.FieldError(field, ErrorCode.FIELD_INVALID, "The field '" + field
          + "' contains the unpaired UTF-16 surrogate "
          + String.format(Locale.ROOT, "\\u%04x", (int) s.charAt(lone)) + ", which is not a "
          + "character; send valid Unicode text (RFC 8259 8.2)."));
      return null;
    }
    if (s.length() > max) {
      errors.add(new ApiException.FieldError(field, ErrorCode.FIELD_INVALID,
          "The field '" + field + "' must have at most " + max + " characters."));
      return null;
    }
    return s;
  }

}
