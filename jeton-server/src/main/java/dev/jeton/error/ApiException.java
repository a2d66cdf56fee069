package dev.jeton.error;

import java.util.List;

/**
 * The one exception type of the API: a catalog entry, a public detail sent to the client, optional
 * field errors, and an internal detail that is logged and never sent.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String detail;
  private final transient List<FieldError> errors;
  private final long retryAfterSeconds;
  private final transient java.util.Map<String, Object> members;

  public ApiException(ErrorCode code) {
    this(code, code.title(), List.of(), null);
  }

  public ApiException(ErrorCode code, String detail) {
    this(code, detail, List.of(), null);
  }

  public ApiException(ErrorCode code, String detail, List<FieldError> errors, String internal) {
    this(code, detail, errors, internal, 0);
  }

  private ApiException(ErrorCode code, String detail, List<FieldError> errors, String internal,
      long retryAfterSeconds) {
    this(code, detail, errors, internal, retryAfterSeconds, java.util.Map.of());
  }

  private ApiException(ErrorCode code, String detail, List<FieldError> errors, String internal,
      long retryAfterSeconds, java.util.Map<String, Object> members) {
    super(internal == null ? code.code() + ": " + detail : code.code() + ": " + internal, null,
        false, false);
    this.code = code;
    this.detail = detail;
    this.errors = List.copyOf(errors);
    this.retryAfterSeconds = retryAfterSeconds;
    this.members = java.util.Map.copyOf(members);
  }

  /** An error the client may retry after {@code seconds} (sent as {@code Retry-After}). */
  public static ApiException retryAfter(ErrorCode code, String detail, long seconds) {
    return new ApiException(code, detail, List.of(), null, Math.max(1, seconds));
  }

  /**
   * An error the client may retry after {@code seconds}, whose document carries the extension
   * {@code members} too (RFC 9457 3.2), such as the time a quota resets.
   */
  public static ApiException retryAfter(ErrorCode code, String detail, long seconds,
      java.util.Map<String, Object> members) {
    return new ApiException(code, detail, List.of(), null, Math.max(1, seconds), members);
  }

  /** Extension members of the error document; empty for most errors. */
  public java.util.Map<String, Object> members() {
    return members;
  }

  /** Seconds to wait before retrying, 0 when the answer names none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** A {@code validation_failed} error listing every bad field. */
  public static ApiException validation(List<FieldError> errors) {
    String detail = errors.size() == 1
        ? errors.get(0).detail()
        : errors.size() + " fields are invalid; see errors[].";
    return new ApiException(ErrorCode.VALIDATION_FAILED, detail, errors, null);
  }

  public ErrorCode code() {
    return code;
  }

  public String detail() {
    return detail;
  }

  public List<FieldError> errors() {
    return errors;
  }

  /** One problem with one field of a request body. */
  public record FieldError(String field, ErrorCode code, String detail) {}
}
