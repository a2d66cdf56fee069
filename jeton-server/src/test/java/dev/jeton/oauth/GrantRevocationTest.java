package dev.jeton.oauth;

import static dev.jeton.oauth.OAuthTesting.assertOAuthError;
import static dev.jeton.oauth.OAuthTesting.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/security.md#grant-revocation: revoking an application's access
 * ({@code DELETE /api/v1/me/grants/{client}}) also withdraws what the user approved for it and it
 * has not exchanged yet: an authorization code, an approved device code. Neither creates a
 * session afterwards, and the exchange re-checks that the grant still exists. Other clients'
 * pending authorizations are untouched. On both engines.
 */
@OnBothEngines
class GrantRevocationTest {
  static final String CB = "https://app.example.com/cb";
  static final String EMAIL = "gwen@example.com";

  TestServer server;
  CodeFlow flow;
  DeviceFlow device;
  ClientService.Registered app;
  ClientService.Registered other;
  ClientService.Registered tv;
  Browser browser;
  String userToken;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    flow = new CodeFlow(server);
    device = new DeviceFlow(server);
    app = OAuthTesting.confidential(server, "main", "read");
    other = OAuthTesting.confidential(server, "main", "read");
    tv = device.tv();
    flow.user(EMAIL);
    browser = new Browser(server);
    assertThat(flow.login(browser, EMAIL, CodeFlow.PASSWORD).status()).isEqualTo(303);
    userToken = server.login("main", EMAIL, CodeFlow.PASSWORD).json().path("access_token")
        .asText();
  }

  private Api.Response revoke(String clientId) {
    return server.api().send("DELETE", TestServer.v1("main") + "/me/grants/" + clientId, null,
        Map.of("Authorization", "Bearer " + userToken));
  }

  @Test
  void codeWhenGrantRevokedBeforeExchangeThenInvalidGrantAndNoSession() {
    String verifier = CodeFlow.verifier();
    String code = flow.approve(browser, CodeFlow.params(app.client().clientId(), CB, verifier,
        null, "read")).get("code");
    String otherVerifier = CodeFlow.verifier();
    String otherCode = flow.approve(browser, CodeFlow.params(other.client().clientId(), CB,
        otherVerifier, null, "read")).get("code");

    assertThat(revoke(app.client().clientId()).status()).isEqualTo(204);

    Api.Response t = flow.exchange(code, CB, verifier, basic(app), null);
    assertThat(assertOAuthError(t, 400, "invalid_grant").path("error_description").asText())
        .contains("withdrew");
    assertThat(server.api().get(TestServer.v1("main") + "/me/grants", userToken).json()
        .path("items").toString()).doesNotContain(app.client().clientId());
    // the other application's code is not touched
    assertThat(flow.exchange(otherCode, CB, otherVerifier, basic(other), null).status())
        .isEqualTo(200);
  }

  @Test
  void deviceApprovalWhenGrantRevokedBeforePollThenAccessDeniedAndNoSession() {
    JsonNode d = device.start(tv.client().clientId());
    DeviceFlow.decide(browser, d.path("user_code").asText(), "allow");
    assertThat(revoke(tv.client().clientId()).status()).isEqualTo(204);
    server.clock().advance(Duration.ofSeconds(6));
    assertOAuthError(device.poll(tv.client().clientId(), d.path("device_code").asText()), 400,
        "access_denied");
    server.clock().advance(Duration.ofSeconds(6));
    // still nothing on a later poll, and no session appeared for the client
    assertThat(device.poll(tv.client().clientId(), d.path("device_code").asText()).status())
        .isEqualTo(400);
    assertThat(server.api().get(TestServer.v1("main") + "/me/grants", userToken).json()
        .path("items")).isEmpty();
  }

  @Test
  void revokeWhenOnlyPendingAuthorizationsThenTheyAreWithdrawnAnd204() {
    // approved on the device page (which records the grant), then the grant row is revoked by a
    // first call; a second call finds nothing left and is 404
    JsonNode d = device.start(tv.client().clientId());
    DeviceFlow.decide(browser, d.path("user_code").asText(), "allow");
    assertThat(revoke(tv.client().clientId()).status()).isEqualTo(204);
    Api.Response again = revoke(tv.client().clientId());
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.code()).isEqualTo("client_not_found");
  }

  /**
   * The exchange re-checks the grant: a code whose grant is gone is refused even if nothing
   * marked the code itself (a grant revoked in a way that did not reach it).
   */
  @Test
  void exchangeWhenGrantNoLongerCoversTheCodeThenInvalidGrant() {
    String verifier = CodeFlow.verifier();
    String code = flow.approve(browser, CodeFlow.params(app.client().clientId(), CB, verifier,
        null, "read")).get("code");
    server.app().writes().submit(h -> h.createUpdate("UPDATE grants SET revoked_at = 1 "
        + "WHERE client_id = :c").bind("c", app.client().clientId()).execute());
    assertOAuthError(flow.exchange(code, CB, verifier, basic(app), null), 400, "invalid_grant");
  }
}
