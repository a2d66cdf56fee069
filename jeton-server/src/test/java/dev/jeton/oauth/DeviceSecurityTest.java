package dev.jeton.oauth;

import static dev.jeton.oauth.OAuthTesting.assertOAuthError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.TokenKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the device authorization grant (RFC 8628 5), each trying to break a rule of
 * docs/security.md: device code theft by another client and replay, user code guessing, CSRF and
 * remote phishing on the verification page; on both engines.
 */
@OnBothEngines
class DeviceSecurityTest {
  static final String EMAIL = "victor.victim@example.com";
  static final String USER_CODE = "[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}";

  TestServer server;
  CodeFlow flow;
  DeviceFlow device;
  ClientService.Registered tv;
  Browser browser;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    flow = new CodeFlow(server);
    device = new DeviceFlow(server);
    tv = device.tv();
    flow.user(EMAIL);
    browser = new Browser(server);
    assertThat(flow.login(browser, EMAIL, CodeFlow.PASSWORD).status()).isEqualTo(303);
  }

  private String id() {
    return tv.client().clientId();
  }

  @Test
  void codesWhenIssuedThenChecksummedDeviceCodeAndUnambiguousUserCode() {
    // docs/security.md#secret-entropy: jeton_dc_ + 178 random bits + checksum;
    // docs/security.md#user-code-guessing: >= 34 bits user code
    Set<String> deviceCodes = new HashSet<>();
    Set<String> userCodes = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      JsonNode j = device.start(id());
      String dc = j.path("device_code").asText();
      assertThat(dc).startsWith("jeton_dc_").hasSize("jeton_dc_".length() + 36);
      assertThat(OpaqueTokens.kindOf(dc)).isEqualTo(TokenKind.DC);
      char last = dc.charAt(dc.length() - 1);
      String tampered = dc.substring(0, dc.length() - 1) + (last == 'A' ? 'B' : 'A');
      assertThat(OpaqueTokens.kindOf(tampered)).as("checksum").isNull();
      assertThat(j.path("user_code").asText()).matches(USER_CODE);
      deviceCodes.add(dc);
      userCodes.add(j.path("user_code").asText());
    }
    assertThat(deviceCodes).hasSize(20);
    assertThat(userCodes).hasSize(20);
    assertThat(UserCodes.ALPHABET).hasSize(20).doesNotContainPattern("[AEIOUY0-9]");
    assertThat(UserCodes.LENGTH * Math.log(UserCodes.ALPHABET.length()) / Math.log(2))
        .isGreaterThanOrEqualTo(34.0);
  }

  @Test
  void pollWhenAnotherClientPollsTheDeviceCodeThenInvalidGrant() {
    ClientService.Registered other = device.tv();
    JsonNode start = device.start(id());
    String dc = start.path("device_code").asText();
    DeviceFlow.decide(browser, start.path("user_code").asText(), "allow");
    assertOAuthError(device.poll(other.client().clientId(), dc), 400, "invalid_grant");
    // The theft attempt neither spent nor slowed the rightful client's code.
    assertThat(device.poll(id(), dc).status()).isEqualTo(200);
  }

  @Test
  void pollWhenApprovedCodePolledConcurrentlyThenExactlyOneTokenResponse()
      throws Exception {
    JsonNode start = device.start(id());
    String dc = start.path("device_code").asText();
    DeviceFlow.decide(browser, start.path("user_code").asText(), "allow");
    List<CompletableFuture<Api.Response>> polls = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      polls.add(CompletableFuture.supplyAsync(() -> device.poll(id(), dc)));
    }
    int ok = 0;
    for (CompletableFuture<Api.Response> p : polls) {
      Api.Response r = p.get();
      if (r.status() == 200) {
        ok++;
      } else {
        assertThat(r.json().path("error").asText()).isIn("slow_down", "invalid_grant");
      }
    }
    assertThat(ok).isEqualTo(1);
    server.clock().advance(Duration.ofMinutes(1));
    assertOAuthError(device.poll(id(), dc), 400, "invalid_grant");
  }

  @Test
  void userCodeEntryWhenFiveWrongCodesThenRefusedUntilWindowPasses() {
    String userCode = device.start(id()).path("user_code").asText();
    for (int i = 0; i < 5; i++) {
      Api.Response wrong = DeviceFlow.enter(browser, "BBBB-BBB" + "CDFGH".charAt(i));
      assertThat(wrong.status()).as(wrong.toString()).isEqualTo(400);
      assertThat(wrong.body()).contains("unknown, expired or already used");
    }
    Api.Response limited = DeviceFlow.enter(browser, userCode);
    assertThat(limited.status()).as("even the right code is refused").isEqualTo(429);
    assertThat(limited.body()).contains("Too many wrong codes");
    assertThat(browser.get(DeviceFlow.DEVICE + "?user_code=" + userCode).status())
        .isEqualTo(429);
    server.clock().advance(Duration.ofMinutes(5));
    assertThat(Browser.location(DeviceFlow.enter(browser, userCode), 303))
        .endsWith("?user_code=" + userCode);
  }

  @Test
  void userCodeEntryWhenManyUsersGuessFromOneIpThenIpLimited() {
    String userCode = device.start(id()).path("user_code").asText();
    for (int u = 0; u < 4; u++) {
      String email = "guesser" + u + "@example.com";
      flow.user(email);
      Browser b = new Browser(server);
      assertThat(flow.login(b, email, CodeFlow.PASSWORD).status()).isEqualTo(303);
      for (int i = 0; i < 5; i++) {
        assertThat(DeviceFlow.enter(b, "ZZZZ-ZZZ" + "BCDFG".charAt(i)).status()).isEqualTo(400);
      }
    }
    assertThat(DeviceFlow.enter(browser, userCode).status()).isEqualTo(429);
  }

  @Test
  void verificationWhenCodeEnteredThenConfirmationNamesClientAndNothingApprovedYet() {
    JsonNode start = device.start(id(), "scope", "write");
    Api.Response confirm = DeviceFlow.confirmation(browser, start.path("user_code").asText());
    assertThat(confirm.body()).contains("Living Room TV", "https://tv.example.com",
        "<code>write</code>", "Allow", "Deny").doesNotContain("<code>read</code>");
    // docs/security.md#no-framing: the confirmation cannot be framed (clickjacking)
    assertThat(confirm.header("Content-Security-Policy").orElse(""))
        .contains("frame-ancestors 'none'");
    assertThat(confirm.header("X-Frame-Options").orElse("")).isEqualTo("DENY");
    assertOAuthError(device.poll(id(), start.path("device_code").asText()), 400,
        "authorization_pending");
  }

  @Test
  void confirmationWhenPostedCrossSiteOrWithoutTokenThenRefused() {
    JsonNode start = device.start(id());
    Api.Response confirm = DeviceFlow.confirmation(browser, start.path("user_code").asText());
    Map<String, String> fields = Browser.hidden(confirm);
    Api.Response crossSite = browser.postCrossSite(DeviceFlow.DEVICE,
        Browser.form(fields, "decision", "allow"));
    assertThat(crossSite.status()).isEqualTo(403);
    Map<String, String> forged = new java.util.LinkedHashMap<>(fields);
    forged.put("csrf", "x".repeat(44));
    assertThat(browser.post(DeviceFlow.DEVICE, Browser.form(forged, "decision", "allow"))
        .status()).isEqualTo(403);
    assertOAuthError(device.poll(id(), start.path("device_code").asText()), 400,
        "authorization_pending");
  }

  @Test
  void userCodeEntryWhenReusedAfterApprovalThenRefused() {
    JsonNode start = device.start(id());
    DeviceFlow.decide(browser, start.path("user_code").asText(), "allow");
    Api.Response again = DeviceFlow.enter(browser, start.path("user_code").asText());
    assertThat(again.status()).isEqualTo(400);
  }
}
