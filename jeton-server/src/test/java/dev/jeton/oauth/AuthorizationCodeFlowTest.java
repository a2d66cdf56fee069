package dev.jeton.oauth;

import static dev.jeton.oauth.OAuthTesting.assertNoStore;
import static dev.jeton.oauth.OAuthTesting.assertOAuthError;
import static dev.jeton.oauth.OAuthTesting.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import dev.jeton.token.AccessToken;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The authorization code flow end to end (RFC 6749 4.1, RFC 7636, RFC 9207) through the sign-in
 * page, the consent page and the token endpoint, then the refresh token grant (RFC 6749 6) and
 * the user's list of authorized applications, on both engines.
 */
@OnBothEngines
class AuthorizationCodeFlowTest {
  static final String CB = "https://app.example.com/cb";

  TestServer server;
  CodeFlow flow;
  ClientService.Registered app;
  String userId;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    flow = new CodeFlow(server);
    app = OAuthTesting.confidential(server, "main", "read", "write");
    userId = flow.user("ada@example.com");
  }

  private String clientId() {
    return app.client().clientId();
  }

  @Test
  void flowWhenSignedInAndAllowedThenCodeTokensAndRefresh() throws Exception {
    Browser b = new Browser(server);
    String verifier = CodeFlow.verifier();
    Map<String, String> params = CodeFlow.params(clientId(), CB, verifier, "xyz", "read");
    // Not signed in: to the sign-in page, with the request as return_to.
    String toLogin = Browser.location(b.get(CodeFlow.authorizePath(params)), 303);
    assertThat(toLogin).startsWith("/accounts/main/login?return_to=");
    String returnTo = Browser.query(toLogin).get("return_to");
    assertThat(returnTo).isEqualTo(CodeFlow.authorizePath(params));
    Api.Response loginPage = b.get(toLogin);
    assertThat(loginPage.status()).isEqualTo(200);
    assertThat(Browser.hidden(loginPage)).containsEntry("return_to", returnTo);
    Api.Response posted = b.post("/accounts/main/login", Browser.form(Browser.hidden(loginPage),
        "email", "ada@example.com", "password", CodeFlow.PASSWORD));
    assertThat(Browser.location(posted, 303)).isEqualTo(returnTo); // RFC 9700 4.12
    Api.Response consent = b.get(returnTo);
    assertThat(consent.status()).as(consent.toString()).isEqualTo(200);
    assertThat(consent.body()).contains("Backend").contains("<code>read</code>")
        .doesNotContain("<code>write</code>");
    Api.Response allowed = b.post("/accounts/main/oauth2/authorize",
        Browser.form(Browser.hidden(consent), "decision", "allow"));
    String redirect = Browser.location(allowed, 303); // RFC 9700 4.12
    assertThat(redirect).startsWith(CB + "?code=jeton_ac_");
    Map<String, String> q = Browser.query(redirect);
    assertThat(q).containsEntry("state", "xyz").containsEntry("iss", flow.issuer());

    Api.Response t = flow.exchange(q.get("code"), CB, verifier, basic(app), null);
    assertThat(t.status()).as(t.toString()).isEqualTo(200);
    assertNoStore(t);
    JsonNode j = t.json();
    assertThat(j.path("token_type").asText()).isEqualTo("Bearer");
    assertThat(j.path("scope").asText()).isEqualTo("read");
    assertThat(j.path("expires_in").asLong()).isPositive();
    assertThat(j.path("refresh_token").asText()).startsWith("jeton_rt_");
    assertThat(j.path("refresh_token_expires_in").asLong()).isPositive();
    assertThat(j.path("issued_at").asLong()).isPositive();
    AccessToken at = server.app().accessTokens().verify(j.path("access_token").asText(), "main");
    assertThat(at.subject()).isEqualTo(userId);
    assertThat(at.clientId()).isEqualTo(clientId());
    assertThat(at.scopes()).containsExactly("read");

    Api.Response r = flow.refresh(j.path("refresh_token").asText(), basic(app));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertNoStore(r);
    assertThat(r.text("refresh_token")).isNotEqualTo(j.path("refresh_token").asText());
    assertThat(r.text("scope")).isEqualTo("read");
    AccessToken refreshed = server.app().accessTokens().verify(r.text("access_token"), "main");
    assertThat(refreshed.subject()).isEqualTo(userId);
    // docs/security.md#refresh-reuse: the rotated-out token (past the lost-response grace) is
    // refused and the family revoked.
    server.clock().advance(server.app().accounts().lifetimes(server.app().accounts()
        .requireActive("main")).refreshGrace().plusSeconds(1));
    assertOAuthError(flow.refresh(j.path("refresh_token").asText(), basic(app)), 400,
        "invalid_grant");
    assertOAuthError(flow.refresh(r.text("refresh_token"), basic(app)), 400, "invalid_grant");
  }

  @Test
  void authorizeWhenScopesAlreadyGrantedThenNoConsentAgain() {
    Browser b = new Browser(server);
    assertThat(flow.login(b, "ada@example.com", CodeFlow.PASSWORD).status()).isEqualTo(303);
    flow.approve(b, CodeFlow.params(clientId(), CB, CodeFlow.verifier(), null, "read write"));
    Api.Response again = b.get(CodeFlow.authorizePath(
        CodeFlow.params(clientId(), CB, CodeFlow.verifier(), "s2", "read")));
    String loc = Browser.location(again, 302);
    assertThat(Browser.query(loc)).containsKey("code").containsEntry("state", "s2");
  }

  @Test
  void consentWhenDeniedThenAccessDeniedWithStateAndIss() {
    Browser b = new Browser(server);
    flow.login(b, "ada@example.com", CodeFlow.PASSWORD);
    Api.Response consent = b.get(CodeFlow.authorizePath(
        CodeFlow.params(clientId(), CB, CodeFlow.verifier(), "st", null)));
    Api.Response denied = b.post("/accounts/main/oauth2/authorize",
        Browser.form(Browser.hidden(consent), "decision", "deny"));
    Map<String, String> q = Browser.query(Browser.location(denied, 303));
    assertThat(q).containsEntry("error", "access_denied").containsEntry("state", "st")
        .containsEntry("iss", flow.issuer()).doesNotContainKey("code");
  }

  @Test
  void publicClientWhenExchangingWithClientIdOnlyThenTokensWithoutRefreshToken() {
    ClientService.Registered phone = OAuthTesting.publicClient(server, "main");
    String id = phone.client().clientId();
    Browser b = new Browser(server);
    flow.login(b, "ada@example.com", CodeFlow.PASSWORD);
    String verifier = CodeFlow.verifier();
    // redirect_uri may be omitted: the client has exactly one.
    Map<String, String> q = flow.approve(b, CodeFlow.params(id, null, verifier, "p", null));
    Api.Response t = flow.exchange(q.get("code"), null, verifier, null, id);
    assertThat(t.status()).as(t.toString()).isEqualTo(200);
    assertThat(t.json().has("refresh_token")).isFalse();
    assertThat(server.app().accessTokens().verify(t.text("access_token"), "main").subject())
        .isEqualTo(userId);
  }

  @Test
  void refreshWhenScopeNarrowedThenNarrowerTokenAndWhenWidenedThenInvalidScope() {
    Browser b = new Browser(server);
    flow.login(b, "ada@example.com", CodeFlow.PASSWORD);
    String verifier = CodeFlow.verifier();
    Map<String, String> q = flow.approve(b, CodeFlow.params(clientId(), CB, verifier, null,
        "read"));
    String rt = flow.exchange(q.get("code"), CB, verifier, basic(app), null)
        .text("refresh_token");
    // docs/security.md#scope-no-escalation: scope escalation on refresh.
    assertOAuthError(flow.refresh(rt, basic(app), "scope", "read write"), 400, "invalid_scope");
    Api.Response narrowed = flow.refresh(rt, basic(app), "scope", "read");
    assertThat(narrowed.status()).as(narrowed.toString()).isEqualTo(200);
    assertThat(narrowed.text("scope")).isEqualTo("read");
  }

  @Test
  void grantsWhenListedAndRevokedThenSessionsEndAndConsentAskedAgain() {
    Browser b = new Browser(server);
    flow.login(b, "ada@example.com", CodeFlow.PASSWORD);
    String verifier = CodeFlow.verifier();
    Map<String, String> q = flow.approve(b, CodeFlow.params(clientId(), CB, verifier, null,
        "read"));
    String rt = flow.exchange(q.get("code"), CB, verifier, basic(app), null)
        .text("refresh_token");
    String userToken = server.login("main", "ada@example.com", CodeFlow.PASSWORD)
        .text("access_token");
    Api.Response list = server.api().get(TestServer.v1("main") + "/me/grants", userToken);
    assertThat(list.status()).as(list.toString()).isEqualTo(200);
    JsonNode item = list.json().path("items").get(0);
    assertThat(item.path("client_id").asText()).isEqualTo(clientId());
    assertThat(item.path("client_name").asText()).isEqualTo("Backend");
    assertThat(item.path("scopes").get(0).asText()).isEqualTo("read");

    Api.Response del = server.api().send("DELETE", TestServer.v1("main") + "/me/grants/"
        + clientId(), null, Map.of("Authorization", "Bearer " + userToken));
    assertThat(del.status()).as(del.toString()).isEqualTo(204);
    assertOAuthError(flow.refresh(rt, basic(app)), 400, "invalid_grant");
    assertThat(server.api().get(TestServer.v1("main") + "/me/grants", userToken).json()
        .path("items").size()).isZero();
    Api.Response consent = b.get(CodeFlow.authorizePath(
        CodeFlow.params(clientId(), CB, CodeFlow.verifier(), null, "read")));
    assertThat(consent.status()).as("consent asked again").isEqualTo(200);
    assertThat(server.api().send("DELETE", TestServer.v1("main") + "/me/grants/"
        + clientId(), null, Map.of("Authorization", "Bearer " + userToken)).status())
        .isEqualTo(404);
  }

  @Test
  void accessTokenOfThirdPartyClientWhenPresentedToJetonsOwnApiThenRefused() {
    // A client may register scope names that look like Jeton's own ("user", "admin"); its tokens
    // still never act as a first-party sign-in at /api/v1.
    ClientService.Registered lookalike = OAuthTesting.confidential(server, "main", "user", "admin");
    Browser b = new Browser(server);
    flow.login(b, "ada@example.com", CodeFlow.PASSWORD);
    String verifier = CodeFlow.verifier();
    Map<String, String> q = flow.approve(b, CodeFlow.params(lookalike.client().clientId(), CB,
        verifier, "s", "user admin"));
    Api.Response t = flow.exchange(q.get("code"), CB, verifier, basic(lookalike), null);
    assertThat(t.status()).as(t.toString()).isEqualTo(200);
    String at = t.json().path("access_token").asText();
    Api.Response me = server.api().get("/accounts/main/api/v1/me", at);
    assertThat(me.status()).isEqualTo(401);
    assertThat(me.code()).isEqualTo("client_token_not_accepted");
    Api.Response admin = server.api().get("/accounts/main/api/v1/accounts", at);
    assertThat(admin.code()).isEqualTo("client_token_not_accepted");
    // the user's list of authorized applications, as docs/api.md says: 401, not 403
    Api.Response grants = server.api().get("/accounts/main/api/v1/me/grants", at);
    assertThat(grants.status()).as(grants.toString()).isEqualTo(401);
    assertThat(grants.code()).isEqualTo("client_token_not_accepted");
    Api.Response revoke = server.api().send("DELETE", "/accounts/main/api/v1/me/grants/"
        + lookalike.client().clientId(), null, Map.of("Authorization", "Bearer " + at));
    assertThat(revoke.status()).isEqualTo(401);
    assertThat(revoke.code()).isEqualTo("client_token_not_accepted");
  }
}
