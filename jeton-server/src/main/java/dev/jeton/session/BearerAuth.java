package dev.jeton.session;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Text;
import dev.jeton.limit.Limits;
import dev.jeton.observe.Metrics;
import dev.jeton.rejection.RejectionLog;
import dev.jeton.token.AccessToken;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.Issuers;
import io.javalin.http.Context;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Bearer authentication (RFC 6750) for every protected endpoint: the token only in the
 * Authorization header, verified for this account, its session still active, and carrying the
 * scope the endpoint needs. A rejection names the exact reason as a catalog code; the error
 * handler adds the {@code WWW-Authenticate} challenge.
 */
public final class BearerAuth {
  /** The errors of bearer authentication: every way a presented token can be refused. */
  public static final Set<ErrorCode> ERRORS = Limits.and(ErrorCode.TOKEN_MISSING,
      ErrorCode.TOKEN_IN_URL, ErrorCode.TOKEN_MALFORMED, ErrorCode.TOKEN_WRONG_TYPE,
      ErrorCode.TOKEN_SIGNATURE_INVALID, ErrorCode.TOKEN_EXPIRED, ErrorCode.TOKEN_NOT_YET_VALID,
      ErrorCode.TOKEN_UNKNOWN, ErrorCode.TOKEN_REVOKED, ErrorCode.TOKEN_WRONG_ACCOUNT,
      ErrorCode.TOKEN_WRONG_AUDIENCE, ErrorCode.INSUFFICIENT_SCOPE,
      ErrorCode.CLIENT_TOKEN_NOT_ACCEPTED, ErrorCode.USER_BLOCKED,
      ErrorCode.TOKEN_OWNER_DISABLED, ErrorCode.SESSION_REQUIRED);

  private final AccessTokens accessTokens;
  private final SessionService sessions;
  private final AccountService accounts;
  private final Issuers issuers;
  private final Metrics metrics;
  private final PatVerifier pats;
  private final Limits limits;
  private final RejectionLog rejections;

  public BearerAuth(AccessTokens accessTokens, SessionService sessions, AccountService accounts,
      Issuers issuers, Metrics metrics, PatVerifier pats, Limits limits,
      RejectionLog rejections) {
    this.limits = limits;
    this.rejections = rejections;
    this.pats = pats;
    this.accessTokens = accessTokens;
    this.sessions = sessions;
    this.accounts = accounts;
    this.issuers = issuers;
    this.metrics = metrics;
  }

  /**
   * Who is calling: the account whose API is called, the user the credential acts for and the
   * scopes it carries; {@code sessionId} for the access token of a sign-in, {@code patId} for a
   * personal access token (exactly one of the two is set).
   */
  public record Principal(Account account, String subject, Set<String> scopes, String sessionId,
      String patId) {}

  /**
   * Authenticates the request to {@code accountId}'s API by the access token of a sign-in or by a
   * personal access token, and requires {@code scope}.
   *
   * @throws ApiException {@code token_*}, {@code insufficient_scope} or {@code account_*}
   */
  public Principal require(Context ctx, String accountId, String scope) {
    return require(ctx, accountId, scope, true);
  }

  /**
   * Like {@link #require}, but only the access token of a sign-in will do: managing credentials
   * (passwords, tokens, sessions) is never done with a personal access token, so that a leaked
   * one cannot mint new ones or lock its owner out ({@code session_required}).
   */
  public Principal requireSession(Context ctx, String accountId, String scope) {
    return require(ctx, accountId, scope, false);
  }

  private Principal require(Context ctx, String accountId, String scope, boolean patAllowed) {
    ctx.attribute(ErrorWriter.REALM, issuers.issuer(accountId));
    Account account = null;
    String token = null;
    try {
      account = accounts.requireActive(accountId);
      if (ctx.queryParam("access_token") != null) {
        token = ctx.queryParam("access_token");
        throw new ApiException(ErrorCode.TOKEN_IN_URL,
            "The access_token query parameter is not accepted (RFC 6750 5.3).");
      }
      String header = ctx.header("Authorization");
      token = patAllowed && isBasic(header) ? basicPat(header)
          : bearerToken(header);
      if (token.startsWith(PAT_PREFIX)) {
        if (!patAllowed) {
          throw new ApiException(ErrorCode.SESSION_REQUIRED, "Personal access tokens cannot "
              + "manage passwords, tokens or sessions; use the access token of a sign-in.");
        }
        PatVerifier.Verified v = pats.verify(token, accountId, ctx.ip());
        requireScope(ctx, v.scopes(), scope);
        admit(ctx, account, "p:" + v.tokenId(), scope);
        return new Principal(account, v.subject(), v.scopes(), null, v.tokenId());
      }
      AccessToken at = accessTokens.verify(token, accountId);
      if (at.sessionId() == null && at.subject().equals(at.clientId())) {
        throw new ApiException(ErrorCode.CLIENT_TOKEN_NOT_ACCEPTED,
            "This token was issued to the client '" + at.clientId() + "' by the "
                + "client_credentials grant; it carries no user and no session (RFC 9700 4.15).");
      }
      if (!SessionService.FIRST_PARTY_CLIENT.equals(at.clientId())) {
        // Tokens issued to OAuth clients act for that client, within what the user consented to;
        // Jeton's own API (profile, password, grants, administration) needs a first-party
        // sign-in, whatever scope names a client registered.
        throw new ApiException(ErrorCode.CLIENT_TOKEN_NOT_ACCEPTED,
            "This token was issued to the OAuth client '" + at.clientId() + "'; Jeton's own API "
                + "accepts only tokens from signing in to Jeton itself.");
      }
      if (!at.audience().contains(issuers.api(accountId))) {
        throw new ApiException(ErrorCode.TOKEN_WRONG_AUDIENCE, "The token is meant for "
            + String.join(", ", new java.util.TreeSet<>(at.audience())) + ", not for Jeton's API "
            + issuers.api(accountId) + " (docs/security.md#audiences).");
      }
      if (!sessions.isActive(at.sessionId())) {
        throw new ApiException(ErrorCode.TOKEN_REVOKED,
            "The session this token belongs to has ended (logout, expiry or revocation).");
      }
      requireScope(ctx, at.scopes(), scope);
      admit(ctx, account, "s:" + at.sessionId(), scope);
      return new Principal(account, at.subject(), at.scopes(), at.sessionId(), null);
    } catch (ApiException e) {
      metrics.tokenRejected(e.code().code());
      if (account != null) { // an unknown account gets no log to fill
        rejections.record(ctx, accountId, token != null ? token : presentedCredential(ctx),
            e.code());
      }
      throw e;
    }
  }

  /**
   * The credential an unusable Authorization header carried, for the rejection log's fingerprint:
   * whatever follows the scheme (null without one).
   */
  public static String presentedCredential(Context ctx) {
    String h = ctx.header("Authorization");
    if (h == null) {
      return null;
    }
    int space = h.indexOf(' ');
    String rest = space < 0 ? "" : h.substring(space + 1).strip();
    return rest.isEmpty() ? null : rest;
  }

  /**
   * The account's limits on an authenticated call, counted against its credential: the session
   * for the access tokens of a sign-in (a refresh does not reset them), the token for a personal
   * access token (docs/limits.md). Administration (the {@code admin} scope) is rate limited but
   * not metered by the daily quota, so that admins can always read and raise it.
   */
  private void admit(Context ctx, Account account, String credential, String scope) {
    limits.admit(ctx, account.id(), accounts.limits(account), new Limits.Caller(credential, null,
        !SessionService.SCOPE_ADMIN.equals(scope)));
  }

  private static void requireScope(Context ctx, Set<String> scopes, String scope) {
    if (scope != null && !scopes.contains(scope)) {
      ctx.attribute(ErrorWriter.REQUIRED_SCOPE, scope);
      throw new ApiException(ErrorCode.INSUFFICIENT_SCOPE,
          "This endpoint requires the '" + scope + "' scope.");
    }
  }

  /** The prefix of every personal access token ({@code jeton_pat_}, docs/tokens.md). */
  private static final String PAT_PREFIX = "jeton_" + dev.jeton.token.TokenKind.PAT.tag() + "_";

  private static boolean isBasic(String header) {
    return header != null && header.length() >= 6 && header.regionMatches(true, 0, "Basic ", 0, 6);
  }

  /**
   * A personal access token sent as HTTP Basic credentials with the login {@code token}
   * (RFC 7617), which is what {@code curl --netrc} and other tools that know only user names and
   * passwords send for {@code machine <host> login token password <PAT>}. Nothing but a personal
   * access token is accepted this way: never a password, never an access token.
   */
  static String basicPat(String header) {
    String encoded = Text.ows(header.substring(6));
    String decoded;
    try {
      decoded = new String(java.util.Base64.getDecoder().decode(encoded),
          java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ApiException(ErrorCode.TOKEN_MALFORMED,
          "The Basic credentials are not valid base64 (RFC 7617).");
    }
    int colon = decoded.indexOf(':');
    if (colon < 0 || !decoded.substring(0, colon).equals("token")
        || !decoded.startsWith(PAT_PREFIX, colon + 1)) {
      throw new ApiException(ErrorCode.TOKEN_MISSING, "Basic credentials are accepted only as "
          + "the login 'token' with a personal access token as the password; send an access "
          + "token as 'Authorization: Bearer <token>'.");
    }
    return decoded.substring(colon + 1);
  }

  /** The credential of an RFC 6750 2.1 Authorization header, for endpoints outside the API. */
  public static String token(String header) {
    return bearerToken(header);
  }

  static String bearerToken(String header) {
    if (header == null || header.isBlank()) {
      throw new ApiException(ErrorCode.TOKEN_MISSING,
          "No Authorization header; send 'Authorization: Bearer <token>'.");
    }
    String h = Text.ows(header); // not trim(): "Bearer <token>\0" is not that token
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiException(ErrorCode.TOKEN_MISSING,
          "The Authorization header does not use the Bearer scheme.");
    }
    String token = Text.ows(h.substring(7));
    if (token.isEmpty()) {
      throw new ApiException(ErrorCode.TOKEN_MISSING, "The Bearer credential is empty.");
    }
    if (!B64TOKEN.matcher(token).matches()) {
      throw new ApiException(ErrorCode.TOKEN_MALFORMED, "The Bearer credential must be one "
          + "token of letters, digits and -._~+/ followed by optional '=' (RFC 6750 2.1); this "
          + "one has other characters or more than one word.");
    }
    return token;
  }

  /** RFC 6750 2.1: {@code b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. */
  private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");
}
