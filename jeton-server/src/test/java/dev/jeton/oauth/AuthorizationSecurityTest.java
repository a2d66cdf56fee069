package dev.jeton.oauth;

import static dev.jeton.oauth.OAuthTesting.assertOAuthError;
import static dev.jeton.oauth.OAuthTesting.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attacks on the authorization code flow, each trying to break a rule of docs/security.md: redirect
 * URI tampering, PKCE downgrade, code replay and theft, refresh token theft, CSRF, open redirects,
 * framing and {@code state}/{@code iss} integrity; on both engines.
 */
@OnBothEngines
class AuthorizationSecurityTest {
  static final String CB = AuthorizationCodeFlowTest.CB;
  static final String EMAIL = "eve.victim@example.com";

  TestServer server;
  CodeFlow flow;
  ClientService.Registered app;
  Browser browser;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    flow = new CodeFlow(server);
    app = OAuthTesting.confidential(server, "main", "read", "write");
    flow.user(EMAIL);
    browser = new Browser(server);
    assertThat(flow.login(browser, EMAIL, CodeFlow.PASSWORD).status()).isEqualTo(303);
  }

  private String id() {
    return app.client().clientId();
  }

  /** Asserts an HTML error page naming {@code code}, with no redirect anywhere. */
  private static void assertErrorPage(Api.Response r, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Location")).as(r.toString()).isEmpty();
    assertThat(r.header("Content-Type").orElse("")).startsWith("text/html");
    assertThat(r.body()).contains("Error <code>" + code + "</code>");
    assertFramingHeaders(r);
  }

  private static void assertFramingHeaders(Api.Response r) {
    // docs/security.md#no-framing, docs/security.md#no-referrer-leak
    assertThat(r.header("Content-Security-Policy").orElse("")).contains("frame-ancestors 'none'");
    assertThat(r.header("X-Frame-Options").orElse("")).isEqualTo("DENY");
    // Redirects send no referrer at all; pages use same-origin, which sends none to other origins
    // and keeps the Origin header of the page's own form posts (checked against CSRF).
    assertThat(r.header("Referrer-Policy").orElse(""))
        .isEqualTo(r.status() >= 300 && r.status() < 400 ? "no-referrer" : "same-origin");
  }

  @Test
  void authorizeWhenRedirectUriIsNotAnExactMatchThenErrorPageNeverRedirect() {
    for (String bad : List.of("https://evil.example.com/cb", "https://app.example.com/cb/x",
        "https://app.example.com/cb?x=1", "http://app.example.com/cb",
        "https://app.example.com/cb/", "https://APP.example.com/cb",
        "https://app.example.com:443/cb")) {
      Api.Response r = browser.get(CodeFlow.authorizePath(
          CodeFlow.params(id(), bad, CodeFlow.verifier(), "s", null)));
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.header("Location")).as(bad).isEmpty();
      assertThat(r.header("Content-Type").orElse("")).startsWith("text/html");
      assertThat(r.body()).as(bad).contains("redirect_uri_invalid");
      assertFramingHeaders(r);
    }
    Api.Response unknown = browser.get(CodeFlow.authorizePath(
        CodeFlow.params("cli_nosuchclient00000000000", CB, CodeFlow.verifier(), "s", null)));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.header("Location")).isEmpty();
    assertThat(unknown.body()).contains("client_not_found");
  }

  @Test
  void authorizeWhenPkceMissingOrPlainThenInvalidRequestPage() {
    Map<String, String> p = CodeFlow.params(id(), CB, CodeFlow.verifier(), "s", null);
    p.remove("code_challenge");
    assertErrorPage(browser.get(CodeFlow.authorizePath(p)), "invalid_request");
    p = CodeFlow.params(id(), CB, CodeFlow.verifier(), "s", null);
    p.put("code_challenge_method", "plain");
    assertErrorPage(browser.get(CodeFlow.authorizePath(p)), "invalid_request");
    p.remove("code_challenge_method"); // RFC 7636 4.3: absent means plain
    assertErrorPage(browser.get(CodeFlow.authorizePath(p)), "invalid_request");
  }

  /**
   * docs/security.md#untrusted-client-no-redirect (RFC 9700 4.11.2): whoever administers an
   * account chooses its clients' redirect URIs, so a registered client with its exact registered
   * URI must not be able to bounce a browser off the issuer with an erroneous request. Each variant
   * is a link anyone could send; it gets an error page, not a redirect, whether the user is signed
   * in or not, also with {@code prompt=none}. Variants: the expected code, then the parameters
   * changed ({@code name=} removes one, {@code +name=value} sends it a second time).
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "unsupported_response_type|response_type=token",
      "unsupported_response_type|response_type=id_token token",
      "unsupported_response_type|response_type=code id_token",
      "unsupported_response_type|response_type=token&prompt=none",
      "invalid_request|response_type=",
      "invalid_request|code_challenge=",
      "invalid_request|code_challenge_method=plain",
      "invalid_request|code_challenge_method=",
      "invalid_request|code_challenge=tooshort",
      "invalid_request|code_challenge_method=S256&+state=again",
      "invalid_scope|scope=admin",
      "invalid_scope|scope=admin&prompt=none",
      "invalid_request|prompt=none login",
      "invalid_request|max_age=ten",
      "invalid_request|nonce=" + "n501"})
  void authorizeWhenErroneousRequestOfRegisteredClientThenErrorPageNeverRedirect(String variant) {
    String code = variant.substring(0, variant.indexOf('|'));
    Map<String, String> p = CodeFlow.params(id(), CB, CodeFlow.verifier(), "s", "read");
    StringBuilder again = new StringBuilder();
    for (String change : variant.substring(variant.indexOf('|') + 1).split("&")) {
      String name = change.substring(0, change.indexOf('='));
      String value = change.substring(change.indexOf('=') + 1);
      if (value.equals("n501")) {
        value = "n".repeat(501);
      }
      if (name.startsWith("+")) {
        again.append('&').append(name.substring(1)).append('=').append(OAuthTesting.enc(value));
      } else if (value.isEmpty()) {
        p.remove(name);
      } else {
        p.put(name, value);
      }
    }
    String path = CodeFlow.authorizePath(p) + again;
    assertErrorPage(new Browser(server).get(path), code); // not signed in
    assertErrorPage(browser.get(path), code); // signed in, no grant yet
    flow.approve(browser, CodeFlow.params(id(), CB, CodeFlow.verifier(), null, "read"));
    assertErrorPage(browser.get(path), code); // signed in, grant remembered
  }

  /**
   * The neighbour of the rule above: a valid request that carries parameters Jeton does not know
   * (RFC 6749 3.1: ignored) is no error, and a visitor who is not signed in is sent to the sign-in
   * page of the issuer, not to the client.
   */
  @Test
  void authorizeWhenValidWithUnknownParametersAndNotSignedInThenSignInPageNotClient() {
    Map<String, String> p = CodeFlow.params(id(), CB, CodeFlow.verifier(), "s", "read");
    p.put("response_mode", "fragment");
    p.put("request_uri", "https://evil.example/request.jwt");
    p.put("prompt", "whatever");
    p.put("display", "popup");
    String login = Browser.location(new Browser(server).get(CodeFlow.authorizePath(p)), 303);
    assertThat(login).startsWith(CodeFlow.BASE + "/login?return_to=");
  }

  /**
   * RFC 9700 4.11.2: the user decides with the facts in front of them. The consent page names where
   * either answer leads, and Deny still goes back to the client with {@code access_denied}.
   */
  @Test
  void consentPageWhenShownThenNamesWhereEitherAnswerLeads() {
    Api.Response consent = browser.get(CodeFlow.authorizePath(
        CodeFlow.params(id(), CB, CodeFlow.verifier(), "s", "read")));
    assertThat(consent.status()).as(consent.toString()).isEqualTo(200);
    assertThat(consent.body()).contains("you then go to <strong>https://app.example.com</strong>");
    Api.Response denied = browser.post("/accounts/main/oauth2/authorize",
        Browser.form(Browser.hidden(consent), "decision", "deny"));
    assertThat(Browser.query(Browser.location(denied, 303)))
        .containsEntry("error", "access_denied").containsEntry("state", "s");
  }

  @Test
  void exchangeWhenVerifierWrongOrMissingThenRefused() {
    String verifier = CodeFlow.verifier();
    String code = flow.approve(browser, CodeFlow.params(id(), CB, verifier, null, null))
        .get("code");
    assertOAuthError(flow.exchange(code, CB, null, basic(app), null), 400, "invalid_request");
    assertOAuthError(flow.exchange(code, CB, CodeFlow.verifier(), basic(app), null), 400,
        "invalid_grant");
    assertOAuthError(flow.exchange(code, CB, "short", basic(app), null), 400, "invalid_grant");
    assertThat(flow.exchange(code, CB, verifier, basic(app), null).status()).isEqualTo(200);
  }

  @Test
  void exchangeWhenCodeReplayedThenInvalidGrantAndFirstTokensRevoked() {
    String verifier = CodeFlow.verifier();
    String code = flow.approve(browser, CodeFlow.params(id(), CB, verifier, null, "read"))
        .get("code");
    Api.Response first = flow.exchange(code, CB, verifier, basic(app), null);
    assertThat(first.status()).isEqualTo(200);
    assertOAuthError(flow.exchange(code, CB, verifier, basic(app), null), 400, "invalid_grant");
    assertOAuthError(flow.refresh(first.text("refresh_token"), basic(app)), 400,
        "invalid_grant");
    String sid = server.app().accessTokens().verify(first.text("access_token"), "main")
        .sessionId();
    assertThat(server.app().sessions().isActive(sid)).isFalse();
  }

  @Test
  void exchangeWhenCodeOlderThanTenMinutesThenInvalidGrant() {
    String verifier = CodeFlow.verifier();
    String code = flow.approve(browser, CodeFlow.params(id(), CB, verifier, null, null))
        .get("code");
    server.clock().advance(Duration.ofMinutes(10).plusSeconds(1));
    assertOAuthError(flow.exchange(code, CB, verifier, basic(app), null), 400, "invalid_grant");
  }

  @Test
  void exchangeWhenAccountSetsAShorterCodeLifetimeThenCodeExpiresThen() {
    Api.Response set = server.api().patchJson(TestServer.v1("main") + "/accounts/main",
        "{\"token_lifetimes\":{\"authorization_code\":60}}", server.adminToken());
    assertThat(set.status()).as(set.toString()).isEqualTo(200);
    assertThat(set.json().path("token_lifetimes").path("authorization_code").asLong())
        .isEqualTo(60);
    String verifier = CodeFlow.verifier();
    String late = flow.approve(browser, CodeFlow.params(id(), CB, verifier, null, null))
        .get("code");
    server.clock().advance(Duration.ofSeconds(61));
    assertOAuthError(flow.exchange(late, CB, verifier, basic(app), null), 400, "invalid_grant");
    String onTime = flow.approve(browser, CodeFlow.params(id(), CB, verifier, null, null))
        .get("code");
    server.clock().advance(Duration.ofSeconds(59));
    assertThat(flow.exchange(onTime, CB, verifier, basic(app), null).status()).isEqualTo(200);
    // never longer than RFC 6749 4.1.2's ten minutes, never shorter than 30 s
    for (int bad : new int[] {601, 29}) {
      assertThat(server.api().patchJson(TestServer.v1("main") + "/accounts/main",
          "{\"token_lifetimes\":{\"authorization_code\":" + bad + "}}", server.adminToken())
          .status()).isEqualTo(400);
    }
  }

  @Test
  void exchangeWhenCodeUsedByAnotherClientOrRedirectUriThenInvalidGrant() {
    ClientService.Registered other = OAuthTesting.confidential(server, "main", "read");
    String verifier = CodeFlow.verifier();
    String code = flow.approve(browser, CodeFlow.params(id(), CB, verifier, null, null))
        .get("code");
    assertOAuthError(flow.exchange(code, CB, verifier, basic(other), null), 400,
        "invalid_grant");
    assertOAuthError(flow.exchange(code, CB + "/x", verifier, basic(app), null), 400,
        "invalid_grant");
    assertOAuthError(flow.exchange(code, null, verifier, basic(app), null), 400,
        "invalid_grant");
    assertThat(flow.exchange(code, CB, verifier, basic(app), null).status()).isEqualTo(200);
  }

  @Test
  void refreshWhenTokenOfClientAUsedByClientBThenInvalidGrant() {
    ClientService.Registered other = OAuthTesting.confidential(server, "main", "read");
    String verifier = CodeFlow.verifier();
    String code = flow.approve(browser, CodeFlow.params(id(), CB, verifier, null, null))
        .get("code");
    String rt = flow.exchange(code, CB, verifier, basic(app), null).text("refresh_token");
    assertOAuthError(flow.refresh(rt, basic(other)), 400, "invalid_grant");
    assertThat(flow.refresh(rt, basic(app)).status()).as("A's token untouched").isEqualTo(200);
    String firstParty = server.login("main", EMAIL, CodeFlow.PASSWORD).text("refresh_token");
    assertOAuthError(flow.refresh(firstParty, basic(app)), 400, "invalid_grant");
  }

  @Test
  void formsWhenLoginOrConsentPostedWithoutOrWithWrongCsrfThenRefused() {
    Browser fresh = new Browser(server);
    Api.Response page = fresh.get("/accounts/main/login");
    Map<String, String> fields = Browser.hidden(page);
    fields.put("csrf", "wrong" + fields.get("csrf").substring(5));
    assertThat(fresh.post("/accounts/main/login", Browser.form(fields, "email", EMAIL,
        "password", CodeFlow.PASSWORD)).status()).isEqualTo(403);
    fields.remove("csrf");
    assertThat(fresh.post("/accounts/main/login", Browser.form(fields, "email", EMAIL,
        "password", CodeFlow.PASSWORD)).status()).isEqualTo(403);
    // Login CSRF: the attacker's own form, posted cross-site without the victim's cookie.
    Api.Response cross = fresh.postCrossSite("/accounts/main/login", OAuthTesting.form(
        "csrf", Browser.hidden(page).get("csrf"), "email", EMAIL, "password",
        CodeFlow.PASSWORD));
    assertThat(cross.status()).isEqualTo(403);
    assertThat(cross.header("Location")).isEmpty();

    Api.Response consent = browser.get(CodeFlow.authorizePath(
        CodeFlow.params(id(), CB, CodeFlow.verifier(), "s", null)));
    Map<String, String> c = Browser.hidden(consent);
    c.put("csrf", "x");
    Api.Response forged = browser.post("/accounts/main/oauth2/authorize",
        Browser.form(c, "decision", "allow"));
    assertThat(forged.status()).isEqualTo(403);
    assertThat(forged.header("Location")).isEmpty();
    c.remove("csrf");
    assertThat(browser.post("/accounts/main/oauth2/authorize",
        Browser.form(c, "decision", "allow")).status()).isEqualTo(403);
  }

  @Test
  void signInPageWhenEmailUnknownOrPasswordWrongThenSameAnswer() {
    Browser b = new Browser(server);
    Api.Response unknown = flow.login(b, "nobody@example.com", CodeFlow.PASSWORD);
    Api.Response wrong = flow.login(b, EMAIL, "not the password at all");
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(unknown.body().replaceAll("value=\"[^\"]*\"", ""))
        .isEqualTo(wrong.body().replaceAll("value=\"[^\"]*\"", ""));
  }

  /**
   * docs/security.md#refresh-client-binding (RFC 6749 6, 10.4): an OAuth client's refresh token
   * presented at Jeton's own refresh endpoint, which takes no client authentication, is refused and
   * left as it was.
   */
  @Test
  void refreshWhenClientTokenPresentedToFirstPartyRefreshThenRefusedAndUntouched() {
    String verifier = CodeFlow.verifier();
    Map<String, String> answer = flow.approve(browser, CodeFlow.params(app.client().clientId(),
        "https://app.example.com/cb", verifier, "s", "read"));
    Api.Response tokens = flow.exchange(answer.get("code"), "https://app.example.com/cb",
        verifier, OAuthTesting.basic(app), null);
    assertThat(tokens.status()).as(tokens.toString()).isEqualTo(200);
    String rt = tokens.text("refresh_token");
    Api.Response firstParty = server.refresh("main", rt);
    assertThat(firstParty.status()).as(firstParty.toString()).isEqualTo(401);
    assertThat(firstParty.code()).isEqualTo("client_token_not_accepted");
    // untouched: the client itself still refreshes it, once
    assertThat(flow.refresh(rt, OAuthTesting.basic(app)).status()).isEqualTo(200);
  }

  /**
   * docs/security.md#refresh-client-binding: the first-party logout takes only first-party
   * refresh tokens, like the first-party refresh; an OAuth client's token is refused and its
   * session goes on (the client ends it at the revocation endpoint, RFC 7009).
   */
  @Test
  void logoutWhenClientTokenPresentedToFirstPartyLogoutThenRefusedAndSessionGoesOn() {
    String verifier = CodeFlow.verifier();
    Map<String, String> answer = flow.approve(browser, CodeFlow.params(app.client().clientId(),
        "https://app.example.com/cb", verifier, "s", "read"));
    Api.Response tokens = flow.exchange(answer.get("code"), "https://app.example.com/cb",
        verifier, OAuthTesting.basic(app), null);
    assertThat(tokens.status()).as(tokens.toString()).isEqualTo(200);
    String rt = tokens.text("refresh_token");
    Api.Response logout = server.api().postJson(TestServer.v1("main") + "/auth/logout",
        "{\"refresh_token\":" + Api.q(rt) + "}");
    assertThat(logout.status()).as(logout.toString()).isEqualTo(401);
    assertThat(logout.code()).isEqualTo("client_token_not_accepted");
    // the session was not ended: the client still refreshes its token
    assertThat(flow.refresh(rt, OAuthTesting.basic(app)).status()).isEqualTo(200);
  }

  /** docs/security.md#sign-in-throttle on the sign-in page: guessing waits (429) as on the API. */
  @Test
  void signInPageWhenGuessingThenThrottledPageWithRetryAfter() {
    Browser b = new Browser(server);
    for (int i = 0; i < 6; i++) {
      assertThat(flow.login(b, EMAIL, "wrong guess number " + i).status()).isEqualTo(401);
    }
    Api.Response throttled = flow.login(b, EMAIL, CodeFlow.PASSWORD);
    assertThat(throttled.status()).as(throttled.toString()).isEqualTo(429);
    assertThat(throttled.header("Retry-After")).contains("1");
    assertThat(throttled.body()).contains("try again in 1 s").doesNotContain("Exception");
    assertThat(b.cookies).doesNotContainKey("__Host-jeton_session");
    server.clock().advance(java.time.Duration.ofSeconds(1));
    assertThat(flow.login(b, EMAIL, CodeFlow.PASSWORD).status()).isEqualTo(303);
  }

  @Test
  void sessionCookieWhenSignedInThenNewAndHostPrefixed() {
    Browser b = new Browser(server);
    b.cookies.put("__Host-jeton_session", "attacker-chosen-session-id-planted-before-login");
    flow.login(b, EMAIL, CodeFlow.PASSWORD);
    String sessionCookie = b.setCookies.stream()
        .filter(c -> c.startsWith("__Host-jeton_session=")).findFirst().orElseThrow();
    assertThat(sessionCookie).contains("Secure").contains("HttpOnly").contains("SameSite=Lax")
        .contains("Path=/").doesNotContain("Domain");
    String id = b.cookies.get("__Host-jeton_session");
    assertThat(id).isNotEqualTo("attacker-chosen-session-id-planted-before-login")
        .hasSizeGreaterThanOrEqualTo(22);
  }

  @Test
  void returnToWhenItLeavesTheIssuerThenRefused() {
    for (String evil : List.of("https://evil.example/", "//evil.example/x", "/\\evil.example",
        "/accounts/main/../../evil", "/accounts/main/%2e%2e/x", "/accounts/other/login",
        "javascript:alert(1)", "/accounts/main//evil.example")) {
      Api.Response page = browser.get("/accounts/main/login?return_to="
          + OAuthTesting.enc(evil));
      assertThat(page.status()).as(evil).isEqualTo(400);
      Api.Response fresh = new Browser(server).get("/accounts/main/login");
      Browser b = new Browser(server);
      Api.Response p = b.get("/accounts/main/login");
      Map<String, String> fields = Browser.hidden(p);
      fields.put("return_to", evil);
      Api.Response posted = b.post("/accounts/main/login", Browser.form(fields,
          "email", EMAIL, "password", CodeFlow.PASSWORD));
      assertThat(fresh.status()).isEqualTo(200);
      assertThat(posted.status()).as(evil).isEqualTo(400);
      assertThat(posted.header("Location")).as(evil).isEmpty();
    }
  }

  @Test
  void authorizeWhenStateHasOddCharactersThenEchoedExactlyWithIss() {
    String state = "a b+c&d=e%20f/é\"<>?#~";
    Map<String, String> ok = flow.approve(browser,
        CodeFlow.params(id(), CB, CodeFlow.verifier(), state, null));
    assertThat(ok.get("state")).isEqualTo(state);
    assertThat(ok.get("iss")).isEqualTo(flow.issuer());
    Map<String, String> p = CodeFlow.params(id(), CB, CodeFlow.verifier(), state, "write");
    p.put("prompt", "consent"); // the grant is remembered: ask again, and deny
    Api.Response consent = browser.get(CodeFlow.authorizePath(p));
    Api.Response denied = browser.post("/accounts/main/oauth2/authorize",
        Browser.form(Browser.hidden(consent), "decision", "deny"));
    Map<String, String> err = Browser.query(Browser.location(denied, 303));
    assertThat(err).containsEntry("error", "access_denied").containsEntry("state", state)
        .containsEntry("iss", flow.issuer());
  }

  @Test
  void authorizeWhenResponseTypeTokenThenUnsupportedResponseTypePageAndNoToken() {
    flow.approve(browser, CodeFlow.params(id(), CB, CodeFlow.verifier(), null, null));
    Map<String, String> p = CodeFlow.params(id(), CB, CodeFlow.verifier(), "s", null);
    p.put("response_type", "token");
    Api.Response r = browser.get(CodeFlow.authorizePath(p));
    assertErrorPage(r, "unsupported_response_type");
    assertThat(r.body()).doesNotContain("access_token").doesNotContain("jeton_");
  }

  /** docs/security.md#grants-per-client, answered on a page (#untrusted-client-no-redirect). */
  @Test
  void authorizeWhenClientLacksAuthorizationCodeGrantThenUnauthorizedClientPage() {
    ClientService.Registered cc = server.app().clients().create("main", new Client.Spec("CC",
        Client.Type.CONFIDENTIAL, List.of(CB), List.of(Client.CLIENT_CREDENTIALS), List.of(),
        null, null, null));
    Map<String, String> p = CodeFlow.params(cc.client().clientId(), CB, CodeFlow.verifier(),
        "s", null);
    assertErrorPage(browser.get(CodeFlow.authorizePath(p)), "unauthorized_client");
    assertErrorPage(new Browser(server).get(CodeFlow.authorizePath(p)), "unauthorized_client");
  }

  @Test
  void pagesWhenAuthorizeLoginOrConsentThenNoFraming() {
    assertFramingHeaders(new Browser(server).get("/accounts/main/login"));
    Api.Response consent = browser.get(CodeFlow.authorizePath(
        CodeFlow.params(id(), CB, CodeFlow.verifier(), "s", null)));
    assertThat(consent.status()).isEqualTo(200);
    assertFramingHeaders(consent);
    assertFramingHeaders(new Browser(server).get(CodeFlow.authorizePath(
        CodeFlow.params(id(), CB, CodeFlow.verifier(), "s", null))));
    Api.Response allowed = browser.post("/accounts/main/oauth2/authorize",
        Browser.form(Browser.hidden(consent), "decision", "allow"));
    assertThat(allowed.status()).as("303 after a form post, RFC 9700 4.12").isEqualTo(303);
    assertFramingHeaders(allowed);
  }
}
