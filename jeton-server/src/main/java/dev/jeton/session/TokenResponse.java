package dev.jeton.session;

import dev.jeton.token.AccessTokens;
import dev.jeton.token.Scope;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The successful token response (RFC 6749 5.1), built in one place for the OAuth token endpoint
 * and the first-party sign-in API: {@code access_token}, {@code token_type} ({@code Bearer},
 * RFC 6750), {@code expires_in} (the access token's lifetime in seconds), the
 * {@code refresh_token} with Jeton's {@code refresh_token_expires_in}, {@code scope}, Jeton's
 * {@code issued_at} (epoch seconds) and, for OpenID Connect, the {@code id_token} (OIDC Core
 * 3.1.3.3). The first-party API puts its {@code user} member before these.
 *
 * @param refreshToken the refresh token, or null when none is handed out
 * @param refreshTokenExpiresIn the refresh token's remaining lifetime in seconds
 * @param scope the {@code scope} member's text, or null to leave it out
 * @param idToken the ID token, or null
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-5.1">RFC 6749 5.1</a>
 */
public record TokenResponse(AccessTokens.Issued access, String refreshToken,
    long refreshTokenExpiresIn, String scope, String idToken) {

  /**
   * The response for a user's token pair: its access token, its refresh token, and the access
   * token's scopes in sorted order, named even when there are none.
   */
  public static TokenResponse of(SessionService.TokenPair pair) {
    return new TokenResponse(pair.access(), pair.refreshToken(),
        Math.max(0, (pair.refreshExpiresAt() - pair.issuedAt()) / 1000),
        pair.scope().sorted().render(), null);
  }

  /**
   * The response for an access token alone (the client credentials grant, RFC 6749 4.4.3): no
   * refresh token, and its scopes in their order, left out when there are none.
   */
  public static TokenResponse of(AccessTokens.Issued access, Scope scope) {
    return new TokenResponse(access, null, 0, scope.isEmpty() ? null : scope.render(), null);
  }

  /** This response without its refresh token (for a client not registered for the grant). */
  public TokenResponse withoutRefreshToken() {
    return new TokenResponse(access, null, 0, scope, idToken);
  }

  /** This response with an ID token (OIDC Core 3.1.3.3); null adds none. */
  public TokenResponse withIdToken(String idToken) {
    return new TokenResponse(access, refreshToken, refreshTokenExpiresIn, scope, idToken);
  }

  /** The JSON members, in the order they are written. */
  public Map<String, Object> members() {
    long issuedAt = access.claims().issuedAt();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("access_token", access.token());
    m.put("token_type", "Bearer");
    m.put("expires_in", access.claims().expiresAt() - issuedAt);
    if (refreshToken != null) {
      m.put("refresh_token", refreshToken);
      m.put("refresh_token_expires_in", refreshTokenExpiresIn);
    }
    if (scope != null) {
      m.put("scope", scope);
    }
    m.put("issued_at", issuedAt);
    if (idToken != null) {
      m.put("id_token", idToken);
    }
    return m;
  }
}
