package dev.jeton.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.AuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionErrorResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationGrantError;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationRequest;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationResponse;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.device.DeviceCodeGrant;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Token;
import com.nimbusds.oauth2.sdk.token.TokenTypeURI;
import com.nimbusds.oauth2.sdk.token.Tokens;
import com.nimbusds.oauth2.sdk.token.TypelessAccessToken;
import com.nimbusds.oauth2.sdk.tokenexchange.TokenExchangeGrant;
import dev.jeton.oauth.OidcFlow;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Settings;
import dev.jeton.testing.TestServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Jeton's OAuth endpoints driven by the Nimbus OAuth 2.0 SDK (com.nimbusds:oauth2-oidc-sdk), a
 * client library written elsewhere: discovery (RFC 8414), the authorization code grant with PKCE
 * (RFC 6749 4.1, RFC 7636) from Nimbus's {@link AuthorizationRequest} to its parsed
 * {@link AuthorizationResponse} (with {@code iss}, RFC 9207), the refresh token grant with
 * rotation (RFC 6749 6, docs/security.md#refresh-reuse), the device authorization grant (RFC 8628),
 * the client credentials grant with both client authentication methods (RFC 6749 4.4, 2.3.1), local
 * JWT access token validation (RFC 9068) with Nimbus's JWT processor, introspection (RFC 7662),
 * revocation (RFC 7009) and RFC 6749 5.2 errors, on both engines. Everything goes over HTTP, as a
 * third party would see it; the user signs in and consents through Jeton's pages.
 */
@OnBothEngines
class NimbusOAuthSdkInteropTest {
  TestServer server;
  String issuer;
  Interop.Registered backend;
  AuthorizationServerMetadata metadata;

  @BeforeEach
  void start(TestServer server) throws Exception {
    this.server = server;
    issuer = server.api().base() + "/accounts/main";
    backend = Interop.confidential(server, "[\"client_credentials\",\"authorization_code\","
        + "\"refresh_token\"]", "[\"read\",\"write\"]");
    metadata = AuthorizationServerMetadata.resolve(new Issuer(issuer));
  }

  private ClientAuthentication basic() {
    return new ClientSecretBasic(new ClientID(backend.id()), new Secret(backend.secret()));
  }

  private ClientAuthentication post() {
    return new ClientSecretPost(new ClientID(backend.id()), new Secret(backend.secret()));
  }

  private TokenResponse token(ClientAuthentication auth, Scope scope) throws Exception {
    TokenRequest request = new TokenRequest(metadata.getTokenEndpointURI(), auth,
        new ClientCredentialsGrant(), scope);
    return TokenResponse.parse(request.toHTTPRequest().send());
  }

  private BearerAccessToken clientToken() throws Exception {
    TokenResponse r = token(basic(), null);
    assertThat(r.indicatesSuccess()).as(() -> r.toErrorResponse().getErrorObject().toString())
        .isTrue();
    return r.toSuccessResponse().getTokens().getBearerAccessToken();
  }

  private TokenIntrospectionResponse introspect(Token token) throws Exception {
    return TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(
        metadata.getIntrospectionEndpointURI(), basic(), token).toHTTPRequest().send());
  }

  private TokenIntrospectionSuccessResponse introspectOk(Token token) throws Exception {
    TokenIntrospectionResponse r = introspect(token);
    assertThat(r.indicatesSuccess()).as(() -> r.toErrorResponse().getErrorObject().toString())
        .isTrue();
    return r.toSuccessResponse();
  }

  private HTTPResponse revoke(Token token) throws Exception {
    return new TokenRevocationRequest(metadata.getRevocationEndpointURI(), basic(), token)
        .toHTTPRequest().send();
  }

  /**
   * A resource server's validation of Jeton access tokens with Nimbus: keys from the discovery
   * document's {@code jwks_uri}, only the algorithms its keys declare (read, not assumed),
   * {@code typ} at+jwt (RFC 9068 2.1), the expected
   * issuer and audience, required claims; {@code now} null for the real time.
   */
  private DefaultJWTProcessor<SecurityContext> processor(String expectedIssuer,
      String expectedAudience, Date now) throws Exception {
    JWKSource<SecurityContext> keys = JWKSourceBuilder
        .<SecurityContext>create(metadata.getJWKSetURI().toURL()).retrying(false).build();
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
    p.setJWSKeySelector(new JWSVerificationKeySelector<>(jwksAlgorithms(), keys));
    p.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(expectedAudience,
        new JWTClaimsSet.Builder().issuer(expectedIssuer).build(),
        Set.of("sub", "client_id", "iat", "exp", "jti")) {
      @Override
      protected Date currentTime() {
        return now != null ? now : super.currentTime();
      }
    });
    return p;
  }

  private Set<JWSAlgorithm> jwksAlgorithms() throws Exception {
    Set<JWSAlgorithm> algs = new HashSet<>();
    JWKSet.load(metadata.getJWKSetURI().toURL()).getKeys()
        .forEach(k -> algs.add(JWSAlgorithm.parse(k.getAlgorithm().getName())));
    assertThat(algs).as("algorithms of the JWKS").isNotEmpty();
    return algs;
  }

  private JWTClaimsSet validate(String jwt) throws Exception {
    return processor(issuer, Interop.API, null).process(jwt, null);
  }

  private TokenResponse send(TokenRequest request) throws Exception {
    return TokenResponse.parse(request.toHTTPRequest().send());
  }

  private Tokens success(TokenRequest request) throws Exception {
    TokenResponse r = send(request);
    assertThat(r.indicatesSuccess()).as(() -> r.toErrorResponse().getErrorObject().toString())
        .isTrue();
    return r.toSuccessResponse().getTokens();
  }

  private ErrorObject failure(TokenRequest request) throws Exception {
    TokenResponse r = send(request);
    assertThat(r.indicatesSuccess()).isFalse();
    ErrorObject e = r.toErrorResponse().getErrorObject();
    assertThat(e.getDescription()).isNotBlank();
    return e;
  }

  /** A token request of the confidential backend (client_secret_basic). */
  private TokenRequest backendRequest(AuthorizationGrant grant) {
    return new TokenRequest.Builder(metadata.getTokenEndpointURI(), basic(), grant).build();
  }

  /** A token request of a public client: {@code client_id} alone (RFC 6749 2.3.1, 3.2.1). */
  private TokenRequest publicRequest(String clientId, AuthorizationGrant grant) {
    return new TokenRequest.Builder(metadata.getTokenEndpointURI(), new ClientID(clientId), grant)
        .build();
  }

  /**
   * Nimbus's {@link AuthorizationRequest} for the backend with an S256 challenge of
   * {@code verifier}, sent in {@code user}'s signed-in browser (consenting if asked); the
   * redirect parsed back by Nimbus, checked for state and {@code iss} (RFC 9207).
   */
  private AuthorizationSuccessResponse authorize(OidcFlow user, Scope scope,
      CodeVerifier verifier) throws Exception {
    State state = new State();
    URI cb = URI.create(Interop.CB);
    AuthorizationRequest request = new AuthorizationRequest.Builder(ResponseType.CODE,
        new ClientID(backend.id())).redirectionURI(cb).scope(scope).state(state)
        .codeChallenge(verifier, CodeChallengeMethod.S256)
        .endpointURI(metadata.getAuthorizationEndpointURI()).build();
    Map<String, List<String>> params = new LinkedHashMap<>();
    user.approve(request.toURI().toString()).forEach((k, v) -> params.put(k, List.of(v)));
    AuthorizationResponse r = AuthorizationResponse.parse(cb, params);
    assertThat(r.indicatesSuccess()).as(params.toString()).isTrue();
    AuthorizationSuccessResponse ok = r.toSuccessResponse();
    assertThat(ok.getState()).isEqualTo(state);
    assertThat(ok.getIssuer()).isEqualTo(new Issuer(issuer));
    return ok;
  }

  /** The code flow for {@code scope} through Nimbus; answers the backend's tokens. */
  private Tokens codeFlow(OidcFlow user, Scope scope) throws Exception {
    CodeVerifier verifier = new CodeVerifier();
    AuthorizationCode code = authorize(user, scope, verifier).getAuthorizationCode();
    return success(backendRequest(new AuthorizationCodeGrant(code, URI.create(Interop.CB),
        verifier)));
  }

  @Test
  void discoveryWhenFetchedAndParsedByNimbusThenEndpointsAndMethodsMatch() throws Exception {
    // The document at the URL Nimbus derives from the issuer, and the same text parsed directly.
    assertThat(AuthorizationServerMetadata.resolveURL(new Issuer(issuer)).toString())
        .isEqualTo(issuer + "/.well-known/oauth-authorization-server");
    Api.Response raw = server.api().get(issuer + "/.well-known/oauth-authorization-server");
    assertThat(raw.status()).as(raw.toString()).isEqualTo(200);
    AuthorizationServerMetadata parsed = AuthorizationServerMetadata.parse(raw.body());
    for (AuthorizationServerMetadata m : List.of(metadata, parsed)) {
      assertThat(m.getIssuer()).isEqualTo(new Issuer(issuer));
      assertThat(m.getTokenEndpointURI()).isEqualTo(URI.create(issuer + "/oauth2/token"));
      assertThat(m.getIntrospectionEndpointURI())
          .isEqualTo(URI.create(issuer + "/oauth2/introspect"));
      assertThat(m.getRevocationEndpointURI()).isEqualTo(URI.create(issuer + "/oauth2/revoke"));
      assertThat(m.getJWKSetURI()).isEqualTo(URI.create(issuer + "/.well-known/jwks.json"));
      assertThat(m.getAuthorizationEndpointURI())
          .isEqualTo(URI.create(issuer + "/oauth2/authorize"));
      assertThat(m.getDeviceAuthorizationEndpointURI())
          .isEqualTo(URI.create(issuer + "/oauth2/device_authorization"));
      assertThat(m.getGrantTypes()).contains(GrantType.CLIENT_CREDENTIALS,
          GrantType.AUTHORIZATION_CODE, GrantType.REFRESH_TOKEN, GrantType.DEVICE_CODE);
      assertThat(m.getCodeChallengeMethods()).containsExactly(CodeChallengeMethod.S256);
      assertThat(m.supportsAuthorizationResponseIssuerParam()).isTrue();
      assertThat(m.getTokenEndpointAuthMethods()).contains(
          ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
          ClientAuthenticationMethod.CLIENT_SECRET_POST);
      // Introspection is for authenticated confidential clients only: no "none".
      assertThat(m.getIntrospectionEndpointAuthMethods()).containsExactlyInAnyOrder(
          ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
          ClientAuthenticationMethod.CLIENT_SECRET_POST);
      assertThat(m.getRevocationEndpointAuthMethods()).contains(
          ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
          ClientAuthenticationMethod.CLIENT_SECRET_POST, ClientAuthenticationMethod.NONE);
    }
  }

  @Test
  void clientCredentialsWhenClientSecretBasicThenAccessTokenResponseAndValidJwt()
      throws Exception {
    TokenResponse r = token(basic(), new Scope("read"));
    assertThat(r.indicatesSuccess()).as(() -> r.toErrorResponse().getErrorObject().toString())
        .isTrue();
    AccessTokenResponse ok = r.toSuccessResponse();
    BearerAccessToken at = ok.getTokens().getBearerAccessToken();
    assertThat(at).as("token_type Bearer").isNotNull();
    assertThat(at.getType()).isEqualTo(AccessTokenType.BEARER);
    assertThat(at.getScope()).isEqualTo(new Scope("read"));
    assertThat(at.getLifetime()).isPositive();
    assertThat(ok.getTokens().getRefreshToken()).as("RFC 6749 4.4.3").isNull();

    JWTClaimsSet c = validate(at.getValue());
    assertThat(c.getSubject()).isEqualTo(backend.id());
    assertThat(c.getStringClaim("client_id")).isEqualTo(backend.id());
    assertThat(c.getStringClaim("scope")).isEqualTo("read");
    assertThat(c.getIssuer()).isEqualTo(issuer);
    assertThat(c.getAudience()).containsExactly(Interop.API);
    assertThat((c.getExpirationTime().getTime() - c.getIssueTime().getTime()) / 1000)
        .isEqualTo(at.getLifetime());
    Interop.verifyWithJwks(issuer, SignedJWT.parse(at.getValue()));
  }

  @Test
  void clientCredentialsWhenClientSecretPostWithoutScopeThenEveryRegisteredScope()
      throws Exception {
    TokenResponse r = token(post(), null);
    assertThat(r.indicatesSuccess()).as(() -> r.toErrorResponse().getErrorObject().toString())
        .isTrue();
    BearerAccessToken at = r.toSuccessResponse().getTokens().getBearerAccessToken();
    assertThat(at.getScope()).isEqualTo(new Scope("read", "write"));
    JWTClaimsSet c = validate(at.getValue());
    assertThat(c.getSubject()).isEqualTo(backend.id());
    assertThat(c.getStringClaim("scope")).isEqualTo("read write");
  }

  @Test
  void authorizationCodeWhenNimbusRequestWithPkceThenParsedResponseAndUserTokens()
      throws Exception {
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    CodeVerifier verifier = new CodeVerifier();
    AuthorizationCode code = authorize(ada, new Scope("read"), verifier).getAuthorizationCode();
    assertThat(code.getValue()).startsWith("jeton_ac_");
    TokenResponse r = send(backendRequest(new AuthorizationCodeGrant(code,
        URI.create(Interop.CB), verifier)));
    assertThat(r.indicatesSuccess()).as(() -> r.toErrorResponse().getErrorObject().toString())
        .isTrue();
    AccessTokenResponse ok = r.toSuccessResponse();
    assertThat(ok.getCustomParameters()).as("no openid scope, no ID token")
        .doesNotContainKey("id_token");
    BearerAccessToken at = ok.getTokens().getBearerAccessToken();
    assertThat(at.getScope()).isEqualTo(new Scope("read"));
    assertThat(ok.getTokens().getRefreshToken().getValue()).startsWith("jeton_rt_");
    JWTClaimsSet c = validate(at.getValue());
    assertThat(c.getSubject()).isEqualTo(ada.userId());
    assertThat(c.getStringClaim("client_id")).isEqualTo(backend.id());
    assertThat(c.getStringClaim("scope")).isEqualTo("read");

    // The same code again (RFC 6749 4.1.2): invalid_grant, and the tokens it gave are revoked.
    ErrorObject replay = failure(backendRequest(new AuthorizationCodeGrant(code,
        URI.create(Interop.CB), verifier)));
    assertThat(replay).isEqualTo(OAuth2Error.INVALID_GRANT);
    assertThat(introspectOk(at).isActive()).isFalse();
  }

  @Test
  void authorizationCodeGrantWhenVerifierOfAnotherRequestThenInvalidGrant() throws Exception {
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    AuthorizationCode code = authorize(ada, new Scope("read"), new CodeVerifier())
        .getAuthorizationCode();
    ErrorObject e = failure(backendRequest(new AuthorizationCodeGrant(code,
        URI.create(Interop.CB), new CodeVerifier())));
    assertThat(e).isEqualTo(OAuth2Error.INVALID_GRANT);
    assertThat(e.getHTTPStatusCode()).isEqualTo(400);
    assertThat(e.getDescription()).contains("code_verifier");
  }

  @Test
  void refreshTokenGrantWhenRotatedThenOldTokenRefusedAndItsReuseRevokesTheFamily()
      throws Exception {
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    Tokens first = codeFlow(ada, new Scope("read", "write"));
    RefreshToken rt1 = first.getRefreshToken();
    Tokens second = success(backendRequest(new RefreshTokenGrant(rt1)));
    RefreshToken rt2 = second.getRefreshToken();
    assertThat(rt2.getValue()).startsWith("jeton_rt_").isNotEqualTo(rt1.getValue());
    assertThat(second.getBearerAccessToken().getScope()).isEqualTo(new Scope("read", "write"));
    assertThat(validate(second.getAccessToken().getValue()).getSubject())
        .isEqualTo(ada.userId());
    assertThat(introspectOk(rt1).isActive()).as("rotated out").isFalse();
    assertThat(introspectOk(rt2).isActive()).isTrue();

    // Past the lost-response grace the old token is reuse (docs/security.md#refresh-reuse):
    // invalid_grant, and the family ends, its live refresh and access tokens included.
    server.clock().advance(Interop.refreshGrace(server).plusSeconds(1));
    ErrorObject reuse = failure(backendRequest(new RefreshTokenGrant(rt1)));
    assertThat(reuse).isEqualTo(OAuth2Error.INVALID_GRANT);
    assertThat(reuse.getHTTPStatusCode()).isEqualTo(400);
    assertThat(failure(backendRequest(new RefreshTokenGrant(rt2))))
        .isEqualTo(OAuth2Error.INVALID_GRANT);
    assertThat(introspectOk(second.getAccessToken()).isActive()).isFalse();
  }

  @Test
  @Settings("REFRESH_GRACE=10s")
  void refreshTokenGrantWhenRetriedWithinGraceThenOneFreshPairAndLostSuccessorIsReuse()
      throws Exception {
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    RefreshToken rt1 = codeFlow(ada, new Scope("read")).getRefreshToken();
    RefreshToken lost = success(backendRequest(new RefreshTokenGrant(rt1))).getRefreshToken();
    // The response was lost; the client retries with the token it still holds, within grace.
    assertThat(Interop.refreshGrace(server)).isGreaterThan(Duration.ofSeconds(1));
    server.clock().advance(Duration.ofSeconds(1));
    RefreshToken kept = success(backendRequest(new RefreshTokenGrant(rt1))).getRefreshToken();
    assertThat(kept).isNotEqualTo(lost);
    assertThat(introspectOk(kept).isActive()).isTrue();
    // Whoever presents the successor the retry replaced is not the client that retried: reuse,
    // and the family ends (RFC 9700 4.14.2).
    assertThat(failure(backendRequest(new RefreshTokenGrant(lost))))
        .isEqualTo(OAuth2Error.INVALID_GRANT);
    assertThat(introspectOk(kept).isActive()).isFalse();
    assertThat(failure(backendRequest(new RefreshTokenGrant(kept))))
        .isEqualTo(OAuth2Error.INVALID_GRANT);
  }

  @Test
  void refreshTokenGrantWhenNarrowerScopeThenNarrowerTokenAndWiderScopeInvalidScope()
      throws Exception {
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    RefreshToken rt = codeFlow(ada, new Scope("read")).getRefreshToken();
    ErrorObject wider = failure(new TokenRequest.Builder(metadata.getTokenEndpointURI(), basic(),
        new RefreshTokenGrant(rt)).scope(new Scope("read", "write")).build());
    assertThat(wider).isEqualTo(OAuth2Error.INVALID_SCOPE);
    Tokens same = success(new TokenRequest.Builder(metadata.getTokenEndpointURI(), basic(),
        new RefreshTokenGrant(rt)).scope(new Scope("read")).build());
    assertThat(validate(same.getAccessToken().getValue()).getStringClaim("scope"))
        .isEqualTo("read");
  }

  @Test
  void deviceCodeGrantWhenPendingThenTokenErrorResponseAndAfterApprovalTokens()
      throws Exception {
    Interop.Registered tv = Interop.publicClient(server,
        "[\"urn:ietf:params:oauth:grant-type:device_code\",\"refresh_token\"]",
        "[\"read\",\"write\"]");
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    DeviceAuthorizationResponse started = DeviceAuthorizationResponse.parse(
        new DeviceAuthorizationRequest.Builder(new ClientID(tv.id())).scope(new Scope("read"))
            .endpointURI(metadata.getDeviceAuthorizationEndpointURI()).build()
            .toHTTPRequest().send());
    assertThat(started.indicatesSuccess()).isTrue();
    DeviceAuthorizationSuccessResponse d = started.toSuccessResponse();
    assertThat(d.getDeviceCode().getValue()).startsWith("jeton_dc_");
    assertThat(d.getUserCode().getValue()).matches("[A-Z]{4}-[A-Z]{4}");
    assertThat(d.getVerificationURI()).isEqualTo(URI.create(issuer + "/device"));
    assertThat(d.getVerificationURIComplete())
        .isEqualTo(URI.create(issuer + "/device?user_code=" + d.getUserCode().getValue()));
    assertThat(d.getLifetime()).isPositive();
    assertThat(d.getInterval()).isEqualTo(5);

    TokenRequest poll = publicRequest(tv.id(), new DeviceCodeGrant(d.getDeviceCode()));
    ErrorObject pending = failure(poll);
    assertThat(pending).isEqualTo(DeviceAuthorizationGrantError.AUTHORIZATION_PENDING);
    assertThat(pending.getHTTPStatusCode()).isEqualTo(400);
    assertThat(failure(poll)).as("polled within the interval")
        .isEqualTo(DeviceAuthorizationGrantError.SLOW_DOWN);

    Interop.approveDevice(ada, d.getUserCode().getValue());
    server.clock().advance(Duration.ofSeconds(d.getInterval() + 5 + 1));
    Tokens t = success(poll);
    assertThat(t.getBearerAccessToken().getScope()).isEqualTo(new Scope("read"));
    JWTClaimsSet c = validate(t.getAccessToken().getValue());
    assertThat(c.getSubject()).isEqualTo(ada.userId());
    assertThat(c.getStringClaim("client_id")).isEqualTo(tv.id());

    server.clock().advance(Duration.ofSeconds(d.getInterval() + 5 + 1));
    assertThat(failure(poll)).as("the device code is spent").isEqualTo(OAuth2Error.INVALID_GRANT);
    // The device's refresh token rotates for the public client, without a secret.
    Tokens refreshed = success(publicRequest(tv.id(), new RefreshTokenGrant(t.getRefreshToken())));
    assertThat(refreshed.getRefreshToken()).isNotEqualTo(t.getRefreshToken());
    assertThat(validate(refreshed.getAccessToken().getValue()).getSubject())
        .isEqualTo(ada.userId());
  }

  @Test
  void jwtProcessorWhenExpiredOrOtherIssuerOrAudienceOrTypOrForgedThenRejected()
      throws Exception {
    String jwt = clientToken().getValue();
    JWTClaimsSet c = validate(jwt);

    // exp: the same processor two minutes after exp (beyond Nimbus's 60 s default skew).
    Date late = new Date(c.getExpirationTime().getTime() + 120_000);
    assertThatThrownBy(() -> processor(issuer, Interop.API, late).process(jwt, null))
        .isInstanceOf(BadJWTException.class).hasMessageContaining("Expired");
    // iss and aud: a resource server of another account must refuse it.
    String other = server.api().base() + "/accounts/other";
    assertThatThrownBy(() -> processor(other, Interop.API, null).process(jwt, null))
        .isInstanceOf(BadJWTException.class).hasMessageContaining("iss");
    assertThatThrownBy(() -> processor(issuer, other, null).process(jwt, null))
        .isInstanceOf(BadJWTException.class).hasMessageContaining("aud");
    // typ: Nimbus's default verifier (JWT or none) refuses it, so the header really is at+jwt.
    DefaultJWTProcessor<SecurityContext> plain = processor(issuer, Interop.API, null);
    plain.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
    assertThatThrownBy(() -> plain.process(jwt, null)).isInstanceOf(BadJOSEException.class)
        .hasMessageContaining("at+jwt");
    // A payload changed after signing (more scope) no longer verifies.
    String[] parts = jwt.split("\\.");
    String forged = parts[0] + "." + Base64URL.encode(new JWTClaimsSet.Builder(c)
        .claim("scope", "read write admin").build().toString()
        .getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    assertThatThrownBy(() -> validate(forged)).isInstanceOf(BadJOSEException.class);
  }

  @Test
  void introspectionWhenClientCredentialsTokenThenActiveWithItsClaims() throws Exception {
    BearerAccessToken at = clientToken();
    TokenIntrospectionSuccessResponse i = introspectOk(at);
    assertThat(i.isActive()).isTrue();
    assertThat(i.getClientID()).isEqualTo(new ClientID(backend.id()));
    assertThat(i.getSubject().getValue()).isEqualTo(backend.id());
    assertThat(i.getScope()).isEqualTo(new Scope("read", "write"));
    assertThat(i.getIssuer()).isEqualTo(new Issuer(issuer));
    assertThat(i.getAudience()).containsExactly(new Audience(Interop.API));
    assertThat(i.getTokenType()).isEqualTo(AccessTokenType.BEARER);
    JWTClaimsSet c = SignedJWT.parse(at.getValue()).getJWTClaimsSet();
    assertThat(i.getJWTID().getValue()).isEqualTo(c.getJWTID());
    assertThat(i.getExpirationTime()).isEqualTo(c.getExpirationTime());
    assertThat(i.getIssueTime()).isEqualTo(c.getIssueTime());

    // RFC 7662 2.2: anything else is exactly {"active": false}.
    TokenIntrospectionSuccessResponse bogus = introspectOk(new BearerAccessToken("not-a-token"));
    assertThat(bogus.isActive()).isFalse();
    assertThat(bogus.getParameters()).containsOnlyKeys("active");
  }

  @Test
  void introspectionWhenSessionRevokedByNimbusRevocationRequestThenInactive() throws Exception {
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    Tokens tokens = codeFlow(ada, new Scope("read"));
    BearerAccessToken at = tokens.getBearerAccessToken();
    RefreshToken rt = tokens.getRefreshToken();
    assertThat(introspectOk(at).isActive()).isTrue();
    TokenIntrospectionSuccessResponse ri = introspectOk(rt);
    assertThat(ri.isActive()).isTrue();
    assertThat(ri.getClientID()).isEqualTo(new ClientID(backend.id()));
    assertThat(ri.getStringParameter("token_type")).isEqualTo("refresh_token");
    assertThat(ri.getSubject().getValue()).isEqualTo(ada.userId());

    HTTPResponse revoked = revoke(rt);
    assertThat(revoked.getStatusCode()).as(revoked.getBody()).isEqualTo(200);

    // RFC 7009 2.1: revoking the refresh token ends the session, its access tokens too.
    TokenIntrospectionSuccessResponse after = introspectOk(rt);
    assertThat(after.isActive()).isFalse();
    assertThat(after.getParameters()).containsOnlyKeys("active");
    assertThat(introspectOk(at).isActive()).isFalse();
    // Revoking it again is still 200 (RFC 7009 2.2).
    assertThat(revoke(rt).getStatusCode()).isEqualTo(200);
  }

  @Test
  void revocationWhenAccessTokenOfSessionThenSessionInactive() throws Exception {
    Tokens tokens = codeFlow(Interop.signedIn(server, backend, "bob@example.com"),
        new Scope("read"));
    BearerAccessToken at = tokens.getBearerAccessToken();
    assertThat(introspectOk(at).isActive()).isTrue();
    HTTPResponse revoked = revoke(at);
    assertThat(revoked.getStatusCode()).as(revoked.getBody()).isEqualTo(200);
    assertThat(introspectOk(at).isActive()).isFalse();
    assertThat(introspectOk(tokens.getRefreshToken()).isActive()).isFalse();
  }

  @Test
  void revocationWhenOwnClientCredentialsTokenThenUnsupportedTokenTypeAndStillActive()
      throws Exception {
    BearerAccessToken at = clientToken();
    HTTPResponse r = revoke(at);
    assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(400);
    ErrorObject e = TokenErrorResponse.parse(r).getErrorObject();
    assertThat(e.getCode()).isEqualTo("unsupported_token_type"); // RFC 7009 2.2.1
    assertThat(e.getHTTPStatusCode()).isEqualTo(400);
    assertThat(e.getDescription()).isNotBlank();
    assertThat(introspectOk(at).isActive()).as("documented: valid until exp").isTrue();
  }

  @Test
  void tokenWhenWrongSecretThenTokenErrorResponseInvalidClient401() throws Exception {
    for (ClientAuthentication wrong : List.of(
        new ClientSecretBasic(new ClientID(backend.id()), new Secret("jeton_cs_wrong")),
        new ClientSecretPost(new ClientID(backend.id()), new Secret("jeton_cs_wrong")))) {
      TokenResponse r = token(wrong, null);
      assertThat(r.indicatesSuccess()).as(wrong.getMethod().getValue()).isFalse();
      TokenErrorResponse err = r.toErrorResponse();
      assertThat(err.getErrorObject()).as(wrong.getMethod().getValue())
          .isEqualTo(OAuth2Error.INVALID_CLIENT);
      assertThat(err.getErrorObject().getHTTPStatusCode()).isEqualTo(401);
      assertThat(err.getErrorObject().getDescription()).isNotBlank();
    }
    // Introspection refuses a wrong secret the same way.
    TokenIntrospectionResponse i = TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(
        metadata.getIntrospectionEndpointURI(),
        new ClientSecretBasic(new ClientID(backend.id()), new Secret("jeton_cs_wrong")),
        clientToken()).toHTTPRequest().send());
    assertThat(i.indicatesSuccess()).isFalse();
    TokenIntrospectionErrorResponse ie = i.toErrorResponse();
    assertThat(ie.getErrorObject()).isEqualTo(OAuth2Error.INVALID_CLIENT);
    assertThat(ie.getErrorObject().getHTTPStatusCode()).isEqualTo(401);
  }

  @Test
  void tokenWhenUnknownScopeThenInvalidScope() throws Exception {
    TokenResponse r = token(basic(), new Scope("read", "admin"));
    assertThat(r.indicatesSuccess()).isFalse();
    assertThat(r.toErrorResponse().getErrorObject()).isEqualTo(OAuth2Error.INVALID_SCOPE);
    assertThat(r.toErrorResponse().getErrorObject().getHTTPStatusCode()).isEqualTo(400);
  }

  /**
   * RFC 8693 with Nimbus's {@link TokenExchangeGrant}: a gateway trades a user's personal access
   * token for a token meant for the orders service, which validates it offline with the JWKS
   * (docs/oauth.md#token-exchange).
   */
  @Test
  void tokenExchangeWhenNimbusTradesAPersonalAccessTokenThenTheResourceValidatesItOffline()
      throws Exception {
    String orders = "https://orders.example.com";
    dev.jeton.client.ClientService.Registered gateway = server.app().clients().create("main",
        new dev.jeton.client.Client.Spec("Gateway", dev.jeton.client.Client.Type.CONFIDENTIAL,
            List.of(), List.of(dev.jeton.client.Client.TOKEN_EXCHANGE), List.of("read"), null,
            null, null, null, List.of(orders), null));
    Api.Response user = server.register("main", "nimbus.exchange@example.com",
        "a sturdy pass phrase 41");
    String pat = server.api().postJson(TestServer.v1("main") + "/me/tokens", "{}",
        user.text("access_token")).text("token");
    assertThat(metadata.getGrantTypes()).contains(TokenExchangeGrant.GRANT_TYPE);

    TokenExchangeGrant grant = new TokenExchangeGrant(new TypelessAccessToken(pat),
        TokenTypeURI.ACCESS_TOKEN, null, null, TokenTypeURI.ACCESS_TOKEN,
        List.of(new com.nimbusds.oauth2.sdk.id.Audience(orders)));
    TokenResponse response = TokenResponse.parse(new TokenRequest.Builder(
        metadata.getTokenEndpointURI(), new ClientSecretBasic(
            new ClientID(gateway.client().clientId()), new Secret(gateway.secret())), grant)
        .build().toHTTPRequest().send());
    assertThat(response.indicatesSuccess()).as(String.valueOf(response)).isTrue();
    com.nimbusds.oauth2.sdk.token.AccessToken issued =
        response.toSuccessResponse().getTokens().getAccessToken();
    assertThat(issued.getIssuedTokenType()).isEqualTo(TokenTypeURI.ACCESS_TOKEN);

    JWTClaimsSet claims = processor(issuer, orders, null).process(issued.getValue(), null);
    assertThat(claims.getSubject()).isEqualTo(user.json().path("user").path("id").asText());
    assertThat(claims.getStringClaim("client_id")).isEqualTo(gateway.client().clientId());
    assertThat(claims.getAudience()).containsExactly(orders);

    // a revoked subject token is refused as RFC 8693 2.2.2 says: invalid_request
    server.api().send("DELETE", TestServer.v1("main") + "/me/tokens", null,
        Map.of("Authorization", "Bearer " + user.text("access_token")));
    TokenResponse refused = TokenResponse.parse(new TokenRequest.Builder(
        metadata.getTokenEndpointURI(), new ClientSecretBasic(
            new ClientID(gateway.client().clientId()), new Secret(gateway.secret())), grant)
        .build().toHTTPRequest().send());
    assertThat(refused.indicatesSuccess()).isFalse();
    assertThat(refused.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_request");
  }
}
