package dev.jeton.oauth;

import static dev.jeton.oauth.OAuthTesting.assertOAuthError;
import static dev.jeton.oauth.OAuthTesting.basic;
import static dev.jeton.oauth.OAuthTesting.form;
import static dev.jeton.oauth.OAuthTesting.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/security.md#refresh-reuse: the lost-response grace window is off by default, so a
 * rotated-out refresh token presented again is reuse at once and ends its family (RFC 9700
 * 4.14.2); a client may opt in to a window of at most 60 s.
 */
@OnBothEngines
class RefreshGraceTest {
  TestServer server;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
  }

  private ClientService.Registered client(Long grace) {
    return server.app().clients().create("main", new Client.Spec("Backend",
        Client.Type.CONFIDENTIAL, List.of("https://app.example.com/cb"),
        List.of(Client.AUTHORIZATION_CODE, Client.REFRESH_TOKEN), List.of(), null, null,
        new Client.Lifetimes(null, null, grace)));
  }

  private Api.Response refresh(ClientService.Registered c, String rt) {
    return post(server, "main", "token", form("grant_type", "refresh_token", "refresh_token", rt),
        basic(c));
  }

  @Test
  void refreshWhenRotatedOutTokenReplayedAtOnceByDefaultThenReuseAndFamilyRevoked() {
    ClientService.Registered c = client(null);
    String rt1 = OAuthTesting.sessionOf(server, "main", "nograce@example.com",
        c.client().clientId()).refreshToken();
    Api.Response first = refresh(c, rt1);
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    // The very next second, as a lost-response retry or a thief would: reuse.
    server.clock().advance(Duration.ofSeconds(1));
    assertOAuthError(refresh(c, rt1), 400, "invalid_grant");
    assertOAuthError(refresh(c, first.text("refresh_token")), 400, "invalid_grant");
  }

  @Test
  void refreshWhenClientOptedInThenOneRetryWithinItsWindowOnly() {
    ClientService.Registered c = client(20L);
    String rt1 = OAuthTesting.sessionOf(server, "main", "grace@example.com",
        c.client().clientId()).refreshToken();
    String lost = refresh(c, rt1).text("refresh_token");
    server.clock().advance(Duration.ofSeconds(5));
    Api.Response retry = refresh(c, rt1);
    assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
    assertThat(retry.text("refresh_token")).isNotEqualTo(lost);
    assertThat(refresh(c, retry.text("refresh_token")).status()).isEqualTo(200);
  }

  @Test
  void clientsApiWhenGraceAboveSixtySecondsThenFieldInvalid() {
    String admin = server.adminToken();
    Api.Response tooLong = server.api().postJson(TestServer.v1("main") + "/clients",
        "{\"name\":\"x\",\"type\":\"confidential\",\"redirect_uris\":[\"https://a.example/cb\"],"
            + "\"token_lifetimes\":{\"refresh_grace\":61}}", admin);
    assertThat(tooLong.status()).as(tooLong.toString()).isEqualTo(400);
    assertThat(tooLong.json().path("errors").get(0).path("field").asText())
        .isEqualTo("token_lifetimes.refresh_grace");
    Api.Response ok = server.api().postJson(TestServer.v1("main") + "/clients",
        "{\"name\":\"x\",\"type\":\"confidential\",\"redirect_uris\":[\"https://a.example/cb\"],"
            + "\"token_lifetimes\":{\"refresh_grace\":60}}", admin);
    assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
    assertThat(ok.json().path("token_lifetimes").path("refresh_grace").asLong()).isEqualTo(60);
  }

  @Test
  void accountsApiWhenGraceAboveSixtySecondsThenFieldInvalid() {
    Api.Response r = server.api().patchJson(TestServer.v1("main") + "/accounts/main",
        "{\"token_lifetimes\":{\"refresh_grace\":61}}", server.adminToken());
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().path("errors").get(0).path("field").asText())
        .isEqualTo("token_lifetimes.refresh_grace");
  }
}
