package dev.jeton.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.config.Config;
import dev.jeton.testing.Api;
import dev.jeton.testing.JetonProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Cluster mode with real processes (docs/operations.md#cluster): three Jeton nodes on one
 * PostgreSQL behind HAProxy (Debian's, installed by .ci/run), which balances round robin and
 * checks each node's /health/ready every 500 ms. Refresh rotation and reuse detection hold when
 * consecutive requests land on different nodes; a session ended on one node is refused by the
 * others within a second; and when one node is killed (SIGKILL) under load, clients see only
 * retryable errors, only until the balancer has taken it out, and nothing it acknowledged is lost.
 * When haproxy is missing the test fails (it is never skipped).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
  static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
  private static final String PASSWORD = "correct horse battery staple 9";
  private static final String ADMIN = "admin@example.com";
  private static final String V1 = "/accounts/main/api/v1";

  static Path root;
  static Path pgData;
  static int pgPort;
  static EmbeddedPostgres pg;
  static Config.Db db;
  static final List<JetonProcess> nodes = new ArrayList<>();
  static final List<Api> direct = new ArrayList<>();
  static Process haproxy;
  static Api lb;

  @BeforeAll
  static void cluster() throws Exception {
    assertThat(Files.isExecutable(HAPROXY)).as("haproxy not found at " + HAPROXY
        + ": the cluster test needs it (Debian: apt-get install haproxy)").isTrue();
    root = Files.createTempDirectory("jeton-cluster");
    // a PostgreSQL of its own, which the last test stops and starts again
    pgData = Files.createDirectories(root.resolve("pg"));
    pgPort = JetonProcess.freePort();
    pg = startPostgres();
    try (Connection c = pg.getPostgresDatabase().getConnection();
         Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE jeton");
    }
    db = new Config.Db("jdbc:postgresql://127.0.0.1:" + pgPort + "/jeton", "postgres", "", 10);
    int lbPort = JetonProcess.freePort();
    String lbBase = "http://127.0.0.1:" + lbPort;
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int port = JetonProcess.freePort();
      ports.add(port);
      Map<String, String> env = new LinkedHashMap<>();
      env.put("JETON_HTTP_HOST", "127.0.0.1");
      env.put("JETON_HTTP_PORT", Integer.toString(port));
      env.put("JETON_BASE_URL", lbBase); // one issuer: the balancer's address
      env.put("JETON_DATA_DIR", Files.createDirectories(root.resolve("node" + i)).toString());
      env.put("JETON_MASTER_KEY", Base64.getEncoder().encodeToString(key));
      env.put("JETON_DB_URL", db.url());
      env.put("JETON_DB_USER", db.user());
      env.put("JETON_DB_PASSWORD", db.password());
      env.put("JETON_BOOTSTRAP_ADMIN_EMAIL", ADMIN);
      env.put("JETON_BOOTSTRAP_ADMIN_PASSWORD", PASSWORD);
      env.put("JETON_RATE_LIMIT", "100000/20s");
      env.put("JETON_LOG_FORMAT", "text");
      env.put("JETON_SHUTDOWN_TIMEOUT", "2s");
      String base = "http://127.0.0.1:" + port;
      nodes.add(JetonProcess.start(env, base, root.resolve("node" + i + ".log"),
          Duration.ofSeconds(120)));
      direct.add(new Api(base));
    }
    Path cfg = root.resolve("haproxy.cfg");
    StringBuilder c = new StringBuilder("""
        global
          maxconn 2000
        defaults
          mode http
          timeout connect 1s
          timeout client 30s
          timeout server 30s
          retries 2
          option redispatch
        frontend jeton
          bind 127.0.0.1:%d
          default_backend nodes
        backend nodes
          balance roundrobin
          option httpchk GET /health/ready
          http-check expect status 200
          default-server inter 500ms fall 2 rise 2
        """.formatted(lbPort));
    for (int i = 0; i < ports.size(); i++) {
      c.append("  server node").append(i).append(" 127.0.0.1:").append(ports.get(i))
          .append(" check\n");
    }
    Files.writeString(cfg, c.toString());
    haproxy = new ProcessBuilder(HAPROXY.toString(), "-f", cfg.toString(), "-db")
        .redirectErrorStream(true).redirectOutput(root.resolve("haproxy.log").toFile()).start();
    lb = new Api(lbBase);
    long until = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < until) {
      try {
        if (lb.get("/health/ready").status() == 200) {
          break;
        }
      } catch (RuntimeException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    assertThat(lb.get("/health/ready").status()).as("haproxy in front of the nodes: "
        + log(root.resolve("haproxy.log"))).isEqualTo(200);
    Thread.sleep(1_500); // every server checked up (rise 2 at 500 ms)
  }

  @AfterAll
  static void stop() throws Exception {
    if (haproxy != null) {
      haproxy.destroyForcibly().waitFor();
    }
    for (JetonProcess n : nodes) {
      if (n.isAlive()) {
        n.stop();
      }
    }
    if (pg != null) {
      pg.close();
    }
    if (root != null) {
      try (var s = Files.walk(root)) {
        s.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  private static EmbeddedPostgres startPostgres() throws IOException {
    return EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false)
        .setPort(pgPort).start();
  }

  private static String log(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  /** A user created by the admin; answers nothing (sign in with {@link #login}). */
  private static void user(String email) {
    String admin = login(lb, ADMIN).text("access_token");
    Api.Response r = lb.postJson(V1 + "/users", "{\"email\":" + Api.q(email) + ",\"password\":"
        + Api.q(PASSWORD) + "}", admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  private static Api.Response login(Api via, String email) {
    Api.Response r = via.postJson(V1 + "/auth/login", "{\"email\":" + Api.q(email)
        + ",\"password\":" + Api.q(PASSWORD) + "}");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r;
  }

  private static Api.Response refresh(Api via, String rt) {
    return via.postJson(V1 + "/auth/refresh", "{\"refresh_token\":" + Api.q(rt) + "}");
  }

  @Test
  @Order(1)
  void refreshRotationAndReuseDetectionHoldAcrossNodesBehindTheBalancer() {
    user("rotate@example.com");
    String rt = login(lb, "rotate@example.com").text("refresh_token");
    List<String> spent = new ArrayList<>();
    for (int i = 0; i < 12; i++) { // round robin: consecutive refreshes go to different nodes
      Api.Response r = refresh(lb, rt);
      assertThat(r.status()).as("refresh " + i + ": " + r).isEqualTo(200);
      spent.add(rt);
      rt = r.text("refresh_token");
    }
    // a spent token presented to any node is reuse, and ends the session everywhere
    Api.Response reuse = refresh(direct.get(1), spent.get(3));
    assertThat(reuse.code()).as(reuse.toString()).isEqualTo("refresh_token_reused");
    for (Api node : direct) {
      Api.Response after = refresh(node, rt);
      assertThat(after.status()).as(after.toString()).isIn(400, 401);
      assertThat(after.code()).as(after.toString()).isIn("token_revoked",
          "refresh_token_reused");
    }
  }

  @Test
  @Order(2)
  void aSessionEndedOnOneNodeIsRefusedByTheOthersWithinASecond() throws Exception {
    user("logout@example.com");
    List<Long> delays = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      Api.Response in = login(direct.get(0), "logout@example.com");
      String at = in.text("access_token");
      for (Api node : direct) {
        assertThat(node.get(V1 + "/me", at).status()).isEqualTo(200);
      }
      long t0 = System.nanoTime();
      assertThat(direct.get(0).postJson(V1 + "/auth/logout", "{\"refresh_token\":"
          + Api.q(in.text("refresh_token")) + "}").status()).isEqualTo(204);
      for (Api node : List.of(direct.get(1), direct.get(2))) {
        while (node.get(V1 + "/me", at).status() == 200) {
          assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
          Thread.sleep(5);
        }
        delays.add((System.nanoTime() - t0) / 1_000_000);
      }
    }
    System.out.println("cluster: logout on node 0 refused on nodes 1 and 2 after " + delays
        + " ms");
    assertThat(delays).allSatisfy(d -> assertThat(d).isLessThan(1_000));
  }

  @Test
  @Order(3)
  void aNodeKilledUnderLoadCostsOnlyRetryableErrorsUntilTheBalancerTakesItOut()
      throws Exception {
    user("load@example.com");
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      tokens.add(login(lb, "load@example.com").text("access_token"));
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    record Answer(long atMillis, int status) {}
    ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    long start = System.nanoTime();
    List<Thread> clients = new ArrayList<>();
    for (String token : tokens) {
      Thread t = new Thread(() -> {
        while (running.get()) {
          int status;
          try {
            status = http.send(HttpRequest.newBuilder(URI.create(lb.base() + V1 + "/me"))
                .timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
          } catch (IOException e) {
            status = -1; // the connection failed: as retryable as a 502
          } catch (InterruptedException e) {
            return;
          }
          answers.add(new Answer((System.nanoTime() - start) / 1_000_000, status));
        }
      });
      t.start();
      clients.add(t);
    }
    Thread.sleep(1_500);
    long killedAt = (System.nanoTime() - start) / 1_000_000;
    assertThat(nodes.get(1).kill()).as("node 1 killed").isEqualTo(JetonProcess.SIGKILL_EXIT);
    Thread.sleep(6_000);
    running.set(false);
    for (Thread t : clients) {
      t.join(10_000);
    }
    List<Answer> all = new ArrayList<>(answers);
    List<Answer> failed = all.stream().filter(a -> a.status() != 200).toList();
    System.out.println("cluster: " + all.size() + " requests, " + failed.size()
        + " not 200 after node 1 was killed at " + killedAt + " ms: " + failed);
    assertThat(all.stream().filter(a -> a.atMillis() < killedAt && a.status() != 200))
        .as("before the kill").isEmpty();
    assertThat(failed).as("only retryable failures").allSatisfy(a ->
        assertThat(a.status()).isIn(-1, 502, 503, 504));
    assertThat(failed).as("only until the balancer took the node out").allSatisfy(a ->
        assertThat(a.atMillis()).isLessThan(killedAt + 3_000));
    assertThat(all.stream().filter(a -> a.atMillis() > killedAt + 3_000).count())
        .as("served after the kill").isGreaterThan(100);
    // what the killed node acknowledged is in the database: its sign-ins still work
    for (String token : tokens) {
      JsonNode me = lb.get(V1 + "/me", token).json();
      assertThat(me.path("email").asText()).isEqualTo("load@example.com");
    }
  }

  /**
   * PostgreSQL restarted under load (docs/operations.md#cluster): every node fails closed with
   * 503 and leaves the balancer, which answers 503 itself while no node is ready; once the
   * database is back every node serves again without a restart, and the nodes hear each other's
   * changes again (each cache change feed reconnected and started afresh).
   */
  @Test
  @Order(4)
  void postgresRestartedUnderLoadIs503ThenRecoveryOnEveryNodeWithoutARestart() throws Exception {
    user("outage@example.com");
    String token = login(lb, "outage@example.com").text("access_token");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Thread t = new Thread(() -> {
        while (running.get()) {
          try {
            statuses.add(http.send(HttpRequest.newBuilder(URI.create(lb.base() + V1 + "/me"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            Thread.sleep(20);
          } catch (IOException e) {
            statuses.add(-1);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      t.start();
      clients.add(t);
    }
    Thread.sleep(1_000);
    pg.close();
    Thread.sleep(7_000); // past the pools' 5 s connection timeout
    assertThat(lb.get("/health/ready").status()).as("no node ready").isEqualTo(503);
    pg = startPostgres();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (lb.get("/health/ready").status() != 200 && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    Thread.sleep(1_500); // every live node checked up again
    running.set(false);
    for (Thread t : clients) {
      t.join(15_000);
    }
    List<Integer> seen = new ArrayList<>(statuses);
    System.out.println("cluster: PostgreSQL restart under load: " + seen.stream().collect(
        java.util.stream.Collectors.groupingBy(x -> x, java.util.TreeMap::new,
            java.util.stream.Collectors.counting())));
    assertThat(seen).as("failed closed: 200, or 503 from a node or the balancer").isNotEmpty()
        .allSatisfy(x -> assertThat(x).isIn(200, 503));
    assertThat(seen).as("the outage was noticed").contains(503);
    for (Api node : List.of(direct.get(0), direct.get(2))) {
      assertThat(node.get("/health/ready").status()).as("recovered without a restart")
          .isEqualTo(200);
    }
    // the nodes hear each other again: a logout on node 0 is refused by node 2 within a second
    Api.Response in = login(direct.get(0), "outage@example.com");
    String at = in.text("access_token");
    assertThat(direct.get(2).get(V1 + "/me", at).status()).isEqualTo(200);
    long t0 = System.nanoTime();
    assertThat(direct.get(0).postJson(V1 + "/auth/logout", "{\"refresh_token\":"
        + Api.q(in.text("refresh_token")) + "}").status()).isEqualTo(204);
    while (direct.get(2).get(V1 + "/me", at).status() == 200) {
      assertThat((System.nanoTime() - t0) / 1_000_000).as("refused on node 2")
          .isLessThan(1_000);
      Thread.sleep(5);
    }
  }
}
