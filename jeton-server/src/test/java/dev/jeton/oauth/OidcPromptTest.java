package dev.jeton.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OpenID Connect's {@code prompt}, {@code max_age} and {@code login_hint} at the authorization
 * endpoint (OIDC Core 3.1.2.1, 3.1.2.6), on both engines: {@code none} never shows a page and
 * answers {@code login_required} or {@code consent_required} at the redirect URI (an invalid
 * request gets an error page, docs/security.md#untrusted-client-no-redirect); {@code login} and
 * an exceeded
 * {@code max_age} demand a fresh sign-in, whose time becomes the ID token's {@code auth_time};
 * {@code consent} shows the consent page even for a remembered grant.
 */
@OnBothEngines
class OidcPromptTest {
  private static final String CB = "https://app.example.com/cb";

  TestServer server;
  CodeFlow flow;
  Browser browser;
  ClientService.Registered app;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    flow = new CodeFlow(server);
    browser = new Browser(server);
    app = OAuthTesting.confidential(server, "main", "openid", "email");
    flow.user("ada@example.com");
  }

  /** The PKCE verifier of the last request {@link #params} built. */
  String verifier;

  private Map<String, String> params(String... extra) {
    verifier = CodeFlow.verifier();
    Map<String, String> p = CodeFlow.params(app.client().clientId(), CB, verifier, "xyz",
        "openid");
    for (int i = 0; i < extra.length; i += 2) {
      p.put(extra[i], extra[i + 1]);
    }
    return p;
  }

  private void signIn() {
    assertThat(flow.login(browser, "ada@example.com", CodeFlow.PASSWORD).status()).isEqualTo(303);
  }

  /** Signs in and approves the client once, so the grant is remembered. */
  private void signInAndConsent() {
    signIn();
    assertThat(flow.approve(browser, params())).containsKey("code");
  }

  private Map<String, String> redirectedQuery(Api.Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(302);
    String location = r.header("Location").orElseThrow();
    assertThat(location).startsWith(CB + "?");
    return Browser.query(location);
  }

  @Test
  void promptNoneWhenNotSignedInThenLoginRequiredWithStateAndIss() {
    Map<String, String> q = redirectedQuery(browser.get(CodeFlow.authorizePath(
        params("prompt", "none"))));
    assertThat(q).containsEntry("error", "login_required").containsEntry("state", "xyz")
        .containsEntry("iss", flow.issuer()).doesNotContainKey("code");
  }

  @Test
  void promptNoneWhenSignedInWithoutGrantThenConsentRequired() {
    signIn();
    Map<String, String> q = redirectedQuery(browser.get(CodeFlow.authorizePath(
        params("prompt", "none"))));
    assertThat(q).containsEntry("error", "consent_required").containsEntry("state", "xyz");
  }

  @Test
  void promptNoneWhenSignedInAndGrantRememberedThenCodeWithoutAnyPage() {
    signInAndConsent();
    Map<String, String> q = redirectedQuery(browser.get(CodeFlow.authorizePath(
        params("prompt", "none"))));
    assertThat(q).containsKey("code").containsEntry("state", "xyz");
  }

  /** An invalid request is answered on a page (docs/security.md#untrusted-client-no-redirect). */
  private static void assertInvalidRequestPage(Api.Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Location")).as(r.toString()).isEmpty();
    assertThat(r.body()).contains("Error <code>invalid_request</code>");
  }

  @ParameterizedTest
  @ValueSource(strings = {"none login", "none consent", "none whatever"})
  void promptNoneWhenCombinedThenInvalidRequestPage(String prompt) {
    signInAndConsent();
    assertInvalidRequestPage(browser.get(CodeFlow.authorizePath(params("prompt", prompt))));
    assertInvalidRequestPage(new Browser(server).get(CodeFlow.authorizePath(
        params("prompt", prompt))));
  }

  @Test
  void promptLoginWhenSignedInThenSignInPageAgainAndFreshAuthTime() throws Exception {
    signInAndConsent();
    long firstSignIn = server.clock().millis() / 1000;
    server.clock().advance(Duration.ofMinutes(30));
    Map<String, String> p = params("prompt", "login", "nonce", "n1");
    Api.Response r = browser.get(CodeFlow.authorizePath(p));
    String login = Browser.location(r, 303);
    assertThat(login).startsWith(CodeFlow.BASE + "/login?return_to=");
    // the way back no longer asks for a sign-in, else it would loop
    String returnTo = Browser.query(login).get("return_to");
    assertThat(returnTo).doesNotContain("prompt").contains("nonce=n1");

    Api.Response page = browser.get(login);
    assertThat(page.status()).isEqualTo(200);
    Api.Response in = browser.post(CodeFlow.BASE + "/login", Browser.form(Browser.hidden(page),
        "email", "ada@example.com", "password", CodeFlow.PASSWORD));
    assertThat(Browser.location(in, 303)).isEqualTo(returnTo);
    Map<String, String> q = redirectedQuery(browser.get(returnTo));
    assertThat(q).containsKey("code");

    JWTClaimsSet id = idToken(q.get("code"));
    assertThat(id.getLongClaim("auth_time")).isGreaterThanOrEqualTo(firstSignIn + 30 * 60);
    assertThat(id.getStringClaim("nonce")).isEqualTo("n1");
  }

  @Test
  void maxAgeWhenSignInOlderThanItThenSignInAgain() {
    signInAndConsent();
    server.clock().advance(Duration.ofMinutes(10));
    Api.Response r = browser.get(CodeFlow.authorizePath(params("max_age", "300")));
    String login = Browser.location(r, 303);
    assertThat(Browser.query(login).get("return_to")).doesNotContain("max_age");
  }

  @Test
  void maxAgeWhenSignInRecentEnoughThenCode() throws Exception {
    long before = server.clock().millis() / 1000;
    signInAndConsent();
    long after = server.clock().millis() / 1000;
    server.clock().advance(Duration.ofMinutes(4));
    Map<String, String> p = params("max_age", "300");
    Map<String, String> q = redirectedQuery(browser.get(CodeFlow.authorizePath(p)));
    assertThat(q).containsKey("code");
    assertThat(idToken(q.get("code")).getLongClaim("auth_time")).isBetween(before, after);
  }

  @Test
  void maxAgeWhenExceededAndPromptNoneThenLoginRequired() {
    signInAndConsent();
    server.clock().advance(Duration.ofMinutes(10));
    Map<String, String> q = redirectedQuery(browser.get(CodeFlow.authorizePath(
        params("max_age", "60", "prompt", "none"))));
    assertThat(q).containsEntry("error", "login_required");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "ten", "1e3", "99999999999999999999"})
  void maxAgeWhenNotANumberOfSecondsThenInvalidRequestPage(String maxAge) {
    signInAndConsent();
    assertInvalidRequestPage(browser.get(CodeFlow.authorizePath(params("max_age", maxAge))));
  }

  @Test
  void promptConsentWhenGrantRememberedThenConsentPageShown() {
    signInAndConsent();
    Api.Response r = browser.get(CodeFlow.authorizePath(params("prompt", "consent")));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.body()).contains("decision");
    // the consent form does not carry prompt again, so allowing it answers a code
    assertThat(Browser.hidden(r)).doesNotContainKey("prompt");
    Api.Response allowed = browser.post(CodeFlow.BASE + "/oauth2/authorize",
        Browser.form(Browser.hidden(r), "decision", "allow"));
    assertThat(Browser.query(Browser.location(allowed, 303))).containsKey("code");
  }

  @Test
  void loginHintWhenNotSignedInThenSignInPageStartsWithIt() {
    Api.Response r = browser.get(CodeFlow.authorizePath(params("login_hint",
        "ada@example.com")));
    String login = Browser.location(r, 303);
    Api.Response page = browser.get(login);
    assertThat(page.body()).contains("value=\"ada@example.com\"");
  }

  @Test
  void loginHintWhenMarkupThenEscapedOnThePage() {
    Api.Response r = browser.get(CodeFlow.authorizePath(params("login_hint",
        "x\"><script>alert(1)</script>@example.com")));
    Api.Response page = browser.get(Browser.location(r, 303));
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).doesNotContain("<script>alert(1)</script>");
  }

  /** Exchanges a code of the last request and answers its ID token's claims. */
  private JWTClaimsSet idToken(String code) throws Exception {
    Api.Response r = flow.exchange(code, CB, verifier, OAuthTesting.basic(app), null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return SignedJWT.parse(r.json().path("id_token").asText()).getJWTClaimsSet();
  }
}
