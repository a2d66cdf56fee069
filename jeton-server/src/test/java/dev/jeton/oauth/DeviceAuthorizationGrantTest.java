package dev.jeton.oauth;

import static dev.jeton.oauth.OAuthTesting.assertOAuthError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.client.ClientService;
import dev.jeton.http.Text;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import dev.jeton.token.AccessToken;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device authorization grant end to end (RFC 8628 3.1-3.5): the device authorization
 * response, polling, the verification page with sign-in, approval and denial, expiry and the
 * discovery metadata; on both engines.
 */
@OnBothEngines
class DeviceAuthorizationGrantTest {
  static final String EMAIL = "dana.viewer@example.com";

  TestServer server;
  CodeFlow flow;
  DeviceFlow device;
  ClientService.Registered tv;
  String userId;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    flow = new CodeFlow(server);
    device = new DeviceFlow(server);
    tv = device.tv();
    userId = flow.user(EMAIL);
  }

  private String id() {
    return tv.client().clientId();
  }

  private Browser signedIn() {
    Browser b = new Browser(server);
    assertThat(flow.login(b, EMAIL, CodeFlow.PASSWORD).status()).isEqualTo(303);
    return b;
  }

  @Test
  void deviceAuthorizationWhenRequestedThenAllRfc8628Members() {
    // docs/security.md#device-response
    JsonNode j = device.start(id(), "scope", "read");
    assertThat(j.path("device_code").asText()).startsWith("jeton_dc_");
    assertThat(j.path("user_code").asText()).matches("[A-Z]{4}-[A-Z]{4}");
    assertThat(j.path("verification_uri").asText()).isEqualTo(flow.issuer() + "/device");
    assertThat(j.path("verification_uri_complete").asText())
        .isEqualTo(flow.issuer() + "/device?user_code=" + j.path("user_code").asText());
    assertThat(j.path("expires_in").asLong()).isEqualTo(600);
    assertThat(j.path("interval").asLong()).isEqualTo(5);
  }

  @Test
  void deviceFlowWhenUserSignsInAndApprovesThenTokensOnceAndSecondPollInvalidGrant() {
    JsonNode start = device.start(id(), "scope", "read");
    String dc = start.path("device_code").asText();
    assertOAuthError(device.poll(id(), dc), 400, "authorization_pending");

    Browser b = new Browser(server);
    String toLogin = Browser.location(b.get(DeviceFlow.DEVICE), 303);
    assertThat(toLogin).isEqualTo(CodeFlow.BASE + "/login?return_to="
        + dev.jeton.http.Text.encode(DeviceFlow.DEVICE));
    Api.Response page = b.get(toLogin);
    Api.Response login = b.post(CodeFlow.BASE + "/login", Browser.form(Browser.hidden(page),
        "email", EMAIL, "password", CodeFlow.PASSWORD));
    assertThat(Browser.location(login, 303)).isEqualTo(DeviceFlow.DEVICE);

    Api.Response done = DeviceFlow.decide(b, start.path("user_code").asText(), "allow");
    assertThat(b.get(Browser.location(done, 303)).body()).contains("Device connected");

    server.clock().advance(Duration.ofSeconds(5));
    Api.Response ok = device.poll(id(), dc);
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    OAuthTesting.assertNoStore(ok);
    assertThat(ok.text("token_type")).isEqualTo("Bearer");
    assertThat(ok.text("scope")).isEqualTo("read");
    assertThat(ok.text("refresh_token")).startsWith("jeton_rt_");
    AccessToken at = server.app().accessTokens().verify(ok.text("access_token"), "main");
    assertThat(at.subject()).isEqualTo(userId);
    assertThat(at.clientId()).isEqualTo(id());

    server.clock().advance(Duration.ofSeconds(5));
    assertOAuthError(device.poll(id(), dc), 400, "invalid_grant");
    Api.Response refreshed = flow.refresh(ok.text("refresh_token"), null, "client_id", id());
    assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
  }

  @Test
  void deviceApprovalWhenAllowedThenListedUnderGrantsAndRevokingItEndsTheDeviceSession() {
    JsonNode start = device.start(id(), "scope", "read");
    Api.Response done = DeviceFlow.decide(signedIn(), start.path("user_code").asText(),
        "allow");
    assertThat(done.status()).isEqualTo(303);
    Api.Response ok = device.poll(id(), start.path("device_code").asText());
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);

    String userToken = server.login("main", EMAIL, CodeFlow.PASSWORD).text("access_token");
    Api.Response listed = server.api().get("/accounts/main/api/v1/me/grants", userToken);
    assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
    JsonNode grant = listed.json().path("items").get(0);
    assertThat(grant.path("client_id").asText()).isEqualTo(id());
    assertThat(grant.path("client_name").asText()).isEqualTo("Living Room TV");
    assertThat(grant.toString()).contains("read");

    Api.Response revoked = server.api().send("DELETE", "/accounts/main/api/v1/me/grants/" + id(),
        null, java.util.Map.of("Authorization", "Bearer " + userToken));
    assertThat(revoked.status()).as(revoked.toString()).isEqualTo(204);
    assertOAuthError(flow.refresh(ok.text("refresh_token"), null, "client_id", id()), 400,
        "invalid_grant");
  }

  @Test
  void deviceApprovalWhenDeniedThenNothingListedUnderGrants() {
    JsonNode start = device.start(id(), "scope", "read");
    DeviceFlow.decide(signedIn(), start.path("user_code").asText(), "deny");
    String userToken = server.login("main", EMAIL, CodeFlow.PASSWORD).text("access_token");
    assertThat(server.api().get("/accounts/main/api/v1/me/grants", userToken).json()
        .path("items")).isEmpty();
  }

  @Test
  void verificationUriCompleteWhenOpenedSignedOutThenSignInLeadsToConfirmation() {
    JsonNode start = device.start(id());
    String complete = start.path("verification_uri_complete").asText()
        .substring(server.api().base().length());
    Browser b = new Browser(server);
    String toLogin = Browser.location(b.get(complete), 303);
    Api.Response page = b.get(toLogin);
    Api.Response login = b.post(CodeFlow.BASE + "/login", Browser.form(Browser.hidden(page),
        "email", EMAIL, "password", CodeFlow.PASSWORD));
    Api.Response confirm = b.get(Browser.location(login, 303));
    assertThat(confirm.status()).as(confirm.toString()).isEqualTo(200);
    assertThat(confirm.body()).contains("Living Room TV", "read", "write", "Allow", "Deny",
        start.path("user_code").asText());
  }

  @Test
  void userCodeEntryWhenLowerCaseWithoutDashThenAccepted() {
    String userCode = device.start(id()).path("user_code").asText();
    Api.Response entered = DeviceFlow.enter(signedIn(), userCode.replace("-", "")
        .toLowerCase());
    assertThat(Browser.location(entered, 303)).endsWith("/device?user_code=" + userCode);
  }

  @Test
  void tokenWhenUserDeniesThenAccessDenied() {
    JsonNode start = device.start(id());
    Api.Response done = DeviceFlow.decide(signedIn(), start.path("user_code").asText(), "deny");
    assertThat(Browser.location(done, 303)).endsWith("/device?result=denied");
    assertOAuthError(device.poll(id(), start.path("device_code").asText()), 400,
        "access_denied");
  }

  @Test
  void tokenWhenPolledWithinIntervalThenSlowDownAndIntervalGrowsByFiveSeconds() {
    // RFC 8628 3.5, docs/security.md#device-response
    String dc = device.start(id()).path("device_code").asText();
    assertOAuthError(device.poll(id(), dc), 400, "authorization_pending");
    assertOAuthError(device.poll(id(), dc), 400, "slow_down");
    server.clock().advance(Duration.ofSeconds(9));
    assertOAuthError(device.poll(id(), dc), 400, "slow_down");
    server.clock().advance(Duration.ofSeconds(15));
    assertOAuthError(device.poll(id(), dc), 400, "authorization_pending");
  }

  @Test
  void tokenWhenDeviceCodeExpiredThenExpiredTokenAndApprovalRefused() {
    JsonNode start = device.start(id());
    server.clock().advance(Duration.ofSeconds(601));
    assertOAuthError(device.poll(id(), start.path("device_code").asText()), 400,
        "expired_token");
    Api.Response entered = DeviceFlow.enter(signedIn(), start.path("user_code").asText());
    assertThat(entered.status()).isEqualTo(400);
  }

  @Test
  void deviceAuthorizationWhenClientLacksGrantThenUnauthorizedClient() {
    ClientService.Registered web = OAuthTesting.confidential(server, "main", "read");
    assertOAuthError(OAuthTesting.post(server, "main", "device_authorization",
        OAuthTesting.form("scope", "read"), OAuthTesting.basic(web)), 400,
        "unauthorized_client");
    assertOAuthError(OAuthTesting.post(server, "main", "token", OAuthTesting.form(
        "grant_type", "urn:ietf:params:oauth:grant-type:device_code", "device_code",
        device.start(id()).path("device_code").asText()), OAuthTesting.basic(web)), 400,
        "unauthorized_client");
  }

  @Test
  void deviceAuthorizationWhenScopeNotRegisteredThenInvalidScope() {
    assertOAuthError(device.authorize(id(), "scope", "read admin"), 400, "invalid_scope");
  }

  @Test
  void deviceAuthorizationWhenClientUnknownThenInvalidClient() {
    assertOAuthError(device.authorize("cli_nosuchclient00000000000"), 401, "invalid_client");
  }

  @Test
  void discoveryWhenFetchedThenAdvertisesDeviceEndpointAndGrant() {
    Api.Response d = server.api().get(CodeFlow.BASE + "/.well-known/oauth-authorization-server");
    assertThat(d.status()).as(d.toString()).isEqualTo(200);
    assertThat(d.text("device_authorization_endpoint"))
        .isEqualTo(flow.issuer() + "/oauth2/device_authorization");
    assertThat(d.json().path("grant_types_supported").toString())
        .contains("urn:ietf:params:oauth:grant-type:device_code");
  }
}
