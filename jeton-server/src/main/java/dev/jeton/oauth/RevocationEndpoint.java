package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.client.Client;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Form;
import dev.jeton.limit.Limits;
import dev.jeton.observe.Audit;
import dev.jeton.session.Session;
import dev.jeton.session.SessionService;
import dev.jeton.token.AccessToken;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.TokenKind;
import io.javalin.http.Context;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST {issuer}/oauth2/revoke} (RFC 7009): a client revokes a token issued to it.
 *
 * <p>A refresh token revokes its whole session, so the session's access tokens stop being accepted
 * at once (RFC 7009 2.1, docs/security.md#revocation-immediate); an access token that names a
 * session revokes that session. Only the client the token was issued to can revoke it
 * (docs/security.md#revocation-owner-only): a token of another client or account, an unknown or
 * invalid token all get 200 and change nothing (RFC 7009 2.2, docs/security.md#revocation-answers).
 * Unknown {@code token_type_hint} values are ignored (RFC 7009 2.1). A client's own
 * client_credentials access token names no session and cannot be revoked before it expires: that is
 * {@code unsupported_token_type} (RFC 7009 2.2.1), as is any other kind of Jeton secret. Public
 * clients identify themselves by {@code client_id} (RFC 7009 5).
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7009#section-2">RFC 7009 2</a>
 */
public final class RevocationEndpoint {
  /** The endpoint's path under an issuer (RFC 7009 2). */
  public static final String PATH = "/oauth2/revoke";
  /** The errors of the revocation endpoint (RFC 7009 2.2.1). */
  public static final Set<ErrorCode> ERRORS = Limits.and(ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_CLIENT, ErrorCode.CLIENT_AUTH_THROTTLED, ErrorCode.UNAUTHORIZED_CLIENT,
      ErrorCode.UNSUPPORTED_TOKEN_TYPE);

  private final AccountService accounts;
  private final ClientRequest.Reader clientAuth;
  private final AccessTokens accessTokens;
  private final SessionService sessions;

  RevocationEndpoint(AccountService accounts, ClientRequest.Reader clientAuth,
      AccessTokens accessTokens, SessionService sessions) {
    this.accounts = accounts;
    this.clientAuth = clientAuth;
    this.accessTokens = accessTokens;
    this.sessions = sessions;
  }

  void handle(Context ctx) {
    ClientRequest req = clientAuth.read(ctx);
    Account account = req.account();
    Form form = req.form();
    Client client = req.client();
    String token = form.required("token");
    // token_type_hint (OPTIONAL, RFC 7009 2.1) is ignored, known or not: the format tells the kind.
    TokenKind kind = OpaqueTokens.kindOf(token);
    Optional<Session> session;
    if (kind == TokenKind.RT) {
      session = sessions.findRefreshToken(token).map(SessionService.RefreshTokenState::session);
    } else if (kind != null) {
      throw new ApiException(ErrorCode.UNSUPPORTED_TOKEN_TYPE, "Jeton '" + kind.tag()
          + "' secrets are not revoked here; this endpoint revokes refresh and access tokens.");
    } else {
      session = sessionOfAccessToken(account, client, token);
    }
    session.filter(s -> s.accountId().equals(account.id()))
        .filter(s -> s.clientId().equals(client.clientId()))
        .ifPresent(s -> {
          if (sessions.revoke(s.id(), "revoked_by_client")) {
            Audit.event("session_revoked_by_client", "account", account.id(),
                "client_id", client.clientId(), "session", s.id(), "user", s.userId());
          }
        });
    ctx.status(200);
  }

  private Optional<Session> sessionOfAccessToken(Account account, Client client, String token) {
    AccessToken at;
    try {
      at = accessTokens.verify(token, account.id());
    } catch (ApiException e) {
      return Optional.empty(); // invalid, expired or foreign: 200, nothing happens (RFC 7009 2.2)
    }
    if (at.sessionId() == null) {
      if (at.clientId().equals(client.clientId())) {
        throw new ApiException(ErrorCode.UNSUPPORTED_TOKEN_TYPE, "A client_credentials access "
            + "token is self-contained and stays valid until it expires at its exp; keep its "
            + "lifetime short instead.");
      }
      return Optional.empty();
    }
    return sessions.find(at.sessionId());
  }
}
