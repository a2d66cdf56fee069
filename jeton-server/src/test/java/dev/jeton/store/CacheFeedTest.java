package dev.jeton.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.App;
import dev.jeton.config.Config;
import dev.jeton.config.Setting;
import dev.jeton.testing.Api;
import dev.jeton.testing.Databases;
import dev.jeton.testing.Engine;
import dev.jeton.testing.Scratch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL database (docs/operations.md#caches): a session ended or a personal
 * access token revoked through one node is refused by the other, which had it cached as valid,
 * within a second, however often it is tried; and the sign-in and client-authentication throttles
 * count the failures of both nodes on each. The caches alone keep an entry two (sessions) and
 * five (tokens) seconds, so without the change feed each round would take up to that long.
 */
class CacheFeedTest {
  private static final String PASSWORD = "correct horse battery staple 9";
  private static final String V1 = "/accounts/main/api/v1";
  private static final int ROUNDS = 15;

  Path root;
  Config.Db db;
  App a;
  App b;
  Api nodeA;
  Api nodeB;

  @BeforeEach
  void twoNodes() throws Exception {
    root = Scratch.dir("jeton-feed");
    db = Databases.create(Engine.POSTGRES, root);
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    Map<Setting, String> shared = Map.of(Setting.MASTER_KEY,
        java.util.Base64.getEncoder().encodeToString(key), Setting.RATE_LIMIT, "100000/20s",
        // one issuer for the cluster, as behind a load balancer
        Setting.BASE_URL, "https://id.example.test");
    a = ServingRefusalTest.app(Files.createDirectories(root.resolve("a")), db, shared).start();
    b = ServingRefusalTest.app(Files.createDirectories(root.resolve("b")), db, shared).start();
    a.accounts().update(dev.jeton.account.Account.MAIN, "main", null, null, null,
        dev.jeton.account.Account.REGISTRATION_OPEN);
    nodeA = new Api("http://127.0.0.1:" + a.config().http().port());
    nodeB = new Api("http://127.0.0.1:" + b.config().http().port());
    Api.Response r = nodeA.postJson(V1 + "/auth/register", "{\"email\":\"ada@example.com\","
        + "\"password\":" + Api.q(PASSWORD) + "}");
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  @AfterEach
  void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
    Databases.drop(db);
  }

  /** Milliseconds until node B refuses {@code bearer} at {@code path}, polled every 5 ms. */
  private long untilRefused(String path, String bearer, long since) throws Exception {
    while (true) {
      Api.Response r = nodeB.get(path, bearer);
      if (r.status() == 401) {
        return (System.nanoTime() - since) / 1_000_000;
      }
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat((System.nanoTime() - since) / 1_000_000).as("still accepted by node B")
          .isLessThan(10_000);
      Thread.sleep(5);
    }
  }

  private static String percentiles(List<Long> ms) {
    List<Long> s = new ArrayList<>(ms);
    Collections.sort(s);
    return "p50 " + s.get(s.size() / 2) + " ms, max " + s.get(s.size() - 1) + " ms over "
        + s.size();
  }

  @Test
  void aSessionEndedOnOneNodeIsRefusedOnTheOtherWithinASecond() throws Exception {
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      Api.Response login = nodeA.postJson(V1 + "/auth/login", "{\"email\":\"ada@example.com\","
          + "\"password\":" + Api.q(PASSWORD) + "}");
      String at = login.text("access_token");
      assertThat(nodeB.get(V1 + "/me", at).status()).as("node B caches it as active")
          .isEqualTo(200);
      long t0 = System.nanoTime();
      Api.Response out = nodeA.postJson(V1 + "/auth/logout", "{\"refresh_token\":"
          + Api.q(login.text("refresh_token")) + "}");
      assertThat(out.status()).isEqualTo(204);
      delays.add(untilRefused(V1 + "/me", at, t0));
    }
    System.out.println("session ended on node A, refused on node B after: " + percentiles(delays));
    assertThat(Collections.max(delays)).as(percentiles(delays)).isLessThan(1_000);
  }

  /** Waits until {@code node}'s throttle holds {@code failures} for the pair; at most 2 s. */
  private static void seesFailures(dev.jeton.limit.FailureThrottle node, String subject,
      int failures) throws InterruptedException {
    long until = System.nanoTime() + 2_000_000_000L;
    while (true) {
      var pair = node.status("main", subject, "127.0.0.1").get("subject_and_source");
      int seen = pair == null ? 0 : pair.failures();
      if (seen == failures) {
        return;
      }
      assertThat(System.nanoTime()).as("%s failures of %s seen", seen, subject)
          .isLessThan(until);
      Thread.sleep(5);
    }
  }

  private static Api.Response signIn(Api node, String password) {
    return node.postJson(V1 + "/auth/login", "{\"email\":\"ada@example.com\",\"password\":"
        + Api.q(password) + "}");
  }

  /**
   * docs/security.md#sign-in-throttle across nodes: three wrong passwords on each node are six
   * failures on both, past the five free ones, so the next attempt waits on either node, even
   * with the right password; an admin clearing the throttle on one node clears it on both. Each
   * node counting alone would see three and let the guesser on.
   */
  @Test
  void aPasswordGuesserSpreadOverTwoNodesIsSlowedAsOnOne() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(signIn(nodeA, "wrong guess a" + i).status()).isEqualTo(401);
      assertThat(signIn(nodeB, "wrong guess b" + i).status()).isEqualTo(401);
    }
    seesFailures(a.users().throttle(), "ada@example.com", 6);
    seesFailures(b.users().throttle(), "ada@example.com", 6);
    for (Api node : List.of(nodeA, nodeB)) {
      Api.Response r = signIn(node, PASSWORD);
      assertThat(r.status()).as(r.toString()).isEqualTo(429);
      assertThat(r.code()).isEqualTo("sign_in_throttled");
    }
    a.users().throttle().clear("main", "ada@example.com", null, false);
    seesFailures(b.users().throttle(), "ada@example.com", 0);
    assertThat(signIn(nodeB, PASSWORD).status()).isEqualTo(200);
  }

  /**
   * docs/security.md#client-authentication-throttle across nodes: wrong secrets sent to two nodes
   * are counted on both; the right secret then waits on either, and succeeds again once the
   * backoff has passed, which ends it on both.
   */
  @Test
  void aClientSecretGuesserSpreadOverTwoNodesIsSlowedAsOnOne() throws Exception {
    var client = a.clients().create("main", new dev.jeton.client.Client.Spec("Backend",
        dev.jeton.client.Client.Type.CONFIDENTIAL, List.of("https://app.example.com/cb"),
        List.of(dev.jeton.client.Client.CLIENT_CREDENTIALS), List.of(), null, null, null));
    String id = client.client().clientId();
    java.util.function.BiFunction<Api, String, Api.Response> token = (node, secret) ->
        node.send("POST", "/accounts/main/oauth2/token", "grant_type=client_credentials",
            Map.of("Content-Type", "application/x-www-form-urlencoded", "Authorization",
                "Basic " + java.util.Base64.getEncoder().encodeToString((id + ":" + secret)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    for (int i = 0; i < 3; i++) {
      assertThat(token.apply(nodeA, "wrong-a" + i).status()).isEqualTo(401);
      assertThat(token.apply(nodeB, "wrong-b" + i).status()).isEqualTo(401);
    }
    seesFailures(a.clientAuthenticator().throttle(), id, 6);
    seesFailures(b.clientAuthenticator().throttle(), id, 6);
    for (Api node : List.of(nodeA, nodeB)) {
      Api.Response r = token.apply(node, client.secret());
      assertThat(r.status()).as(r.toString()).isEqualTo(429);
      assertThat(r.json().path("error").asText()).isEqualTo("client_auth_throttled");
    }
    Thread.sleep(1_100); // the sixth failure's wait: 1 s
    assertThat(token.apply(nodeA, client.secret()).status()).isEqualTo(200);
    seesFailures(b.clientAuthenticator().throttle(), id, 0);
  }

  @Test
  void aTokenRevokedOnOneNodeIsRefusedOnTheOtherWithinASecond() throws Exception {
    String session = nodeA.postJson(V1 + "/auth/login", "{\"email\":\"ada@example.com\","
        + "\"password\":" + Api.q(PASSWORD) + "}").text("access_token");
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      Api.Response pat = nodeA.postJson(V1 + "/me/tokens", "{\"comment\":\"round " + i + "\"}",
          session);
      assertThat(pat.status()).as(pat.toString()).isEqualTo(201);
      String token = pat.text("token");
      assertThat(nodeB.get(V1 + "/me", token).status()).as("node B caches it as valid")
          .isEqualTo(200);
      long t0 = System.nanoTime();
      Api.Response gone = nodeA.send("DELETE", V1 + "/me/tokens/" + pat.json().path("id")
          .asText(), null, Map.of("Authorization", "Bearer " + session));
      assertThat(gone.status()).as(gone.toString()).isEqualTo(204);
      delays.add(untilRefused(V1 + "/me", token, t0));
    }
    System.out.println("token revoked on node A, refused on node B after: " + percentiles(delays));
    assertThat(Collections.max(delays)).as(percentiles(delays)).isLessThan(1_000);
  }
}
