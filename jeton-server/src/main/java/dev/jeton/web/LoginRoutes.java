package dev.jeton.web;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Form;
import dev.jeton.http.Pages;
import dev.jeton.http.Router;
import dev.jeton.user.User;
import dev.jeton.user.UserService;
import io.javalin.http.Context;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The browser sign-in page {@code {issuer}/login?return_to=...} and its form post, which start a
 * {@link WebSessions browser session} for the authorization endpoint (RFC 6749 4.1.1, 3.1).
 * The post is CSRF-protected (also against login CSRF, docs/security.md#csrf-forms), answers the
 * same for an unknown email and a wrong password (docs/security.md#no-user-enumeration), and on
 * success redirects with 303 (RFC 9700 4.12) to a {@link ReturnTo safe} same-origin target only
 * (docs/security.md#no-open-redirect).
 */
public final class LoginRoutes {
  /** The errors the sign-in page answers as an error page (wrong credentials stay on the form). */
  public static final Set<ErrorCode> ERRORS = Set.of(ErrorCode.INVALID_REQUEST,
      ErrorCode.FORM_REJECTED);
  /** The path of the sign-in page under an issuer. */
  public static final String PATH = "/login";
  private static final String INVALID = "Invalid email or password.";

  private final AccountService accounts;
  private final UserService users;
  private final WebSessions sessions;
  private final Csrf csrf;
  private final Pages pages;

  public LoginRoutes(AccountService accounts, UserService users, WebSessions sessions, Csrf csrf,
      Pages pages) {
    this.accounts = accounts;
    this.users = users;
    this.sessions = sessions;
    this.csrf = csrf;
    this.pages = pages;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PAGE, ERRORS).get("/accounts/{account}" + PATH, this::page)
        .post("/accounts/{account}" + PATH, this::submit);
  }

  private void page(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    Form query = Form.query(ctx);
    String returnTo = ReturnTo.safe(account.id(), query.get("return_to"));
    if (query.get("return_to") != null && returnTo == null) {
      throw new ApiException(ErrorCode.INVALID_REQUEST,
          "The return_to target is not a page of this issuer.");
    }
    boolean signedIn = returnTo == null && sessions.current(ctx, account.id()).isPresent();
    // OIDC Core 3.1.2.1 login_hint: the email field starts with it, nothing else trusts it
    String hint = query.get("login_hint");
    String email = hint != null && hint.length() <= 320 && hint.indexOf('@') > 0 ? hint : "";
    pages.render(ctx, 200, "login.jte", model(ctx, account.id(), returnTo, email,
        signedIn ? "You are signed in." : null, false));
  }

  private void submit(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    Form form = Form.parse(ctx);
    csrf.require(ctx, form.get(Csrf.FIELD), "open the sign-in page again");
    String rawReturn = form.get("return_to");
    String returnTo = ReturnTo.safe(account.id(), rawReturn);
    if (rawReturn != null && returnTo == null) {
      throw new ApiException(ErrorCode.INVALID_REQUEST,
          "The return_to target is not a page of this issuer.");
    }
    String email = nonNull(form.get("email"));
    String password = nonNull(form.get("password"));
    User user;
    try {
      String normalised;
      try {
        normalised = UserService.validEmail(email);
      } catch (ApiException e) {
        normalised = "invalid@invalid.invalid"; // same answer and cost as an unknown user
      }
      user = users.authenticate(account, new UserService.Credentials(normalised, password),
          ctx.ip());
    } catch (ApiException e) {
      String message = e.code() == ErrorCode.INVALID_CREDENTIALS ? INVALID
          : e.code() == ErrorCode.SIGN_IN_THROTTLED ? e.detail() : e.code().remedy();
      if (e.retryAfterSeconds() > 0) {
        ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
      }
      pages.render(ctx, e.code() == ErrorCode.INVALID_CREDENTIALS ? 401 : e.code().status(),
          "login.jte", model(ctx, account.id(), returnTo, email, message, true));
      return;
    }
    if (!sessions.signIn(ctx, account.id(), user.id(), user.credentialGeneration())) {
      pages.render(ctx, 401, "login.jte", model(ctx, account.id(), returnTo, email,
          "Your password was changed while you were signing in. Sign in with the new password.",
          true));
      return;
    }
    ctx.status(303);
    ctx.header("Location", returnTo != null ? returnTo
        : "/accounts/" + account.id() + PATH);
  }

  private Map<String, Object> model(Context ctx, String accountId, String returnTo,
      String email, String message, boolean error) {
    Map<String, Object> m = new HashMap<>();
    m.put("accountId", accountId);
    m.put("returnTo", returnTo == null ? "" : returnTo);
    m.put("csrf", csrf.token(ctx));
    m.put("email", email);
    m.put("error", error ? message : null);
    m.put("notice", error ? null : message);
    return m;
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
