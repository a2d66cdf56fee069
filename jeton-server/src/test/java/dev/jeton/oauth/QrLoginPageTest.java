package dev.jeton.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The phone's page of a QR login (docs/qr-login.md), where the QR code's deep link leads, driven
 * as a browser would: sign-in first, then what the page shows before a decision, the
 * CSRF-protected decision, and the desktop's session (SECURITY: rule 56,
 * docs/security.md#qr-login). The browser test harness lives here with the other hosted pages.
 */
@OnBothEngines
class QrLoginPageTest {
  private static final String QR = CodeFlow.BASE + "/api/v1/qr-logins";

  TestServer server;
  CodeFlow flow;
  Browser phone;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    flow = new CodeFlow(server);
    phone = new Browser(server);
    server.openRegistration("main");
    assertThat(server.register("main", "ada@example.com", CodeFlow.PASSWORD).status())
        .isEqualTo(201);
  }

  private JsonNode desktop() {
    Api.Response r = server.api().send("POST", QR, "", Map.of("User-Agent", "Firefox/140.0"));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json();
  }

  private static String path(JsonNode login) {
    return URI.create(login.path("deep_link").asText()).getRawPath();
  }

  @Test
  void aSignedInPhoneSeesWhatAsksApprovesAndTheDesktopGetsTheSession() {
    JsonNode login = desktop();
    // not signed in on the phone: to the sign-in page, and back to the same login afterwards
    Api.Response out = phone.get(path(login));
    assertThat(Browser.location(out, 303)).isEqualTo(CodeFlow.BASE + "/login?return_to="
        + path(login).replace("/", "%2F"));
    assertThat(flow.login(phone, "ada@example.com", CodeFlow.PASSWORD).status()).isEqualTo(303);

    Api.Response page = phone.get(path(login));
    assertThat(page.status()).as(page.toString()).isEqualTo(200);
    assertThat(page.body()).contains(login.path("matching_code").asText(), "127.0.0.1",
        "Firefox/140.0", "ada@example.com", "Approve", "Deny");
    assertThat(page.body()).doesNotContain(login.path("poll_token").asText());
    Api.Response state = server.api().get(QR + "/" + login.path("id").asText(),
        login.path("poll_token").asText());
    assertThat(state.json().path("state").asText()).isEqualTo("scanned");

    // a cross-site form cannot decide for the user
    assertThat(phone.postCrossSite(CodeFlow.BASE + "/qr", Browser.form(Map.of(
        "login", login.path("id").asText(), "decision", "approve"))).status()).isEqualTo(403);
    Api.Response decided = phone.post(CodeFlow.BASE + "/qr", Browser.form(Browser.hidden(page),
        "decision", "approve"));
    assertThat(Browser.location(decided, 303)).isEqualTo(CodeFlow.BASE + "/qr?result=approved");
    assertThat(phone.get(CodeFlow.BASE + "/qr?result=approved").body()).contains("Signed in");

    Api.Response session = server.api().send("POST", QR + "/" + login.path("id").asText()
        + "/exchange", "", Map.of("Authorization", "Bearer " + login.path("poll_token").asText()));
    assertThat(session.status()).as(session.toString()).isEqualTo(200);
    assertThat(session.json().path("user").path("email").asText()).isEqualTo("ada@example.com");
    // the link is spent: opening it again shows why, as a page
    Api.Response again = phone.get(path(login));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.header("Content-Type").orElse("")).startsWith("text/html");
  }

  @Test
  void aDeniedLoginLeavesTheDesktopWithout() {
    JsonNode login = desktop();
    flow.login(phone, "ada@example.com", CodeFlow.PASSWORD);
    Api.Response page = phone.get(path(login));
    Api.Response decided = phone.post(CodeFlow.BASE + "/qr", Browser.form(Browser.hidden(page),
        "decision", "deny"));
    assertThat(Browser.location(decided, 303)).isEqualTo(CodeFlow.BASE + "/qr?result=denied");
    Api.Response session = server.api().send("POST", QR + "/" + login.path("id").asText()
        + "/exchange", "", Map.of("Authorization", "Bearer " + login.path("poll_token").asText()));
    assertThat(session.code()).as(session.toString()).isEqualTo("qr_login_denied");
    // a made-up link is an error page, not a stack trace
    Api.Response unknown = phone.get(CodeFlow.BASE + "/qr/jeton_qr_made_up");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body()).contains("QR login not found");
  }
}
