package dev.jeton.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.client.ClientService;
import dev.jeton.oauth.OidcFlow;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RP-initiated logout (OIDC RP-Initiated Logout 1.0, 2-3): the browser session ends, and only a
 * registered {@code post_logout_redirect_uri} is redirected to (SECURITY 3), on both engines.
 */
@ParameterizedClass
@EnumSource(Engine.class)
class LogoutTest {
  static final String PATH = "/accounts/main/oauth2/logout";

  @Parameter
  Engine engine;

  TestServer server;
  ClientService.Registered app;
  OidcFlow flow;

  @BeforeEach
  void start() {
    server = TestServer.start(engine);
    app = OidcFlow.client(server, "openid");
    flow = new OidcFlow(server, app, "ada@example.com");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** True when the browser is still signed in: authorize answers a code without a page. */
  private boolean signedIn() {
    Api.Response r = flow.get("/accounts/main/oauth2/authorize?response_type=code&client_id="
        + app.client().clientId() + "&code_challenge=" + "a".repeat(43)
        + "&code_challenge_method=S256&scope=openid");
    return r.status() == 302 && r.header("Location").orElse("").contains("code=");
  }

  @Test
  void logoutWhenRegisteredUriByClientIdThenSignedOutAndRedirectedWithState() {
    flow.tokens("openid", null); // consent remembered, so authorize answers at once
    assertThat(signedIn()).isTrue();
    Api.Response r = flow.get(PATH + "?client_id=" + app.client().clientId()
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB) + "&state=" + enc("a b&c"));
    assertThat(r.status()).as(r.toString()).isEqualTo(302);
    assertThat(r.header("Location").orElseThrow()).isEqualTo(OidcFlow.CB + "?state=a%20b%26c");
    assertThat(signedIn()).isFalse();
  }

  @Test
  void logoutWhenRegisteredUriByIdTokenHintThenRedirected() {
    String idToken = flow.tokens("openid", null).path("id_token").asText();
    Api.Response r = flow.get(PATH + "?id_token_hint=" + idToken
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB));
    assertThat(r.status()).as(r.toString()).isEqualTo(302);
    assertThat(r.header("Location").orElseThrow()).isEqualTo(OidcFlow.CB);
    assertThat(signedIn()).isFalse();
  }

  @Test
  void logoutWhenUnregisteredUriThenPageNotRedirect() {
    flow.tokens("openid", null);
    Api.Response r = flow.get(PATH + "?client_id=" + app.client().clientId()
        + "&post_logout_redirect_uri=" + enc("https://evil.example/cb") + "&state=s");
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Location")).isEmpty();
    assertThat(r.body()).contains("not registered");
    assertThat(signedIn()).isFalse();
  }

  @Test
  void logoutWhenUriWithoutClientThenPageNotRedirect() {
    Api.Response r = flow.get(PATH + "?post_logout_redirect_uri=" + enc(OidcFlow.CB));
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Location")).isEmpty();
  }

  @Test
  void logoutWhenForgedIdTokenHintThenPageNotRedirect() {
    String idToken = flow.tokens("openid", null).path("id_token").asText();
    String[] parts = idToken.split("\\.");
    String forged = parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10)
        + (parts[2].charAt(10) == 'A' ? 'B' : 'A') + parts[2].substring(11);
    Api.Response r = flow.get(PATH + "?id_token_hint=" + forged
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB));
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Location")).isEmpty();
  }

  @Test
  void logoutWhenNoRedirectUriThenSignedOutPage() {
    flow.tokens("openid", null);
    Api.Response r = flow.get(PATH);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.body()).contains("signed out");
    assertThat(r.headers().getOrDefault("set-cookie", java.util.List.of()).toString())
        .contains("Max-Age=0");
    assertThat(signedIn()).isFalse();
  }

  @Test
  void logoutWhenAccessTokenAsHintThenPageNotRedirect() {
    String accessToken = flow.tokens("openid", null).path("access_token").asText();
    Api.Response r = flow.get(PATH + "?id_token_hint=" + accessToken
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB));
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Location")).isEmpty();
  }
}
