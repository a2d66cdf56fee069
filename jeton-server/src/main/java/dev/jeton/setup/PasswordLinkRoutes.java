package dev.jeton.setup;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Form;
import dev.jeton.http.JsonBody;
import dev.jeton.http.Pages;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.token.Issuers;
import dev.jeton.user.AuthRoutes;
import dev.jeton.user.User;
import dev.jeton.user.UserAdmin;
import dev.jeton.user.UserService;
import io.javalin.http.Context;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one-time password links an admin issues (docs/users.md#password-links): the page a link
 * opens ({@code {issuer}/set-password?token=...}), its form post, and the same operation as JSON
 * at {@code {issuer}/api/v1/auth/set-password}, which also signs the user in.
 */
public final class PasswordLinkRoutes {
  private static final Set<String> FIELDS = Set.of("token", "password");
  /** The errors of the page and its form (a refused password stays on the form). */
  public static final Set<ErrorCode> PAGE_ERRORS = Set.of(ErrorCode.PASSWORD_LINK_INVALID,
      ErrorCode.USER_BLOCKED, ErrorCode.FORM_REJECTED, ErrorCode.INVALID_REQUEST);
  /** The errors of the JSON operation. */
  public static final Set<ErrorCode> API_ERRORS = JsonBody.errorsWith(
      ErrorCode.PASSWORD_LINK_INVALID, ErrorCode.PASSWORD_POLICY_VIOLATION,
      ErrorCode.USER_BLOCKED);

  private final UserAdmin admin;
  private final AccountService accounts;
  private final UserService users;
  private final Issuers issuers;
  private final Pages pages;

  public PasswordLinkRoutes(UserAdmin admin, AccountService accounts, UserService users,
      Issuers issuers, Pages pages) {
    this.admin = admin;
    this.accounts = accounts;
    this.users = users;
    this.issuers = issuers;
    this.pages = pages;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PAGE, PAGE_ERRORS).get("/accounts/{account}/set-password", this::page)
        .post("/accounts/{account}/set-password", this::form);
    r.as(ErrorWriter.Format.PROBLEM, API_ERRORS)
        .post("/accounts/{account}/api/v1/auth/set-password", this::api);
  }

  private void page(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    String token = Form.query(ctx).get("token");
    User u = token == null ? null : admin.linkHolder(account, token).orElse(null);
    if (u == null) {
      throw invalidLink();
    }
    pages.render(ctx, 200, "set-password.jte", model(account.id(), token, u.email(), null));
  }

  private void form(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    if (!pages.sameOrigin(ctx)) {
      throw new ApiException(ErrorCode.FORM_REJECTED,
          "The form was posted from another site; open the link again.");
    }
    Form form = Form.parse(ctx);
    String token = form.get("token") == null ? "" : form.get("token");
    String password = form.get("password") == null ? "" : form.get("password");
    User holder = admin.linkHolder(account, token).orElseThrow(PasswordLinkRoutes::invalidLink);
    try {
      User u = admin.setPassword(account, token, password);
      pages.render(ctx, 200, "set-password-done.jte", Map.of("accountId", account.id(),
          "email", u.email(), "issuer", issuers.issuer(account.id())));
    } catch (ApiException e) {
      if (e.code() != ErrorCode.VALIDATION_FAILED) {
        throw e;
      }
      String message = e.errors().isEmpty() ? e.detail() : e.errors().get(0).detail();
      pages.render(ctx, 400, "set-password.jte", model(account.id(), token, holder.email(),
          message));
    }
  }

  private void api(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    JsonBody body = JsonBody.read(ctx, FIELDS);
    String token = body.requiredString("token", 128);
    String password = body.requiredString("password", 1024);
    body.validate();
    User u = admin.setPassword(account, token, password);
    Responses.tokens(ctx, 200, AuthRoutes.tokenBody(u,
        users.startSession(account, u, accounts.lifetimes(account))));
  }

  private static ApiException invalidLink() {
    return new ApiException(ErrorCode.PASSWORD_LINK_INVALID,
        "This password link is unknown, expired, already used or replaced by a newer one.");
  }

  private static Map<String, Object> model(String accountId, String token, String email,
      String error) {
    Map<String, Object> m = new HashMap<>();
    m.put("accountId", accountId);
    m.put("token", token);
    m.put("email", email);
    m.put("error", error);
    return m;
  }
}
