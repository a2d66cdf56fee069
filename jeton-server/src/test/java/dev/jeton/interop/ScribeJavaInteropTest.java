package dev.jeton.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.scribejava.core.builder.ServiceBuilder;
import com.github.scribejava.core.builder.api.DefaultApi20;
import com.github.scribejava.core.model.DeviceAuthorization;
import com.github.scribejava.core.model.OAuth2AccessToken;
import com.github.scribejava.core.model.OAuth2AccessTokenErrorResponse;
import com.github.scribejava.core.model.OAuthRequest;
import com.github.scribejava.core.model.Response;
import com.github.scribejava.core.model.Verb;
import com.github.scribejava.core.oauth.AccessTokenRequestParams;
import com.github.scribejava.core.oauth.OAuth20Service;
import com.github.scribejava.core.oauth2.OAuth2Error;
import com.github.scribejava.core.oauth2.clientauthentication.ClientAuthentication;
import com.github.scribejava.core.oauth2.clientauthentication.HttpBasicAuthenticationScheme;
import com.github.scribejava.core.oauth2.clientauthentication.RequestBodyAuthenticationScheme;
import com.github.scribejava.core.pkce.PKCE;
import com.github.scribejava.core.pkce.PKCEService;
import com.github.scribejava.core.revoke.TokenTypeHint;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jeton.oauth.OidcFlow;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Jeton driven by ScribeJava (com.github.scribejava:scribejava-core), a client library written
 * elsewhere: a {@link DefaultApi20} for an issuer; the authorization code grant with PKCE
 * (RFC 6749 4.1, RFC 7636) for a confidential and a public client, the user signing in and
 * consenting through Jeton's pages; refresh with rotation (RFC 6749 6,
 * docs/security.md#refresh-reuse); the device authorization grant (RFC 8628); userinfo through
 * {@code signRequest}; the client credentials grant with HTTP Basic and with body credentials;
 * {@code revokeToken} (RFC 7009); and ScribeJava's parsing of RFC 6749 5.2 errors, on both engines.
 */
@OnBothEngines
class ScribeJavaInteropTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  TestServer server;
  String issuer;
  Interop.Registered backend;
  /** The resource server the clients' access tokens are meant for; it introspects them. */
  Interop.Registered api;

  /** Jeton's endpoints for one issuer, as a ScribeJava user would declare them. */
  static final class JetonApi extends DefaultApi20 {
    private final String issuer;
    private final ClientAuthentication clientAuthentication;

    JetonApi(String issuer, ClientAuthentication clientAuthentication) {
      this.issuer = issuer;
      this.clientAuthentication = clientAuthentication;
    }

    @Override
    public String getAccessTokenEndpoint() {
      return issuer + "/oauth2/token";
    }

    @Override
    public String getRevokeTokenEndpoint() {
      return issuer + "/oauth2/revoke";
    }

    @Override
    protected String getAuthorizationBaseUrl() {
      return issuer + "/oauth2/authorize";
    }

    @Override
    public String getDeviceAuthorizationEndpoint() {
      return issuer + "/oauth2/device_authorization";
    }

    @Override
    public ClientAuthentication getClientAuthentication() {
      return clientAuthentication;
    }
  }

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    issuer = server.api().base() + "/accounts/main";
    backend = Interop.confidential(server, "[\"client_credentials\",\"authorization_code\","
        + "\"refresh_token\"]", "[\"read\",\"write\"]");
    api = Interop.resourceServer(server);
  }

  private OAuth20Service service(String secret, ClientAuthentication auth) {
    return new ServiceBuilder(backend.id()).apiSecret(secret).callback(Interop.CB)
        .build(new JetonApi(issuer, auth));
  }

  private OAuth20Service basicService() {
    return service(backend.secret(), HttpBasicAuthenticationScheme.instance());
  }

  /** A public client's service: no secret, so {@code client_id} goes in the body. */
  private OAuth20Service publicService(Interop.Registered client, String callback) {
    ServiceBuilder b = new ServiceBuilder(client.id());
    if (callback != null) {
      b.callback(callback);
    }
    return b.build(new JetonApi(issuer, RequestBodyAuthenticationScheme.instance()));
  }

  /** Introspects with a plain request, to see what ScribeJava's calls changed. */
  private Api.Response introspect(String token, Interop.Registered as) {
    String pair = as.id() + ":" + as.secret();
    return server.api().send("POST", issuer + "/oauth2/introspect",
        "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8),
        Map.of("Content-Type", "application/x-www-form-urlencoded", "Authorization",
            "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8))));
  }

  /**
   * Whether a token is active: an access token as the resource server it is meant for
   * introspects it; a refresh token, which only its own client may introspect (a public one
   * here, which cannot), as the server itself sees it.
   */
  private boolean active(String token) {
    if (token.startsWith("jeton_rt_")) {
      return server.app().sessions().findRefreshToken(token)
          .map(dev.jeton.session.SessionService.RefreshTokenState::live).orElse(false);
    }
    Api.Response r = introspect(token, api);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json().path("active").asBoolean();
  }

  /**
   * ScribeJava's authorization URL for {@code scope} with a fresh S256 PKCE pair, sent in
   * {@code user}'s signed-in browser (consenting if asked); answers the redirect's code.
   */
  private String code(OAuth20Service s, OidcFlow user, PKCE pkce, String scope) {
    String state = "st-" + System.nanoTime();
    String url = s.createAuthorizationUrlBuilder().pkce(pkce).state(state).scope(scope).build();
    assertThat(url).startsWith(issuer + "/oauth2/authorize?")
        .contains("code_challenge_method=S256");
    Map<String, String> answer = user.approve(url);
    assertThat(answer).as(answer.toString()).containsKey("code")
        .containsEntry("state", state).containsEntry("iss", issuer);
    return answer.get("code");
  }

  /** The whole code flow for {@code scope} through ScribeJava; answers its tokens. */
  private OAuth2AccessToken codeFlow(OAuth20Service s, OidcFlow user, String scope)
      throws Exception {
    PKCE pkce = PKCEService.defaultInstance().generatePKCE();
    return s.getAccessToken(AccessTokenRequestParams.create(code(s, user, pkce, scope))
        .pkceCodeVerifier(pkce.getCodeVerifier()));
  }

  private static JWTClaimsSet claims(OAuth2AccessToken t) throws Exception {
    return SignedJWT.parse(t.getAccessToken()).getJWTClaimsSet();
  }

  /** The RFC 6749 5.2 error ScribeJava throws for {@code call}. */
  private static OAuth2AccessTokenErrorResponse tokenError(ThrowingCallable call) {
    OAuth2AccessTokenErrorResponse e = catchThrowableOfType(OAuth2AccessTokenErrorResponse.class,
        call);
    assertThat(e).as("ScribeJava's OAuth2AccessTokenErrorResponse").isNotNull();
    assertThat(e.getErrorDescription()).isNotBlank();
    return e;
  }

  @Test
  void authorizationCodeWhenConfidentialClientWithPkceThenTokensOfTheUser() throws Exception {
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    try (OAuth20Service s = basicService()) {
      OAuth2AccessToken t = codeFlow(s, ada, "read");
      assertThat(t.getTokenType()).isEqualTo("Bearer");
      assertThat(t.getScope()).isEqualTo("read");
      assertThat(t.getExpiresIn()).isPositive();
      assertThat(t.getRefreshToken()).startsWith("jeton_rt_");
      JWTClaimsSet c = claims(t);
      assertThat(c.getSubject()).isEqualTo(ada.userId());
      assertThat(c.getStringClaim("client_id")).isEqualTo(backend.id());
      assertThat(c.getStringClaim("scope")).isEqualTo("read");
      assertThat(c.getIssuer()).isEqualTo(issuer);
      assertThat(active(t.getAccessToken())).isTrue();
      assertThat(active(t.getRefreshToken())).isTrue();
    }
  }

  @Test
  void authorizationCodeWhenPublicClientSendsClientIdOnlyThenTokensAndRefreshWithoutSecret()
      throws Exception {
    Interop.Registered phone = Interop.publicClient(server,
        "[\"authorization_code\",\"refresh_token\"]", "[\"read\",\"write\"]");
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    try (OAuth20Service s = publicService(phone, Interop.NATIVE_CB)) {
      OAuth2AccessToken t = codeFlow(s, ada, "read write");
      assertThat(t.getScope()).isEqualTo("read write");
      JWTClaimsSet c = claims(t);
      assertThat(c.getSubject()).isEqualTo(ada.userId());
      assertThat(c.getStringClaim("client_id")).isEqualTo(phone.id());
      OAuth2AccessToken next = s.refreshAccessToken(t.getRefreshToken());
      assertThat(next.getRefreshToken()).startsWith("jeton_rt_")
          .isNotEqualTo(t.getRefreshToken());
      assertThat(claims(next).getSubject()).isEqualTo(ada.userId());
    }
  }

  @Test
  void getAccessTokenWhenPkceVerifierWrongThenInvalidGrant() throws Exception {
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    try (OAuth20Service s = basicService()) {
      PKCE pkce = PKCEService.defaultInstance().generatePKCE();
      String code = code(s, ada, pkce, "read");
      String other = PKCEService.defaultInstance().generatePKCE().getCodeVerifier();
      OAuth2AccessTokenErrorResponse e = tokenError(() -> s.getAccessToken(
          AccessTokenRequestParams.create(code).pkceCodeVerifier(other)));
      assertThat(e.getError()).isEqualTo(OAuth2Error.INVALID_GRANT);
      assertThat(e.getErrorDescription()).contains("code_verifier");
      assertThat(e.getResponse().getCode()).isEqualTo(400);
      // Without any verifier: PKCE is mandatory.
      OAuth2AccessTokenErrorResponse none = tokenError(() -> s.getAccessToken(code));
      assertThat(none.getError()).isEqualTo(OAuth2Error.INVALID_REQUEST);
    }
  }

  @Test
  void getAccessTokenWhenCodeReplayedThenInvalidGrantAndTokensOfFirstExchangeRevoked()
      throws Exception {
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    try (OAuth20Service s = basicService()) {
      PKCE pkce = PKCEService.defaultInstance().generatePKCE();
      AccessTokenRequestParams params = AccessTokenRequestParams
          .create(code(s, ada, pkce, "read")).pkceCodeVerifier(pkce.getCodeVerifier());
      OAuth2AccessToken first = s.getAccessToken(params);
      assertThat(active(first.getAccessToken())).isTrue();
      OAuth2AccessTokenErrorResponse e = tokenError(() -> s.getAccessToken(params));
      assertThat(e.getError()).isEqualTo(OAuth2Error.INVALID_GRANT);
      assertThat(e.getResponse().getCode()).isEqualTo(400);
      // RFC 6749 4.1.2: the tokens issued for the replayed code are revoked.
      assertThat(active(first.getAccessToken())).isFalse();
      assertThat(active(first.getRefreshToken())).isFalse();
    }
  }

  @Test
  void refreshAccessTokenWhenRotatedThenOldTokenRefusedAndItsReuseRevokesTheFamily()
      throws Exception {
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    try (OAuth20Service s = basicService()) {
      OAuth2AccessToken first = codeFlow(s, ada, "read write");
      OAuth2AccessToken second = s.refreshAccessToken(first.getRefreshToken());
      assertThat(second.getRefreshToken()).startsWith("jeton_rt_")
          .isNotEqualTo(first.getRefreshToken());
      assertThat(second.getAccessToken()).isNotEqualTo(first.getAccessToken());
      assertThat(second.getScope()).isEqualTo("read write");
      assertThat(claims(second).getSubject()).isEqualTo(ada.userId());
      // A narrower scope on refresh (RFC 6749 6) through ScribeJava's scope argument.
      OAuth2AccessToken third = s.refreshAccessToken(second.getRefreshToken(), "read");
      assertThat(third.getScope()).isEqualTo("read");
      assertThat(claims(third).getStringClaim("scope")).isEqualTo("read");
      assertThat(active(third.getAccessToken())).isTrue();

      // Past the lost-response grace, the rotated-out token is reuse
      // (docs/security.md#refresh-reuse): refused, and the whole family with it, the live refresh
      // and access tokens included.
      server.clock().advance(Interop.refreshGrace(server).plusSeconds(1));
      OAuth2AccessTokenErrorResponse reuse = tokenError(
          () -> s.refreshAccessToken(first.getRefreshToken()));
      assertThat(reuse.getError()).isEqualTo(OAuth2Error.INVALID_GRANT);
      assertThat(reuse.getResponse().getCode()).isEqualTo(400);
      OAuth2AccessTokenErrorResponse live = tokenError(
          () -> s.refreshAccessToken(third.getRefreshToken()));
      assertThat(live.getError()).isEqualTo(OAuth2Error.INVALID_GRANT);
      assertThat(active(third.getAccessToken())).isFalse();
    }
  }

  @Test
  void refreshAccessTokenWhenTokenOfAnotherClientThenInvalidGrantAndTokenKept()
      throws Exception {
    Interop.Registered phone = Interop.publicClient(server,
        "[\"authorization_code\",\"refresh_token\"]", "[\"read\"]");
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    OAuth2AccessToken own;
    try (OAuth20Service s = publicService(phone, Interop.NATIVE_CB)) {
      own = codeFlow(s, ada, "read");
    }
    try (OAuth20Service s = basicService()) {
      OAuth2AccessTokenErrorResponse e = tokenError(
          () -> s.refreshAccessToken(own.getRefreshToken()));
      assertThat(e.getError()).isEqualTo(OAuth2Error.INVALID_GRANT);
    }
    assertThat(active(own.getRefreshToken())).isTrue();
  }

  @Test
  void deviceFlowWhenPendingThenAuthorizationPendingAndAfterApprovalPollAnswersTokens()
      throws Exception {
    Interop.Registered tv = Interop.publicClient(server,
        "[\"urn:ietf:params:oauth:grant-type:device_code\",\"refresh_token\"]",
        "[\"read\",\"write\"]");
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    try (OAuth20Service s = publicService(tv, null)) {
      DeviceAuthorization d = s.getDeviceAuthorizationCodes("read");
      assertThat(d.getDeviceCode()).startsWith("jeton_dc_");
      assertThat(d.getUserCode()).matches("[A-Z]{4}-[A-Z]{4}");
      assertThat(d.getVerificationUri()).isEqualTo(issuer + "/device");
      assertThat(d.getVerificationUriComplete())
          .isEqualTo(issuer + "/device?user_code=" + d.getUserCode());
      assertThat(d.getExpiresInSeconds()).isPositive();
      assertThat(d.getIntervalSeconds()).isEqualTo(5);

      OAuth2AccessTokenErrorResponse pending = tokenError(
          () -> s.getAccessTokenDeviceAuthorizationGrant(d));
      assertThat(pending.getError()).isEqualTo(OAuth2Error.AUTHORIZATION_PENDING);
      assertThat(pending.getResponse().getCode()).isEqualTo(400);
      // Polling again before the interval is up: slow_down (RFC 8628 3.5).
      assertThat(tokenError(() -> s.getAccessTokenDeviceAuthorizationGrant(d)).getError())
          .isEqualTo(OAuth2Error.SLOW_DOWN);

      Interop.approveDevice(ada, d.getUserCode());
      // ScribeJava polls at once and sleeps only when told to wait; the server's clock has
      // moved past the (slowed) interval, so its first poll answers the tokens.
      server.clock().advance(Duration.ofSeconds(d.getIntervalSeconds() + 5 + 1));
      OAuth2AccessToken t = s.pollAccessTokenDeviceAuthorizationGrant(d);
      assertThat(t.getScope()).isEqualTo("read");
      assertThat(t.getRefreshToken()).startsWith("jeton_rt_");
      JWTClaimsSet c = claims(t);
      assertThat(c.getSubject()).isEqualTo(ada.userId());
      assertThat(c.getStringClaim("client_id")).isEqualTo(tv.id());
      assertThat(active(t.getAccessToken())).isTrue();

      // The device code is spent (RFC 8628 3.5).
      server.clock().advance(Duration.ofSeconds(d.getIntervalSeconds() + 5 + 1));
      assertThat(tokenError(() -> s.getAccessTokenDeviceAuthorizationGrant(d)).getError())
          .isEqualTo(OAuth2Error.INVALID_GRANT);
      assertThat(s.refreshAccessToken(t.getRefreshToken()).getRefreshToken())
          .isNotEqualTo(t.getRefreshToken());
    }
  }

  @Test
  void deviceAuthorizationWhenPublicClientLacksTheGrantThenUnauthorizedClient()
      throws Exception {
    Interop.Registered phone = Interop.publicClient(server, "[\"authorization_code\"]",
        "[\"read\"]");
    try (OAuth20Service s = publicService(phone, null)) {
      OAuth2AccessTokenErrorResponse e = tokenError(() -> s.getDeviceAuthorizationCodes("read"));
      assertThat(e.getError()).isEqualTo(OAuth2Error.UNAUTHORIZED_CLIENT);
      assertThat(e.getResponse().getCode()).isEqualTo(400);
    }
  }

  @Test
  void deviceAuthorizationWhenConfidentialClientSendsNoSecretThenInvalidClient()
      throws Exception {
    // ScribeJava 8.3.3 puts only client_id in the device authorization request, whatever the
    // ClientAuthentication: a confidential client must authenticate there (RFC 8628 3.1).
    try (OAuth20Service s = basicService()) {
      OAuth2AccessTokenErrorResponse e = tokenError(s::getDeviceAuthorizationCodes);
      assertThat(e.getError()).isEqualTo(OAuth2Error.INVALID_CLIENT);
      assertThat(e.getResponse().getCode()).isEqualTo(401);
    }
  }

  @Test
  void userInfoWhenRequestSignedWithCodeFlowTokenThenSubAndEmailAndIdTokenVerifies()
      throws Exception {
    Interop.Registered web = Interop.confidential(server,
        "[\"authorization_code\",\"refresh_token\"]", "[\"openid\",\"email\",\"read\"]");
    OidcFlow ada = Interop.signedIn(server, web, "ada@example.com");
    JetonApi api = new JetonApi(issuer, HttpBasicAuthenticationScheme.instance());
    try (OAuth20Service s = new ServiceBuilder(web.id()).apiSecret(web.secret())
        .callback(Interop.CB).build(api)) {
      OAuth2AccessToken t = codeFlow(s, ada, "openid email");
      OAuthRequest request = new OAuthRequest(Verb.GET, issuer + "/oauth2/userinfo");
      s.signRequest(t, request);
      assertThat(request.getHeaders()).containsEntry("Authorization",
          "Bearer " + t.getAccessToken());
      try (Response r = s.execute(request)) {
        assertThat(r.getCode()).as(r.getBody()).isEqualTo(200);
        JsonNode info = JSON.readTree(r.getBody());
        assertThat(info.path("sub").asText()).isEqualTo(ada.userId());
        assertThat(info.path("email").asText()).isEqualTo("ada@example.com");
      }
      // The ID token in ScribeJava's raw response verifies with the JWKS key its kid names.
      SignedJWT idToken = SignedJWT.parse(JSON.readTree(t.getRawResponse()).path("id_token")
          .asText());
      Interop.verifyWithJwks(issuer, idToken);
      assertThat(idToken.getJWTClaimsSet().getSubject()).isEqualTo(ada.userId());
      assertThat(idToken.getJWTClaimsSet().getAudience()).containsExactly(web.id());
      assertThat(idToken.getJWTClaimsSet().getIssuer()).isEqualTo(issuer);

      // Once revoked through ScribeJava, the same signed request is refused (RFC 6750 3.1).
      s.revokeToken(t.getRefreshToken(), TokenTypeHint.REFRESH_TOKEN);
      OAuthRequest again = new OAuthRequest(Verb.GET, issuer + "/oauth2/userinfo");
      s.signRequest(t, again);
      try (Response r = s.execute(again)) {
        assertThat(r.getCode()).isEqualTo(401);
        assertThat(r.getHeader("WWW-Authenticate")).contains("invalid_token");
      }
    }
  }

  @Test
  void userInfoWhenTokenLacksOpenidScopeThen403InsufficientScope() throws Exception {
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    try (OAuth20Service s = basicService()) {
      OAuth2AccessToken t = codeFlow(s, ada, "read");
      OAuthRequest request = new OAuthRequest(Verb.GET, issuer + "/oauth2/userinfo");
      s.signRequest(t, request);
      try (Response r = s.execute(request)) {
        assertThat(r.getCode()).as(r.getBody()).isEqualTo(403);
        assertThat(r.getHeader("WWW-Authenticate")).contains("insufficient_scope");
      }
    }
  }

  @Test
  void clientCredentialsWhenHttpBasicThenOAuth2AccessToken() throws Exception {
    try (OAuth20Service s = basicService()) {
      OAuth2AccessToken t = s.getAccessTokenClientCredentialsGrant();
      assertThat(t.getTokenType()).isEqualTo("Bearer");
      assertThat(t.getScope()).isEqualTo("read write");
      assertThat(t.getExpiresIn()).isPositive();
      assertThat(t.getRefreshToken()).as("RFC 6749 4.4.3").isNull();
      JWTClaimsSet c = SignedJWT.parse(t.getAccessToken()).getJWTClaimsSet();
      assertThat(c.getSubject()).isEqualTo(backend.id());
      assertThat(c.getIssuer()).isEqualTo(issuer);
      assertThat((c.getExpirationTime().getTime() - c.getIssueTime().getTime()) / 1000)
          .isEqualTo(t.getExpiresIn().longValue());
      assertThat(active(t.getAccessToken())).isTrue();
    }
  }

  @Test
  void clientCredentialsWhenRequestBodyAuthAndScopeThenThatScope() throws Exception {
    try (OAuth20Service s = service(backend.secret(), RequestBodyAuthenticationScheme.instance())) {
      OAuth2AccessToken t = s.getAccessTokenClientCredentialsGrant("write");
      assertThat(t.getScope()).isEqualTo("write");
      assertThat(SignedJWT.parse(t.getAccessToken()).getJWTClaimsSet().getStringClaim("scope"))
          .isEqualTo("write");
    }
  }

  @Test
  void clientCredentialsWhenWrongSecretThenInvalidClientError401() throws Exception {
    for (ClientAuthentication auth : new ClientAuthentication[] {
        HttpBasicAuthenticationScheme.instance(), RequestBodyAuthenticationScheme.instance()}) {
      try (OAuth20Service s = service("jeton_cs_wrong", auth)) {
        OAuth2AccessTokenErrorResponse e = catchThrowableOfType(OAuth2AccessTokenErrorResponse.class,
            s::getAccessTokenClientCredentialsGrant);
        assertThat(e).as(auth.getClass().getSimpleName()).isNotNull();
        assertThat(e.getError()).isEqualTo(OAuth2Error.INVALID_CLIENT);
        assertThat(e.getErrorDescription()).isNotBlank();
        assertThat(e.getResponse().getCode()).isEqualTo(401);
      }
    }
  }

  @Test
  void clientCredentialsWhenUnknownScopeThenInvalidScope() throws Exception {
    try (OAuth20Service s = basicService()) {
      OAuth2AccessTokenErrorResponse e = catchThrowableOfType(OAuth2AccessTokenErrorResponse.class,
          () -> s.getAccessTokenClientCredentialsGrant("read admin"));
      assertThat(e).isNotNull();
      assertThat(e.getError()).isEqualTo(OAuth2Error.INVALID_SCOPE);
      assertThat(e.getResponse().getCode()).isEqualTo(400);
    }
  }

  @Test
  void revokeTokenWhenRefreshTokenOfCodeFlowThenSessionEnds() throws Exception {
    OidcFlow ada = Interop.signedIn(server, backend, "ada@example.com");
    try (OAuth20Service s = basicService()) {
      OAuth2AccessToken t = codeFlow(s, ada, "read");
      assertThat(active(t.getRefreshToken())).isTrue();
      assertThat(active(t.getAccessToken())).isTrue();
      s.revokeToken(t.getRefreshToken(), TokenTypeHint.REFRESH_TOKEN); // throws unless 200
      assertThat(active(t.getRefreshToken())).isFalse();
      assertThat(active(t.getAccessToken())).isFalse();
      OAuth2AccessTokenErrorResponse e = tokenError(
          () -> s.refreshAccessToken(t.getRefreshToken()));
      assertThat(e.getError()).isEqualTo(OAuth2Error.INVALID_GRANT);
    }
  }

  @Test
  void revokeTokenWhenAccessTokenOfCodeFlowWithoutHintThenSessionEnds() throws Exception {
    OidcFlow bob = Interop.signedIn(server, backend, "bob@example.com");
    OAuth2AccessToken t;
    try (OAuth20Service s = basicService()) {
      t = codeFlow(s, bob, "read");
    }
    try (OAuth20Service s = service(backend.secret(), RequestBodyAuthenticationScheme.instance())) {
      s.revokeToken(t.getAccessToken());
    }
    assertThat(active(t.getAccessToken())).isFalse();
    assertThat(active(t.getRefreshToken())).isFalse();
  }

  @Test
  void revokeTokenWhenOwnClientCredentialsTokenThenUnsupportedTokenType() throws Exception {
    try (OAuth20Service s = basicService()) {
      OAuth2AccessToken t = s.getAccessTokenClientCredentialsGrant();
      OAuth2AccessTokenErrorResponse e = tokenError(
          () -> s.revokeToken(t.getAccessToken(), TokenTypeHint.ACCESS_TOKEN));
      assertThat(e.getError()).isEqualTo(OAuth2Error.UNSUPPORTED_TOKEN_TYPE); // RFC 7009 2.2.1
      assertThat(e.getResponse().getCode()).isEqualTo(400);
      assertThat(active(t.getAccessToken())).isTrue();
    }
  }

  @Test
  void revokeTokenWhenWrongSecretThenInvalidClientAndSessionKept() throws Exception {
    OidcFlow eve = Interop.signedIn(server, backend, "eve@example.com");
    OAuth2AccessToken t;
    try (OAuth20Service s = basicService()) {
      t = codeFlow(s, eve, "read");
    }
    try (OAuth20Service s = service("jeton_cs_wrong", HttpBasicAuthenticationScheme.instance())) {
      OAuth2AccessTokenErrorResponse e = tokenError(() -> s.revokeToken(t.getRefreshToken()));
      assertThat(e.getError()).isEqualTo(OAuth2Error.INVALID_CLIENT);
      assertThat(e.getResponse().getCode()).isEqualTo(401);
    }
    assertThat(active(t.getRefreshToken())).isTrue();
  }
}
