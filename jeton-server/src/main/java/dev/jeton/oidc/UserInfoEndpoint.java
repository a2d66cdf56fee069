package dev.jeton.oidc;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Responses;
import dev.jeton.limit.Limits;
import dev.jeton.rejection.RejectionLog;
import dev.jeton.oauth.IdTokens;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.SessionService;
import dev.jeton.token.AccessToken;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.Issuers;
import dev.jeton.user.User;
import dev.jeton.user.UserService;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET} and {@code POST {issuer}/oauth2/userinfo} (OIDC Core 5.3): takes an access token
 * issued to an OAuth client of this account for a user, with the {@code openid} scope, in the
 * Authorization header only (RFC 6750 2.1; the query form is refused, RFC 6750 5.3, and ID
 * tokens are refused by their {@code typ}, docs/security.md#jwt-explicit-type). Answers
 * {@code sub}, and {@code email} with {@code email_verified} (false: Jeton does not verify
 * addresses) when {@code email} was granted (OIDC Core 5.4). Errors are RFC 6750 3.1 challenges:
 * 401 {@code invalid_token}, 403 {@code insufficient_scope}. The session must still be active:
 * revocation applies at once. The token's audience is not asked for: the endpoint is the
 * issuer's own, and the user's {@code openid} consent to the client is what lets the token read
 * it, whichever resource servers the token is also meant for (docs/security.md#audiences).
 *
 * @see <a href="https://openid.net/specs/openid-connect-core-1_0.html#UserInfo">OIDC Core 5.3</a>
 */
public final class UserInfoEndpoint {
  /** The endpoint's path under an issuer (OIDC Core 5.3). */
  public static final String PATH = "/oauth2/userinfo";
  /** The errors of the userinfo endpoint: a refused bearer token (OIDC Core 5.3.3). */
  public static final Set<ErrorCode> ERRORS = BearerAuth.ERRORS;

  private final AccountService accounts;
  private final AccessTokens accessTokens;
  private final SessionService sessions;
  private final UserService users;
  private final Issuers issuers;
  private final Limits limits;
  private final RejectionLog rejections;

  UserInfoEndpoint(AccountService accounts, AccessTokens accessTokens, SessionService sessions,
      UserService users, Issuers issuers, Limits limits, RejectionLog rejections) {
    this.limits = limits;
    this.rejections = rejections;
    this.accounts = accounts;
    this.accessTokens = accessTokens;
    this.sessions = sessions;
    this.users = users;
    this.issuers = issuers;
  }

  void handle(Context ctx) {
    String accountId = ctx.pathParam("account");
    Account account = accounts.requireActive(accountId);
    try {
      answer(ctx, account);
    } catch (ApiException e) {
      if (BearerAuth.ERRORS.contains(e.code())) {
        rejections.record(ctx, accountId, ctx.queryParam("access_token") != null
            ? ctx.queryParam("access_token") : BearerAuth.presentedCredential(ctx), e.code());
      }
      throw e;
    }
  }

  private void answer(Context ctx, Account account) {
    String accountId = account.id();
    ctx.attribute(ErrorWriter.REALM, issuers.issuer(accountId));
    if (ctx.queryParam("access_token") != null) {
      throw new ApiException(ErrorCode.TOKEN_IN_URL,
          "The access_token query parameter is not accepted (RFC 6750 5.3).");
    }
    AccessToken at = accessTokens.verify(BearerAuth.token(ctx.header("Authorization")),
        accountId);
    if (at.sessionId() == null) {
      throw new ApiException(ErrorCode.CLIENT_TOKEN_NOT_ACCEPTED, "This token was issued to the "
          + "client '" + at.clientId() + "' by the client_credentials grant and carries no user; "
          + "the userinfo endpoint takes tokens issued to an OAuth client for a user (OIDC Core "
          + "5.3).");
    }
    if (SessionService.FIRST_PARTY_CLIENT.equals(at.clientId())) {
      throw new ApiException(ErrorCode.CLIENT_TOKEN_NOT_ACCEPTED, "This token comes from signing "
          + "in to Jeton itself; the userinfo endpoint takes tokens issued to an OAuth client for "
          + "a user (OIDC Core 5.3). With this token, read the user at /api/v1/me.");
    }
    if (!sessions.isActive(at.sessionId())) {
      throw new ApiException(ErrorCode.TOKEN_REVOKED,
          "The session this token belongs to has ended (logout, expiry or revocation).");
    }
    if (!at.hasScope(IdTokens.OPENID)) {
      ctx.attribute(ErrorWriter.REQUIRED_SCOPE, IdTokens.OPENID);
      throw new ApiException(ErrorCode.INSUFFICIENT_SCOPE,
          "The userinfo endpoint requires the 'openid' scope (OIDC Core 5.3.1).");
    }
    // counted against the grant (its session) and, when the account says so, its client
    limits.admit(ctx, accountId, accounts.limits(account),
        new Limits.Caller("s:" + at.sessionId(), at.clientId()));
    User user;
    try {
      user = users.current(accountId, at.subject());
    } catch (ApiException e) {
      throw new ApiException(ErrorCode.TOKEN_REVOKED,
          "The user of this token is blocked or no longer exists.");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sub", user.id());
    if (at.hasScope("email")) {
      body.put("email", user.email());
      body.put("email_verified", false);
    }
    Responses.tokens(ctx, 200, body);
  }
}
