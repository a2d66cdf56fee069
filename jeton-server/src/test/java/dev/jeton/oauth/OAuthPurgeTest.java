package dev.jeton.oauth;

import static dev.jeton.oauth.OAuthTesting.assertOAuthError;
import static dev.jeton.oauth.OAuthTesting.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.client.ClientService;
import dev.jeton.ops.Purge;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Settings;
import dev.jeton.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduled purge of authorization codes, device codes and browser sessions
 * (docs/operations.md#retention), on both engines: each goes once it expired longer ago than the
 * retention window, except a code that created a session, which stays as long as its session, so
 * that a replay still revokes it (docs/security.md#retention, docs/security.md#code-single-use).
 */
@OnBothEngines
@Settings("PURGE_RETENTION=7d")
class OAuthPurgeTest {
  static final String CB = AuthorizationCodeFlowTest.CB;
  static final String EMAIL = "rita.retention@example.com";
  static final Duration RETENTION = Duration.ofDays(7);

  TestServer server;
  CodeFlow flow;
  ClientService.Registered app;
  Browser browser;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    flow = new CodeFlow(server);
    app = OAuthTesting.confidential(server, "main", "read");
    flow.user(EMAIL);
    browser = new Browser(server);
    assertThat(flow.login(browser, EMAIL, CodeFlow.PASSWORD).status()).isEqualTo(303);
  }

  private Purge.Result purge() {
    return server.app().purge().run();
  }

  private long count(String table) {
    return server.app().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT count(*) FROM " + table).mapTo(Long.class).one());
  }

  /**
   * docs/security.md#retention, docs/security.md#code-single-use: a code long past its ten minutes
   * is kept while the session it created lives, so replaying it still revokes that session. A
   * purge that deleted codes by their own expiry would answer "unknown" and leave the tokens of
   * the first exchange working.
   */
  @Test
  void purgeWhenCodeCreatedALiveSessionThenCodeKeptAndItsReplayStillRevokesTheSession() {
    String verifier = CodeFlow.verifier();
    String code = flow.approve(browser, CodeFlow.params(app.client().clientId(), CB, verifier,
        null, "read")).get("code");
    Api.Response first = flow.exchange(code, CB, verifier, basic(app), null);
    assertThat(first.status()).as(first.toString()).isEqualTo(200);

    server.clock().advance(RETENTION.plusDays(1));
    assertThat(purge().removed()).containsEntry("authorization_codes", 0)
        .containsEntry("sessions", 0);

    assertOAuthError(flow.exchange(code, CB, verifier, basic(app), null), 400, "invalid_grant");
    assertOAuthError(flow.refresh(first.text("refresh_token"), basic(app)), 400,
        "invalid_grant");

    // the session the replay revoked goes after the retention window, and its code with it
    server.clock().advance(RETENTION.plusMinutes(1));
    assertThat(purge().removed()).containsEntry("authorization_codes", 1)
        .containsEntry("sessions", 1);
    assertThat(count("authorization_codes")).isZero();
    Api.Response unknown = flow.exchange(code, CB, verifier, basic(app), null);
    assertThat(assertOAuthError(unknown, 400, "invalid_grant").path("error_description")
        .asText()).contains("unknown");
  }

  @Test
  void purgeWhenCodeNeverExchangedThenDeletedOnceExpiredLongerThanRetention() {
    String verifier = CodeFlow.verifier();
    String code = flow.approve(browser, CodeFlow.params(app.client().clientId(), CB, verifier,
        null, "read")).get("code");
    server.clock().advance(AuthorizationCodes.LIFETIME.plus(RETENTION).minusMinutes(1));
    assertThat(purge().removed()).containsEntry("authorization_codes", 0);
    assertThat(assertOAuthError(flow.exchange(code, CB, verifier, basic(app), null), 400,
        "invalid_grant").path("error_description").asText()).contains("expired");

    server.clock().advance(Duration.ofMinutes(2));
    assertThat(purge().removed()).containsEntry("authorization_codes", 1);
    assertThat(count("authorization_codes")).isZero();
  }

  @Test
  void purgeWhenDeviceCodeExpiredLongerThanRetentionThenDeletedAndItsPollIsUnknown() {
    DeviceFlow device = new DeviceFlow(server);
    String tv = device.tv().client().clientId();
    String dc = device.start(tv).path("device_code").asText();
    server.clock().advance(DeviceCodes.LIFETIME.plus(RETENTION).minusMinutes(1));
    assertThat(purge().removed()).containsEntry("device_codes", 0);
    assertOAuthError(device.poll(tv, dc), 400, "expired_token");

    server.clock().advance(Duration.ofMinutes(2));
    assertThat(purge().removed()).containsEntry("device_codes", 1);
    assertOAuthError(device.poll(tv, dc), 400, "invalid_grant");
  }

  @Test
  void purgeWhenBrowserSessionEndedLongerThanRetentionThenDeleted() {
    assertThat(count("web_sessions")).isEqualTo(1);
    server.clock().advance(Duration.ofHours(8).plus(RETENTION).minusMinutes(1));
    assertThat(purge().removed()).containsEntry("web_sessions", 0);
    server.clock().advance(Duration.ofMinutes(2));
    assertThat(purge().removed()).containsEntry("web_sessions", 1);
    assertThat(count("web_sessions")).isZero();
    // the browser is simply signed out
    assertThat(browser.get(CodeFlow.authorizePath(CodeFlow.params(app.client().clientId(), CB,
        CodeFlow.verifier(), null, "read"))).status()).isEqualTo(303);
  }
}
