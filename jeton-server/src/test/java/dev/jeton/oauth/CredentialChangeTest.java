package dev.jeton.oauth;

import static dev.jeton.oauth.OAuthTesting.assertOAuthError;
import static dev.jeton.oauth.OAuthTesting.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.account.Account;
import dev.jeton.client.ClientService;
import dev.jeton.session.SessionService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import dev.jeton.token.Scope;
import dev.jeton.user.User;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/security.md#credential-change: nothing signed in with an old password outlives its change.
 * An attacker who signed in to the hosted pages with a stolen password keeps nothing once the
 * victim changes it: not the browser session (no code for a remembered consent, no device
 * approval), not a code or device approval obtained before the change, not a session started in
 * a race with the change. The change answers what it ended; the user lists and ends browser
 * sessions and logs out everywhere. On both engines.
 */
@OnBothEngines
class CredentialChangeTest {
  static final String CB = "https://app.example.com/cb";
  static final String EMAIL = "vera@example.com";
  static final String NEW_PASSWORD = "a brand new pass phrase 2";

  TestServer server;
  CodeFlow flow;
  DeviceFlow device;
  ClientService.Registered app;
  ClientService.Registered tv;
  String userId;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    flow = new CodeFlow(server);
    device = new DeviceFlow(server);
    app = OAuthTesting.confidential(server, "main", "read");
    tv = device.tv();
    userId = flow.user(EMAIL);
  }

  /** The victim's own first-party sign-in; answers the token response. */
  private JsonNode victim() {
    Api.Response r = server.login("main", EMAIL, CodeFlow.PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json();
  }

  private Api.Response changePassword(String accessToken) {
    return server.api().postJson(TestServer.v1("main") + "/me/password",
        "{\"current_password\":" + Api.q(CodeFlow.PASSWORD) + ",\"new_password\":"
            + Api.q(NEW_PASSWORD) + "}", accessToken);
  }

  /** A browser signed in with the (soon old) password that already consented to the app. */
  private Browser attackerWithConsent() {
    Browser b = new Browser(server);
    assertThat(flow.login(b, EMAIL, CodeFlow.PASSWORD).status()).isEqualTo(303);
    assertThat(flow.approve(b, CodeFlow.params(app.client().clientId(), CB, CodeFlow.verifier(),
        null, "read"))).containsKey("code");
    return b;
  }

  @Test
  void browserSessionWhenPasswordChangedThenNoCodeForRememberedConsent() {
    Browser attacker = attackerWithConsent();
    JsonNode v = victim();
    Api.Response changed = changePassword(v.path("access_token").asText());
    assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
    assertThat(changed.json().path("browser_sessions_ended").asInt()).isEqualTo(1);
    assertThat(changed.json().path("this_session_kept").asBoolean()).isTrue();

    // the remembered consent would have answered a code at once; now it is the sign-in page
    Api.Response again = attacker.get(CodeFlow.authorizePath(CodeFlow.params(
        app.client().clientId(), CB, CodeFlow.verifier(), "s", "read")));
    assertThat(Browser.location(again, 303)).startsWith("/accounts/main/login?return_to=");
  }

  @Test
  void browserSessionWhenPasswordChangedThenDeviceApprovalRefused() {
    Browser attacker = attackerWithConsent();
    JsonNode d = device.start(tv.client().clientId());
    // the attacker holds the confirmation page (and its CSRF token) from before the change
    Api.Response confirm = DeviceFlow.confirmation(attacker, d.path("user_code").asText());
    changePassword(victim().path("access_token").asText());
    Api.Response posted = attacker.post(DeviceFlow.DEVICE,
        Browser.form(Browser.hidden(confirm), "decision", "allow"));
    assertThat(Browser.location(posted, 303)).startsWith("/accounts/main/login");
    assertThat(Browser.location(attacker.get(DeviceFlow.DEVICE), 303))
        .startsWith("/accounts/main/login");
    server.clock().advance(java.time.Duration.ofSeconds(6));
    assertOAuthError(device.poll(tv.client().clientId(), d.path("device_code").asText()), 400,
        "authorization_pending");
  }

  @Test
  void codeWhenIssuedBeforePasswordChangeThenInvalidGrantAfter() {
    Browser attacker = attackerWithConsent();
    String verifier = CodeFlow.verifier();
    String code = flow.approve(attacker, CodeFlow.params(app.client().clientId(), CB, verifier,
        null, "read")).get("code");
    Api.Response changed = changePassword(victim().path("access_token").asText());
    assertThat(changed.json().path("pending_authorizations_revoked").asInt())
        .isGreaterThanOrEqualTo(1);
    assertOAuthError(flow.exchange(code, CB, verifier, basic(app), null), 400, "invalid_grant");
  }

  @Test
  void deviceApprovalWhenGivenBeforePasswordChangeThenNoTokensAfter() {
    Browser attacker = attackerWithConsent();
    JsonNode d = device.start(tv.client().clientId());
    Api.Response decided = DeviceFlow.decide(attacker, d.path("user_code").asText(), "allow");
    assertThat(Browser.location(decided, 303)).contains("result=approved");
    changePassword(victim().path("access_token").asText());
    server.clock().advance(java.time.Duration.ofSeconds(6));
    Api.Response poll = device.poll(tv.client().clientId(), d.path("device_code").asText());
    assertOAuthError(poll, 400, "access_denied");
  }

  /**
   * The race: a sign-in that proved the old password before the change committed. Its session
   * (or browser session) is refused at creation, and a session of the old generation that exists
   * anyway is read as revoked.
   */
  @Test
  void sessionWhenStartedWithOldCredentialsThenRefusedEverywhere() {
    JsonNode v = victim();
    Account main = server.app().accounts().requireActive("main");
    User before = server.app().users().current("main", userId);
    var lifetimes = server.app().accounts().lifetimes(main);
    SessionService.TokenPair old = server.app().sessions().start(main, userId, lifetimes,
        SessionService.FIRST_PARTY_CLIENT, Scope.of("user"),
        server.app().sessions().firstPartyAudience("main"), server.clock().millis(),
        lifetimes.refreshToken(), before.credentialGeneration());
    changePassword(v.path("access_token").asText());

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> server.app().sessions().start(main,
            userId, lifetimes, SessionService.FIRST_PARTY_CLIENT, Scope.of("user"),
            server.app().sessions().firstPartyAudience("main"), server.clock().millis(), lifetimes.refreshToken(), before.credentialGeneration()))
        .isInstanceOf(SessionService.StaleCredentials.class);
    Api.Response refreshed = server.refresh("main", old.refreshToken());
    assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(401);
    assertThat(refreshed.code()).isEqualTo("token_revoked");
    Api.Response me = server.api().get(TestServer.v1("main") + "/me", old.access().token());
    assertThat(me.status()).as(me.toString()).isEqualTo(401);
    assertThat(me.code()).isEqualTo("token_revoked");
  }

  @Test
  void passwordChangeWhenOtherSessionsThenTheyEndAndThisOneStays() {
    JsonNode other = victim();
    JsonNode mine = victim();
    Api.Response changed = changePassword(mine.path("access_token").asText());
    assertThat(changed.status()).isEqualTo(200);
    // the other sign-in and the one registration started
    assertThat(changed.json().path("sessions_ended").asInt()).isEqualTo(2);
    assertThat(server.refresh("main", other.path("refresh_token").asText()).code())
        .isEqualTo("token_revoked");
    Api.Response kept = server.refresh("main", mine.path("refresh_token").asText());
    assertThat(kept.status()).as(kept.toString()).isEqualTo(200);
    assertThat(server.login("main", EMAIL, CodeFlow.PASSWORD).status()).isEqualTo(401);
    assertThat(server.login("main", EMAIL, NEW_PASSWORD).status()).isEqualTo(200);
  }

  @Test
  void browserSessionsWhenListedThenEndOneByIdAndOthersStay() {
    Browser phone = new Browser(server);
    Browser laptop = new Browser(server);
    flow.login(phone, EMAIL, CodeFlow.PASSWORD);
    server.clock().advance(java.time.Duration.ofSeconds(5));
    flow.login(laptop, EMAIL, CodeFlow.PASSWORD);
    String at = victim().path("access_token").asText();
    Api.Response list = server.api().get(TestServer.v1("main") + "/me/browser-sessions", at);
    assertThat(list.status()).as(list.toString()).isEqualTo(200);
    JsonNode items = list.json().path("items");
    assertThat(items).hasSize(2);
    String first = items.get(0).path("id").asText();
    assertThat(first).startsWith("bs_");
    assertThat(items.get(0).path("created_at").asText())
        .isLessThan(items.get(1).path("created_at").asText());

    Api.Response ended = server.api().send("DELETE",
        TestServer.v1("main") + "/me/browser-sessions/" + first, null,
        Map.of("Authorization", "Bearer " + at));
    assertThat(ended.status()).as(ended.toString()).isEqualTo(204);
    Api.Response again = server.api().send("DELETE",
        TestServer.v1("main") + "/me/browser-sessions/" + first, null,
        Map.of("Authorization", "Bearer " + at));
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.code()).isEqualTo("browser_session_not_found");
    assertThat(server.api().get(TestServer.v1("main") + "/me/browser-sessions", at).json()
        .path("items")).hasSize(1);
    // the phone (first) is signed out, the laptop is not
    assertThat(Browser.location(phone.get(DeviceFlow.DEVICE), 303))
        .startsWith("/accounts/main/login");
    assertThat(laptop.get(DeviceFlow.DEVICE).status()).isEqualTo(200);
  }

  @Test
  void browserSessionsWhenAnotherUsersIdThenNotFound() {
    Browser b = new Browser(server);
    flow.login(b, EMAIL, CodeFlow.PASSWORD);
    String victimAt = victim().path("access_token").asText();
    String id = server.api().get(TestServer.v1("main") + "/me/browser-sessions", victimAt)
        .json().path("items").get(0).path("id").asText();
    flow.user("mallory@example.com");
    String mallory = server.login("main", "mallory@example.com", CodeFlow.PASSWORD).json()
        .path("access_token").asText();
    Api.Response r = server.api().send("DELETE",
        TestServer.v1("main") + "/me/browser-sessions/" + id, null,
        Map.of("Authorization", "Bearer " + mallory));
    assertThat(r.status()).isEqualTo(404);
    assertThat(server.api().get(TestServer.v1("main") + "/me/browser-sessions", victimAt)
        .json().path("items")).hasSize(1);
  }

  @Test
  void logoutEverywhereWhenCalledThenEverySessionBrowserAndPendingCodeEnds() {
    Browser b = attackerWithConsent();
    String verifier = CodeFlow.verifier();
    String code = flow.approve(b, CodeFlow.params(app.client().clientId(), CB, verifier, null,
        "read")).get("code");
    JsonNode other = victim();
    JsonNode mine = victim();
    Api.Response r = server.api().postJson(TestServer.v1("main") + "/me/logout-everywhere",
        "{}", mine.path("access_token").asText());
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    // registration's, the other sign-in's and the caller's own
    assertThat(r.json().path("sessions_ended").asInt()).isEqualTo(3);
    assertThat(r.json().path("browser_sessions_ended").asInt()).isEqualTo(1);
    assertThat(r.json().path("pending_authorizations_revoked").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(server.refresh("main", mine.path("refresh_token").asText()).code())
        .isEqualTo("token_revoked");
    assertThat(server.refresh("main", other.path("refresh_token").asText()).code())
        .isEqualTo("token_revoked");
    assertOAuthError(flow.exchange(code, CB, verifier, basic(app), null), 400, "invalid_grant");
    assertThat(Browser.location(b.get(CodeFlow.authorizePath(CodeFlow.params(
        app.client().clientId(), CB, CodeFlow.verifier(), null, "read"))), 303))
        .startsWith("/accounts/main/login");
  }

  @Test
  void meRoutesWhenThirdPartyTokenThenRefused() {
    String clientToken = OAuthTesting.sessionOf(server, "main", "tess@example.com",
        app.client().clientId()).access().token();
    for (String[] call : new String[][] {{"GET", "/me/browser-sessions"},
        {"POST", "/me/logout-everywhere"}, {"DELETE", "/me/browser-sessions/bs_x"}}) {
      Api.Response r = server.api().send(call[0], TestServer.v1("main") + call[1],
          call[0].equals("POST") ? "{}" : null, Map.of("Authorization", "Bearer " + clientToken,
              "Content-Type", "application/json"));
      assertThat(r.status()).as(call[1] + " " + r).isEqualTo(401);
      assertThat(r.code()).isEqualTo("client_token_not_accepted");
    }
  }
}
