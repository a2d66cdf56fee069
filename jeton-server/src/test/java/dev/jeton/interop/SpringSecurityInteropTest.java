package dev.jeton.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.jeton.client.ClientService;
import dev.jeton.oauth.OidcFlow;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Settings;
import dev.jeton.testing.TestServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.client.authentication.OAuth2LoginAuthenticationToken;
import org.springframework.security.oauth2.client.endpoint.OAuth2AuthorizationCodeGrantRequest;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.OAuth2RefreshTokenGrantRequest;
import org.springframework.security.oauth2.client.endpoint.RestClientAuthorizationCodeTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.RestClientClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.RestClientRefreshTokenTokenResponseClient;
import org.springframework.security.oauth2.client.oidc.authentication.OidcAuthorizationCodeAuthenticationProvider;
import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenDecoderFactory;
import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenValidator;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.client.userinfo.DefaultOAuth2UserService;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserRequest;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationExchange;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.core.endpoint.PkceParameterNames;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.oauth2.core.user.OAuth2User;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.security.oauth2.server.resource.introspection.OAuth2IntrospectionException;
import org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector;
import org.springframework.security.oauth2.server.resource.introspection.SpringOpaqueTokenIntrospector;
import org.springframework.web.client.HttpClientErrorException;

/**
 * Jeton driven by Spring Security's OAuth 2.0 client and resource-server classes (spring-security
 * 7.1), a second client stack written elsewhere: {@link ClientRegistrations} reading discovery
 * (OIDC Discovery 4, RFC 8414), the client credentials, authorization code with PKCE and refresh
 * grants through the {@code RestClient*TokenResponseClient}s (RFC 6749 4.4, 4.1, 6; RFC 7636),
 * Spring's OpenID Connect login provider with ID token and userinfo validation (OIDC Core 3.1.3.7,
 * 5.3), {@link NimbusJwtDecoder} as a resource server validating RFC 9068 access tokens, and
 * {@link SpringOpaqueTokenIntrospector} (RFC 7662), on both engines. Spring Security has no RFC
 * 7009 client, so the one revocation below is sent with the Nimbus SDK.
 */
@OnBothEngines
class SpringSecurityInteropTest {
  private static final String ID_TOKEN_ALGS = "id_token_signing_alg_values_supported";

  TestServer server;
  String issuer;
  /** A confidential client of main with every grant, scopes openid and email. */
  ClientService.Registered app;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    issuer = server.api().base() + "/accounts/main";
    // its tokens are meant for the resource server the decoders below stand for
    app = server.app().clients().create("main", new dev.jeton.client.Client.Spec("Spring app",
        dev.jeton.client.Client.Type.CONFIDENTIAL, List.of(Interop.CB),
        List.of(dev.jeton.client.Client.CLIENT_CREDENTIALS,
            dev.jeton.client.Client.AUTHORIZATION_CODE, dev.jeton.client.Client.REFRESH_TOKEN),
        List.of("openid", "email"), null, null, null, null, List.of(Interop.API), null));
  }

  /** Spring's registration of {@link #app}, every provider detail read from discovery. */
  private ClientRegistration registration(AuthorizationGrantType grant,
      ClientAuthenticationMethod method, String secret, String... scopes) {
    ClientRegistration.Builder b = ClientRegistrations.fromOidcIssuerLocation(issuer)
        .registrationId("jeton")
        .clientId(app.client().clientId())
        .clientSecret(secret)
        .clientAuthenticationMethod(method)
        .authorizationGrantType(grant)
        .redirectUri(OidcFlow.CB);
    if (scopes.length > 0) {
      b.scope(scopes);
    }
    return b.build();
  }

  private ClientRegistration codeRegistration(String... scopes) {
    return registration(AuthorizationGrantType.AUTHORIZATION_CODE,
        ClientAuthenticationMethod.CLIENT_SECRET_BASIC, app.secret(), scopes);
  }

  private OAuth2AccessTokenResponse clientCredentials(ClientAuthenticationMethod method,
      String secret, String... scopes) {
    ClientRegistration reg = registration(AuthorizationGrantType.CLIENT_CREDENTIALS, method,
        secret, scopes);
    return new RestClientClientCredentialsTokenResponseClient()
        .getTokenResponse(new OAuth2ClientCredentialsGrantRequest(reg));
  }

  /** SHA-256, base64url: how Spring hashes the PKCE verifier and the OIDC nonce it sends. */
  private static String sha256(String value) throws Exception {
    byte[] d = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
  }

  /**
   * An authorization request as Spring's resolver would build it for {@code reg}: state, PKCE
   * through {@link OAuth2AuthorizationRequestCustomizers#withPkce()} and, with openid, the
   * nonce kept raw in the attributes and sent hashed.
   */
  private OAuth2AuthorizationRequest authorizationRequest(ClientRegistration reg)
      throws Exception {
    OAuth2AuthorizationRequest.Builder b = OAuth2AuthorizationRequest.authorizationCode()
        .authorizationUri(reg.getProviderDetails().getAuthorizationUri())
        .clientId(reg.getClientId())
        .redirectUri(reg.getRedirectUri())
        .scopes(reg.getScopes())
        .state(UUID.randomUUID().toString())
        .attributes(a -> a.put(OAuth2ParameterNames.REGISTRATION_ID, reg.getRegistrationId()));
    if (reg.getScopes().contains("openid")) {
      String nonce = UUID.randomUUID().toString();
      String hashed = sha256(nonce);
      b.attributes(a -> a.put(OidcParameterNames.NONCE, nonce))
          .additionalParameters(p -> p.put(OidcParameterNames.NONCE, hashed));
    }
    OAuth2AuthorizationRequestCustomizers.withPkce().accept(b);
    return b.build();
  }

  /** Sends Spring's authorization request through the signed-in browser; answers the exchange. */
  private OAuth2AuthorizationExchange authorize(OidcFlow flow, OAuth2AuthorizationRequest request) {
    Map<String, String> answer = flow.approve(request.getAuthorizationRequestUri());
    assertThat(answer).as(answer.toString()).containsKey("code")
        .containsEntry("state", request.getState()).containsEntry("iss", issuer);
    return new OAuth2AuthorizationExchange(request,
        OAuth2AuthorizationResponse.success(answer.get("code")).state(answer.get("state"))
            .redirectUri(request.getRedirectUri()).build());
  }

  private OAuth2AccessTokenResponse codeTokens(ClientRegistration reg, String email)
      throws Exception {
    OidcFlow flow = new OidcFlow(server, app, email);
    OAuth2AuthorizationExchange exchange = authorize(flow, authorizationRequest(reg));
    return new RestClientAuthorizationCodeTokenResponseClient()
        .getTokenResponse(new OAuth2AuthorizationCodeGrantRequest(reg, exchange));
  }

  /**
   * ID token decoders for a registration, configured from discovery: keys from its
   * {@code jwks_uri}, algorithms from {@code id_token_signing_alg_values_supported} (no
   * assumption about RS256 or ES256), Spring's OIDC Core 3.1.3.7 validator.
   */
  @SuppressWarnings("unchecked")
  private static JwtDecoderFactory<ClientRegistration> idTokenDecoders() {
    return reg -> {
      List<String> algs = (List<String>) reg.getProviderDetails().getConfigurationMetadata()
          .get(ID_TOKEN_ALGS);
      NimbusJwtDecoder d = NimbusJwtDecoder.withJwkSetUri(reg.getProviderDetails().getJwkSetUri())
          .jwsAlgorithms(set -> algs.forEach(a -> set.add(SignatureAlgorithm.from(a))))
          .build();
      d.setJwtValidator(JwtValidators.createDefaultWithValidators(new OidcIdTokenValidator(reg)));
      d.setClaimSetConverter(OidcIdTokenDecoderFactory.createDefaultClaimTypeConverter());
      return d;
    };
  }

  /** A resource server's decoder: discovery, then RFC 9068 (typ at+jwt, iss, aud, claims). */
  private JwtDecoder accessTokenDecoder(String audience) {
    NimbusJwtDecoder d = NimbusJwtDecoder.withIssuerLocation(issuer).build();
    d.setJwtValidator(JwtValidators.createAtJwtValidator().issuer(issuer).audience(audience)
        .build());
    return d;
  }

  private OpaqueTokenIntrospector introspector(String secret) {
    return SpringOpaqueTokenIntrospector.withIntrospectionUri(issuer + "/oauth2/introspect")
        .clientId(app.client().clientId()).clientSecret(secret).build();
  }

  @Test
  void clientRegistrationsWhenFromIssuerLocationThenJetonEndpointsAndBasicAuth() {
    ClientRegistration oidc = codeRegistration();
    ClientRegistration oauth = ClientRegistrations.fromIssuerLocation(issuer)
        .registrationId("jeton").clientId("x").redirectUri(OidcFlow.CB).build();
    for (ClientRegistration r : List.of(oidc, oauth)) {
      ClientRegistration.ProviderDetails p = r.getProviderDetails();
      assertThat(p.getIssuerUri()).isEqualTo(issuer);
      assertThat(p.getAuthorizationUri()).isEqualTo(issuer + "/oauth2/authorize");
      assertThat(p.getTokenUri()).isEqualTo(issuer + "/oauth2/token");
      assertThat(p.getJwkSetUri()).isEqualTo(issuer + "/.well-known/jwks.json");
      assertThat(p.getUserInfoEndpoint().getUri()).isEqualTo(issuer + "/oauth2/userinfo");
      assertThat(p.getUserInfoEndpoint().getUserNameAttributeName()).isEqualTo("sub");
      assertThat(p.getConfigurationMetadata()).containsEntry("introspection_endpoint",
          issuer + "/oauth2/introspect").containsKey(ID_TOKEN_ALGS);
      // Spring picks client_secret_basic from token_endpoint_auth_methods_supported.
      assertThat(r.getClientAuthenticationMethod())
          .isEqualTo(ClientAuthenticationMethod.CLIENT_SECRET_BASIC);
    }
  }

  @Test
  void clientCredentialsWhenClientSecretBasicThenBearerTokenSpringDecoderAccepts() {
    OAuth2AccessTokenResponse r = clientCredentials(
        ClientAuthenticationMethod.CLIENT_SECRET_BASIC, app.secret(), "email");
    OAuth2AccessToken at = r.getAccessToken();
    assertThat(at.getTokenType()).isEqualTo(OAuth2AccessToken.TokenType.BEARER);
    assertThat(at.getScopes()).containsExactly("email");
    assertThat(at.getExpiresAt()).isAfter(at.getIssuedAt());
    assertThat(r.getRefreshToken()).as("RFC 6749 4.4.3").isNull();

    Jwt jwt = accessTokenDecoder(Interop.API).decode(at.getTokenValue());
    assertThat(jwt.getSubject()).isEqualTo(app.client().clientId());
    assertThat(jwt.getClaimAsString("client_id")).isEqualTo(app.client().clientId());
    assertThat(jwt.getClaimAsString("scope")).isEqualTo("email");
    assertThat(jwt.getIssuer()).hasToString(issuer);
    assertThat(jwt.getAudience()).containsExactly(Interop.API);
    assertThat(jwt.getHeaders()).containsEntry("typ", "at+jwt");
  }

  @Test
  void clientCredentialsWhenClientSecretPostWithoutScopeThenEveryRegisteredScope() {
    OAuth2AccessTokenResponse r = clientCredentials(
        ClientAuthenticationMethod.CLIENT_SECRET_POST, app.secret());
    // No scope in the registration: Spring sends none, Jeton grants the registered ones.
    assertThat(r.getAccessToken().getScopes()).containsExactlyInAnyOrder("openid", "email");
    assertThat(accessTokenDecoder(Interop.API).decode(r.getAccessToken().getTokenValue())
        .getSubject()).isEqualTo(app.client().clientId());
  }

  @Test
  void clientCredentialsWhenWrongSecretOrUnknownScopeThenOAuth2AuthorizationException() {
    for (ClientAuthenticationMethod m : List.of(ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
        ClientAuthenticationMethod.CLIENT_SECRET_POST)) {
      OAuth2AuthorizationException e = catchThrowableOfType(OAuth2AuthorizationException.class,
          () -> clientCredentials(m, "jeton_cs_wrong"));
      assertThat(e).as(m.getValue()).isNotNull();
      // Spring's OAuth2ErrorResponseErrorHandler reads the error body of a 400 only; Jeton's
      // invalid_client is a 401 (RFC 6749 5.2), which Spring reports as invalid_token_response
      // around the HTTP error, whose body is the RFC 6749 error.
      assertThat(e.getError().getErrorCode()).as(m.getValue())
          .isEqualTo("invalid_token_response");
      HttpClientErrorException http = (HttpClientErrorException) e.getCause();
      assertThat(http.getStatusCode().value()).isEqualTo(401);
      assertThat(http.getResponseBodyAsString()).contains("\"error\":\"invalid_client\"");
    }
    OAuth2AuthorizationException scope = catchThrowableOfType(
        OAuth2AuthorizationException.class, () -> clientCredentials(
            ClientAuthenticationMethod.CLIENT_SECRET_BASIC, app.secret(), "email", "admin"));
    assertThat(scope).isNotNull();
    assertThat(scope.getError().getErrorCode()).isEqualTo("invalid_scope");
  }

  @Test
  void jwtDecoderWhenTamperedOrOtherAudienceOrSpringDefaultTypThenRejected() {
    String token = clientCredentials(ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
        app.secret()).getAccessToken().getTokenValue();
    assertThat(accessTokenDecoder(Interop.API).decode(token).getSubject())
        .isEqualTo(app.client().clientId());

    // A payload changed after signing (another subject, more scope) no longer verifies.
    String[] parts = token.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
        .replace("\"scope\":\"", "\"scope\":\"admin ");
    assertThat(payload).contains("admin");
    String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    BadJwtException bad = catchThrowableOfType(BadJwtException.class,
        () -> accessTokenDecoder(Interop.API).decode(tampered));
    assertThat(bad).isNotNull().isNotInstanceOf(JwtValidationException.class);
    assertThat(bad.getMessage()).containsIgnoringCase("signature");

    // A resource server of another audience refuses it (RFC 9068 4).
    JwtValidationException aud = catchThrowableOfType(JwtValidationException.class,
        () -> accessTokenDecoder(server.api().base() + "/accounts/other").decode(token));
    assertThat(aud).isNotNull();
    assertThat(aud.getErrors()).anySatisfy(e -> assertThat(e.getDescription()).contains("aud"));

    // Spring's defaults (JwtDecoders, as Spring Boot's issuer-uri builds them) accept only typ
    // JWT: a resource server must opt into RFC 9068 with createAtJwtValidator, as above.
    JwtValidationException typ = catchThrowableOfType(JwtValidationException.class,
        () -> JwtDecoders.fromIssuerLocation(issuer).decode(token));
    assertThat(typ).isNotNull();
    assertThat(typ.getErrors()).anySatisfy(e -> assertThat(e.getDescription()).contains("typ"));
  }

  @Test
  void authorizationCodeWhenPkceThenSpringExchangesCodeAndIdTokenValidatesFromDiscovery()
      throws Exception {
    ClientRegistration reg = codeRegistration("openid", "email");
    OidcFlow flow = new OidcFlow(server, app, "ada@example.com");
    OAuth2AuthorizationRequest request = authorizationRequest(reg);
    String verifier = request.getAttribute(PkceParameterNames.CODE_VERIFIER);
    assertThat(request.getAdditionalParameters())
        .containsEntry(PkceParameterNames.CODE_CHALLENGE, sha256(verifier))
        .containsEntry(PkceParameterNames.CODE_CHALLENGE_METHOD, "S256");
    OAuth2AuthorizationCodeGrantRequest grant = new OAuth2AuthorizationCodeGrantRequest(reg,
        authorize(flow, request));
    OAuth2AccessTokenResponse r = new RestClientAuthorizationCodeTokenResponseClient()
        .getTokenResponse(grant);

    assertThat(r.getAccessToken().getTokenType()).isEqualTo(OAuth2AccessToken.TokenType.BEARER);
    assertThat(r.getAccessToken().getScopes()).containsExactlyInAnyOrder("openid", "email");
    assertThat(r.getRefreshToken()).isNotNull();
    Object idToken = r.getAdditionalParameters().get(OidcParameterNames.ID_TOKEN);
    assertThat(idToken).isInstanceOf(String.class);

    Jwt id = idTokenDecoders().createDecoder(reg).decode((String) idToken);
    assertThat(id.getSubject()).isEqualTo(flow.userId());
    assertThat(id.getIssuer()).hasToString(issuer);
    assertThat(id.getAudience()).containsExactly(app.client().clientId());
    assertThat(id.getClaimAsString("azp")).isEqualTo(app.client().clientId());
    assertThat(id.getClaimAsString("nonce"))
        .isEqualTo(sha256(request.getAttribute(OidcParameterNames.NONCE)));
    assertThat(id.getClaimAsInstant("auth_time")).isBefore(Instant.now().plusSeconds(1));
    @SuppressWarnings("unchecked")
    List<String> algs = (List<String>) reg.getProviderDetails().getConfigurationMetadata()
        .get(ID_TOKEN_ALGS);
    assertThat(algs).as("discovery lists the ID token's alg").contains(
        (String) id.getHeaders().get("alg"));
    // The access token beside it is one a Spring resource server accepts, for the same user.
    Jwt at = accessTokenDecoder(Interop.API).decode(r.getAccessToken().getTokenValue());
    assertThat(at.getSubject()).isEqualTo(flow.userId());
    assertThat(at.getClaimAsString("client_id")).isEqualTo(app.client().clientId());

    // The same code again is refused (RFC 6749 4.1.2).
    OAuth2AuthorizationException again = catchThrowableOfType(
        OAuth2AuthorizationException.class,
        () -> new RestClientAuthorizationCodeTokenResponseClient().getTokenResponse(grant));
    assertThat(again).isNotNull();
    assertThat(again.getError().getErrorCode()).isEqualTo("invalid_grant");
  }

  @Test
  void oidcLoginWhenSpringAuthenticationProviderThenOidcUserFromIdTokenAndUserInfo()
      throws Exception {
    ClientRegistration reg = codeRegistration("openid", "email");
    OidcFlow flow = new OidcFlow(server, app, "grace@example.com");
    OAuth2AuthorizationExchange exchange = authorize(flow, authorizationRequest(reg));
    OidcAuthorizationCodeAuthenticationProvider provider =
        new OidcAuthorizationCodeAuthenticationProvider(
            new RestClientAuthorizationCodeTokenResponseClient(), new OidcUserService());
    provider.setJwtDecoderFactory(idTokenDecoders());

    // Spring checks state, exchanges the code, validates the ID token and its nonce, then
    // calls userinfo and checks its sub against the ID token's.
    OAuth2LoginAuthenticationToken done = (OAuth2LoginAuthenticationToken) provider
        .authenticate(new OAuth2LoginAuthenticationToken(reg, exchange));
    assertThat(done).isNotNull();
    assertThat(done.isAuthenticated()).isTrue();
    OidcUser user = (OidcUser) done.getPrincipal();
    assertThat(user.getName()).isEqualTo(flow.userId());
    OidcIdToken idToken = user.getIdToken();
    assertThat(idToken.getSubject()).isEqualTo(flow.userId());
    assertThat(idToken.getAuthorizedParty()).isEqualTo(app.client().clientId());
    assertThat(idToken.getAuthenticatedAt()).isNotNull();
    assertThat(user.getUserInfo()).as("userinfo was called").isNotNull();
    assertThat(user.getUserInfo().getSubject()).isEqualTo(flow.userId());
    assertThat(user.getEmail()).isEqualTo("grace@example.com");
    assertThat(user.getEmailVerified()).isFalse();
    assertThat(user.getAuthorities()).extracting(GrantedAuthority::getAuthority)
        .contains("OIDC_USER", "SCOPE_openid", "SCOPE_email");
    assertThat(done.getRefreshToken()).isNotNull();
  }

  @Test
  void userInfoWhenDefaultOAuth2UserServiceThenSubAndEmailAndIdTokenAsBearerRefused()
      throws Exception {
    ClientRegistration reg = codeRegistration("openid", "email");
    OAuth2AccessTokenResponse r = codeTokens(reg, "lin@example.com");
    OAuth2User user = new DefaultOAuth2UserService()
        .loadUser(new OAuth2UserRequest(reg, r.getAccessToken()));
    assertThat(user.getName()).startsWith("usr_");
    assertThat((String) user.getAttribute("email")).isEqualTo("lin@example.com");
    assertThat((Boolean) user.getAttribute("email_verified")).isFalse();

    String idToken = (String) r.getAdditionalParameters().get(OidcParameterNames.ID_TOKEN);
    OAuth2AccessToken wrong = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, idToken,
        Instant.now(), Instant.now().plusSeconds(60));
    OAuth2AuthenticationException e = catchThrowableOfType(OAuth2AuthenticationException.class,
        () -> new DefaultOAuth2UserService().loadUser(new OAuth2UserRequest(reg, wrong)));
    assertThat(e).isNotNull();
    assertThat(e.getError().getErrorCode()).isEqualTo("invalid_user_info_response");
    // RFC 6750 3.1: the refusal is a 401 whose WWW-Authenticate names invalid_token.
    HttpClientErrorException http = (HttpClientErrorException) e.getCause();
    assertThat(http.getStatusCode().value()).isEqualTo(401);
    assertThat(http.getResponseHeaders().getFirst("WWW-Authenticate"))
        .startsWith("Bearer").contains("error=\"invalid_token\"");
  }

  private OAuth2AccessTokenResponse refresh(ClientRegistration reg,
      OAuth2AccessTokenResponse previous) {
    return new RestClientRefreshTokenTokenResponseClient().getTokenResponse(
        new OAuth2RefreshTokenGrantRequest(reg, previous.getAccessToken(),
            previous.getRefreshToken()));
  }

  private OAuth2AuthorizationException refreshRefused(ClientRegistration reg,
      OAuth2AccessTokenResponse previous) {
    OAuth2AuthorizationException e = catchThrowableOfType(OAuth2AuthorizationException.class,
        () -> refresh(reg, previous));
    assertThat(e).as("refresh with a spent refresh token").isNotNull();
    return e;
  }

  @Test
  void refreshWhenSpringRefreshTokenClientThenRotatedAndSpentTokenRefusedAfterGrace()
      throws Exception {
    ClientRegistration reg = codeRegistration("openid", "email");
    OAuth2AccessTokenResponse first = codeTokens(reg, "ada@example.com");
    OAuth2AccessTokenResponse second = refresh(reg, first);

    assertThat(second.getAccessToken().getTokenValue())
        .isNotEqualTo(first.getAccessToken().getTokenValue());
    assertThat(second.getRefreshToken()).isNotNull();
    // Spring keeps the old refresh token when the response has none: this proves rotation.
    assertThat(second.getRefreshToken().getTokenValue())
        .isNotEqualTo(first.getRefreshToken().getTokenValue());
    assertThat(second.getAccessToken().getScopes()).containsExactlyInAnyOrder("openid", "email");
    Jwt at = accessTokenDecoder(Interop.API).decode(second.getAccessToken().getTokenValue());
    assertThat(at.getSubject()).startsWith("usr_");

    // Past any grace window (off by default; docs/api.md, Refresh tokens) the spent token is
    // refused and, as theft, ends the session: its successor is refused too.
    server.clock().advance(Duration.ofSeconds(11));
    assertThat(refreshRefused(reg, first).getError().getErrorCode()).isEqualTo("invalid_grant");
    assertThat(refreshRefused(reg, second).getError().getErrorCode())
        .isEqualTo("invalid_grant");
  }

  @Test
  @Settings("REFRESH_GRACE=10s")
  void refreshWhenSpentTokenRetriedWithinGraceThenFreshPairAndUnreceivedSuccessorRefused()
      throws Exception {
    ClientRegistration reg = codeRegistration("openid", "email");
    OAuth2AccessTokenResponse first = codeTokens(reg, "ada@example.com");
    OAuth2AccessTokenResponse lost = refresh(reg, first);
    // The client never saw "lost" (a dropped response) and retries with the spent token.
    OAuth2AccessTokenResponse retried = refresh(reg, first);
    assertThat(retried.getRefreshToken().getTokenValue())
        .isNotEqualTo(first.getRefreshToken().getTokenValue())
        .isNotEqualTo(lost.getRefreshToken().getTokenValue());
    assertThat(refresh(reg, retried).getAccessToken().getScopes())
        .containsExactlyInAnyOrder("openid", "email");
    assertThat(refreshRefused(reg, lost).getError().getErrorCode()).isEqualTo("invalid_grant");
  }

  @Test
  void introspectionWhenActiveThenClaimsAndWhenRevokedOrGarbageThenBadOpaqueToken()
      throws Exception {
    OAuth2AccessTokenResponse tokens = codeTokens(codeRegistration("openid", "email"),
        "ada@example.com");
    String at = tokens.getAccessToken().getTokenValue();
    OpaqueTokenIntrospector introspector = introspector(app.secret());

    OAuth2AuthenticatedPrincipal p = introspector.introspect(at);
    Jwt jwt = accessTokenDecoder(Interop.API).decode(at);
    assertThat(p.getName()).isEqualTo(jwt.getSubject()).startsWith("usr_");
    assertThat((Boolean) p.getAttribute("active")).isTrue();
    assertThat((String) p.getAttribute("client_id")).isEqualTo(app.client().clientId());
    assertThat((String) p.getAttribute("iss")).isEqualTo(issuer);
    assertThat((Instant) p.getAttribute("exp")).isEqualTo(jwt.getExpiresAt());
    assertThat((Instant) p.getAttribute("iat")).isEqualTo(jwt.getIssuedAt());
    assertThat(p.<List<String>>getAttribute("aud")).containsExactly(Interop.API);
    assertThat(p.getAuthorities()).extracting(GrantedAuthority::getAuthority)
        .containsExactlyInAnyOrder("SCOPE_openid", "SCOPE_email");

    String rt = tokens.getRefreshToken().getTokenValue();
    assertThat((String) introspector.introspect(rt).getAttribute("token_type"))
        .isEqualTo("refresh_token");

    BadOpaqueTokenException garbage = catchThrowableOfType(BadOpaqueTokenException.class,
        () -> introspector.introspect("not-a-token"));
    assertThat(garbage).isNotNull();

    // Revoking the refresh token ends the session (RFC 7009 2.1): both are then inactive.
    HTTPResponse revoked = new TokenRevocationRequest(URI.create(issuer + "/oauth2/revoke"),
        new ClientSecretBasic(new ClientID(app.client().clientId()), new Secret(app.secret())),
        new RefreshToken(rt)).toHTTPRequest().send();
    assertThat(revoked.getStatusCode()).as(revoked.getBody()).isEqualTo(200);
    for (String token : List.of(at, rt)) {
      assertThat(catchThrowableOfType(BadOpaqueTokenException.class,
          () -> introspector.introspect(token))).isNotNull();
    }
  }

  @Test
  void introspectionWhenWrongClientSecretThenIntrospectionExceptionNotBadToken() {
    String at = clientCredentials(ClientAuthenticationMethod.CLIENT_SECRET_BASIC, app.secret())
        .getAccessToken().getTokenValue();
    assertThat(introspector(app.secret()).introspect(at).getName())
        .isEqualTo(app.client().clientId());

    OAuth2IntrospectionException e = catchThrowableOfType(OAuth2IntrospectionException.class,
        () -> introspector("jeton_cs_wrong").introspect(at));
    assertThat(e).isNotNull().isNotInstanceOf(BadOpaqueTokenException.class);
    assertThat(e.getMessage()).contains("401");
  }
}
