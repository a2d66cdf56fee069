package dev.jeton.http;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.store.Page;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The one shape of every list of the API (docs/api.md#pagination): {@code limit} and
 * {@code cursor} query parameters in, {@code {"data": [...], "next_cursor": ...}} out.
 */
public final class Pagination {
  /** Items per page when {@code limit} is absent. */
  public static final int DEFAULT_LIMIT = 50;
  /** The most items one page holds. */
  public static final int MAX_LIMIT = 200;

  private Pagination() {}

  /**
   * The {@code limit} query parameter: 1 to {@link #MAX_LIMIT}, {@link #DEFAULT_LIMIT} if absent;
   * a problem is added to {@code problems} for anything else.
   */
  public static int limit(String raw, List<ApiException.FieldError> problems) {
    if (raw == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(raw);
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(new ApiException.FieldError("limit", ErrorCode.FIELD_INVALID,
        "The limit must be a whole number from 1 to " + MAX_LIMIT + "."));
    return DEFAULT_LIMIT;
  }

  /**
   * A time filter of a list, the query parameter {@code name}: an RFC 3339 instant such as
   * 2026-12-05T18:00:00Z, in ms; null when absent, with a problem added for anything else.
   */
  public static Long time(io.javalin.http.Context ctx, String name,
      List<ApiException.FieldError> problems) {
    String raw = ctx.queryParam(name);
    if (raw == null) {
      return null;
    }
    try {
      return java.time.Instant.parse(raw).toEpochMilli();
    } catch (java.time.format.DateTimeParseException | ArithmeticException e) {
      problems.add(new ApiException.FieldError(name, ErrorCode.FIELD_INVALID, "The " + name
          + " filter is an RFC 3339 time in UTC, such as 2026-12-05T18:00:00Z."));
      return null;
    }
  }

  /** The answer body of one page, each item shaped by {@code json}. */
  public static <T> Map<String, Object> body(Page<T> page,
      Function<T, Map<String, Object>> json) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("data", page.items().stream().map(json).toList());
    out.put("next_cursor", page.nextCursor());
    return out;
  }
}
