package dev.jeton.client;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.config.Setting;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/security.md#client-authentication-throttle: failed client authentications are slowed like
 * sign-ins, per client id and address, alike for clients that exist and ids that do not; admins
 * see and clear the throttle. The throttle lives in memory, so one engine is enough.
 */
class ClientAuthThrottleTest {
  private TestServer server;
  private Api api;
  private ClientService.Registered client;

  @BeforeEach
  void start() {
    server = TestServer.start(Engine.SQLITE, Map.of(Setting.REGISTRATION_LIMIT, "3/1h"));
    api = server.api();
    client = server.app().clients().create("main", new Client.Spec("Backend",
        Client.Type.CONFIDENTIAL, List.of("https://app.example.com/cb"),
        List.of(Client.CLIENT_CREDENTIALS), List.of(), null, null, null));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Api.Response token(String id, String secret) {
    String basic = Base64.getEncoder().encodeToString((id + ":" + secret)
        .getBytes(StandardCharsets.UTF_8));
    return api.send("POST", "/accounts/main/oauth2/token", "grant_type=client_credentials",
        Map.of("Content-Type", "application/x-www-form-urlencoded",
            "Authorization", "Basic " + basic));
  }

  /** SECURITY: guessing a client secret is slowed after the free failures, then cleared. */
  @Test
  void guessingASecretIsSlowedAndAnAdminSeesAndClearsTheThrottle() {
    String id = client.client().clientId();
    for (int i = 0; i < 5; i++) {
      assertThat(token(id, "wrong-" + i).json().path("error").asText()).isEqualTo("invalid_client");
    }
    token(id, "wrong-5"); // the sixth failure starts the wait
    Api.Response slowed = token(id, client.secret());
    assertThat(slowed.status()).as(slowed.toString()).isEqualTo(429);
    assertThat(slowed.json().path("error").asText()).isEqualTo("client_auth_throttled");
    assertThat(slowed.json().path("error_uri").asText())
        .endsWith("/api/v1/errors/client_auth_throttled");
    assertThat(Long.parseLong(slowed.header("Retry-After").orElseThrow())).isPositive();

    // an id that does not exist is slowed exactly alike: the wait reveals nothing
    for (int i = 0; i < 6; i++) {
      token("cli_doesnotexist", "wrong-" + i);
    }
    Api.Response ghost = token("cli_doesnotexist", "whatever");
    assertThat(ghost.status()).isEqualTo(429);
    assertThat(ghost.json().path("error").asText()).isEqualTo("client_auth_throttled");

    String admin = server.adminToken();
    Api.Response seen = api.get(v1("main") + "/throttles?client_id=" + id + "&ip=127.0.0.1",
        admin);
    assertThat(seen.status()).as(seen.toString()).isEqualTo(200);
    JsonNode pair = seen.json().path("client_authentication").path("subject_and_source");
    assertThat(pair.path("failures").asInt()).isEqualTo(6);
    assertThat(pair.path("wait_seconds").asLong()).isPositive();

    Api.Response cleared = api.send("DELETE", v1("main") + "/throttles?client_id=" + id, null,
        Map.of("Authorization", "Bearer " + admin));
    assertThat(cleared.status()).as(cleared.toString()).isEqualTo(204);
    assertThat(token(id, client.secret()).status()).isEqualTo(200);
    assertThat(api.get(v1("main") + "/throttles?client_id=" + id, admin).json()
        .path("client_authentication").size()).isZero();
  }

  /**
   * docs/security.md#client-authentication-throttle: a busy backend authenticating on many
   * connections at once is never slowed by its own requests; only failures count, and they still
   * do while the right secret is in use on other connections.
   */
  @Test
  void manyConcurrentAuthenticationsOfOneClientAreNeverThrottled() throws Exception {
    String id = client.client().clientId();
    int threads = 32;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<List<Integer>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          go.await();
          List<Integer> statuses = new ArrayList<>();
          for (int i = 0; i < 20; i++) {
            statuses.add(token(id, client.secret()).status());
          }
          return statuses;
        }));
      }
      go.countDown();
      List<Integer> all = new ArrayList<>();
      for (var f : futures) {
        all.addAll(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
      }
      assertThat(all).hasSize(threads * 20).containsOnly(200);
    } finally {
      pool.shutdownNow();
    }
    // wrong secrets from the same address are still counted and slowed
    for (int i = 0; i < 6; i++) {
      assertThat(token(id, "wrong-" + i).status()).isEqualTo(401);
    }
    assertThat(token(id, client.secret()).status()).isEqualTo(429);
  }

  @Test
  void anAdminSeesAndClearsASignInThrottle() {
    server.register("main", "ada@example.com", "correct horse battery staple 9");
    for (int i = 0; i < 6; i++) {
      server.login("main", "ada@example.com", "wrong password number " + i);
    }
    assertThat(server.login("main", "ada@example.com", "correct horse battery staple 9").code())
        .isEqualTo("sign_in_throttled");
    String admin = server.adminToken();
    JsonNode seen = api.get(v1("main") + "/throttles?email=ADA@example.com&ip=127.0.0.1", admin)
        .json().path("sign_in");
    assertThat(seen.path("subject_and_source").path("failures").asInt()).isEqualTo(6);
    api.send("DELETE", v1("main") + "/throttles?email=ada@example.com", null,
        Map.of("Authorization", "Bearer " + admin));
    assertThat(server.login("main", "ada@example.com", "correct horse battery staple 9")
        .status()).isEqualTo(200);
    Api.Response nothing = api.get(v1("main") + "/throttles", admin);
    assertThat(nothing.status()).isEqualTo(400);
  }

  /** Registration costs an Argon2id hash and a row: one address gets a bounded number. */
  @Test
  void registrationsFromOneAddressAreLimited() {
    for (int i = 0; i < 3; i++) {
      assertThat(server.register("main", "user" + i + "@example.com",
          "correct horse battery staple 9").status()).isEqualTo(201);
    }
    Api.Response refused = server.register("main", "user9@example.com",
        "correct horse battery staple 9");
    assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
    assertThat(refused.code()).isEqualTo("rate_limit_exceeded");
    assertThat(refused.header("Retry-After")).isPresent();
  }

  /**
   * SECURITY (no client enumeration by timing): a wrong secret for a registered client and any
   * secret for an id that does not exist take the same time, within a generous margin. Each try
   * comes from its own address, so the throttle (tested above) does not interfere, and names a
   * client not looked up before: a client in use is answered from memory, which tells nothing
   * about existence to someone who did not already know its id (client ids are public, RFC 6749
   * 2.2, and 128 random bits: docs/security.md#client-authentication-throttle).
   */
  @Test
  void aWrongSecretAndAnUnknownClientTakeTheSameTime() {
    ClientAuthenticator auth = server.app().clientAuthenticator();
    int perRound = 40;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3 * perRound; i++) {
      ids.add(server.app().clients().create("main", new Client.Spec("C" + i,
          Client.Type.CONFIDENTIAL, List.of("https://app.example.com/cb"),
          List.of(Client.CLIENT_CREDENTIALS), List.of(), null, null, null)).client().clientId());
    }
    List<Long> known = new ArrayList<>();
    List<Long> unknown = new ArrayList<>();
    for (int round = 0; round < 3; round++) { // the first round warms up and is dropped
      if (round > 0) {
        for (int i = 0; i < perRound; i++) {
          String source = "198.51." + round + "." + i;
          known.add(timeFailure(auth, ids.get(round * perRound + i), source));
          unknown.add(timeFailure(auth, "cli_unknown" + round + "x" + i, source));
        }
      } else {
        for (int i = 0; i < perRound; i++) {
          timeFailure(auth, ids.get(i), "198.51.0." + i);
          timeFailure(auth, "cli_unknown0x" + i, "198.51.0." + i);
        }
      }
    }
    long a = median(known);
    long b = median(unknown);
    assertThat((double) Math.max(a, b) / Math.max(1, Math.min(a, b)))
        .as("median ns: registered client %d, unknown id %d", a, b).isLessThan(3.0);
  }

  private static long timeFailure(ClientAuthenticator auth, String id, String source) {
    long t0 = System.nanoTime();
    try {
      auth.authenticate("main", null, id, "jeton_cs_wrong", source);
      throw new AssertionError("authenticated with a wrong secret");
    } catch (dev.jeton.error.ApiException e) {
      assertThat(e.code().code()).isEqualTo("invalid_client");
    }
    return System.nanoTime() - t0;
  }

  private static long median(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
