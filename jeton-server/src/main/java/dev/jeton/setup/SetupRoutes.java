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
import dev.jeton.user.UserService;
import io.javalin.http.Context;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The first-admin setup: the page the one-time link opens ({@code {issuer}/setup?token=...}), its
 * form post, and the same operation as JSON at {@code {issuer}/api/v1/setup}.
 */
public final class SetupRoutes {
  private static final Set<String> FIELDS = Set.of("setup_token", "email", "password");
  /** The errors of the setup page and its form (invalid fields stay on the form). */
  public static final Set<ErrorCode> PAGE_ERRORS = Set.of(ErrorCode.SETUP_TOKEN_INVALID,
      ErrorCode.FORM_REJECTED, ErrorCode.INVALID_REQUEST);
  /** The errors of the JSON setup operation. */
  public static final Set<ErrorCode> API_ERRORS = JsonBody.errorsWith(
      ErrorCode.SETUP_TOKEN_INVALID, ErrorCode.PASSWORD_POLICY_VIOLATION,
      ErrorCode.USER_ALREADY_EXISTS);

  private final SetupService setup;
  private final AccountService accounts;
  private final UserService users;
  private final Issuers issuers;
  private final Pages pages;

  public SetupRoutes(SetupService setup, AccountService accounts, UserService users,
      Issuers issuers, Pages pages) {
    this.setup = setup;
    this.accounts = accounts;
    this.users = users;
    this.issuers = issuers;
    this.pages = pages;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PAGE, PAGE_ERRORS).get("/accounts/{account}/setup", this::page)
        .post("/accounts/{account}/setup", this::form);
    r.as(ErrorWriter.Format.PROBLEM, API_ERRORS)
        .post("/accounts/{account}/api/v1/setup", this::api);
  }

  private void page(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    String token = Form.query(ctx).get("token");
    if (token == null || !setup.isValid(account.id(), token)) {
      throw new ApiException(ErrorCode.SETUP_TOKEN_INVALID,
          "The setup link is unknown, expired or already used.");
    }
    pages.render(ctx, 200, "setup.jte", setupModel(account.id(), token, "", null));
  }

  private void form(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    if (!pages.sameOrigin(ctx)) {
      throw new ApiException(ErrorCode.FORM_REJECTED,
          "The form was posted from another site; open the setup link again.");
    }
    Form form = Form.parse(ctx);
    String token = nonNull(form.get("token"));
    String email = nonNull(form.get("email"));
    String password = nonNull(form.get("password"));
    try {
      User admin = setup.complete(account, token,
          new UserService.Credentials(UserService.validEmail(email), password));
      pages.render(ctx, 200, "setup-done.jte", Map.of("accountId", account.id(),
          "email", admin.email(), "issuer", issuers.issuer(account.id())));
    } catch (ApiException e) {
      if (e.code() == ErrorCode.SETUP_TOKEN_INVALID) {
        throw e;
      }
      String message = e.errors().isEmpty() ? e.detail() : e.errors().get(0).detail();
      pages.render(ctx, 400, "setup.jte", setupModel(account.id(), token, email, message));
    }
  }

  private void api(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    JsonBody body = JsonBody.read(ctx, FIELDS);
    String token = body.requiredString("setup_token", 128);
    String email = body.requiredString("email", 320);
    String password = body.requiredString("password", 1024);
    body.validate();
    User admin = setup.complete(account, token,
        new UserService.Credentials(UserService.validEmail(email), password));
    Responses.tokens(ctx, 201, AuthRoutes.tokenBody(admin,
        users.startSession(account, admin, accounts.lifetimes(account))));
  }

  private static Map<String, Object> setupModel(String accountId, String token, String email,
      String error) {
    java.util.HashMap<String, Object> m = new java.util.HashMap<>();
    m.put("accountId", accountId);
    m.put("token", token);
    m.put("email", email);
    m.put("error", error);
    return m;
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
