package dev.jeton.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.scribejava.core.builder.ServiceBuilder;
import com.github.scribejava.core.builder.api.DefaultApi20;
import com.github.scribejava.core.model.OAuth2AccessToken;
import com.github.scribejava.core.model.OAuth2AccessTokenErrorResponse;
import com.github.scribejava.core.oauth.OAuth20Service;
import com.github.scribejava.core.oauth2.OAuth2Error;
import com.github.scribejava.core.oauth2.clientauthentication.ClientAuthentication;
import com.github.scribejava.core.oauth2.clientauthentication.HttpBasicAuthenticationScheme;
import com.github.scribejava.core.oauth2.clientauthentication.RequestBodyAuthenticationScheme;
import com.github.scribejava.core.revoke.TokenTypeHint;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jeton.session.SessionService;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Jeton's token and revocation endpoints driven by ScribeJava (com.github.scribejava:
 * scribejava-core), a client library written elsewhere: a {@link DefaultApi20} for an issuer,
 * the client credentials grant with HTTP Basic and with body credentials, {@code revokeToken}
 * (RFC 7009) and ScribeJava's parsing of RFC 6749 5.2 errors, on both engines.
 */
@ParameterizedClass
@EnumSource(Engine.class)
class ScribeJavaInteropTest {
  @Parameter
  Engine engine;

  TestServer server;
  String issuer;
  Interop.Registered backend;

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
      return issuer + "/oauth2/authorize"; // not used here: the code grant is not offered yet
    }

    @Override
    public ClientAuthentication getClientAuthentication() {
      return clientAuthentication;
    }
  }

  @BeforeEach
  void start() {
    server = TestServer.start(engine);
    issuer = server.api().base() + "/accounts/main";
    backend = Interop.confidential(server, "[\"client_credentials\",\"authorization_code\","
        + "\"refresh_token\"]", "[\"read\",\"write\"]");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private OAuth20Service service(String secret, ClientAuthentication auth) {
    return new ServiceBuilder(backend.id()).apiSecret(secret).build(new JetonApi(issuer, auth));
  }

  private OAuth20Service basicService() {
    return service(backend.secret(), HttpBasicAuthenticationScheme.instance());
  }

  /** Introspects with a plain request, to see what ScribeJava's calls changed. */
  private Api.Response introspect(String token) {
    String pair = backend.id() + ":" + backend.secret();
    return server.api().send("POST", issuer + "/oauth2/introspect",
        "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8),
        Map.of("Content-Type", "application/x-www-form-urlencoded", "Authorization",
            "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8))));
  }

  private boolean active(String token) {
    Api.Response r = introspect(token);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json().path("active").asBoolean();
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
  void revokeTokenWhenRefreshTokenOfSessionThenSessionEnds() throws Exception {
    SessionService.TokenPair pair = Interop.sessionOf(server, "ada@example.com", backend.id());
    assertThat(active(pair.refreshToken())).isTrue();
    assertThat(active(pair.access().token())).isTrue();
    try (OAuth20Service s = basicService()) {
      s.revokeToken(pair.refreshToken(), TokenTypeHint.REFRESH_TOKEN); // throws unless 200
    }
    assertThat(active(pair.refreshToken())).isFalse();
    assertThat(active(pair.access().token())).isFalse();
  }

  @Test
  void revokeTokenWhenAccessTokenOfSessionWithoutHintThenSessionEnds() throws Exception {
    SessionService.TokenPair pair = Interop.sessionOf(server, "bob@example.com", backend.id());
    try (OAuth20Service s = service(backend.secret(), RequestBodyAuthenticationScheme.instance())) {
      s.revokeToken(pair.access().token());
    }
    assertThat(active(pair.access().token())).isFalse();
    assertThat(active(pair.refreshToken())).isFalse();
  }

  @Test
  void revokeTokenWhenOwnClientCredentialsTokenThenUnsupportedTokenType() throws Exception {
    try (OAuth20Service s = basicService()) {
      OAuth2AccessToken t = s.getAccessTokenClientCredentialsGrant();
      OAuth2AccessTokenErrorResponse e = catchThrowableOfType(OAuth2AccessTokenErrorResponse.class,
          () -> s.revokeToken(t.getAccessToken(), TokenTypeHint.ACCESS_TOKEN));
      assertThat(e).isNotNull();
      assertThat(e.getError()).isEqualTo(OAuth2Error.UNSUPPORTED_TOKEN_TYPE); // RFC 7009 2.2.1
      assertThat(e.getResponse().getCode()).isEqualTo(400);
      assertThat(active(t.getAccessToken())).isTrue();
    }
  }

  @Test
  void revokeTokenWhenWrongSecretThenInvalidClientAndSessionKept() throws Exception {
    SessionService.TokenPair pair = Interop.sessionOf(server, "eve@example.com", backend.id());
    try (OAuth20Service s = service("jeton_cs_wrong", HttpBasicAuthenticationScheme.instance())) {
      OAuth2AccessTokenErrorResponse e = catchThrowableOfType(OAuth2AccessTokenErrorResponse.class,
          () -> s.revokeToken(pair.refreshToken()));
      assertThat(e).isNotNull();
      assertThat(e.getError()).isEqualTo(OAuth2Error.INVALID_CLIENT);
      assertThat(e.getResponse().getCode()).isEqualTo(401);
    }
    assertThat(active(pair.refreshToken())).isTrue();
  }
}
