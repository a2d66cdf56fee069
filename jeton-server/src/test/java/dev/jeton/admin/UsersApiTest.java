package dev.jeton.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/users.md: the users admin API, tried as a careless admin or an attacker would: a user
 * acting as admin, another account's admin, the account's last admin taken away, a blocked,
 * reset or deleted user's credentials used again, a password link replayed, two admins demoting
 * each other at once. On both engines.
 */
@OnBothEngines
class UsersApiTest {
  static final String USERS = TestServer.v1("main") + "/users";
  static final String ME = TestServer.v1("main") + "/me";
  static final String PASSWORD = "a sturdy pass phrase 41";

  TestServer server;
  Api api;
  String admin;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    this.api = server.api();
    this.admin = server.adminToken();
  }

  private Api.Response create(String json) {
    return api.postJson(USERS, json, admin);
  }

  /** Creates a user with a password; answers the user's JSON. */
  private JsonNode user(String email) {
    Api.Response r = create("{\"email\":" + Api.q(email) + ",\"password\":" + Api.q(PASSWORD)
        + "}");
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json();
  }

  private Api.Response post(String path, String bearer) {
    return api.postJson(path, "{}", bearer);
  }

  private Api.Response delete(String path, String bearer) {
    return api.send("DELETE", path, null, Map.of("Authorization", "Bearer " + bearer));
  }

  private static void assertRefused(Api.Response r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.code()).as(r.toString()).isEqualTo(code);
  }

  private String pat(String accessToken) {
    Api.Response r = api.postJson(ME + "/tokens", "{}", accessToken);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.text("token");
  }

  @Test
  void createWhenPasswordGivenThenUserSignsInAndIsListedReadAndFilteredByEmail() {
    Api.Response r = create("{\"email\":\"Ada@Example.com\",\"name\":\"Ada L\","
        + "\"password\":" + Api.q(PASSWORD) + "}");
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    JsonNode u = r.json();
    assertThat(u.path("email").asText()).isEqualTo("ada@example.com");
    assertThat(u.path("name").asText()).isEqualTo("Ada L");
    assertThat(u.path("role").asText()).isEqualTo("user");
    assertThat(u.path("status").asText()).isEqualTo("active");
    assertThat(u.has("password_link")).isFalse();
    assertThat(u.toString()).doesNotContain("argon2").doesNotContain("password_hash");
    assertThat(r.header("Location")).hasValue(server.app().config().http().baseUrl() + USERS
        + "/" + u.path("id").asText());
    assertThat(server.login("main", "ada@example.com", PASSWORD).status()).isEqualTo(200);

    Api.Response got = api.get(USERS + "/" + u.path("id").asText(), admin);
    assertThat(got.json().path("email").asText()).isEqualTo("ada@example.com");
    Api.Response byEmail = api.get(USERS + "?email=ADA%40example.com", admin);
    assertThat(byEmail.json().path("data")).hasSize(1);
    assertThat(byEmail.json().path("data").get(0).path("id").asText())
        .isEqualTo(u.path("id").asText());
    assertThat(api.get(USERS + "?email=nobody%40example.com", admin).json().path("data"))
        .isEmpty();
    assertRefused(create("{\"email\":\"ada@example.com\"}"), 409, "user_already_exists");
    assertRefused(api.get(USERS + "/usr_nope", admin), 404, "user_not_found");
  }

  @Test
  void listWhenMoreThanOnePageThenCursorWalksEveryUserOnceNewestFirst() {
    Set<String> created = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      created.add(user("page" + i + "@example.com").path("id").asText());
      server.clock().advance(java.time.Duration.ofMillis(5));
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Api.Response r = api.get(USERS + "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
          admin);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      r.json().path("data").forEach(u -> seen.add(u.path("id").asText()));
      cursor = r.json().path("next_cursor").isMissingNode() || r.json().path("next_cursor")
          .isNull() ? null : r.json().path("next_cursor").asText();
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(seen).doesNotHaveDuplicates().containsAll(created).hasSize(6); // and the admin
    assertThat(pages).isEqualTo(3);
    assertRefused(api.get(USERS + "?cursor=bm9wZQ", admin), 400, "validation_failed");
    assertRefused(api.get(USERS + "?limit=0", admin), 400, "validation_failed");
    assertRefused(api.get(USERS + "?status=zombie", admin), 400, "validation_failed");
    assertThat(api.get(USERS + "?role=admin", admin).json().path("data")).hasSize(1);
  }

  @Test
  void usersApiWhenCallerIsNoAdminOrOfAnotherAccountThenRefused() {
    user("plain@example.com");
    String plain = server.login("main", "plain@example.com", PASSWORD).text("access_token");
    assertRefused(api.get(USERS, plain), 403, "insufficient_scope");
    assertRefused(api.postJson(USERS, "{\"email\":\"x@example.com\"}", plain), 403,
        "insufficient_scope");
    assertRefused(api.get(USERS, null), 401, "token_missing");
    // the admin of a sub-account cannot reach main's users, nor main's admin through it
    Api.Response sub = api.postJson(TestServer.v1("main") + "/accounts", "{\"id\":\"subco\"}",
        admin);
    assertThat(sub.status()).as(sub.toString()).isEqualTo(201);
    assertRefused(api.get(TestServer.v1("subco") + "/users", admin), 401,
        "token_wrong_account");
  }

  @Test
  void createWhenNoPasswordThenLinkSetsItOnceAndOnlyThenSignInWorks() {
    Api.Response r = create("{\"email\":\"invitee@example.com\",\"role\":\"admin\"}");
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.header("Cache-Control")).hasValue("no-store");
    JsonNode u = r.json();
    assertThat(u.path("status").asText()).isEqualTo("invited");
    String link = u.path("password_link").path("url").asText();
    String token = u.path("password_link").path("token").asText();
    assertThat(token).startsWith("jeton_pw_");
    assertThat(link).endsWith("/accounts/main/set-password?token=" + token);
    // no password yet: refused exactly like a wrong password, whatever is tried
    assertRefused(server.login("main", "invitee@example.com", "anything at all 1"), 401,
        "invalid_credentials");

    Api.Response page = api.get(link.substring(link.indexOf("/accounts/")));
    assertThat(page.status()).as(page.toString()).isEqualTo(200);
    assertThat(page.body()).contains("invitee@example.com").contains("Set your password");

    Api.Response weak = api.postJson(TestServer.v1("main") + "/auth/set-password",
        "{\"token\":" + Api.q(token) + ",\"password\":\"password\"}");
    assertRefused(weak, 400, "validation_failed");
    assertThat(weak.json().path("errors").get(0).path("code").asText())
        .isEqualTo("password_policy_violation");
    Api.Response set = api.postJson(TestServer.v1("main") + "/auth/set-password",
        "{\"token\":" + Api.q(token) + ",\"password\":" + Api.q(PASSWORD) + "}");
    assertThat(set.status()).as(set.toString()).isEqualTo(200);
    assertThat(set.text("access_token")).isNotBlank();
    assertThat(set.json().path("user").path("role").asText()).isEqualTo("admin");
    // replayed: the link worked once
    assertRefused(api.postJson(TestServer.v1("main") + "/auth/set-password",
        "{\"token\":" + Api.q(token) + ",\"password\":\"another pass phrase 9\"}"), 400,
        "password_link_invalid");
    assertThat(api.get(link.substring(link.indexOf("/accounts/"))).status()).isEqualTo(400);
    assertThat(server.login("main", "invitee@example.com", PASSWORD).status()).isEqualTo(200);
    // a forged or foreign-kind token is refused the same way
    assertRefused(api.postJson(TestServer.v1("main") + "/auth/set-password",
        "{\"token\":\"jeton_pw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"password\":"
            + Api.q(PASSWORD) + "}"), 400, "password_link_invalid");
  }

  @Test
  void passwordLinkWhenANewOneIsIssuedThenTheEarlierStopsWorking() {
    JsonNode u = create("{\"email\":\"twice@example.com\"}").json();
    String first = u.path("password_link").path("token").asText();
    Api.Response again = post(USERS + "/" + u.path("id").asText() + "/password-link", admin);
    assertThat(again.status()).as(again.toString()).isEqualTo(201);
    String second = again.text("token");
    assertRefused(api.postJson(TestServer.v1("main") + "/auth/set-password",
        "{\"token\":" + Api.q(first) + ",\"password\":" + Api.q(PASSWORD) + "}"), 400,
        "password_link_invalid");
    assertThat(api.postJson(TestServer.v1("main") + "/auth/set-password",
        "{\"token\":" + Api.q(second) + ",\"password\":" + Api.q(PASSWORD) + "}").status())
        .isEqualTo(200);
  }

  @Test
  void blockWhenUserHoldsSessionsAndTokensThenAllRefusedAtOnceAndSignInSaysBlocked() {
    String id = user("blocked@example.com").path("id").asText();
    Api.Response login = server.login("main", "blocked@example.com", PASSWORD);
    String access = login.text("access_token");
    String refresh = login.text("refresh_token");
    String pat = pat(access);
    assertThat(api.get(ME, pat).status()).isEqualTo(200); // now cached as valid

    Api.Response r = post(USERS + "/" + id + "/block", admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().path("status").asText()).isEqualTo("blocked");
    assertThat(r.json().path("ended").path("sessions_ended").asInt()).isEqualTo(1);

    assertThat(api.get(ME, access).status()).isEqualTo(401);
    assertRefused(server.refresh("main", refresh), 401, "token_revoked");
    assertRefused(api.get(ME, pat), 401, "token_owner_disabled");
    assertRefused(server.login("main", "blocked@example.com", PASSWORD), 403, "user_blocked");
    // the wrong password still answers only invalid_credentials: blocked is told to the owner
    assertRefused(server.login("main", "blocked@example.com", "not the pass phrase 1"), 401,
        "invalid_credentials");
    assertThat(api.get(USERS + "?status=blocked", admin).json().path("data")).hasSize(1);

    Api.Response unblocked = post(USERS + "/" + id + "/unblock", admin);
    assertThat(unblocked.json().path("status").asText()).isEqualTo("active");
    assertThat(server.login("main", "blocked@example.com", PASSWORD).status()).isEqualTo(200);
    assertRefused(server.refresh("main", refresh), 401, "token_revoked"); // ended stays ended
  }

  @Test
  void requirePasswordResetWhenDoneThenOldPasswordAndSessionsStopAndLinkSetsNewOne() {
    String id = user("reset@example.com").path("id").asText();
    Api.Response login = server.login("main", "reset@example.com", PASSWORD);
    Api.Response r = post(USERS + "/" + id + "/require-password-reset", admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Cache-Control")).hasValue("no-store");
    assertThat(r.json().path("status").asText()).isEqualTo("password_reset_required");
    String token = r.json().path("password_link").path("token").asText();

    assertRefused(server.refresh("main", login.text("refresh_token")), 401, "token_revoked");
    assertRefused(server.login("main", "reset@example.com", PASSWORD), 412,
        "password_reset_required");
    String next = "the next pass phrase 52";
    assertThat(api.postJson(TestServer.v1("main") + "/auth/set-password",
        "{\"token\":" + Api.q(token) + ",\"password\":" + Api.q(next) + "}").status())
        .isEqualTo(200);
    assertRefused(server.login("main", "reset@example.com", PASSWORD), 401,
        "invalid_credentials");
    assertThat(server.login("main", "reset@example.com", next).status()).isEqualTo(200);
    assertThat(api.get(USERS + "/" + id, admin).json().path("status").asText())
        .isEqualTo("active");
  }

  @Test
  void deleteWhenUserHoldsTokensThenEverythingRevokedEmailFreedAndDataGone() {
    String id = user("leaving@example.com").path("id").asText();
    Api.Response login = server.login("main", "leaving@example.com", PASSWORD);
    String pat = pat(login.text("access_token"));
    assertThat(api.get(ME, pat).status()).isEqualTo(200);

    Api.Response gone = delete(USERS + "/" + id, admin);
    assertThat(gone.status()).as(gone.toString()).isEqualTo(204);
    assertRefused(api.get(USERS + "/" + id, admin), 404, "user_not_found");
    assertRefused(api.get(ME, pat), 401, "token_revoked");
    assertThat(api.get(ME, login.text("access_token")).status()).isEqualTo(401);
    assertRefused(server.refresh("main", login.text("refresh_token")), 401, "token_revoked");
    assertRefused(server.login("main", "leaving@example.com", PASSWORD), 401,
        "invalid_credentials");
    assertRefused(delete(USERS + "/" + id, admin), 404, "user_not_found");
    // what identified the person is gone from the row; the id stays for what referred to it
    Map<String, Object> row = server.app().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT email, password_hash, name, deleted_at FROM users WHERE id = :id")
        .bind("id", id).mapToMap().one());
    assertThat(row.get("email")).isEqualTo("deleted:" + id);
    assertThat(row.get("password_hash")).isEqualTo("");
    assertThat(row.get("name")).isNull();
    assertThat(row.get("deleted_at")).isNotNull();
    // the address can be given to someone new
    assertThat(user("leaving@example.com").path("id").asText()).isNotEqualTo(id);
  }

  @Test
  void lastAdminWhenBlockedDemotedOrDeletedThenRefusedUntilAnotherAdminExists() {
    String self = api.get(ME, admin).json().path("id").asText();
    assertRefused(post(USERS + "/" + self + "/block", admin), 409, "last_admin");
    assertRefused(api.patchJson(USERS + "/" + self, "{\"role\":\"user\"}", admin), 409,
        "last_admin");
    assertRefused(delete(USERS + "/" + self, admin), 409, "last_admin");
    assertThat(server.login("main", TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD)
        .status()).isEqualTo(200);

    String other = create("{\"email\":\"second.admin@example.com\",\"role\":\"admin\","
        + "\"password\":" + Api.q(PASSWORD) + "}").json().path("id").asText();
    Api.Response demoted = api.patchJson(USERS + "/" + self, "{\"role\":\"user\"}", admin);
    assertThat(demoted.status()).as(demoted.toString()).isEqualTo(200);
    assertThat(demoted.json().path("role").asText()).isEqualTo("user");
    // a role change ends the sessions that carried the old role's scopes
    assertThat(api.get(USERS, admin).status()).isEqualTo(401);
    String second = server.login("main", "second.admin@example.com", PASSWORD)
        .text("access_token");
    assertRefused(post(USERS + "/" + other + "/block", second), 409, "last_admin");
  }

  @Test
  void demoteWhenTwoAdminsDemoteEachOtherAtOnceThenOneAdminRemains() throws Exception {
    create("{\"email\":\"peer.admin@example.com\",\"role\":\"admin\",\"password\":"
        + Api.q(PASSWORD) + "}");
    String self = api.get(ME, admin).json().path("id").asText();
    String peerToken = server.login("main", "peer.admin@example.com", PASSWORD)
        .text("access_token");
    String peer = api.get(ME, peerToken).json().path("id").asText();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Callable<Api.Response>> calls = List.of(
          () -> api.patchJson(USERS + "/" + peer, "{\"role\":\"user\"}", admin),
          () -> api.patchJson(USERS + "/" + self, "{\"role\":\"user\"}", peerToken));
      List<Integer> statuses = new ArrayList<>();
      for (Future<Api.Response> f : pool.invokeAll(calls)) {
        statuses.add(f.get().status());
      }
      assertThat(statuses).contains(200);
    } finally {
      pool.shutdownNow();
    }
    int admins = server.app().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT count(*) FROM users WHERE account_id = 'main' AND role = 'admin'"
            + " AND blocked_at IS NULL AND deleted_at IS NULL").mapTo(Integer.class).one());
    assertThat(admins).isEqualTo(1);
  }

  @Test
  void updateWhenEmailTakenOrFieldsBadThenRefusedAndNothingChanges() {
    String id = user("first@example.com").path("id").asText();
    user("second@example.com");
    assertRefused(api.patchJson(USERS + "/" + id, "{\"email\":\"second@example.com\"}", admin),
        409, "user_already_exists");
    assertRefused(api.patchJson(USERS + "/" + id, "{\"role\":\"root\"}", admin), 400,
        "validation_failed");
    assertRefused(api.patchJson(USERS + "/" + id, "{\"password_hash\":\"x\"}", admin), 400,
        "validation_failed");
    assertThat(api.get(USERS + "/" + id, admin).json().path("email").asText())
        .isEqualTo("first@example.com");
    Api.Response renamed = api.patchJson(USERS + "/" + id,
        "{\"email\":\"First.New@example.com\",\"name\":\"F\"}", admin);
    assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
    assertThat(renamed.json().path("email").asText()).isEqualTo("first.new@example.com");
    assertThat(server.login("main", "first.new@example.com", PASSWORD).status()).isEqualTo(200);
  }

  @Test
  void patWhenItCarriesTheAdminScopeThenItManagesUsers() {
    String pat = pat(admin);
    // an admin's token carries user only unless asked; with admin it reaches the users API
    assertRefused(api.get(USERS, pat), 403, "insufficient_scope");
    Api.Response r = api.postJson(ME + "/tokens", "{\"scopes\":[\"user\",\"admin\"]}", admin);
    assertThat(api.get(USERS, r.text("token")).status()).isEqualTo(200);
  }
}
