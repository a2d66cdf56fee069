package dev.jeton.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.client.ClientService;
import dev.jeton.oauth.OidcFlow;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RP-initiated logout (OIDC RP-Initiated Logout 1.0, 2-3) on both engines: the browser session
 * ends at once only for an {@code id_token_hint} naming the signed-in user, otherwise after the
 * user confirms on a CSRF-protected form (a cross-site link cannot sign anyone out); only a
 * registered {@code post_logout_redirect_uri} is redirected to (docs/security.md#no-open-redirect).
 */
@OnBothEngines
class LogoutTest {
  static final String PATH = "/accounts/main/oauth2/logout";

  TestServer server;
  ClientService.Registered app;
  OidcFlow flow;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    app = OidcFlow.client(server, "openid");
    flow = new OidcFlow(server, app, "ada@example.com");
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

  /** Asserts the confirmation page and answers it. */
  private Api.Response confirmation(Api.Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.body()).contains("Sign out", "Stay signed in");
    assertThat(r.header("Location")).isEmpty();
    return r;
  }

  private Api.Response signOut(Api.Response confirmation) {
    return flow.submit(confirmation(confirmation), PATH, "decision", "sign_out");
  }

  @Test
  void logoutWhenRegisteredUriByClientIdThenConfirmedThenSignedOutAndRedirectedWithState() {
    flow.tokens("openid", null); // consent remembered, so authorize answers at once
    assertThat(signedIn()).isTrue();
    Api.Response page = flow.get(PATH + "?client_id=" + app.client().clientId()
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB) + "&state=" + enc("a b&c"));
    assertThat(signedIn()).isTrue(); // asking changes nothing
    assertThat(page.header("Content-Security-Policy").orElse(""))
        .contains("form-action 'self' https://app.example.com");
    Api.Response r = signOut(page);
    assertThat(r.status()).as(r.toString()).isEqualTo(303);
    assertThat(r.header("Location").orElseThrow()).isEqualTo(OidcFlow.CB + "?state=a%20b%26c");
    assertThat(signedIn()).isFalse();
  }

  @Test
  void logoutWhenIdTokenHintNamesTheSignedInUserThenSignedOutAtOnceAndRedirected() {
    String idToken = flow.tokens("openid", null).path("id_token").asText();
    Api.Response r = flow.get(PATH + "?id_token_hint=" + idToken
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB));
    assertThat(r.status()).as(r.toString()).isEqualTo(302);
    assertThat(r.header("Location").orElseThrow()).isEqualTo(OidcFlow.CB);
    assertThat(signedIn()).isFalse();
  }

  /**
   * A relying party's cross-site form post arrives without the SameSite=Lax session cookie: it is
   * sent on as a top-level GET, which carries the cookie, signs out and redirects.
   */
  @Test
  void logoutWhenPostedCrossSiteWithoutCookieThenReplayedAsGetWhichSignsOut() {
    String idToken = flow.tokens("openid", null).path("id_token").asText();
    Api.Response post = server.api().send("POST", PATH, "id_token_hint=" + idToken
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB) + "&state=xy", java.util.Map.of(
        "Content-Type", "application/x-www-form-urlencoded"));
    assertThat(post.status()).as(post.toString()).isEqualTo(303);
    String again = post.header("Location").orElseThrow();
    assertThat(again).startsWith(PATH + "?id_token_hint=" + idToken);
    assertThat(signedIn()).isTrue();
    Api.Response get = flow.get(again);
    assertThat(get.status()).as(get.toString()).isEqualTo(302);
    assertThat(get.header("Location").orElseThrow()).isEqualTo(OidcFlow.CB + "?state=xy");
    assertThat(signedIn()).isFalse();
  }

  @Test
  void logoutWhenPostedWithTheSessionCookieAndHintThenSignedOutAndRedirectedWith303() {
    String idToken = flow.tokens("openid", null).path("id_token").asText();
    Api.Response confirm = flow.get(PATH); // any page of the issuer carries a form to reuse
    Api.Response r = flow.submit(confirm, PATH, "id_token_hint", idToken,
        "post_logout_redirect_uri", OidcFlow.CB, "state", "xy");
    assertThat(r.status()).as(r.toString()).isEqualTo(303);
    assertThat(r.header("Location").orElseThrow()).isEqualTo(OidcFlow.CB + "?state=xy");
    assertThat(signedIn()).isFalse();
  }

  /** A cross-site GET (a link, an image) only shows the question: the user stays signed in. */
  @Test
  void logoutWhenNoHintThenNothingHappensUntilConfirmed() {
    flow.tokens("openid", null);
    confirmation(flow.get(PATH));
    confirmation(flow.get(PATH + "?client_id=" + app.client().clientId()));
    assertThat(signedIn()).isTrue();
  }

  /** docs/security.md#csrf-forms: the confirmation form is CSRF-protected. */
  @Test
  void logoutWhenConfirmationPostedWithoutCsrfTokenThenRefusedAndStillSignedIn() {
    flow.tokens("openid", null);
    Api.Response page = confirmation(flow.get(PATH));
    Api.Response r = flow.submit(page, PATH, "decision", "sign_out", "csrf", "forged");
    assertThat(r.status()).as(r.toString()).isEqualTo(403);
    assertThat(signedIn()).isTrue();
  }

  @Test
  void logoutWhenUserChoosesToStayThenStillSignedIn() {
    flow.tokens("openid", null);
    Api.Response r = flow.submit(confirmation(flow.get(PATH + "?client_id="
        + app.client().clientId() + "&post_logout_redirect_uri=" + enc(OidcFlow.CB))), PATH,
        "decision", "stay");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Location")).isEmpty();
    assertThat(signedIn()).isTrue();
  }

  @Test
  void logoutWhenIdTokenHintOfAnotherUserThenAskedFirst() {
    String othersIdToken = new OidcFlow(server, app, "bob@example.com").tokens("openid", null)
        .path("id_token").asText();
    flow.tokens("openid", null);
    confirmation(flow.get(PATH + "?id_token_hint=" + othersIdToken
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB)));
    assertThat(signedIn()).isTrue();
  }

  @Test
  void logoutWhenUnregisteredUriThenPageNotRedirect() {
    flow.tokens("openid", null);
    Api.Response r = signOut(flow.get(PATH + "?client_id=" + app.client().clientId()
        + "&post_logout_redirect_uri=" + enc("https://evil.example/cb") + "&state=s"));
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Location")).isEmpty();
    assertThat(r.body()).contains("not registered");
    assertThat(signedIn()).isFalse();
  }

  @Test
  void logoutWhenUnregisteredUriThenNotAllowedAsFormTarget() {
    flow.tokens("openid", null);
    Api.Response page = confirmation(flow.get(PATH + "?client_id=" + app.client().clientId()
        + "&post_logout_redirect_uri=" + enc("https://evil.example/cb")));
    assertThat(page.header("Content-Security-Policy").orElse("")).doesNotContain("evil");
  }

  @Test
  void logoutWhenUriWithoutClientThenPageNotRedirect() {
    Api.Response r = signOut(flow.get(PATH + "?post_logout_redirect_uri="
        + enc(OidcFlow.CB)));
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Location")).isEmpty();
  }

  @Test
  void logoutWhenForgedIdTokenHintThenAskedAndPageNotRedirect() {
    String idToken = flow.tokens("openid", null).path("id_token").asText();
    String[] parts = idToken.split("\\.");
    String forged = parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10)
        + (parts[2].charAt(10) == 'A' ? 'B' : 'A') + parts[2].substring(11);
    Api.Response r = signOut(flow.get(PATH + "?id_token_hint=" + forged
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB)));
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Location")).isEmpty();
  }

  @Test
  void logoutWhenNoRedirectUriThenSignedOutPage() {
    flow.tokens("openid", null);
    Api.Response r = signOut(flow.get(PATH));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.body()).contains("signed out");
    assertThat(r.headers().getOrDefault("set-cookie", java.util.List.of()).toString())
        .contains("Max-Age=0");
    assertThat(signedIn()).isFalse();
  }

  @Test
  void logoutWhenNotSignedInThenNoQuestionAndRedirectedToRegisteredUri() {
    Api.Response r = server.api().get(PATH + "?client_id=" + app.client().clientId()
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB));
    assertThat(r.status()).as(r.toString()).isEqualTo(302);
    assertThat(r.header("Location").orElseThrow()).isEqualTo(OidcFlow.CB);
  }

  @Test
  void logoutWhenAccessTokenAsHintThenPageNotRedirect() {
    String accessToken = flow.tokens("openid", null).path("access_token").asText();
    Api.Response r = signOut(flow.get(PATH + "?id_token_hint=" + accessToken
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB)));
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Location")).isEmpty();
  }
}
