package dev.jeton.pat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import dev.jeton.user.User;
import java.time.Duration;
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
 * docs/tokens.md: personal access tokens, tried the way an attacker or a careless script would
 * (docs/security.md#personal-access-tokens): used after revoke, after the owner is blocked, at
 * another account, with widened scopes, expired, tampered, beyond the per-owner limit, to mint
 * more tokens. On both engines.
 */
@OnBothEngines
class PatTest {
  static final String EMAIL = "pat.owner@example.com";
  static final String PASSWORD = "owner pass phrase 77";
  static final String TOKENS = TestServer.v1("main") + "/me/tokens";
  static final String ME = TestServer.v1("main") + "/me";

  TestServer server;
  Api api;
  String session;
  String userId;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    this.api = server.api();
    Api.Response r = server.register("main", EMAIL, PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    session = r.text("access_token");
    userId = r.json().path("user").path("id").asText();
  }

  private Api.Response create(String json, String bearer) {
    return api.postJson(TOKENS, json, bearer);
  }

  /** Creates a token with the signed-in session; answers the created token's JSON. */
  private JsonNode created(String json) {
    Api.Response r = create(json, session);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json();
  }

  private Api.Response delete(String path, String bearer) {
    return api.send("DELETE", path, null, Map.of("Authorization", "Bearer " + bearer));
  }

  private static void assertRefused(Api.Response r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.code()).as(r.toString()).isEqualTo(code);
  }

  @Test
  void createWhenSignedInThenSecretShownOnceStoredHashedAndAcceptedByTheApi() {
    Api.Response r = create("{\"comment\":\"deploy script\",\"lifetime_seconds\":3600}", session);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.header("Cache-Control")).hasValue("no-store");
    JsonNode t = r.json();
    String secret = t.path("token").asText();
    assertThat(secret).matches("jeton_pat_[0-9A-Za-z]{36}");
    assertThat(t.path("comment").asText()).isEqualTo("deploy script");
    assertThat(t.path("scopes").toString()).isEqualTo("[\"user\"]");
    assertThat(t.path("status").asText()).isEqualTo("active");
    assertThat(r.header("Location")).hasValue(server.app().config().http().baseUrl() + TOKENS
        + "/" + t.path("id").asText());

    Api.Response me = api.get(ME, secret);
    assertThat(me.status()).as(me.toString()).isEqualTo(200);
    assertThat(me.json().path("id").asText()).isEqualTo(userId);

    // never shown again: not in the list, not in the single view, not in the database
    Api.Response list = api.get(TOKENS, session);
    assertThat(list.body()).doesNotContain(secret).doesNotContain("\"token\"");
    assertThat(api.get(TOKENS + "/" + t.path("id").asText(), session).body())
        .doesNotContain(secret);
    String stored = server.app().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT token_hash FROM personal_access_tokens WHERE id = :id")
        .bind("id", t.path("id").asText()).mapTo(String.class).one());
    assertThat(stored).isNotEqualTo(secret).doesNotContain(secret.substring(10, 30));
  }

  @Test
  void useWhenRevokedThenRefusedAtOnceAlthoughVerifiedMomentsBefore() {
    JsonNode t = created("{}");
    String secret = t.path("token").asText();
    assertThat(api.get(ME, secret).status()).isEqualTo(200); // now cached as valid
    Api.Response gone = delete(TOKENS + "/" + t.path("id").asText(), session);
    assertThat(gone.status()).as(gone.toString()).isEqualTo(204);
    assertRefused(api.get(ME, secret), 401, "token_revoked");
    // revoking again changes nothing; an unknown id is not found
    assertThat(delete(TOKENS + "/" + t.path("id").asText(), session).status()).isEqualTo(204);
    assertRefused(delete(TOKENS + "/pat_nope", session), 404, "pat_not_found");
    Api.Response all = api.get(TOKENS + "?status=all", session);
    assertThat(all.json().path("data").get(0).path("status").asText()).isEqualTo("revoked");
    assertThat(api.get(TOKENS, session).json().path("data")).isEmpty();
  }

  @Test
  void revokeAllWhenOwnerAsksThenEveryTokenRefused() {
    String a = created("{}").path("token").asText();
    String b = created("{}").path("token").asText();
    Api.Response r = delete(TOKENS, session);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().path("revoked").asInt()).isEqualTo(2);
    assertRefused(api.get(ME, a), 401, "token_revoked");
    assertRefused(api.get(ME, b), 401, "token_revoked");
  }

  @Test
  void useWhenOwnerBlockedThenOwnerDisabledAndBackOnceUnblocked() {
    String secret = created("{}").path("token").asText();
    assertThat(api.get(ME, secret).status()).isEqualTo(200);
    User u = server.app().users().current("main", userId);
    server.app().users().setState(u, true, false);
    assertRefused(api.get(ME, secret), 401, "token_owner_disabled");
    server.app().users().setState(u, false, false);
    assertThat(api.get(ME, secret).status()).isEqualTo(200);
  }

  @Test
  void useWhenExpiredThenTokenExpired() {
    String secret = created("{\"lifetime_seconds\":120}").path("token").asText();
    assertThat(api.get(ME, secret).status()).isEqualTo(200);
    server.clock().advance(Duration.ofSeconds(121));
    assertRefused(api.get(ME, secret), 401, "token_expired");
  }

  @Test
  void useWhenPresentedToAnotherAccountThenWrongAccount() {
    String admin = server.adminToken();
    Api.Response sub = api.postJson(TestServer.v1("main") + "/accounts", "{\"id\":\"pat-sub\"}",
        admin);
    assertThat(sub.status()).as(sub.toString()).isEqualTo(201);
    String secret = created("{}").path("token").asText();
    assertRefused(api.get(TestServer.v1("pat-sub") + "/me", secret), 401,
        "token_wrong_account");
  }

  @Test
  void useWhenTamperedOrGuessedThenMalformedOrUnknown() {
    String secret = created("{}").path("token").asText();
    char last = secret.charAt(secret.length() - 1);
    String tampered = secret.substring(0, secret.length() - 1) + (last == 'a' ? 'b' : 'a');
    assertRefused(api.get(ME, tampered), 401, "token_malformed");
    // a well-formed secret (right prefix and checksum) that was never issued
    String guessed = new dev.jeton.token.OpaqueTokens(new java.security.SecureRandom())
        .generate(dev.jeton.token.TokenKind.PAT);
    assertRefused(api.get(ME, guessed), 401, "token_unknown");
  }

  @Test
  void createWhenScopesWidenedThenRefusedAndAdminScopeOnlyWhatWasAsked() {
    Api.Response widened = create("{\"scopes\":[\"user\",\"admin\"]}", session);
    assertRefused(widened, 400, "validation_failed");
    assertThat(widened.body()).contains("scopes");

    String admin = server.adminToken();
    Api.Response userOnly = api.postJson(TOKENS, "{\"scopes\":[\"user\"]}", admin);
    assertThat(userOnly.status()).as(userOnly.toString()).isEqualTo(201);
    assertRefused(api.get(TestServer.v1("main") + "/clients", userOnly.text("token")), 403,
        "insufficient_scope");
    Api.Response adminPat = api.postJson(TOKENS, "{\"scopes\":[\"user\",\"admin\"]}", admin);
    assertThat(adminPat.status()).as(adminPat.toString()).isEqualTo(201);
    Api.Response clients = api.get(TestServer.v1("main") + "/clients", adminPat.text("token"));
    assertThat(clients.status()).as(clients.toString()).isEqualTo(200);
  }

  @Test
  void manageWhenAuthenticatedByATokenThenSessionRequired() {
    String secret = created("{}").path("token").asText();
    assertRefused(create("{}", secret), 403, "session_required");
    assertRefused(api.get(TOKENS, secret), 403, "session_required");
    assertRefused(delete(TOKENS, secret), 403, "session_required");
    assertRefused(api.postJson(ME + "/password", "{\"current_password\":" + Api.q(PASSWORD)
        + ",\"new_password\":\"another pass phrase 88\"}", secret), 403, "session_required");
    assertRefused(api.postJson(ME + "/logout-everywhere", "{}", secret), 403,
        "session_required");
    assertThat(api.get(ME, secret).status()).isEqualTo(200); // it still works where it may
  }

  @Test
  void createWhenLifetimeOutsideThePolicyThenRefusedUntilTheAccountAllowsIt() {
    assertRefused(create("{\"lifetime_seconds\":0}", session), 400, "validation_failed");
    assertRefused(create("{\"lifetime_seconds\":59}", session), 400, "validation_failed");
    assertRefused(create("{\"lifetime_seconds\":" + (366L * 24 * 3600) + "}", session), 400,
        "validation_failed");
    // default: 90 days
    JsonNode dflt = created("{}");
    assertThat(java.time.Instant.parse(dflt.path("expires_at").asText()))
        .isEqualTo(java.time.Instant.parse(dflt.path("created_at").asText())
            .plus(Duration.ofDays(90)));

    Api.Response patched = api.patchJson(TestServer.v1("main") + "/accounts/main",
        "{\"personal_access_tokens\":{\"no_expiry\":true,\"max_lifetime\":86400}}",
        server.adminToken());
    assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    JsonNode policy = patched.json().path("personal_access_tokens");
    assertThat(policy.path("no_expiry").asBoolean()).isTrue();
    assertThat(policy.path("max_lifetime").asLong()).isEqualTo(86400);
    assertThat(policy.path("default_lifetime").asLong()).as("cut to the maximum").isEqualTo(86400);
    JsonNode forever = created("{\"lifetime_seconds\":0,\"comment\":\"integration\"}");
    assertThat(forever.has("expires_at")).as(forever.toString()).isFalse();
    server.clock().advance(Duration.ofDays(3650));
    assertThat(api.get(ME, forever.path("token").asText()).status()).isEqualTo(200);
    session = server.login("main", EMAIL, PASSWORD).text("access_token"); // ten years later
    assertRefused(create("{\"lifetime_seconds\":86401}", session), 400, "validation_failed");
  }

  @Test
  void createWhenOwnerHoldsTheMostLiveTokensThenLimitReachedUntilOneIsRevoked() {
    // the default limit, 600, reached through the API
    String first = null;
    for (int i = 0; i < 600; i++) {
      JsonNode t = created("{\"comment\":\"t" + i + "\"}");
      if (first == null) {
        first = t.path("id").asText();
      }
    }
    Api.Response over = create("{}", session);
    assertRefused(over, 409, "token_limit_reached");
    assertThat(over.body()).contains("600");
    assertThat(delete(TOKENS + "/" + first, session).status()).isEqualTo(204);
    assertThat(create("{}", session).status()).isEqualTo(201);
    assertRefused(create("{}", session), 409, "token_limit_reached");
  }

  @Test
  void createWhenManyRaceAtTheLimitThenExactlyTheLimitSucceeds() throws Exception {
    Api.Response patched = api.patchJson(TestServer.v1("main") + "/accounts/main",
        "{\"personal_access_tokens\":{\"max_per_owner\":3}}", server.adminToken());
    assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    ExecutorService pool = Executors.newFixedThreadPool(10);
    try {
      List<Future<Api.Response>> all = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        all.add(pool.submit((Callable<Api.Response>) () -> create("{}", session)));
      }
      int ok = 0;
      int limited = 0;
      for (Future<Api.Response> f : all) {
        Api.Response r = f.get();
        if (r.status() == 201) {
          ok++;
        } else if ("token_limit_reached".equals(r.code())) {
          limited++;
        }
      }
      assertThat(ok).isEqualTo(3);
      assertThat(limited).isEqualTo(7);
    } finally {
      pool.shutdownNow();
    }
    assertThat(api.get(TOKENS, session).json().path("data")).hasSize(3);
  }

  @Test
  void revokeWhenManyRaceOnOneTokenThenEveryAnswerIsNoContentAndItIsRevokedOnce()
      throws Exception {
    JsonNode t = created("{}");
    String path = TOKENS + "/" + t.path("id").asText();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Api.Response>> all = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        all.add(pool.submit((Callable<Api.Response>) () -> delete(path, session)));
      }
      for (Future<Api.Response> f : all) {
        assertThat(f.get().status()).isEqualTo(204);
      }
    } finally {
      pool.shutdownNow();
    }
    assertRefused(api.get(ME, t.path("token").asText()), 401, "token_revoked");
    Long revokedAt = server.app().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT revoked_at FROM personal_access_tokens WHERE id = :id")
        .bind("id", t.path("id").asText()).mapTo(Long.class).one());
    assertThat(revokedAt).isNotNull();
  }

  @Test
  void useWhenRepeatedThenLastUseShownAtOnceAndWrittenInOneBatch() {
    JsonNode t = created("{}");
    String id = t.path("id").asText();
    long firstUse = server.clock().millis();
    for (int i = 0; i < 5; i++) {
      assertThat(api.get(ME, t.path("token").asText()).status()).isEqualTo(200);
    }
    JsonNode shown = api.get(TOKENS + "/" + id, session).json();
    assertThat(shown.has("last_used_at")).as(shown.toString()).isTrue();
    assertThat(shown.path("last_used_ip").asText()).isEqualTo("127.0.0.1");
    String stored = "SELECT last_used_at FROM personal_access_tokens WHERE id = :id";
    Long before = server.app().database().jdbi().withHandle(h -> h.createQuery(stored)
        .bind("id", id).mapTo(Long.class).findOne().orElse(null));
    assertThat(before).as("no write per use").isNull();
    assertThat(server.app().pats().flushUses()).isEqualTo(1);
    Long after = server.app().database().jdbi().withHandle(h -> h.createQuery(stored)
        .bind("id", id).mapTo(Long.class).one());
    assertThat(after).isBetween(firstUse, server.clock().millis());
    assertThat(java.time.Instant.ofEpochMilli(after).toString())
        .isEqualTo(shown.path("last_used_at").asText());
  }

  @Test
  void listWhenPagedThenEveryTokenOnceNewestFirstAndBadParametersRefused() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      ids.add(created("{\"comment\":\"n" + i + "\"}").path("id").asText());
      server.clock().advance(Duration.ofMillis(1));
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Api.Response page = api.get(TOKENS + "?limit=2" + (cursor == null ? "" : "&cursor="
          + cursor), session);
      assertThat(page.status()).as(page.toString()).isEqualTo(200);
      page.json().path("data").forEach(p -> seen.add(p.path("id").asText()));
      // absent on the last page (the API leaves out what has no value)
      cursor = page.json().has("next_cursor") ? page.json().path("next_cursor").asText() : null;
      pages++;
    } while (cursor != null);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).hasSize(5).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(api.get(TOKENS + "?limit=1", session).json().path("data").get(0)
        .path("comment").asText()).isEqualTo("n4");
    assertRefused(api.get(TOKENS + "?limit=0", session), 400, "validation_failed");
    assertRefused(api.get(TOKENS + "?limit=x", session), 400, "validation_failed");
    assertRefused(api.get(TOKENS + "?cursor=bm9wZQ", session), 400, "validation_failed");
    assertRefused(api.get(TOKENS + "?status=gone", session), 400, "validation_failed");
  }

  @Test
  void getWhenAnotherUsersTokenThenNotFound() {
    JsonNode t = created("{}");
    Api.Response other = server.register("main", "someone.else@example.com", PASSWORD);
    String otherSession = other.text("access_token");
    assertRefused(api.get(TOKENS + "/" + t.path("id").asText(), otherSession), 404,
        "pat_not_found");
    assertRefused(delete(TOKENS + "/" + t.path("id").asText(), otherSession), 404,
        "pat_not_found");
    assertThat(api.get(ME, t.path("token").asText()).status()).isEqualTo(200);
  }

  @Test
  void purgeWhenRevokedLongerThanTheWindowThenDeletedAndTheLiveOneKept() {
    JsonNode gone = created("{}");
    JsonNode kept = created("{\"lifetime_seconds\":" + (30L * 24 * 3600) + "}");
    assertThat(delete(TOKENS + "/" + gone.path("id").asText(), session).status()).isEqualTo(204);
    server.clock().advance(Duration.ofDays(8)); // past the 7-day retention window
    assertThat(server.app().purge().run().removed()).containsEntry("personal_access_tokens", 1);
    assertRefused(api.get(ME, gone.path("token").asText()), 401, "token_unknown");
    assertThat(api.get(ME, kept.path("token").asText()).status()).isEqualTo(200);
  }
}
