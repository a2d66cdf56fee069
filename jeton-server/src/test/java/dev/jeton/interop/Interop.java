package dev.jeton.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.account.Account;
import dev.jeton.session.SessionService;
import dev.jeton.testing.Api;
import dev.jeton.testing.TestServer;
import dev.jeton.user.User;

/** Set-up shared by the interop tests: clients registered over the admin API, user sessions. */
final class Interop {
  private Interop() {}

  /** A client as the registration API answered it: id and the secret shown once. */
  record Registered(String id, String secret) {}

  /**
   * Registers a confidential client through {@code POST {issuer}/api/v1/clients} with the bootstrap
   * admin's token, as an operator would.
   */
  static Registered confidential(TestServer server, String grantTypesJson, String scopesJson) {
    Api.Response r = server.api().postJson(TestServer.v1("main") + "/clients",
        "{\"name\":\"Interop backend\",\"type\":\"confidential\","
            + "\"redirect_uris\":[\"https://app.example.com/cb\"],"
            + "\"grant_types\":" + grantTypesJson + ",\"scopes\":" + scopesJson + "}",
        server.adminToken());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    JsonNode j = r.json();
    assertThat(j.path("client_id").asText()).startsWith("cli_");
    assertThat(j.path("client_secret").asText()).startsWith("jeton_cs_");
    return new Registered(j.path("client_id").asText(), j.path("client_secret").asText());
  }

  /**
   * Registers a user and starts a session of {@code clientId} for them (what the authorization
   * code grant will do once it exists): an access token naming a session, and a refresh token.
   */
  static SessionService.TokenPair sessionOf(TestServer s, String email, String clientId) {
    Api.Response r = s.register("main", email, "correct horse battery staple 9");
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    Account a = s.app().accounts().requireActive("main");
    User u = s.app().users().current("main", r.json().path("user").path("id").asText());
    return s.app().sessions().start(a, u, s.app().accounts().lifetimes(a), clientId);
  }
}
