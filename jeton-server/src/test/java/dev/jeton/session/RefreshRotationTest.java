package dev.jeton.session;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Settings;
import dev.jeton.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Refresh-token rotation, reuse detection, the lost-response grace window, expiry and races
 * (docs/security.md#refresh-rotation, docs/security.md#refresh-reuse,
 * docs/security.md#refresh-lifetimes, docs/security.md#refresh-race), on both engines.
 */
@OnBothEngines
class RefreshRotationTest {
  private static final String PASSWORD = "rotation pass phrase 77";

  TestServer server;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
  }

  private Api.Response signIn(String email) {
    Api.Response r = server.register("main", email, PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r;
  }

  @Test
  @Settings("REFRESH_GRACE=0")
  void refreshWhenTokenFreshThenNewPairAndOldOneSpent() {
    String rt = signIn("rot1@example.com").text("refresh_token");
    Api.Response next = server.refresh("main", rt);
    assertThat(next.status()).isEqualTo(200);
    assertThat(next.header("Cache-Control")).contains("no-store");
    String rt2 = next.text("refresh_token");
    assertThat(rt2).startsWith("jeton_rt_").isNotEqualTo(rt);
    assertThat(next.text("access_token")).isNotBlank();
    assertThat(server.api().get(v1("main") + "/me", next.text("access_token")).status())
        .isEqualTo(200);
    // docs/security.md#refresh-rotation: the presented token is invalidated by its use.
    assertThat(server.refresh("main", rt).code()).isEqualTo("refresh_token_reused");
  }

  @Test
  @Settings("REFRESH_GRACE=0")
  void refreshWhenRotatedTokenReusedThenWholeFamilyRevoked() {
    Api.Response login = signIn("rot2@example.com");
    String rt1 = login.text("refresh_token");
    Api.Response second = server.refresh("main", rt1);
    String rt2 = second.text("refresh_token");
    // docs/security.md#refresh-reuse: presenting rt1 again is reuse: refused, and the live rt2 dies
    // with the family.
    Api.Response reuse = server.refresh("main", rt1);
    assertThat(reuse.status()).isEqualTo(401);
    assertThat(reuse.code()).isEqualTo("refresh_token_reused");
    assertThat(server.refresh("main", rt2).code()).isEqualTo("token_revoked");
    // The family's access tokens are refused by Jeton's own API at once.
    assertThat(server.api().get(v1("main") + "/me", second.text("access_token")).code())
        .isEqualTo("token_revoked");
  }

  @Test
  @Settings("REFRESH_GRACE=30s")
  void refreshWhenJustRotatedTokenRetriedWithinGraceThenFreshPairOnce() {
    String rt1 = signIn("rot3@example.com").text("refresh_token");
    String lost = server.refresh("main", rt1).text("refresh_token");
    server.clock().advance(Duration.ofSeconds(5));
    Api.Response retry = server.refresh("main", rt1);
    assertThat(retry.status()).isEqualTo(200);
    String kept = retry.text("refresh_token");
    assertThat(kept).isNotEqualTo(lost);
    // The grace is spent: a third presentation is reuse and ends the family.
    assertThat(server.refresh("main", rt1).code()).isEqualTo("refresh_token_reused");
    assertThat(server.refresh("main", kept).code()).isEqualTo("token_revoked");
  }

  @Test
  @Settings("REFRESH_GRACE=30s")
  void refreshWhenGraceRetryKeepsTheFamilyThenOnlyTheRetriedTokenLives() {
    String rt1 = signIn("rot7@example.com").text("refresh_token");
    server.refresh("main", rt1);
    String kept = server.refresh("main", rt1).text("refresh_token");
    Api.Response next = server.refresh("main", kept);
    assertThat(next.status()).as(next.toString()).isEqualTo(200);
    assertThat(server.api().get(v1("main") + "/me", next.text("access_token")).status())
        .isEqualTo(200);
  }

  /**
   * docs/security.md#refresh-reuse with the grace window (RFC 9700 4.14.2): a thief replays a
   * just-spent token within the window and gets a pair; when the victim then presents the successor
   * it really received, that is reuse and the whole family, the thief's pair included, dies.
   */
  @Test
  @Settings("REFRESH_GRACE=30s")
  void refreshWhenThiefRetriesSpentTokenWithinGraceThenVictimsTokenRevokesTheFamily() {
    String rt1 = signIn("rot8@example.com").text("refresh_token");
    String victims = server.refresh("main", rt1).text("refresh_token");
    server.clock().advance(Duration.ofSeconds(3));
    Api.Response stolen = server.refresh("main", rt1);
    assertThat(stolen.status()).isEqualTo(200);

    Api.Response victim = server.refresh("main", victims);
    assertThat(victim.status()).isEqualTo(401);
    assertThat(victim.code()).isEqualTo("refresh_token_reused");
    assertThat(server.refresh("main", stolen.text("refresh_token")).code())
        .isEqualTo("token_revoked");
    assertThat(server.api().get(v1("main") + "/me", stolen.text("access_token")).code())
        .isEqualTo("token_revoked");
  }

  @Test
  @Settings("REFRESH_GRACE=10s")
  void refreshWhenRetriedAfterGraceWindowThenReuse() {
    String rt1 = signIn("rot4@example.com").text("refresh_token");
    String rt2 = server.refresh("main", rt1).text("refresh_token");
    server.clock().advance(Duration.ofSeconds(11));
    assertThat(server.refresh("main", rt1).code()).isEqualTo("refresh_token_reused");
    assertThat(server.refresh("main", rt2).code()).isEqualTo("token_revoked");
  }

  @Test
  @Settings("REFRESH_GRACE=60s")
  void refreshWhenSuccessorAlreadyUsedThenGraceDoesNotApply() {
    String rt1 = signIn("rot5@example.com").text("refresh_token");
    String rt2 = server.refresh("main", rt1).text("refresh_token");
    String rt3 = server.refresh("main", rt2).text("refresh_token");
    // rt1's successor was used, so rt1 coming back is a stolen copy, not a lost response.
    assertThat(server.refresh("main", rt1).code()).isEqualTo("refresh_token_reused");
    assertThat(server.refresh("main", rt3).code()).isEqualTo("token_revoked");
  }

  @Test
  @Settings({"REFRESH_TOKEN_IDLE_TTL=1h", "REFRESH_TOKEN_TTL=30d"})
  void refreshWhenIdleLimitPassedThenExpired() {
    String rt = signIn("rot6@example.com").text("refresh_token");
    server.clock().advance(Duration.ofMinutes(59));
    String rt2 = server.refresh("main", rt).text("refresh_token");
    // Each use slides the idle window...
    server.clock().advance(Duration.ofMinutes(59));
    String rt3 = server.refresh("main", rt2).text("refresh_token");
    // ...but an idle hour ends it (docs/security.md#refresh-lifetimes).
    server.clock().advance(Duration.ofMinutes(61));
    Api.Response r = server.refresh("main", rt3);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("token_expired");
  }

  @Test
  @Settings({"REFRESH_TOKEN_IDLE_TTL=1h", "REFRESH_TOKEN_TTL=3h"})
  void refreshWhenAbsoluteLifetimePassedThenExpiredDespiteActivity() {
    String rt = signIn("rot7@example.com").text("refresh_token");
    for (int i = 0; i < 5; i++) {
      server.clock().advance(Duration.ofMinutes(50));
      Api.Response r = server.refresh("main", rt);
      if (i < 3) {
        assertThat(r.status()).as("refresh %d at %d min", i, (i + 1) * 50).isEqualTo(200);
        assertThat(r.json().path("refresh_token_expires_in").asLong()).isLessThanOrEqualTo(3600);
        rt = r.text("refresh_token");
      } else {
        // 200 minutes > 3 h: the session's absolute lifetime wins over sliding expiry.
        assertThat(r.code()).isEqualTo("token_expired");
        return;
      }
    }
  }

  @Test
  @Settings("ADMIN_SESSION_TTL=4h")
  void refreshWhenAdminThenSessionBoundedByAdminLifetime() {
    Api.Response login = server.login("main", TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    assertThat(login.json().path("refresh_token_expires_in").asLong()).isEqualTo(4 * 3600);
    assertThat(login.text("scope")).isEqualTo("admin user");
    server.clock().advance(Duration.ofHours(4).plusSeconds(1));
    assertThat(server.refresh("main", login.text("refresh_token")).code())
        .isEqualTo("token_expired");
  }

  @Test
  void refreshWhenTokenOfOtherAccountOrUnknownOrMistypedThenRefused() {
    String rt = signIn("rot8@example.com").text("refresh_token");
    String typo = rt.substring(0, 12) + (rt.charAt(12) == 'a' ? 'b' : 'a') + rt.substring(13);
    assertThat(server.refresh("main", typo).code()).isEqualTo("token_malformed");
    String unknown = new dev.jeton.token.OpaqueTokens(new java.security.SecureRandom())
        .generate(dev.jeton.token.TokenKind.RT);
    assertThat(server.refresh("main", unknown).code()).isEqualTo("token_unknown");
    Api.Response other = server.api().postJson(v1("main") + "/accounts",
        "{\"id\":\"rot-sub\"}", server.adminToken());
    assertThat(other.status()).isEqualTo(201);
    assertThat(server.refresh("rot-sub", rt).code()).isEqualTo("token_unknown");
    Api.Response pat = server.refresh("main", new dev.jeton.token.OpaqueTokens(
        new java.security.SecureRandom()).generate(dev.jeton.token.TokenKind.PAT));
    assertThat(pat.code()).isEqualTo("token_wrong_type");
    // The original is still good: failed attempts did not disturb it.
    assertThat(server.refresh("main", rt).status()).isEqualTo(200);
  }

  @Test
  void refreshWhenOwnerBlockedThenRefused() {
    Api.Response login = signIn("rot9@example.com");
    server.app().users().store().setState(login.json().path("user").path("id").asText(),
        server.clock().millis(), false);
    Api.Response r = server.refresh("main", login.text("refresh_token"));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.code()).isEqualTo("user_blocked");
  }

  @Test
  @Settings("REFRESH_GRACE=0")
  void refreshWhenManyRaceOnOneTokenWithoutGraceThenExactlyOneWins() throws Exception {
    String rt = signIn("race1@example.com").text("refresh_token");
    List<Api.Response> results = race(rt, 8);
    long ok = results.stream().filter(r -> r.status() == 200).count();
    // docs/security.md#refresh-race: the compare-and-set lets one request rotate; the others are
    // reuse.
    assertThat(ok).isEqualTo(1);
    assertThat(results.stream().filter(r -> r.status() != 200))
        .allSatisfy(r -> assertThat(r.code()).isIn("refresh_token_reused", "token_revoked"));
    // Reuse revoked the family, so the winner's token is dead too: no half-rotated family.
    String winner = results.stream().filter(r -> r.status() == 200).findFirst().orElseThrow()
        .text("refresh_token");
    assertThat(server.refresh("main", winner).status()).isEqualTo(401);
  }

  @Test
  @Settings("REFRESH_GRACE=30s")
  void refreshWhenTwoRaceWithGraceThenBothAnsweredAndTheFamilyNeverForks() throws Exception {
    String rt = signIn("race2@example.com").text("refresh_token");
    List<Api.Response> results = race(rt, 2);
    assertThat(results).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isEqualTo(200));
    List<String> successors = results.stream().map(r -> r.text("refresh_token")).toList();
    List<String> codes = new ArrayList<>();
    for (String next : successors) {
      Api.Response r = server.refresh("main", next);
      codes.add(r.status() == 200 ? "ok" : r.code());
    }
    // One successor was replaced by the grace retry: presenting it is reuse, whichever order
    // they come in, so the two never both work and the family ends.
    assertThat(codes).contains("refresh_token_reused").doesNotContainSequence("ok", "ok");
    assertThat(server.refresh("main", successors.get(0)).status()).isEqualTo(401);
    assertThat(server.refresh("main", successors.get(1)).status()).isEqualTo(401);
  }

  private List<Api.Response> race(String rt, int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Api.Response>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(pool.submit(() -> {
          go.await();
          return server.refresh("main", rt);
        }));
      }
      go.countDown();
      List<Api.Response> out = new ArrayList<>();
      for (Future<Api.Response> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
