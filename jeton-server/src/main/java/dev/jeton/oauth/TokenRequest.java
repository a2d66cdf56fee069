package dev.jeton.oauth;

import dev.jeton.client.Client;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Form;
import dev.jeton.http.Text;
import dev.jeton.token.Scope;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A request to the token endpoint (RFC 6749 3.2), parsed once from its form into the record of
 * its grant: {@link AuthorizationCode} (RFC 6749 4.1.3, RFC 7636 4.5), {@link RefreshToken}
 * (RFC 6749 6), {@link ClientCredentials} (RFC 6749 4.4.2), {@link DeviceCode} (RFC 8628 3.4)
 * or {@link TokenExchange} (RFC 8693 2.1).
 * Each record checks its own parameters when it is made, so a request that exists is well-formed:
 * a missing parameter is {@code invalid_request} naming the RFC section that requires it, a
 * malformed {@code scope} is {@code invalid_scope} (RFC 6749 3.3). The password and implicit
 * grants are never offered (RFC 9700 2.4, 2.1.2), and an unknown grant type is
 * {@code unsupported_grant_type} (RFC 6749 5.2). Whether the client may use the grant, and
 * whether the code or token is good, the token endpoint and the grants decide.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-3.2">RFC 6749 3.2</a>
 */
sealed interface TokenRequest permits TokenRequest.AuthorizationCode, TokenRequest.RefreshToken,
    TokenRequest.ClientCredentials, TokenRequest.DeviceCode, TokenRequest.TokenExchange {

  /** The request's {@code grant_type}, as a client registers it (RFC 7591 2). */
  String grantType();

  /**
   * The resource indicators sent (RFC 8707 2), in order; empty for the client's default audience
   * ({@link Audiences}).
   */
  List<String> resources();

  /**
   * Parses a token request by its {@code grant_type}.
   *
   * @throws ApiException {@code invalid_request}, {@code unsupported_grant_type} or
   *     {@code invalid_scope}
   */
  static TokenRequest parse(Form form) {
    String grantType = form.get("grant_type");
    if (grantType == null) {
      if (form.get("response_type") != null) {
        throw new ApiException(ErrorCode.UNSUPPORTED_GRANT_TYPE, "The implicit grant is not "
            + "offered (RFC 9700 2.1.2); the token endpoint takes a grant_type.");
      }
      throw Form.invalidRequest("The parameter 'grant_type' is required (RFC 6749 4.1.3, "
          + "4.4.2, 6).");
    }
    List<String> resources = form.all(Audiences.RESOURCE);
    return switch (grantType) {
      case Client.AUTHORIZATION_CODE -> new AuthorizationCode(form.get("code"),
          form.get("redirect_uri"), form.get("code_verifier"), resources);
      case Client.REFRESH_TOKEN -> new RefreshToken(form.get("refresh_token"),
          RequestedScope.parse(form.get("scope")), resources);
      case Client.CLIENT_CREDENTIALS -> new ClientCredentials(
          RequestedScope.parse(form.get("scope")), resources);
      case Client.DEVICE_CODE -> new DeviceCode(form.get("device_code"), resources);
      case Client.TOKEN_EXCHANGE -> {
        // RFC 8693 2.1: the audience parameter names a target as a resource does
        List<String> targets = new java.util.ArrayList<>(resources);
        targets.addAll(form.all("audience"));
        yield new TokenExchange(form.get("subject_token"), form.get("subject_token_type"),
            form.get("requested_token_type"), form.get("actor_token"),
            RequestedScope.parse(form.get("scope")), targets);
      }
      case "password" -> throw new ApiException(ErrorCode.UNSUPPORTED_GRANT_TYPE,
          "The resource owner password grant is never offered: it hands the user's password to "
              + "the client (RFC 9700 2.4).");
      case "implicit", "token" -> throw new ApiException(ErrorCode.UNSUPPORTED_GRANT_TYPE,
          "The implicit grant is never offered (RFC 9700 2.1.2).");
      default -> throw new ApiException(ErrorCode.UNSUPPORTED_GRANT_TYPE,
          "The grant type '" + Text.clip(grantType) + "' is not supported here; see "
              + "grant_types_supported in the discovery document.");
    };
  }

  /**
   * The authorization code grant's request (RFC 6749 4.1.3) with its PKCE verifier, which Jeton
   * requires of every client (RFC 7636 4.5, docs/security.md#pkce-verifier).
   *
   * @param redirectUri the {@code redirect_uri} sent, or null; the grant compares it with the
   *     authorization request's (RFC 6749 4.1.3)
   */
  record AuthorizationCode(String code, String redirectUri, String codeVerifier,
      List<String> resources) implements TokenRequest {
    public AuthorizationCode {
      resources = List.copyOf(resources);
      if (code == null) {
        throw Form.invalidRequest("The parameter 'code' is required (RFC 6749 4.1.3).");
      }
      if (codeVerifier == null) {
        throw Form.invalidRequest("The parameter 'code_verifier' is required: PKCE is mandatory "
            + "(RFC 7636 4.5).");
      }
    }

    @Override
    public String grantType() {
      return Client.AUTHORIZATION_CODE;
    }
  }

  /**
   * The refresh token grant's request (RFC 6749 6).
   *
   * @param scope the scope asked for, which may only narrow the one granted; empty for all of it
   */
  record RefreshToken(String refreshToken, Optional<Scope> scope, List<String> resources)
      implements TokenRequest {
    public RefreshToken {
      resources = List.copyOf(resources);
      if (refreshToken == null) {
        throw Form.invalidRequest("The parameter 'refresh_token' is required (RFC 6749 6).");
      }
      Objects.requireNonNull(scope);
    }

    @Override
    public String grantType() {
      return Client.REFRESH_TOKEN;
    }
  }

  /**
   * The client credentials grant's request (RFC 6749 4.4.2).
   *
   * @param scope the scope asked for, within the client's registered scopes; empty for all of them
   */
  record ClientCredentials(Optional<Scope> scope, List<String> resources)
      implements TokenRequest {
    public ClientCredentials {
      resources = List.copyOf(resources);
      Objects.requireNonNull(scope);
    }

    @Override
    public String grantType() {
      return Client.CLIENT_CREDENTIALS;
    }
  }

  /** The device access token request (RFC 8628 3.4). */
  record DeviceCode(String deviceCode, List<String> resources) implements TokenRequest {
    public DeviceCode {
      resources = List.copyOf(resources);
      if (deviceCode == null) {
        throw Form.invalidRequest("The parameter 'device_code' is required (RFC 8628 3.4).");
      }
    }

    @Override
    public String grantType() {
      return Client.DEVICE_CODE;
    }
  }

  /**
   * The token exchange request (RFC 8693 2.1): an access token or personal access token of a
   * user or service principal ({@code subject_token}) traded for a short-lived access token for
   * a named audience, with at most the subject token's scopes. Impersonation only: an
   * {@code actor_token} (delegation, RFC 8693 1.1) is not taken.
   *
   * @param targets the {@code resource} and {@code audience} values, in order
   */
  record TokenExchange(String subjectToken, String subjectTokenType, String requestedTokenType,
      String actorToken, Optional<Scope> scope, List<String> targets) implements TokenRequest {
    /** RFC 8693 3: the token type of an OAuth access token (and of a personal access token). */
    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

    public TokenExchange {
      targets = List.copyOf(targets);
      Objects.requireNonNull(scope);
      if (subjectToken == null) {
        throw Form.invalidRequest("The parameter 'subject_token' is required (RFC 8693 2.1).");
      }
      if (subjectTokenType == null) {
        throw Form.invalidRequest("The parameter 'subject_token_type' is required (RFC 8693 "
            + "2.1).");
      }
      if (!subjectTokenType.equals(ACCESS_TOKEN_TYPE)) {
        throw Form.invalidRequest("Only access tokens and personal access tokens are exchanged "
            + "here: subject_token_type must be " + ACCESS_TOKEN_TYPE + " (RFC 8693 3).");
      }
      if (requestedTokenType != null && !requestedTokenType.equals(ACCESS_TOKEN_TYPE)) {
        throw Form.invalidRequest("Only access tokens are issued by exchange: "
            + "requested_token_type must be " + ACCESS_TOKEN_TYPE + " or left out (RFC 8693 "
            + "2.1).");
      }
      if (actorToken != null) {
        throw Form.invalidRequest("Delegation (actor_token) is not offered; the exchanged "
            + "token acts as its subject (RFC 8693 1.1).");
      }
    }

    @Override
    public String grantType() {
      return Client.TOKEN_EXCHANGE;
    }

    @Override
    public List<String> resources() {
      return targets;
    }
  }
}
