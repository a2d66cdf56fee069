package dev.jeton.user;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.config.Config;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.JsonBody;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.limit.Limits;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.SessionService;
import dev.jeton.session.TokenResponse;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The first-party sign-in API under {@code {issuer}/api/v1}: register, login, refresh, logout,
 * the current user and password change.
 */
public final class AuthRoutes {
  /** The errors of sign-up, sign-in, refresh, logout and the signed-in user's own routes. */
  public static final Set<ErrorCode> ERRORS = errors();
  private static final String BASE = "/accounts/{account}/api/v1";
  private static final Set<String> CREDENTIAL_FIELDS = Set.of("email", "password");
  private static final Set<String> REFRESH_FIELDS = Set.of("refresh_token");
  private static final Set<String> PASSWORD_FIELDS = Set.of("current_password", "new_password");

  private final AccountService accounts;
  private final UserService users;
  private final SessionService sessions;
  private final BearerAuth bearer;
  private final Limits limits;

  public AuthRoutes(AccountService accounts, UserService users, SessionService sessions,
      BearerAuth bearer, Limits limits) {
    this.limits = limits;
    this.accounts = accounts;
    this.users = users;
    this.sessions = sessions;
    this.bearer = bearer;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, ERRORS).post(BASE + "/auth/register", this::registerUser)
        .post(BASE + "/auth/login", this::login)
        .post(BASE + "/auth/refresh", this::refresh)
        .post(BASE + "/auth/logout", this::logout)
        .get(BASE + "/me", this::me)
        .post(BASE + "/me/password", this::changePassword);
  }

  private void registerUser(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    if (!account.registrationOpen()) {
      throw new ApiException(ErrorCode.REGISTRATION_CLOSED, "Registration in the account '"
          + account.id() + "' is closed; its admins can open it.");
    }
    UserService.Credentials c = credentials(ctx);
    // each registration costs an Argon2id hash and a row: bounded per address
    Config.Limits policy = accounts.limits(account);
    if (policy.registrations() > 0) {
      limits.perSource(ctx, "registration", policy.registrations(), policy.registrationPeriod());
    }
    User u = users.register(account, c, User.USER);
    Responses.tokens(ctx, 201, tokenBody(u, users.startSession(account, u, accounts.lifetimes(
        account))));
  }

  private void login(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    UserService.Credentials c = credentials(ctx);
    User u = users.authenticate(account, c, ctx.ip());
    Responses.tokens(ctx, 200, tokenBody(u, users.startSession(account, u, accounts.lifetimes(
        account))));
  }

  private void refresh(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    String token = refreshToken(ctx);
    SessionService.TokenPair pair = sessions.refresh(account, token, accounts.lifetimes(account));
    Responses.tokens(ctx, 200, TokenResponse.of(pair).members());
  }

  private void logout(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    sessions.logout(account, refreshToken(ctx));
    ctx.status(204);
  }

  private void me(Context ctx) {
    BearerAuth.Principal p = bearer.require(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_USER);
    User u = users.current(p.account().id(), p.subject());
    Responses.json(ctx, 200, userJson(u));
  }

  private void changePassword(Context ctx) {
    BearerAuth.Principal p = bearer.requireSession(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_USER);
    JsonBody body = JsonBody.read(ctx, PASSWORD_FIELDS);
    String current = body.requiredString("current_password", 1024);
    String next = body.requiredString("new_password", 1024);
    body.validate();
    User u = users.current(p.account().id(), p.subject());
    Map<String, Object> m = new LinkedHashMap<>();
    m.putAll(users.changePassword(u, current, next, p.sessionId()));
    m.put("this_session_kept", true);
    Responses.json(ctx, 200, m);
  }

  private static UserService.Credentials credentials(Context ctx) {
    JsonBody body = JsonBody.read(ctx, CREDENTIAL_FIELDS);
    String email = body.requiredString("email", 320);
    String password = body.requiredString("password", 1024);
    body.validate();
    return new UserService.Credentials(UserService.validEmail(email), password);
  }

  private static String refreshToken(Context ctx) {
    JsonBody body = JsonBody.read(ctx, REFRESH_FIELDS);
    String token = body.requiredString("refresh_token", 256);
    body.validate();
    return token;
  }

  static Map<String, Object> userJson(User u) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", u.id());
    m.put("account", u.accountId());
    m.put("email", u.email());
    m.put("role", u.role());
    m.put("created_at", Instant.ofEpochMilli(u.createdAt()).toString());
    m.put("password_changed_at", Instant.ofEpochMilli(u.passwordChangedAt()).toString());
    return m;
  }

  /** The token response of register, login and first-admin setup: the user, then RFC 6749 5.1. */
  public static Map<String, Object> tokenBody(User u, SessionService.TokenPair pair) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("user", userJson(u));
    m.putAll(TokenResponse.of(pair).members());
    return m;
  }

  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.addAll(JsonBody.ERRORS);
    all.addAll(Set.of(ErrorCode.USER_ALREADY_EXISTS, ErrorCode.INVALID_CREDENTIALS,
        ErrorCode.SIGN_IN_THROTTLED, ErrorCode.PASSWORD_POLICY_VIOLATION,
        ErrorCode.PASSWORD_UNCHANGED, ErrorCode.PASSWORD_RESET_REQUIRED,
        ErrorCode.REFRESH_TOKEN_REUSED, ErrorCode.TOKEN_UNKNOWN, ErrorCode.TOKEN_EXPIRED,
        ErrorCode.TOKEN_REVOKED, ErrorCode.TOKEN_WRONG_TYPE, ErrorCode.TOKEN_MALFORMED,
        ErrorCode.CLIENT_TOKEN_NOT_ACCEPTED, ErrorCode.USER_BLOCKED,
        ErrorCode.REGISTRATION_CLOSED));
    return Set.copyOf(all);
  }
}
