package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.client.Client;
import dev.jeton.client.ClientAuthenticator;
import dev.jeton.config.Config;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Form;
import dev.jeton.http.Responses;
import dev.jeton.http.Text;
import dev.jeton.oauth.IdTokens;
import dev.jeton.session.SessionService;
import dev.jeton.token.Scope;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST {issuer}/oauth2/token} (RFC 6749 3.2): authenticates the client (RFC 6749 2.3,
 * 3.2.1), then dispatches on {@code grant_type}: {@code authorization_code} (RFC 6749 4.1.3,
 * {@link AuthorizationCodeGrant}), {@code refresh_token} (RFC 6749 6, {@link RefreshTokenGrant})
 * {@code client_credentials} (RFC 6749 4.4) and the device code grant (RFC 8628 3.4,
 * {@link DeviceCodeGrant}); the password and implicit grants never will be
 * offered (RFC 9700 2.1.2, 2.4). The answer is
 * the RFC 6749 5.1 token response with {@code Cache-Control: no-store}
 * (docs/security.md#token-response-no-store).
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-5.1">RFC 6749 5.1</a>
 */
public final class TokenEndpoint {
  /** The endpoint's path under an issuer (RFC 6749 3.2). */
  public static final String PATH = "/oauth2/token";
  /** The errors of the token endpoint (RFC 6749 5.2, RFC 8628 3.5). */
  public static final Set<ErrorCode> ERRORS = Set.of(ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_CLIENT, ErrorCode.INVALID_GRANT, ErrorCode.UNAUTHORIZED_CLIENT, ErrorCode.UNSUPPORTED_GRANT_TYPE, ErrorCode.INVALID_SCOPE, ErrorCode.AUTHORIZATION_PENDING, ErrorCode.SLOW_DOWN, ErrorCode.ACCESS_DENIED, ErrorCode.EXPIRED_TOKEN);

  private final AccountService accounts;
  private final ClientAuthenticator clientAuth;
  private final ClientCredentialsGrant clientCredentials;
  private final AuthorizationCodeGrant authorizationCode;
  private final RefreshTokenGrant refreshToken;
  private final DeviceCodeGrant deviceCode;
  private final IdTokens idTokens;

  TokenEndpoint(AccountService accounts, ClientAuthenticator clientAuth,
      ClientCredentialsGrant clientCredentials, AuthorizationCodeGrant authorizationCode,
      RefreshTokenGrant refreshToken, DeviceCodeGrant deviceCode, IdTokens idTokens) {
    this.accounts = accounts;
    this.clientAuth = clientAuth;
    this.clientCredentials = clientCredentials;
    this.authorizationCode = authorizationCode;
    this.refreshToken = refreshToken;
    this.deviceCode = deviceCode;
    this.idTokens = idTokens;
  }

  void handle(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    Form form = Form.parse(ctx);
    Client client = clientAuth.authenticate(account.id(), ctx.header("Authorization"),
        form.get("client_id"), form.get("client_secret")).client();
    Config.Lifetimes lifetimes = client.lifetimes(accounts.lifetimes(account));
    String grantType = form.get("grant_type");
    if (grantType == null) {
      if (form.get("response_type") != null) {
        throw new ApiException(ErrorCode.UNSUPPORTED_GRANT_TYPE, "The implicit grant is not "
            + "offered (RFC 9700 2.1.2); the token endpoint takes a grant_type.");
      }
      throw Form.invalidRequest("The parameter 'grant_type' is required (RFC 6749 4.1.3, "
          + "4.4.2, 6).");
    }
    switch (grantType) {
      case Client.CLIENT_CREDENTIALS -> clientCredentials(ctx, client, form, lifetimes);
      case Client.AUTHORIZATION_CODE -> {
        AuthorizationCodeGrant.Redeemed r = authorizationCode.redeem(account, client,
            form.get("code"), form.get("redirect_uri"), form.get("code_verifier"), lifetimes);
        writePair(ctx, client, r.pair(), r.pair().session().scopes(), r.nonce());
      }
      case Client.DEVICE_CODE -> {
        SessionService.TokenPair pair = deviceCode.redeem(account, client,
            form.get("device_code"), lifetimes);
        writePair(ctx, client, pair, pair.session().scopes(), null);
      }
      case Client.REFRESH_TOKEN -> {
        SessionService.TokenPair pair = refreshToken.refresh(account, client,
            form.get("refresh_token"), form.get("scope"), lifetimes);
        writePair(ctx, client, pair, pair.scope(), null);
      }
      case "password" -> throw new ApiException(ErrorCode.UNSUPPORTED_GRANT_TYPE,
          "The resource owner password grant is never offered: it hands the user's password to "
              + "the client (RFC 9700 2.4).");
      case "implicit", "token" -> throw new ApiException(ErrorCode.UNSUPPORTED_GRANT_TYPE,
          "The implicit grant is never offered (RFC 9700 2.1.2).");
      default -> throw new ApiException(ErrorCode.UNSUPPORTED_GRANT_TYPE,
          "The grant type '" + Text.clip(grantType) + "' is not supported here; see "
              + "grant_types_supported in the discovery document.");
    }
  }

  /**
   * RFC 6749 5.1, with a refresh token only for clients registered for that grant, plus an
   * {@code id_token} when the scopes include {@code openid} (OIDC Core 3.1.3.3, 12.2).
   */
  private void writePair(Context ctx, Client client, SessionService.TokenPair pair,
      Scope scopes, String nonce) {
    String idToken = idTokens.forPair(client, pair, scopes, nonce);
    long issuedAt = pair.access().claims().issuedAt();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", pair.access().token());
    body.put("token_type", "Bearer");
    body.put("expires_in", pair.access().claims().expiresAt() - issuedAt);
    if (client.allowsGrant(Client.REFRESH_TOKEN)) {
      body.put("refresh_token", pair.refreshToken());
      body.put("refresh_token_expires_in",
          Math.max(0, (pair.refreshExpiresAt() - pair.issuedAt()) / 1000));
    }
    body.put("scope", scopes.sorted().render());
    body.put("issued_at", issuedAt);
    if (idToken != null) {
      body.put("id_token", idToken);
    }
    Responses.tokens(ctx, 200, body);
  }

  private void clientCredentials(Context ctx, Client client, Form form,
      Config.Lifetimes lifetimes) {
    ClientCredentialsGrant.Result r = clientCredentials.grant(client, form.get("scope"),
        lifetimes.accessToken());
    long issuedAt = r.issued().claims().issuedAt();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", r.issued().token());
    body.put("token_type", "Bearer");
    body.put("expires_in", r.issued().claims().expiresAt() - issuedAt);
    if (!r.scope().isEmpty()) {
      body.put("scope", r.scope().render());
    }
    body.put("issued_at", issuedAt);
    Responses.tokens(ctx, 200, body);
  }
}
