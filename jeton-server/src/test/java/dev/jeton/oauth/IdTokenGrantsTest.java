package dev.jeton.oauth;

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
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ID tokens from the grants other than the code exchange, on both engines: a refresh of an
 * {@code openid} grant answers a new ID token for the same user, client and sign-in without a
 * {@code nonce} (OIDC Core 12.2), and the device grant answers one when {@code openid} was
 * approved. Both verified against the JWKS like a relying party would.
 */
@OnBothEngines
class IdTokenGrantsTest {
  private static final String CB = "https://app.example.com/cb";

  TestServer server;
  CodeFlow flow;
  Browser browser;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    flow = new CodeFlow(server);
    browser = new Browser(server);
    flow.user("ada@example.com");
    assertThat(flow.login(browser, "ada@example.com", CodeFlow.PASSWORD).status()).isEqualTo(303);
  }

  private JWTClaimsSet verified(String idToken) throws Exception {
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT));
    p.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256),
        new ImmutableJWKSet<>(JWKSet.parse(server.api().get(CodeFlow.BASE
            + "/.well-known/jwks.json").body()))));
    return p.process(idToken, null);
  }

  /** Runs the code flow for {@code scope} with a nonce; answers the token response. */
  private JsonNode codeTokens(ClientService.Registered app, String scope) {
    String verifier = CodeFlow.verifier();
    Map<String, String> params = CodeFlow.params(app.client().clientId(), CB, verifier, "s",
        scope);
    params.put("nonce", "n-42");
    Map<String, String> answer = flow.approve(browser, params);
    Api.Response r = flow.exchange(answer.get("code"), CB, verifier, OAuthTesting.basic(app),
        null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json();
  }

  @Test
  void refreshWhenOpenidGrantedThenNewIdTokenOfSameSignInWithoutNonce() throws Exception {
    ClientService.Registered app = OAuthTesting.confidential(server, "main", "openid", "read");
    JsonNode first = codeTokens(app, "openid read");
    JWTClaimsSet before = verified(first.path("id_token").asText());
    assertThat(before.getStringClaim("nonce")).isEqualTo("n-42");
    server.clock().advance(Duration.ofMinutes(5));

    Api.Response r = flow.refresh(first.path("refresh_token").asText(), OAuthTesting.basic(app));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JWTClaimsSet after = verified(r.json().path("id_token").asText());
    assertThat(after.getSubject()).isEqualTo(before.getSubject());
    assertThat(after.getAudience()).isEqualTo(before.getAudience());
    assertThat(after.getIssuer()).isEqualTo(before.getIssuer());
    assertThat(after.getStringClaim("azp")).isEqualTo(app.client().clientId());
    assertThat(after.getLongClaim("auth_time")).isEqualTo(before.getLongClaim("auth_time"));
    assertThat(after.getIssueTime()).isAfter(before.getIssueTime());
    assertThat(after.getClaim("nonce")).isNull();
    assertThat(after.getStringClaim("at_hash")).isEqualTo(IdTokens.atHash(
        r.json().path("access_token").asText(), JWSAlgorithm.RS256));
  }

  @Test
  void refreshWhenScopeNarrowedWithoutOpenidThenNoIdToken() {
    ClientService.Registered app = OAuthTesting.confidential(server, "main", "openid", "read");
    JsonNode first = codeTokens(app, "openid read");
    Api.Response r = flow.refresh(first.path("refresh_token").asText(), OAuthTesting.basic(app),
        "scope", "read");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().path("scope").asText()).isEqualTo("read");
    assertThat(r.json().has("id_token")).isFalse();
  }

  @Test
  void refreshWhenOpenidNeverGrantedThenNoIdToken() {
    ClientService.Registered app = OAuthTesting.confidential(server, "main", "openid", "read");
    JsonNode first = codeTokens(app, "read");
    assertThat(first.has("id_token")).isFalse();
    Api.Response r = flow.refresh(first.path("refresh_token").asText(), OAuthTesting.basic(app));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().has("id_token")).isFalse();
  }

  @Test
  void deviceGrantWhenOpenidApprovedThenIdTokenForTheApprovingUser() throws Exception {
    ClientService.Registered tv = server.app().clients().create("main", new Client.Spec("TV",
        Client.Type.PUBLIC, List.of(), List.of(Client.DEVICE_CODE), List.of("openid", "read"),
        null, null, null));
    DeviceFlow device = new DeviceFlow(server);
    JsonNode started = device.start(tv.client().clientId(), "scope", "openid read");
    Api.Response decided = DeviceFlow.decide(browser, started.path("user_code").asText(),
        "allow");
    assertThat(decided.status()).as(decided.toString()).isEqualTo(303);
    Api.Response r = device.poll(tv.client().clientId(), started.path("device_code").asText());
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JWTClaimsSet c = verified(r.json().path("id_token").asText());
    assertThat(c.getAudience()).containsExactly(tv.client().clientId());
    assertThat(c.getSubject()).startsWith("usr_");
    assertThat(c.getClaim("nonce")).isNull();
    assertThat(c.getLongClaim("auth_time")).isLessThanOrEqualTo(
        c.getIssueTime().getTime() / 1000);
  }
}
