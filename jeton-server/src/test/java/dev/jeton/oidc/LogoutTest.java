package dev.jeton.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.oauth.OidcFlow;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Settings;
import dev.jeton.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RP-initiated logout (OIDC RP-Initiated Logout 1.0, 2-3) on both engines: the browser session
 * ends at once only for an {@code id_token_hint} naming the signed-in user, otherwise after the
 * user confirms on a CSRF-protected form (a cross-site link cannot sign anyone out). Only a
 * registered {@code post_logout_redirect_uri} is ever a destination, and it is redirected to at
 * once only when a hint names the user whose session ends; otherwise after the user's answer, or
 * through a link the user follows (docs/security.md#no-open-redirect).
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

  /** Asserts the signed-out page with a link back to the application, and no redirect. */
  private static void assertLinkBack(Api.Response r, String href) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Location")).as(r.toString()).isEmpty();
    assertThat(r.body()).contains("You were not signed in.")
        .contains("<a href=\"" + href.replace("&", "&amp;") + "\">Return to Backend</a>")
        .contains("(https://app.example.com)");
  }

  /**
   * docs/security.md#no-open-redirect (RFC 9700 4.11.2): anyone who administers an account can
   * register a client with any return address, so a logout link naming only the client must not
   * send a browser there at once. The browser is not signed in, so there is no one to ask: the
   * user gets the signed-out page and follows the link back if they choose.
   */
  @Test
  void logoutWhenNotSignedInAndOnlyClientIdThenLinkBackNotRedirect() {
    Api.Response r = server.api().get(PATH + "?client_id=" + app.client().clientId()
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB) + "&state=s1");
    assertLinkBack(r, OidcFlow.CB + "?state=s1");
  }

  /**
   * docs/security.md#no-open-redirect: an account's administrator can obtain valid ID tokens of
   * its own users, so a valid hint by itself is no reason to redirect a browser that has no
   * session it names; a link handed to anyone gets the signed-out page, also as a POST.
   */
  @Test
  void logoutWhenNotSignedInAndValidHintThenLinkBackNotRedirect() {
    String idToken = flow.tokens("openid", null).path("id_token").asText();
    String query = "id_token_hint=" + idToken + "&post_logout_redirect_uri="
        + enc(OidcFlow.CB) + "&state=s2";
    assertLinkBack(server.api().get(PATH + "?" + query), OidcFlow.CB + "?state=s2");
    Api.Response post = server.api().send("POST", PATH, query + "&decision=sign_out",
        Map.of("Content-Type", "application/x-www-form-urlencoded"));
    assertLinkBack(post, OidcFlow.CB + "?state=s2");
    assertThat(signedIn()).isTrue(); // the user's own browser was not touched
  }

  /**
   * A hint naming another user than the one signed in (the administrator's own user, say) signs
   * nobody out and sends nobody anywhere until the user answers the question, which says where
   * the answer leads.
   */
  @Test
  void logoutWhenValidHintOfAnotherUserThenQuestionNamingTheDestination() {
    String othersIdToken = new OidcFlow(server, app, "mallory@example.com")
        .tokens("openid", null).path("id_token").asText();
    flow.tokens("openid", null);
    Api.Response page = confirmation(flow.get(PATH + "?id_token_hint=" + othersIdToken
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB) + "&state=s3"));
    assertThat(page.body()).contains("you then go to <strong>https://app.example.com</strong>");
    assertThat(signedIn()).isTrue();
    Api.Response r = signOut(page);
    assertThat(r.status()).as(r.toString()).isEqualTo(303);
    assertThat(r.header("Location").orElseThrow()).isEqualTo(OidcFlow.CB + "?state=s3");
    assertThat(signedIn()).isFalse();
  }

  /**
   * docs/security.md#no-open-redirect: a hint the application got for its own user proves
   * nothing about another client's return address, whether that client is named or not.
   */
  @Test
  void logoutWhenHintOfAnotherClientThenPageNotRedirect() {
    ClientService.Registered evil = server.app().clients().create("main", new Client.Spec("Evil",
        Client.Type.CONFIDENTIAL, List.of("https://evil.example/cb"),
        List.of(Client.AUTHORIZATION_CODE), List.of("openid"), null, null, null));
    String idToken = flow.tokens("openid", null).path("id_token").asText(); // aud: app
    for (String query : List.of("client_id=" + evil.client().clientId() + "&", "")) {
      Api.Response r = server.api().get(PATH + "?" + query + "id_token_hint=" + idToken
          + "&post_logout_redirect_uri=" + enc("https://evil.example/cb"));
      assertThat(r.status()).as(query + r).isEqualTo(400);
      assertThat(r.header("Location")).as(query).isEmpty();
      assertThat(r.body()).doesNotContain("evil.example");
    }
    Api.Response signedInToo = flow.get(PATH + "?id_token_hint=" + idToken
        + "&post_logout_redirect_uri=" + enc("https://evil.example/cb"));
    assertThat(signedInToo.status()).as(signedInToo.toString()).isEqualTo(400);
    assertThat(signedInToo.header("Location")).isEmpty();
  }

  /**
   * docs/security.md#no-open-redirect: a hint whose claims were changed (here its audience, to
   * point at another client's return address) no longer verifies, signed in or not.
   */
  @Test
  void logoutWhenHintClaimsTamperedThenPageNotRedirect() throws Exception {
    ClientService.Registered evil = server.app().clients().create("main", new Client.Spec("Evil",
        Client.Type.CONFIDENTIAL, List.of("https://evil.example/cb"),
        List.of(Client.AUTHORIZATION_CODE), List.of("openid"), null, null, null));
    String idToken = flow.tokens("openid", null).path("id_token").asText();
    String[] parts = idToken.split("\\.");
    JWTClaimsSet claims = JWTClaimsSet.parse(new String(
        Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    JWTClaimsSet changed = new JWTClaimsSet.Builder(claims)
        .audience(evil.client().clientId()).claim("azp", evil.client().clientId()).build();
    String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
        changed.toString().getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    String query = "?id_token_hint=" + tampered + "&post_logout_redirect_uri="
        + enc("https://evil.example/cb");
    Api.Response r = server.api().get(PATH + query);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Location")).isEmpty();
    confirmation(flow.get(PATH + query)); // not the signed-in user's hint: asked first
    assertThat(signedIn()).isTrue();
  }

  /**
   * docs/security.md#no-open-redirect: only this account's keys sign hints. A token another
   * account signed, claiming this issuer, this client and the signed-in user, is no hint.
   */
  @Test
  void logoutWhenHintSignedByAnotherAccountThenNotTrusted() {
    server.app().accounts().create("main", "other", "Other");
    flow.tokens("openid", null);
    long now = server.clock().millis() / 1000;
    String foreign = server.app().accessTokens().sign("other", JWSAlgorithm.RS256,
        JOSEObjectType.JWT, alg -> new JWTClaimsSet.Builder()
            .issuer(server.api().base() + "/accounts/main").subject(flow.userId())
            .audience(app.client().clientId()).claim("azp", app.client().clientId())
            .issueTime(new Date(now * 1000)).expirationTime(new Date((now + 600) * 1000))
            .claim("auth_time", now).build()).token();
    String query = "?id_token_hint=" + foreign + "&post_logout_redirect_uri="
        + enc(OidcFlow.CB);
    Api.Response anonymous = server.api().get(PATH + query);
    assertThat(anonymous.status()).as(anonymous.toString()).isEqualTo(400);
    assertThat(anonymous.header("Location")).isEmpty();
    Api.Response page = confirmation(flow.get(PATH + query)); // not taken as naming the user
    assertThat(signedIn()).isTrue();
    Api.Response r = signOut(page);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Location")).isEmpty();
  }

  /**
   * docs/security.md#no-open-redirect: a hint is an ID token ({@code typ} {@code JWT}). A token
   * of another type that this account signed, with the claims of an ID token of the signed-in
   * user, neither signs the user out at once nor redirects.
   */
  @Test
  void logoutWhenHintIsNotOfTypeJwtThenNotTakenAsNamingTheUser() {
    flow.tokens("openid", null);
    long now = server.clock().millis() / 1000;
    String other = server.app().accessTokens().sign("main", JWSAlgorithm.RS256,
        new JOSEObjectType("at+jwt"), alg -> new JWTClaimsSet.Builder()
            .issuer(server.api().base() + "/accounts/main").subject(flow.userId())
            .audience(app.client().clientId()).claim("azp", app.client().clientId())
            .issueTime(new Date(now * 1000)).expirationTime(new Date((now + 600) * 1000))
            .claim("auth_time", now).build()).token();
    Api.Response page = confirmation(flow.get(PATH + "?id_token_hint=" + other
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB)));
    assertThat(signedIn()).isTrue();
    Api.Response r = signOut(page);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Location")).isEmpty();
  }

  /**
   * RP-Initiated Logout 2: an expired hint is still a hint. It names the signed-in user, so the
   * session ends at once and the browser goes back with {@code state}.
   */
  @Test
  @Settings("ACCESS_TOKEN_TTL=5m")
  void logoutWhenExpiredHintNamesTheSignedInUserThenSignedOutAndRedirected() {
    String idToken = flow.tokens("openid", null).path("id_token").asText();
    server.clock().advance(Duration.ofMinutes(20));
    Api.Response r = flow.get(PATH + "?id_token_hint=" + idToken
        + "&post_logout_redirect_uri=" + enc(OidcFlow.CB) + "&state=late");
    assertThat(r.status()).as(r.toString()).isEqualTo(302);
    assertThat(r.header("Location").orElseThrow()).isEqualTo(OidcFlow.CB + "?state=late");
    assertThat(signedIn()).isFalse();
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
