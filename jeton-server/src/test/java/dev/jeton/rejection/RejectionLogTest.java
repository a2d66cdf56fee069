package dev.jeton.rejection;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rejection log and the doctor's use of it, over real HTTP on both engines
 * (docs/diagnose.md#rejection-log): every refused presentation is kept with a fingerprint and
 * never the token; owners read theirs, admins the account's; nobody learns of someone else's.
 */
@OnBothEngines
class RejectionLogTest {
  private static final String PASSWORD = "correct horse battery staple 9";

  TestServer server;
  Api api;
  String admin;
  String alice;
  String aliceId;
  String bob;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    api = server.api();
    admin = server.adminToken();
    Api.Response a = server.register("main", "alice@example.com", PASSWORD);
    alice = a.text("access_token");
    aliceId = a.json().path("user").path("id").asText();
    bob = server.register("main", "bob@example.com", PASSWORD).text("access_token");
  }

  private List<JsonNode> rejections(String bearer, String query) {
    Api.Response r = api.get(v1("main") + "/rejections" + query, bearer);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    r.json().path("data").forEach(out::add);
    return out;
  }

  private void awaitWritten() throws InterruptedException {
    server.app().rejections().awaitWritten();
  }

  @Test
  void everyRefusedPresentationIsKeptForItsOwnerAndNeverTheToken() throws Exception {
    // a personal access token, revoked; alice's session token on an admin route; then logged out
    Api.Response pat = api.postJson(v1("main") + "/me/tokens", "{\"comment\":\"ci\"}", alice);
    String patSecret = pat.text("token");
    api.send("DELETE", v1("main") + "/me/tokens/" + pat.text("id"), null,
        Map.of("Authorization", "Bearer " + alice));
    Api.Response revokedPat = api.get(v1("main") + "/me", patSecret);
    assertThat(revokedPat.code()).isEqualTo("token_revoked");
    Api.Response scope = api.get(v1("main") + "/users", alice);
    assertThat(scope.code()).isEqualTo("insufficient_scope");
    String garbage = "not-a-token-" + System.nanoTime();
    assertThat(api.get(v1("main") + "/me", garbage).code()).isEqualTo("token_malformed");
    server.clock().advance(Duration.ofHours(2)); // past the access token's hour
    Api.Response expired = api.get(v1("main") + "/me", alice);
    assertThat(expired.code()).isEqualTo("token_expired");
    awaitWritten();

    List<JsonNode> mine = rejections(server.login("main", "alice@example.com", PASSWORD)
        .text("access_token"), "");
    assertThat(mine).extracting(j -> j.path("code").asText())
        .containsExactly("token_expired", "insufficient_scope", "token_revoked");
    JsonNode first = mine.get(0);
    assertThat(first.path("owner").path("id").asText()).isEqualTo(aliceId);
    assertThat(first.path("token").path("kind").asText()).isEqualTo("access_token");
    assertThat(first.path("token").path("fingerprint").asText())
        .isEqualTo(RejectionLog.fingerprint(alice));
    assertThat(first.path("client_id").asText()).isEqualTo("jeton");
    assertThat(first.path("route").asText()).isEqualTo("/accounts/{account}/api/v1/me");
    assertThat(first.path("request_id").asText())
        .isEqualTo(expired.header("X-Request-Id").orElseThrow());
    assertThat(first.path("ip").asText()).isEqualTo("127.0.0.1");
    assertThat(mine.get(2).path("token").path("kind").asText())
        .isEqualTo("personal_access_token");

    // SECURITY (rejection log never holds a token): no column of any row contains one
    List<String> rows = server.app().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT * FROM rejections").map((rs, ctx) -> {
          StringBuilder b = new StringBuilder();
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            b.append(rs.getString(i)).append('|');
          }
          return b.toString();
        }).list());
    assertThat(rows).hasSize(4);
    for (String row : rows) {
      assertThat(row).doesNotContain(alice).doesNotContain(patSecret).doesNotContain(garbage)
          .doesNotContain(alice.substring(alice.lastIndexOf('.') + 1));
    }
  }

  @Test
  void adminsReadTheWholeAccountUsersOnlyTheirOwn() throws Exception {
    api.get(v1("main") + "/me", "garbage-token-one");
    api.get(v1("main") + "/users", alice);
    api.get(v1("main") + "/users", bob);
    awaitWritten();
    String admin2 = server.adminToken();
    assertThat(rejections(admin2, "")).hasSize(3);
    assertThat(rejections(admin2, "?code=token_malformed")).hasSize(1)
        .first().satisfies(j -> assertThat(j.path("owner").path("id").isMissingNode())
            .as("a malformed token has no known owner").isTrue());
    assertThat(rejections(admin2, "?owner=" + aliceId)).hasSize(1);
    assertThat(rejections(bob, "")).hasSize(1)
        .first().satisfies(j -> assertThat(j.path("owner").path("id").asText())
            .isNotEqualTo(aliceId));
    // bob asking for alice's is refused, not answered empty
    Api.Response other = api.get(v1("main") + "/rejections?owner=" + aliceId, bob);
    assertThat(other.status()).isEqualTo(403);
    assertThat(other.code()).isEqualTo("insufficient_scope");
    // pagination and filters are checked
    List<JsonNode> page = rejections(admin2, "?limit=2");
    assertThat(page).hasSize(2);
    Api.Response bad = api.get(v1("main") + "/rejections?since=yesterday&limit=0", admin2);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body()).contains("since", "limit");
  }

  @Test
  void theDoctorShowsAnOwnerTheLastRejectionsAndExplainsAFailedRequestOnlyToThoseEntitled()
      throws Exception {
    Api.Response pat = api.postJson(v1("main") + "/me/tokens", "{\"comment\":\"ci\"}", alice);
    String patSecret = pat.text("token");
    api.send("DELETE", v1("main") + "/me/tokens/" + pat.text("id"), null,
        Map.of("Authorization", "Bearer " + alice));
    Api.Response failed = api.get(v1("main") + "/me", patSecret);
    String requestId = failed.header("X-Request-Id").orElseThrow();
    awaitWritten();

    Api.Response d = api.postJson(v1("main") + "/tokens/diagnose",
        "{\"token\":" + Api.q(patSecret) + "}", alice);
    assertThat(d.status()).as(d.toString()).isEqualTo(200);
    JsonNode last = d.json().path("explained").path("last_rejections");
    assertThat(last).hasSize(1);
    assertThat(last.get(0).path("code").asText()).isEqualTo("token_revoked");
    assertThat(last.get(0).path("request_id").asText()).isEqualTo(requestId);

    Api.Response why = api.postJson(v1("main") + "/tokens/diagnose",
        "{\"request_id\":" + Api.q(requestId) + "}", alice);
    assertThat(why.json().path("found").asBoolean()).as(why.toString()).isTrue();
    assertThat(why.json().path("rejection").path("code").asText()).isEqualTo("token_revoked");
    assertThat(why.json().path("remedy").asText()).isNotBlank();
    // bob, and nobody at all, learn nothing of alice's request; the same as for no request
    for (String caller : new String[] {bob, null}) {
      Api.Response no = caller == null
          ? api.postJson(v1("main") + "/tokens/diagnose", "{\"request_id\":" + Api.q(requestId)
              + "}")
          : api.postJson(v1("main") + "/tokens/diagnose", "{\"request_id\":" + Api.q(requestId)
              + "}", caller);
      assertThat(no.status()).isEqualTo(200);
      assertThat(no.json().path("found").asBoolean()).isFalse();
      Api.Response none = api.postJson(v1("main") + "/tokens/diagnose",
          "{\"request_id\":\"no-such-request\"}", admin);
      assertThat(none.json().path("found").asBoolean()).isFalse();
      assertThat(no.json().path("detail").asText()).isEqualTo(none.json().path("detail").asText());
    }
    // an admin may ask
    assertThat(api.postJson(v1("main") + "/tokens/diagnose",
        "{\"request_id\":" + Api.q(requestId) + "}", admin).json().path("found").asBoolean())
        .isTrue();
  }

  @Test
  void thePurgeRemovesRejectionsOlderThanThirtyDays() throws Exception {
    api.get(v1("main") + "/me", "garbage-token-two");
    awaitWritten();
    assertThat(rejections(admin, "")).hasSize(1);
    server.clock().advance(Duration.ofDays(31));
    server.app().purge().run();
    assertThat(rejections(server.adminToken(), "")).isEmpty();
  }
}
