package dev.jeton.store;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * One page of a list and the cursor of the next one (null on the last): docs/api.md#pagination.
 * A cursor is the id of the page's last item, opaque to clients.
 */
public record Page<T>(List<T> items, String nextCursor) {

  /** The page of {@code rows} (read with one row more than {@code limit}) and its cursor. */
  public static <T> Page<T> of(List<T> rows, int limit, java.util.function.Function<T, String> id) {
    boolean more = rows.size() > limit;
    List<T> items = more ? rows.subList(0, limit) : rows;
    return new Page<>(List.copyOf(items), more ? cursor(id.apply(items.get(limit - 1))) : null);
  }

  public static String cursor(String id) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(id.getBytes(StandardCharsets.UTF_8));
  }

  /** The id a cursor names, or "" for anything that is not a cursor. */
  public static String idOf(String cursor) {
    try {
      return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  /** The answer to a cursor that names no item of the list it was sent to. */
  public static ApiException badCursor() {
    return ApiException.validation(List.of(new ApiException.FieldError("cursor",
        ErrorCode.FIELD_INVALID, "The cursor is not one this list gave; start again without "
        + "it.")));
  }
}
