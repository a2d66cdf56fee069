package dev.jeton.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.TestServer;
import java.util.List;

/** Steps of the device authorization grant (RFC 8628) for the tests. */
final class DeviceFlow {
  static final String DEVICE = CodeFlow.BASE + "/device";

  final TestServer server;

  DeviceFlow(TestServer server) {
    this.server = server;
  }

  /** A public client registered for the device code and refresh token grants. */
  ClientService.Registered tv() {
    return server.app().clients().create("main", new Client.Spec("Living Room TV",
        Client.Type.PUBLIC, List.of(), List.of(Client.DEVICE_CODE, Client.REFRESH_TOKEN),
        List.of("read", "write"), null, "https://tv.example.com", null));
  }

  /** POSTs to the device authorization endpoint as a public client. */
  Api.Response authorize(String clientId, String... extra) {
    String[] all = new String[2 + extra.length];
    all[0] = "client_id";
    all[1] = clientId;
    System.arraycopy(extra, 0, all, 2, extra.length);
    return OAuthTesting.post(server, "main", "device_authorization", OAuthTesting.form(all),
        null);
  }

  /** A successful device authorization response. */
  JsonNode start(String clientId, String... extra) {
    Api.Response r = authorize(clientId, extra);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    OAuthTesting.assertNoStore(r);
    return r.json();
  }

  /** Polls the token endpoint as a public client. */
  Api.Response poll(String clientId, String deviceCode) {
    return OAuthTesting.post(server, "main", "token", OAuthTesting.form("grant_type",
        Client.DEVICE_CODE, "device_code", deviceCode, "client_id", clientId), null);
  }

  /** Enters a user code on the verification page; answers the response. */
  static Api.Response enter(Browser b, String userCode) {
    Api.Response page = b.get(DEVICE);
    assertThat(page.status()).as(page.toString()).isEqualTo(200);
    return b.post(DEVICE, Browser.form(Browser.hidden(page), "user_code", userCode));
  }

  /** Enters the code, follows to the confirmation page and answers it (status 200). */
  static Api.Response confirmation(Browser b, String userCode) {
    Api.Response entered = enter(b, userCode);
    Api.Response confirm = b.get(Browser.location(entered, 303));
    assertThat(confirm.status()).as(confirm.toString()).isEqualTo(200);
    return confirm;
  }

  /** Enters the code and decides ({@code allow} or {@code deny}); answers the final redirect. */
  static Api.Response decide(Browser b, String userCode, String decision) {
    Api.Response confirm = confirmation(b, userCode);
    return b.post(DEVICE, Browser.form(Browser.hidden(confirm), "decision", decision));
  }
}
