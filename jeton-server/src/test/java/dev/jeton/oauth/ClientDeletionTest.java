package dev.jeton.oauth;

import static dev.jeton.oauth.OAuthTesting.basic;
import static dev.jeton.oauth.OAuthTesting.form;
import static dev.jeton.oauth.OAuthTesting.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deleting a client ends everything it was given, at once, on both engines: its sessions
 * (refresh tokens refused, access tokens inactive at introspection and refused at userinfo), its
 * client credentials tokens (inactive at introspection) and the users' consent, while other
 * clients' sessions live on.
 */
@OnBothEngines
class ClientDeletionTest {
  private static final String CB = "https://app.example.com/cb";
  private static final String API = "https://api.example.com";

  TestServer server;
  CodeFlow flow;
  Browser browser;
  ClientService.Registered doomed;
  ClientService.Registered survivor;
  /** The resource server both clients' tokens are meant for; it introspects them. */
  ClientService.Registered api;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    flow = new CodeFlow(server);
    browser = new Browser(server);
    doomed = withApi("Doomed");
    survivor = withApi("Survivor");
    api = server.app().clients().create("main", new Client.Spec("Api", Client.Type.CONFIDENTIAL,
        List.of(), List.of(Client.CLIENT_CREDENTIALS), List.of(), null, null, null, null,
        List.of(), API));
    flow.user("ada@example.com");
    assertThat(flow.login(browser, "ada@example.com", CodeFlow.PASSWORD).status()).isEqualTo(303);
  }

  private ClientService.Registered withApi(String name) {
    return server.app().clients().create("main", new Client.Spec(name,
        Client.Type.CONFIDENTIAL, List.of(CB), List.of(Client.CLIENT_CREDENTIALS,
        Client.AUTHORIZATION_CODE, Client.REFRESH_TOKEN), List.of("openid", "read"), null, null,
        null, null, List.of(API), null));
  }

  private JsonNode tokens(ClientService.Registered app) {
    String verifier = CodeFlow.verifier();
    Map<String, String> answer = flow.approve(browser, CodeFlow.params(
        app.client().clientId(), CB, verifier, "s", "openid read"));
    Api.Response r = flow.exchange(answer.get("code"), CB, verifier, basic(app), null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json();
  }

  private boolean active(String token) {
    Api.Response r = post(server, "main", "introspect", form("token", token), basic(api));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json().path("active").asBoolean();
  }

  @Test
  void deleteWhenClientHasSessionsThenTheyEndAtOnceAndOthersLive() {
    JsonNode gone = tokens(doomed);
    JsonNode kept = tokens(survivor);
    String userToken = server.login("main", "ada@example.com", CodeFlow.PASSWORD)
        .text("access_token");
    assertThat(server.api().get("/accounts/main/api/v1/me/grants", userToken).body())
        .contains(doomed.client().clientId());

    Api.Response deleted = server.api().send("DELETE", "/accounts/main/api/v1/clients/"
        + doomed.client().clientId(), null, Map.of("Authorization",
        "Bearer " + server.adminToken()));
    assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);

    assertThat(active(gone.path("access_token").asText())).isFalse();
    assertThat(active(gone.path("refresh_token").asText())).isFalse();
    Api.Response info = server.api().get("/accounts/main/oauth2/userinfo",
        gone.path("access_token").asText());
    assertThat(info.status()).as(info.toString()).isEqualTo(401);
    assertThat(info.code()).isEqualTo("token_revoked");
    // the deleted client cannot authenticate any more to use its refresh token
    assertThat(flow.refresh(gone.path("refresh_token").asText(), basic(doomed)).status())
        .isEqualTo(401);
    assertThat(server.api().get("/accounts/main/api/v1/me/grants", userToken).body())
        .doesNotContain(doomed.client().clientId())
        .contains(survivor.client().clientId());

    assertThat(active(kept.path("access_token").asText())).isTrue();
    assertThat(flow.refresh(kept.path("refresh_token").asText(), basic(survivor)).status())
        .isEqualTo(200);
  }

  @Test
  void deleteWhenClientHeldClientCredentialsTokensThenTheyIntrospectInactive() {
    Api.Response cc = post(server, "main", "token", form("grant_type", "client_credentials"),
        basic(doomed));
    assertThat(cc.status()).as(cc.toString()).isEqualTo(200);
    String token = cc.json().path("access_token").asText();
    assertThat(active(token)).isTrue();
    server.app().clients().delete("main", doomed.client().clientId());
    assertThat(active(token)).isFalse();
  }
}
