package dev.jeton.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.jeton.client.ClientService;
import dev.jeton.oauth.OidcFlow;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ID tokens from the authorization code flow (OIDC Core 3.1.3.3, 3.1.3.6, 3.1.3.7) on both
 * engines, verified against the issuer's JWKS the way a relying party would.
 */
@OnBothEngines
class IdTokenTest {
  TestServer server;
  ClientService.Registered app;
  OidcFlow flow;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    app = OidcFlow.client(server, "openid", "email", "read");
    flow = new OidcFlow(server, app, "ada@example.com");
  }

  private String issuer() {
    return server.api().base() + "/accounts/main";
  }

  /** Verifies an ID token's signature against the JWKS and answers its claims. */
  static JWTClaimsSet verified(TestServer server, String idToken) throws Exception {
    Api.Response jwks = server.api().get("/accounts/main/.well-known/jwks.json");
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT));
    p.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.ES256,
        JWSAlgorithm.ES384, JWSAlgorithm.RS256, JWSAlgorithm.PS256),
        new ImmutableJWKSet<>(JWKSet.parse(jwks.body()))));
    return p.process(idToken, null);
  }

  static String atHash(String accessToken, JWSAlgorithm alg) throws Exception {
    byte[] h = MessageDigest.getInstance(JWSAlgorithm.ES384.equals(alg) ? "SHA-384" : "SHA-256")
        .digest(accessToken.getBytes(StandardCharsets.US_ASCII));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(h, h.length / 2));
  }

  @Test
  void codeExchangeWhenOpenidAndNonceThenVerifiableIdToken() throws Exception {
    JsonNode tokens = flow.tokens("openid email", "n-0S6_WzA2Mj");
    String idToken = tokens.path("id_token").asText();
    SignedJWT jwt = SignedJWT.parse(idToken);
    assertThat(jwt.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
    JWTClaimsSet c = verified(server, idToken);
    String clientId = app.client().clientId();
    assertThat(c.getIssuer()).isEqualTo(issuer());
    assertThat(c.getAudience()).containsExactly(clientId);
    assertThat(c.getStringClaim("azp")).isEqualTo(clientId);
    assertThat(c.getSubject()).isEqualTo(flow.userId());
    assertThat(c.getStringClaim("nonce")).isEqualTo("n-0S6_WzA2Mj");
    assertThat(c.getStringClaim("at_hash")).isEqualTo(atHash(
        tokens.path("access_token").asText(), jwt.getHeader().getAlgorithm()));
    long iat = c.getIssueTime().getTime() / 1000;
    long authTime = c.getLongClaim("auth_time");
    assertThat(authTime).isPositive().isLessThanOrEqualTo(iat);
    assertThat(iat - authTime).isLessThan(120);
    long atExp = SignedJWT.parse(tokens.path("access_token").asText()).getJWTClaimsSet()
        .getExpirationTime().getTime();
    assertThat(c.getExpirationTime().getTime()).isLessThanOrEqualTo(atExp)
        .isGreaterThan(c.getIssueTime().getTime());
  }

  @Test
  void codeExchangeWhenNoNonceThenIdTokenWithoutNonce() throws Exception {
    JsonNode tokens = flow.tokens("openid", null);
    JWTClaimsSet c = verified(server, tokens.path("id_token").asText());
    assertThat(c.getClaim("nonce")).isNull();
    assertThat(c.getSubject()).isEqualTo(flow.userId());
  }

  @Test
  void codeExchangeWhenOpenidNotRequestedThenNoIdToken() {
    JsonNode tokens = flow.tokens("read", null);
    assertThat(tokens.has("access_token")).isTrue();
    assertThat(tokens.has("id_token")).isFalse();
  }

  /** The page, not a redirect: docs/security.md#untrusted-client-no-redirect. */
  @Test
  void authorizeWhenOpenidNotRegisteredThenInvalidScopePage() {
    ClientService.Registered plain = OidcFlow.client(server, "read");
    OidcFlow other = new OidcFlow(server, plain, "bob@example.com");
    Api.Response r = other.get("/accounts/main/oauth2/authorize?response_type=code&client_id="
        + plain.client().clientId() + "&code_challenge=" + "a".repeat(43)
        + "&code_challenge_method=S256&scope=openid&state=st");
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Location")).isEmpty();
    assertThat(r.body()).contains("Error <code>invalid_scope</code>").doesNotContain("code=");
  }

  @Test
  void idTokenWhenPresentedAsAccessTokenThenWrongType() {
    String idToken = flow.tokens("openid email", "n").path("id_token").asText();
    Api.Response me = server.api().get(TestServer.v1("main") + "/me", idToken);
    assertThat(me.status()).as(me.toString()).isEqualTo(401);
    assertThat(me.code()).isEqualTo("token_wrong_type");
    Api.Response info = server.api().get("/accounts/main/oauth2/userinfo", idToken);
    assertThat(info.status()).as(info.toString()).isEqualTo(401);
    assertThat(info.code()).isEqualTo("token_wrong_type");
    assertThat(info.header("WWW-Authenticate").orElse("")).contains("error=\"invalid_token\"");
  }

  @Test
  void idTokenWhenIntrospectedThenInactive() {
    String idToken = flow.tokens("openid", "n").path("id_token").asText();
    String basic = "Basic " + Base64.getEncoder().encodeToString((app.client().clientId() + ":"
        + app.secret()).getBytes(StandardCharsets.UTF_8));
    Api.Response r = server.api().send("POST", "/accounts/main/oauth2/introspect",
        "token=" + idToken, Map.of("Content-Type", "application/x-www-form-urlencoded",
            "Authorization", basic));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().path("active").asBoolean(true)).isFalse();
  }

  @Test
  void idTokenWhenIssuedThenSignedWithTheAdvertisedAlgorithm() throws Exception {
    String idToken = flow.tokens("openid", null).path("id_token").asText();
    JsonNode doc = server.api().get("/accounts/main/.well-known/openid-configuration").json();
    assertThat(doc.path("id_token_signing_alg_values_supported").get(0).asText())
        .isEqualTo(SignedJWT.parse(idToken).getHeader().getAlgorithm().getName());
  }
}
