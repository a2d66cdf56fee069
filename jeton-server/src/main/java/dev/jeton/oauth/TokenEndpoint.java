package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.client.Client;
import dev.jeton.config.Config;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Responses;
import dev.jeton.limit.Limits;
import dev.jeton.session.SessionService;
import dev.jeton.session.TokenResponse;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST {issuer}/oauth2/token} (RFC 6749 3.2): authenticates the client (RFC 6749 2.3,
 * 3.2.1), parses the form once into a {@link TokenRequest} of its grant, checks that the client
 * is registered for that grant ({@code unauthorized_client}, RFC 6749 5.2), resolves the client's
 * token lifetimes and the access token's audience (RFC 8707, {@link Audiences}), and runs the
 * grant: {@code authorization_code} (RFC 6749 4.1.3,
 * {@link AuthorizationCodeGrant}), {@code refresh_token} (RFC 6749 6, {@link RefreshTokenGrant}),
 * {@code client_credentials} (RFC 6749 4.4, {@link ClientCredentialsGrant}) or the device code
 * grant (RFC 8628 3.4, {@link DeviceCodeGrant}), or token exchange (RFC 8693,
 * {@link TokenExchangeGrant}); the password and implicit grants never will be
 * offered (RFC 9700 2.1.2, 2.4). The answer is the RFC 6749 5.1 token response with
 * {@code Cache-Control: no-store} (docs/security.md#token-response-no-store).
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-5.1">RFC 6749 5.1</a>
 */
public final class TokenEndpoint {
  /** The endpoint's path under an issuer (RFC 6749 3.2). */
  public static final String PATH = "/oauth2/token";
  /** The errors of the token endpoint (RFC 6749 5.2, RFC 8628 3.5). */
  public static final Set<ErrorCode> ERRORS = Limits.and(ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_CLIENT, ErrorCode.CLIENT_AUTH_THROTTLED, ErrorCode.INVALID_GRANT,
      ErrorCode.UNAUTHORIZED_CLIENT,
      ErrorCode.UNSUPPORTED_GRANT_TYPE, ErrorCode.INVALID_SCOPE, ErrorCode.AUTHORIZATION_PENDING,
      ErrorCode.SLOW_DOWN, ErrorCode.ACCESS_DENIED, ErrorCode.EXPIRED_TOKEN,
      ErrorCode.INVALID_TARGET);

  private final AccountService accounts;
  private final ClientRequest.Reader clientAuth;
  private final ClientCredentialsGrant clientCredentials;
  private final AuthorizationCodeGrant authorizationCode;
  private final RefreshTokenGrant refreshToken;
  private final DeviceCodeGrant deviceCode;
  private final TokenExchangeGrant tokenExchange;
  private final IdTokens idTokens;

  TokenEndpoint(AccountService accounts, ClientRequest.Reader clientAuth,
      ClientCredentialsGrant clientCredentials, AuthorizationCodeGrant authorizationCode,
      RefreshTokenGrant refreshToken, DeviceCodeGrant deviceCode,
      TokenExchangeGrant tokenExchange, IdTokens idTokens) {
    this.accounts = accounts;
    this.clientAuth = clientAuth;
    this.clientCredentials = clientCredentials;
    this.authorizationCode = authorizationCode;
    this.refreshToken = refreshToken;
    this.deviceCode = deviceCode;
    this.tokenExchange = tokenExchange;
    this.idTokens = idTokens;
  }

  void handle(Context ctx) {
    ClientRequest req = clientAuth.read(ctx);
    Account account = req.account();
    Client client = req.client();
    TokenRequest request = TokenRequest.parse(req.form());
    permit(client, request);
    // decided before any code or token is spent: a refused resource leaves them usable
    List<String> audience = Audiences.of(client, request.resources());
    // a client's own lifetimes stay within the ceilings set above its account
    Config.Lifetimes lifetimes = accounts.lifetimes(account, client::lifetimes);
    if (request instanceof TokenRequest.TokenExchange exchange) {
      TokenExchangeGrant.Result r = tokenExchange.exchange(account, client, exchange,
          lifetimes.accessToken(), audience, ctx.ip());
      Map<String, Object> body = TokenResponse.of(r.issued(), r.scope()).members();
      body.put("issued_token_type", TokenRequest.TokenExchange.ACCESS_TOKEN_TYPE); // RFC 8693 2.2.1
      Responses.tokens(ctx, 200, body);
      return;
    }
    Responses.tokens(ctx, 200, execute(account, client, request, lifetimes, audience).members());
  }

  /**
   * A client may use only the grants it is registered for (RFC 6749 5.2,
   * docs/security.md#grants-per-client), and the client credentials grant only if it is
   * confidential (RFC 6749 4.4).
   *
   * @throws ApiException {@code unauthorized_client}
   */
  private static void permit(Client client, TokenRequest request) {
    if (request instanceof TokenRequest.ClientCredentials && client.isPublic()) {
      throw new ApiException(ErrorCode.UNAUTHORIZED_CLIENT,
          "The client_credentials grant is only for confidential clients (RFC 6749 4.4).");
    }
    if (request instanceof TokenRequest.TokenExchange && client.isPublic()) {
      throw new ApiException(ErrorCode.UNAUTHORIZED_CLIENT,
          "Token exchange is only for confidential clients (RFC 8693 5).");
    }
    if (!client.allowsGrant(request.grantType())) {
      throw new ApiException(ErrorCode.UNAUTHORIZED_CLIENT, "The client is not registered for "
          + "the " + request.grantType() + " grant (RFC 6749 5.2).");
    }
  }

  /**
   * Runs the request's grant, its access token meant for {@code audience}; answers the RFC 6749
   * 5.1 token response.
   */
  private TokenResponse execute(Account account, Client client, TokenRequest request,
      Config.Lifetimes lifetimes, List<String> audience) {
    if (request instanceof TokenRequest.AuthorizationCode code) {
      AuthorizationCodeGrant.Redeemed r = authorizationCode.redeem(account, client, code,
          lifetimes, audience);
      return pair(client, r.pair(), r.nonce());
    }
    if (request instanceof TokenRequest.RefreshToken refresh) {
      return pair(client, refreshToken.refresh(account, client, refresh, lifetimes, audience),
          null);
    }
    if (request instanceof TokenRequest.DeviceCode device) {
      return pair(client, deviceCode.redeem(account, client, device, lifetimes, audience), null);
    }
    if (request instanceof TokenRequest.ClientCredentials credentials) {
      ClientCredentialsGrant.Result r = clientCredentials.grant(client, credentials,
          lifetimes.accessToken(), audience);
      return TokenResponse.of(r.issued(), r.scope());
    }
    throw new AssertionError("a token request of no grant: " + request.grantType());
  }

  /**
   * RFC 6749 5.1, with the refresh token only for clients registered for that grant, plus an
   * {@code id_token} when the access token carries {@code openid} (OIDC Core 3.1.3.3, 12.2).
   */
  private TokenResponse pair(Client client, SessionService.TokenPair pair, String nonce) {
    TokenResponse r = TokenResponse.of(pair).withIdToken(idTokens.forPair(client, pair, nonce));
    return client.allowsGrant(Client.REFRESH_TOKEN) ? r : r.withoutRefreshToken();
  }
}
