package dev.jeton.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/tokens.md#admin: an account's admins list every token of the account and revoke any of
 * them, one at a time or in bulk with an answer per id; tried with another account's ids,
 * repeated ids, ended tokens, a personal access token in place of a sign-in, and bad filters. On
 * both engines.
 */
@OnBothEngines
class AccountTokensTest {
  static final String TOKENS = TestServer.v1("main") + "/tokens";
  static final String ME = TestServer.v1("main") + "/me";
  static final String PASSWORD = "a sturdy pass phrase 41";
  static final ObjectMapper MAPPER = new ObjectMapper();

  TestServer server;
  Api api;
  String admin;
  Api.Response user;
  String userId;
  String pat;
  String patId;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    this.api = server.api();
    this.admin = server.adminToken();
    user = server.register("main", "holder@example.com", PASSWORD);
    assertThat(user.status()).as(user.toString()).isEqualTo(201);
    userId = user.json().path("user").path("id").asText();
    Api.Response created = api.postJson(ME + "/tokens", "{\"comment\":\"ci\"}",
        user.text("access_token"));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    pat = created.text("token");
    patId = created.text("id");
  }

  /** The session id ({@code sid}) an access token carries. */
  static String sid(String accessToken) {
    try {
      byte[] payload = Base64.getUrlDecoder().decode(accessToken.split("\\.")[1]);
      return MAPPER.readTree(new String(payload, StandardCharsets.UTF_8)).path("sid").asText();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private Api.Response delete(String path, String bearer) {
    return api.send("DELETE", path, null, Map.of("Authorization", "Bearer " + bearer));
  }

  private static void assertRefused(Api.Response r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.code()).as(r.toString()).isEqualTo(code);
  }

  private static List<String> ids(Api.Response r) {
    List<String> ids = new ArrayList<>();
    r.json().path("data").forEach(t -> ids.add(t.path("id").asText()));
    return ids;
  }

  @Test
  void listWhenAccountHoldsSessionsAndTokensThenEachShownWithoutSecretsAndFiltered() {
    String userSession = sid(user.text("access_token"));
    Api.Response all = api.get(TOKENS, admin);
    assertThat(all.status()).as(all.toString()).isEqualTo(200);
    assertThat(ids(all)).contains(userSession, patId, sid(admin));
    assertThat(all.body()).doesNotContain(pat).doesNotContain(user.text("refresh_token"))
        .doesNotContain("token_hash");
    JsonNode patItem = null;
    for (JsonNode t : all.json().path("data")) {
      if (t.path("id").asText().equals(patId)) {
        patItem = t;
      }
    }
    assertThat(patItem).isNotNull();
    assertThat(patItem.path("kind").asText()).isEqualTo("pat");
    assertThat(patItem.path("owner").path("id").asText()).isEqualTo(userId);
    assertThat(patItem.path("comment").asText()).isEqualTo("ci");
    assertThat(patItem.path("status").asText()).isEqualTo("active");

    assertThat(ids(api.get(TOKENS + "?kind=pat", admin))).containsExactly(patId);
    assertThat(ids(api.get(TOKENS + "?kind=session&owner=" + userId, admin)))
        .containsExactly(userSession);
    assertThat(ids(api.get(TOKENS + "?owner=" + userId, admin)))
        .containsExactlyInAnyOrder(userSession, patId);
    assertThat(ids(api.get(TOKENS + "?kind=oauth", admin))).isEmpty();
    String later = java.time.Instant.ofEpochMilli(server.clock().millis() + 60_000).toString();
    assertThat(ids(api.get(TOKENS + "?created_after=" + later, admin))).isEmpty();
    assertThat(ids(api.get(TOKENS + "?created_before=" + later, admin))).contains(patId);
  }

  @Test
  void listWhenMoreThanOnePageThenCursorWalksBothKindsOnceNewestFirst() {
    for (int i = 0; i < 4; i++) {
      server.clock().advance(java.time.Duration.ofMillis(3));
      assertThat(api.postJson(ME + "/tokens", "{}", user.text("access_token")).status())
          .isEqualTo(201);
      server.clock().advance(java.time.Duration.ofMillis(3));
      server.login("main", "holder@example.com", PASSWORD);
    }
    List<String> everything = ids(api.get(TOKENS + "?limit=200", admin));
    List<String> walked = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Api.Response r = api.get(TOKENS + "?limit=3" + (cursor == null ? "" : "&cursor="
          + cursor), admin);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      walked.addAll(ids(r));
      JsonNode next = r.json().path("next_cursor");
      cursor = next.isMissingNode() || next.isNull() ? null : next.asText();
      pages++;
    } while (cursor != null && pages < 20);
    assertThat(walked).doesNotHaveDuplicates().containsExactlyElementsOf(everything);
    assertThat(everything).hasSize(1 + 1 + 1 + 4 + 4); // admin, user's session and PAT, 4 + 4
  }

  @Test
  void revokeWhenAdminRevokesASessionOrATokenThenRefusedAtOnceAndAgainNotFound() {
    assertThat(api.get(ME, pat).status()).isEqualTo(200); // now cached as valid
    Api.Response gone = delete(TOKENS + "/" + patId, admin);
    assertThat(gone.status()).as(gone.toString()).isEqualTo(204);
    assertRefused(api.get(ME, pat), 401, "token_revoked");
    assertRefused(delete(TOKENS + "/" + patId, admin), 404, "token_not_found");

    String session = sid(user.text("access_token"));
    assertThat(delete(TOKENS + "/" + session, admin).status()).isEqualTo(204);
    assertThat(api.get(ME, user.text("access_token")).status()).isEqualTo(401);
    assertRefused(server.refresh("main", user.text("refresh_token")), 401, "token_revoked");
    Api.Response listed = api.get(TOKENS + "?status=all&owner=" + userId, admin);
    for (JsonNode t : listed.json().path("data")) {
      assertThat(t.path("status").asText()).as(t.toString()).isEqualTo("revoked");
    }
    assertThat(ids(api.get(TOKENS + "?owner=" + userId, admin))).isEmpty();
    assertRefused(delete(TOKENS + "/ses_nope", admin), 404, "token_not_found");
    assertRefused(delete(TOKENS + "/anything", admin), 404, "token_not_found");
  }

  @Test
  void revokeWhenTokenBelongsToAnotherAccountThenNotFoundAndItKeepsWorking() {
    String secret = server.app().accounts().create("main", "other", "Other").setupSecret();
    Api.Response otherAdmin = api.postJson(TestServer.v1("other") + "/setup",
        "{\"setup_token\":" + Api.q(secret) + ",\"email\":\"root@other.example\",\"password\":"
            + Api.q(PASSWORD) + "}");
    assertThat(otherAdmin.status()).as(otherAdmin.toString()).isEqualTo(201);
    String otherSession = sid(otherAdmin.text("access_token"));
    assertRefused(delete(TOKENS + "/" + otherSession, admin), 404, "token_not_found");
    Api.Response bulk = api.postJson(TOKENS + "/revoke",
        "{\"ids\":[" + Api.q(otherSession) + "]}", admin);
    assertThat(bulk.json().path("data").get(0).path("status").asText()).isEqualTo("skipped");
    assertThat(api.get(TestServer.v1("other") + "/me", otherAdmin.text("access_token"))
        .status()).isEqualTo(200);
    assertThat(ids(api.get(TOKENS + "?status=all&limit=200", admin)))
        .doesNotContain(otherSession);
    // and the other account's admin sees none of main's tokens
    assertThat(ids(api.get(TestServer.v1("other") + "/tokens?status=all",
        otherAdmin.text("access_token")))).containsExactly(otherSession);
  }

  @Test
  void bulkRevokeWhenIdsMixLiveUnknownRepeatedAndEndedThenEachAnsweredInOrder() {
    String session = sid(user.text("access_token"));
    Api.Response r = api.postJson(TOKENS + "/revoke", "{\"ids\":[" + Api.q(patId) + ","
        + Api.q(session) + ",\"pat_unknown\"," + Api.q(patId) + ",\"\"]}", admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonNode data = r.json().path("data");
    assertThat(data).hasSize(5);
    List<String> statuses = new ArrayList<>();
    data.forEach(d -> statuses.add(d.path("status").asText()));
    assertThat(statuses).containsExactly("revoked", "revoked", "skipped", "skipped", "skipped");
    assertThat(data.get(3).path("reasons").get(0).path("message").asText()).contains("entry 0");
    assertThat(data.get(2).path("reasons").get(0).path("code").asText())
        .isEqualTo("token_not_found");
    assertThat(r.json().path("summary").path("revoked").asInt()).isEqualTo(2);
    assertRefused(api.get(ME, pat), 401, "token_revoked");
    assertRefused(server.refresh("main", user.text("refresh_token")), 401, "token_revoked");

    Api.Response again = api.postJson(TOKENS + "/revoke", "{\"ids\":[" + Api.q(patId) + "]}",
        admin);
    assertThat(again.json().path("data").get(0).path("status").asText()).isEqualTo("skipped");

    StringBuilder many = new StringBuilder("{\"ids\":[");
    for (int i = 0; i <= 1000; i++) {
      many.append(i == 0 ? "" : ",").append("\"pat_").append(i).append('"');
    }
    assertRefused(api.postJson(TOKENS + "/revoke", many.append("]}").toString(), admin), 400,
        "validation_failed");
    assertRefused(api.postJson(TOKENS + "/revoke", "{}", admin), 400, "validation_failed");
  }

  @Test
  void tokensApiWhenCalledWithAPersonalAccessTokenOrByAUserThenRefused() {
    Api.Response adminPat = api.postJson(ME + "/tokens", "{\"scopes\":[\"user\",\"admin\"]}",
        admin);
    assertRefused(api.get(TOKENS, adminPat.text("token")), 403, "session_required");
    assertRefused(delete(TOKENS + "/" + patId, adminPat.text("token")), 403, "session_required");
    assertRefused(api.get(TOKENS, user.text("access_token")), 403, "insufficient_scope");
    assertThat(api.get(ME, pat).status()).isEqualTo(200);
  }

  @Test
  void listWhenFiltersMalformedThenValidationFailedNamingEach() {
    Api.Response r = api.get(TOKENS + "?kind=cookie&status=dead&created_after=yesterday"
        + "&cursor=%21%21&limit=0", admin);
    assertRefused(r, 400, "validation_failed");
    List<String> fields = new ArrayList<>();
    r.json().path("errors").forEach(e -> fields.add(e.path("field").asText()));
    assertThat(fields).containsExactlyInAnyOrder("kind", "status", "created_after", "cursor",
        "limit");
  }
}
