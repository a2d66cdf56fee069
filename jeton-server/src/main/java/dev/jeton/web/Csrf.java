package dev.jeton.web;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Pages;
import dev.jeton.token.OpaqueTokens;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * CSRF protection of the sign-in and consent forms, including login CSRF (RFC 6749 10.12,
 * ASVS 3.5.1, docs/security.md#csrf-forms): a double-submit token. A random 131-bit value lives in
 * the {@code __Host-jeton_csrf} cookie (set before any session exists, so it also protects the
 * login form) and is repeated in each form's hidden {@code csrf} field; a POST passes only when the
 * two match (constant-time) and the browser's Origin/Referer names this server. Another site can
 * neither read the cookie nor, thanks to the {@code __Host-} prefix, plant one.
 */
public final class Csrf {
  public static final String FIELD = "csrf";

  private final Cookies cookies;
  private final dev.jeton.token.OpaqueTokens tokens;
  private final Pages pages;

  public Csrf(Cookies cookies, dev.jeton.token.OpaqueTokens tokens, Pages pages) {
    this.cookies = cookies;
    this.tokens = tokens;
    this.pages = pages;
  }

  /** The token to put in a form, setting the cookie when the browser has none yet. */
  public String token(Context ctx) {
    String v = cookies.read(ctx, Cookies.CSRF);
    if (v == null || v.length() != 44 || !v.chars().allMatch(Character::isLetterOrDigit)) {
      v = tokens.id("") + tokens.id("");
      cookies.set(ctx, Cookies.CSRF, v);
    }
    return v;
  }

  /**
   * Refuses the POST with {@code form_rejected} unless it carries the browser's token and comes
   * from this origin; {@code then} tells the user what to do, e.g. "open the device page again".
   */
  public void require(Context ctx, String field, String then) {
    if (!valid(ctx, field)) {
      throw new ApiException(ErrorCode.FORM_REJECTED,
          "The form has expired or was posted from another site; " + then + ".");
    }
  }

  /** True when the POST carries the browser's token and comes from this origin. */
  public boolean valid(Context ctx, String field) {
    String cookie = cookies.read(ctx, Cookies.CSRF);
    if (cookie == null || field == null || !pages.sameOrigin(ctx)) {
      return false;
    }
    return MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8),
        field.getBytes(StandardCharsets.UTF_8));
  }
}
