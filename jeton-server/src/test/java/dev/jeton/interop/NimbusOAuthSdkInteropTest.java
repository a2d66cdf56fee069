package dev.jeton.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
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
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.OAuth2Error;
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
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Token;
import dev.jeton.session.SessionService;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.TestServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Jeton's OAuth endpoints driven by the Nimbus OAuth 2.0 SDK (com.nimbusds:oauth2-oidc-sdk), a
 * client library written elsewhere: discovery (RFC 8414), the client credentials grant with both
 * client authentication methods (RFC 6749 4.4, 2.3.1), local JWT access token validation
 * (RFC 9068) with Nimbus's JWT processor, introspection (RFC 7662), revocation (RFC 7009) and
 * RFC 6749 5.2 errors, on both engines. Everything goes over HTTP, as a third party would see it.
 */
@ParameterizedClass
@EnumSource(Engine.class)
class NimbusOAuthSdkInteropTest {
  @Parameter
  Engine engine;

  TestServer server;
  String issuer;
  Interop.Registered backend;
  AuthorizationServerMetadata metadata;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(engine);
    issuer = server.api().base() + "/accounts/main";
    backend = Interop.confidential(server, "[\"client_credentials\",\"authorization_code\","
        + "\"refresh_token\"]", "[\"read\",\"write\"]");
    metadata = AuthorizationServerMetadata.resolve(new Issuer(issuer));
  }

  @AfterEach
  void stop() {
    server.close();
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
   * document's {@code jwks_uri}, ES256 only, {@code typ} at+jwt (RFC 9068 2.1), the expected
   * issuer and audience, required claims; {@code now} null for the real time.
   */
  private DefaultJWTProcessor<SecurityContext> processor(String expectedIssuer,
      String expectedAudience, Date now) throws Exception {
    JWKSource<SecurityContext> keys = JWKSourceBuilder
        .<SecurityContext>create(metadata.getJWKSetURI().toURL()).retrying(false).build();
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
    p.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, keys));
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

  private JWTClaimsSet validate(String jwt) throws Exception {
    return processor(issuer, issuer, null).process(jwt, null);
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
      assertThat(m.getGrantTypes()).contains(GrantType.CLIENT_CREDENTIALS);
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
    assertThat(c.getAudience()).containsExactly(issuer);
    assertThat((c.getExpirationTime().getTime() - c.getIssueTime().getTime()) / 1000)
        .isEqualTo(at.getLifetime());
    assertThat(SignedJWT.parse(at.getValue()).getHeader().getAlgorithm())
        .isEqualTo(JWSAlgorithm.ES256);
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
  void jwtProcessorWhenExpiredOrOtherIssuerOrAudienceOrTypOrForgedThenRejected()
      throws Exception {
    String jwt = clientToken().getValue();
    JWTClaimsSet c = validate(jwt);

    // exp: the same processor two minutes after exp (beyond Nimbus's 60 s default skew).
    Date late = new Date(c.getExpirationTime().getTime() + 120_000);
    assertThatThrownBy(() -> processor(issuer, issuer, late).process(jwt, null))
        .isInstanceOf(BadJWTException.class).hasMessageContaining("Expired");
    // iss and aud: a resource server of another account must refuse it.
    String other = server.api().base() + "/accounts/other";
    assertThatThrownBy(() -> processor(other, issuer, null).process(jwt, null))
        .isInstanceOf(BadJWTException.class).hasMessageContaining("iss");
    assertThatThrownBy(() -> processor(issuer, other, null).process(jwt, null))
        .isInstanceOf(BadJWTException.class).hasMessageContaining("aud");
    // typ: Nimbus's default verifier (JWT or none) refuses it, so the header really is at+jwt.
    DefaultJWTProcessor<SecurityContext> plain = processor(issuer, issuer, null);
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
    assertThat(i.getAudience()).containsExactly(new Audience(issuer));
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
    SessionService.TokenPair pair = Interop.sessionOf(server, "ada@example.com", backend.id());
    BearerAccessToken at = new BearerAccessToken(pair.access().token());
    RefreshToken rt = new RefreshToken(pair.refreshToken());
    assertThat(introspectOk(at).isActive()).isTrue();
    TokenIntrospectionSuccessResponse ri = introspectOk(rt);
    assertThat(ri.isActive()).isTrue();
    assertThat(ri.getClientID()).isEqualTo(new ClientID(backend.id()));
    assertThat(ri.getStringParameter("token_type")).isEqualTo("refresh_token");
    assertThat(ri.getSubject().getValue()).startsWith("usr_");

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
    SessionService.TokenPair pair = Interop.sessionOf(server, "bob@example.com", backend.id());
    BearerAccessToken at = new BearerAccessToken(pair.access().token());
    assertThat(introspectOk(at).isActive()).isTrue();
    HTTPResponse revoked = revoke(at);
    assertThat(revoked.getStatusCode()).as(revoked.getBody()).isEqualTo(200);
    assertThat(introspectOk(at).isActive()).isFalse();
    assertThat(introspectOk(new RefreshToken(pair.refreshToken())).isActive()).isFalse();
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
}
