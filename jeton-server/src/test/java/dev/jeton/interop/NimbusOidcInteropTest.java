package dev.jeton.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoErrorResponse;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.UserInfoSuccessResponse;
import com.nimbusds.openid.connect.sdk.claims.AccessTokenHash;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.AccessTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.jeton.client.ClientService;
import dev.jeton.oauth.OidcFlow;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Settings;
import dev.jeton.testing.TestServer;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Jeton as an OpenID Provider driven by the Nimbus OAuth 2.0 SDK's OpenID Connect classes
 * (com.nimbusds.openid.connect.sdk): provider metadata (OIDC Discovery 3), an authentication
 * request with nonce and PKCE (OIDC Core 3.1.2.1), the token response with its ID token
 * validated against the JWKS with the algorithm its key declares, ES256 or RS256 (OIDC Core
 * 3.1.3.7), {@code at_hash} (3.1.3.8), and userinfo (OIDC Core 5.3), on both engines.
 */
@OnBothEngines
class NimbusOidcInteropTest {
  TestServer server;
  String issuer;
  OIDCProviderMetadata metadata;
  ClientService.Registered app;
  OidcFlow flow;

  @BeforeEach
  void start(TestServer server) throws Exception {
    this.server = server;
    issuer = server.api().base() + "/accounts/main";
    Api.Response doc = server.api().get("/accounts/main/.well-known/openid-configuration");
    metadata = OIDCProviderMetadata.parse(doc.body());
    app = OidcFlow.client(server, "openid", "email");
    flow = new OidcFlow(server, app, "ada@example.com");
  }

  private ClientID clientId() {
    return new ClientID(app.client().clientId());
  }

  private OIDCTokenResponse signIn(Nonce nonce) throws Exception {
    CodeVerifier verifier = new CodeVerifier();
    State state = new State();
    URI cb = URI.create(OidcFlow.CB);
    AuthenticationRequest request = new AuthenticationRequest.Builder(ResponseType.CODE,
        new Scope("openid", "email"), clientId(), cb)
        .state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256)
        .endpointURI(metadata.getAuthorizationEndpointURI()).build();
    Map<String, String> answer = flow.approve(request.toURI().toString());
    assertThat(answer).containsEntry("state", state.getValue()).containsEntry("iss", issuer);
    TokenRequest token = new TokenRequest.Builder(metadata.getTokenEndpointURI(),
        new ClientSecretBasic(clientId(), new Secret(app.secret())),
        new AuthorizationCodeGrant(new AuthorizationCode(answer.get("code")), cb, verifier))
        .build();
    TokenResponse r = OIDCTokenResponseParser.parse(token.toHTTPRequest().send());
    assertThat(r.indicatesSuccess()).as(() -> r.toErrorResponse().getErrorObject().toString())
        .isTrue();
    return (OIDCTokenResponse) r.toSuccessResponse();
  }

  /**
   * The algorithm of the JWKS key that {@code idToken}'s {@code kid} names (read, not assumed:
   * the account's key may be ES256 today and RS256 tomorrow), after checking its signature.
   */
  private JWSAlgorithm algorithmOf(JWT idToken) throws Exception {
    return Interop.verifyWithJwks(issuer, (SignedJWT) idToken);
  }

  private IDTokenValidator validator(JWSAlgorithm alg) throws Exception {
    JWKSet jwks = JWKSet.load(metadata.getJWKSetURI().toURL());
    return new IDTokenValidator(metadata.getIssuer(), clientId(), alg, jwks);
  }

  @Test
  void metadataWhenParsedByNimbusThenOidcEndpoints() {
    assertThat(metadata.getIssuer()).isEqualTo(new Issuer(issuer));
    assertThat(metadata.getUserInfoEndpointURI()).hasToString(issuer + "/oauth2/userinfo");
    assertThat(metadata.getEndSessionEndpointURI()).hasToString(issuer + "/oauth2/logout");
    assertThat(metadata.getScopes().toStringList()).contains("openid", "email");
    assertThat(metadata.getIDTokenJWSAlgs()).isNotEmpty();
  }

  @Test
  void idTokenWhenValidatedByNimbusWithNonceThenClaimsAndAtHash() throws Exception {
    Nonce nonce = new Nonce();
    OIDCTokenResponse r = signIn(nonce);
    JWT idToken = r.getOIDCTokens().getIDToken();
    JWSAlgorithm alg = algorithmOf(idToken);
    assertThat(metadata.getIDTokenJWSAlgs()).as("discovery agrees with the JWKS").contains(alg);
    IDTokenClaimsSet claims = validator(alg).validate(idToken, nonce);
    assertThat(claims.getSubject().getValue()).isEqualTo(flow.userId());
    assertThat(claims.getNonce()).isEqualTo(nonce);
    assertThat(claims.getAuthenticationTime()).isNotNull();
    AccessTokenHash atHash = claims.getAccessTokenHash();
    assertThat(atHash).isNotNull();
    AccessTokenValidator.validate(r.getOIDCTokens().getAccessToken(), alg, atHash);
  }

  @Test
  @Settings("SIGNING_ALG=RS256")
  void idTokenWhenAccountSignsWithRs256ThenValidatedWithTheAlgorithmOfTheJwks()
      throws Exception {
    Nonce nonce = new Nonce();
    OIDCTokenResponse r = signIn(nonce);
    JWT idToken = r.getOIDCTokens().getIDToken();
    JWSAlgorithm alg = algorithmOf(idToken);
    assertThat(alg).isEqualTo(JWSAlgorithm.RS256);
    assertThat(metadata.getIDTokenJWSAlgs()).contains(alg);
    IDTokenClaimsSet claims = validator(alg).validate(idToken, nonce);
    assertThat(claims.getSubject().getValue()).isEqualTo(flow.userId());
    AccessTokenValidator.validate(r.getOIDCTokens().getAccessToken(), alg,
        claims.getAccessTokenHash());
  }

  @Test
  void idTokenWhenValidatedWithOtherNonceThenNimbusRejects() throws Exception {
    OIDCTokenResponse r = signIn(new Nonce());
    JWT idToken = r.getOIDCTokens().getIDToken();
    JWSAlgorithm alg = algorithmOf(idToken);
    assertThatThrownBy(() -> validator(alg).validate(idToken, new Nonce()))
        .isInstanceOf(BadJOSEException.class);
  }

  @Test
  void userInfoWhenRequestedByNimbusThenSubAndEmail() throws Exception {
    OIDCTokenResponse r = signIn(new Nonce());
    BearerAccessToken at = r.getOIDCTokens().getBearerAccessToken();
    UserInfoResponse info = UserInfoResponse.parse(new UserInfoRequest(
        metadata.getUserInfoEndpointURI(), at).toHTTPRequest().send());
    assertThat(info.indicatesSuccess()).isTrue();
    UserInfoSuccessResponse ok = info.toSuccessResponse();
    assertThat(ok.getUserInfo().getSubject().getValue()).isEqualTo(flow.userId());
    assertThat(ok.getUserInfo().getEmailAddress()).isEqualTo("ada@example.com");
    assertThat(ok.getUserInfo().getEmailVerified()).isFalse();
  }

  @Test
  void userInfoWhenIdTokenSentAsBearerThenNimbusSeesInvalidToken() throws Exception {
    OIDCTokenResponse r = signIn(new Nonce());
    BearerAccessToken wrong = new BearerAccessToken(
        r.getOIDCTokens().getIDTokenString());
    UserInfoResponse info = UserInfoResponse.parse(new UserInfoRequest(
        metadata.getUserInfoEndpointURI(), wrong).toHTTPRequest().send());
    assertThat(info.indicatesSuccess()).isFalse();
    UserInfoErrorResponse err = info.toErrorResponse();
    assertThat(err.getErrorObject().getCode()).isEqualTo("invalid_token");
    assertThat(err.getErrorObject().getHTTPStatusCode()).isEqualTo(401);
  }
}
