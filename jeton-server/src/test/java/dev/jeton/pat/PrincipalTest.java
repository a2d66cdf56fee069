package dev.jeton.pat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/tokens.md#service-principals: non-human identities managed by admins, with tokens of their
 * own that act on the administration API and die when the principal is disabled or deleted. Tried
 * as a normal user, with a token instead of a sign-in, from another account, and with widened
 * scopes. On both engines.
 */
@OnBothEngines
class PrincipalTest {
  static final String PRINCIPALS = TestServer.v1("main") + "/service-principals";

  TestServer server;
  Api api;
  String admin;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    this.api = server.api();
    admin = server.adminToken();
  }

  private JsonNode principal(String name) {
    Api.Response r = api.postJson(PRINCIPALS, "{\"name\":" + Api.q(name) + "}", admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json();
  }

  private JsonNode token(String principalId, String json) {
    Api.Response r = api.postJson(PRINCIPALS + "/" + principalId + "/tokens", json, admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.header("Cache-Control")).hasValue("no-store");
    return r.json();
  }

  private Api.Response send(String method, String path, String body, String bearer) {
    return api.send(method, path, body, body == null
        ? Map.of("Authorization", "Bearer " + bearer)
        : Map.of("Authorization", "Bearer " + bearer, "Content-Type", "application/json"));
  }

  private static void assertRefused(Api.Response r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.code()).as(r.toString()).isEqualTo(code);
  }

  @Test
  void tokenWhenCreatedForAPrincipalThenItActsOnTheAdminApiButHasNoUser() {
    JsonNode sp = principal("ci pipeline");
    assertThat(sp.path("id").asText()).startsWith("spn_");
    assertThat(sp.path("status").asText()).isEqualTo("active");
    JsonNode t = token(sp.path("id").asText(), "{\"comment\":\"deploys\"}");
    assertThat(t.path("scopes").toString()).isEqualTo("[\"admin\"]");
    String secret = t.path("token").asText();
    Api.Response clients = api.get(TestServer.v1("main") + "/clients", secret);
    assertThat(clients.status()).as(clients.toString()).isEqualTo(200);
    assertRefused(api.get(TestServer.v1("main") + "/me", secret), 403, "insufficient_scope");
    // listed under the principal, never with its secret
    Api.Response list = api.get(PRINCIPALS + "/" + sp.path("id").asText() + "/tokens", admin);
    assertThat(list.json().path("data")).hasSize(1);
    assertThat(list.body()).doesNotContain(secret);
  }

  @Test
  void manageWhenNotASignedInAdminThenRefused() {
    Api.Response user = server.register("main", "plain.user@example.com", "plain pass phrase 5");
    assertRefused(api.postJson(PRINCIPALS, "{\"name\":\"x\"}", user.text("access_token")), 403,
        "insufficient_scope");
    Api.Response adminPat = api.postJson(TestServer.v1("main") + "/me/tokens",
        "{\"scopes\":[\"user\",\"admin\"]}", admin);
    String pat = adminPat.text("token");
    assertRefused(api.postJson(PRINCIPALS, "{\"name\":\"x\"}", pat), 403, "session_required");
    JsonNode sp = principal("robot");
    String secret = token(sp.path("id").asText(), "{}").path("token").asText();
    // a principal's own token cannot mint more tokens for it
    assertRefused(api.postJson(PRINCIPALS + "/" + sp.path("id").asText() + "/tokens", "{}",
        secret), 403, "session_required");
  }

  @Test
  void createWhenNameTakenOrBlankThenRefused() {
    principal("importer");
    assertRefused(api.postJson(PRINCIPALS, "{\"name\":\"importer\"}", admin), 409,
        "service_principal_already_exists");
    assertRefused(api.postJson(PRINCIPALS, "{\"name\":\"  \"}", admin), 400,
        "validation_failed");
    JsonNode other = principal("exporter");
    assertRefused(send("PATCH", PRINCIPALS + "/" + other.path("id").asText(),
        "{\"name\":\"importer\"}", admin), 409, "service_principal_already_exists");
    Api.Response renamed = send("PATCH", PRINCIPALS + "/" + other.path("id").asText(),
        "{\"name\":\"nightly exporter\"}", admin);
    assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
    assertThat(renamed.json().path("name").asText()).isEqualTo("nightly exporter");
  }

  @Test
  void useWhenPrincipalDisabledThenOwnerDisabledUntilEnabledAgain() {
    String id = principal("sync").path("id").asText();
    String secret = token(id, "{}").path("token").asText();
    String clients = TestServer.v1("main") + "/clients";
    assertThat(api.get(clients, secret).status()).isEqualTo(200); // verified and cached
    Api.Response off = send("PATCH", PRINCIPALS + "/" + id, "{\"disabled\":true}", admin);
    assertThat(off.status()).as(off.toString()).isEqualTo(200);
    assertThat(off.json().path("status").asText()).isEqualTo("disabled");
    assertRefused(api.get(clients, secret), 401, "token_owner_disabled");
    assertThat(send("PATCH", PRINCIPALS + "/" + id, "{\"disabled\":false}", admin).status())
        .isEqualTo(200);
    assertThat(api.get(clients, secret).status()).isEqualTo(200);
  }

  @Test
  void useWhenPrincipalDeletedThenTokenRevokedAndThePrincipalGone() {
    String id = principal("temporary").path("id").asText();
    String secret = token(id, "{}").path("token").asText();
    assertThat(api.get(TestServer.v1("main") + "/clients", secret).status()).isEqualTo(200);
    assertThat(send("DELETE", PRINCIPALS + "/" + id, null, admin).status()).isEqualTo(204);
    assertRefused(api.get(TestServer.v1("main") + "/clients", secret), 401, "token_revoked");
    assertRefused(api.get(PRINCIPALS + "/" + id, admin), 404, "service_principal_not_found");
    assertRefused(api.get(PRINCIPALS + "/" + id + "/tokens", admin), 404,
        "service_principal_not_found");
    assertRefused(send("DELETE", PRINCIPALS + "/" + id, null, admin), 404,
        "service_principal_not_found");
  }

  @Test
  void tokenWhenScopesWidenedThenRefused() {
    String id = principal("narrow").path("id").asText();
    assertRefused(api.postJson(PRINCIPALS + "/" + id + "/tokens",
        "{\"scopes\":[\"admin\",\"user\"]}", admin), 400, "validation_failed");
  }

  @Test
  void integrationTokenWhenTheAccountAllowsNoExpiryThenItHasNone() {
    String id = principal("erp integration").path("id").asText();
    assertRefused(api.postJson(PRINCIPALS + "/" + id + "/tokens", "{\"lifetime_seconds\":0}",
        admin), 400, "validation_failed");
    Api.Response patched = api.patchJson(TestServer.v1("main") + "/accounts/main",
        "{\"personal_access_tokens\":{\"no_expiry\":true}}", admin);
    assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    JsonNode t = token(id, "{\"lifetime_seconds\":0,\"comment\":\"integration\"}");
    assertThat(t.has("expires_at")).as(t.toString()).isFalse();
  }

  @Test
  void manageWhenAnotherAccountsAdminThenItsTokenIsRefused() {
    Api.Response sub = api.postJson(TestServer.v1("main") + "/accounts",
        "{\"id\":\"spn-sub\"}", admin);
    assertThat(sub.status()).as(sub.toString()).isEqualTo(201);
    assertRefused(api.get(TestServer.v1("spn-sub") + "/service-principals", admin), 401,
        "token_wrong_account");
    String id = principal("main only").path("id").asText();
    String secret = token(id, "{}").path("token").asText();
    assertRefused(api.get(TestServer.v1("spn-sub") + "/clients", secret), 401,
        "token_wrong_account");
  }

  @Test
  void listWhenPagedThenEveryPrincipalOnce() {
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      made.add(principal("p" + i).path("id").asText());
      server.clock().advance(java.time.Duration.ofMillis(1));
    }
    Api.Response first = api.get(PRINCIPALS + "?limit=2", admin);
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    assertThat(first.json().path("data")).hasSize(2);
    Api.Response second = api.get(PRINCIPALS + "?limit=2&cursor="
        + first.json().path("next_cursor").asText(), admin);
    assertThat(second.json().path("data")).hasSize(1);
    assertThat(second.json().has("next_cursor")).isFalse();
    List<String> seen = new ArrayList<>();
    first.json().path("data").forEach(p -> seen.add(p.path("id").asText()));
    second.json().path("data").forEach(p -> seen.add(p.path("id").asText()));
    assertThat(seen).containsExactlyInAnyOrderElementsOf(made);
  }
}
