package dev.jeton.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.config.Config;
import dev.jeton.testing.Api;
import dev.jeton.testing.Databases;
import dev.jeton.testing.Engine;
import dev.jeton.testing.JetonProcess;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/limits.md#precision-and-memory: two Jeton processes on one PostgreSQL database share an
 * account's daily quota. Calls go to both nodes in turn at a steady pace; the quota is reached
 * once for both, overrun by no more than the calls one node admits before the other has read its
 * count (its flush, then the other's read-back: two seconds at most), and the usage both report
 * afterwards is exactly the calls they admitted: none lost, none counted twice.
 */
class TwoNodesTest {
  private static final String ADMIN_EMAIL = "admin@example.com";
  private static final String ADMIN_PASSWORD = "bootstrap secret of the two nodes";
  private static final String V1 = "/accounts/main/api/v1";
  private static final int QUOTA = 60;
  /** Pause between two calls (to alternating nodes): 25 calls a second in all. */
  private static final long PACE_MS = 40;

  private JetonProcess a;
  private JetonProcess b;

  @AfterEach
  void stop() {
    for (JetonProcess p : new JetonProcess[] {a, b}) {
      if (p != null && p.isAlive()) {
        p.kill();
      }
    }
  }

  /** One node's settings; both nodes have the same public URL, as behind a balancer. */
  private static Map<String, String> settings(Path dir, Config.Db db, byte[] key, int port,
      String publicUrl) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("JETON_HTTP_HOST", "127.0.0.1");
    env.put("JETON_HTTP_PORT", Integer.toString(port));
    env.put("JETON_BASE_URL", publicUrl);
    env.put("JETON_DATA_DIR", dir.toString());
    env.put("JETON_MASTER_KEY", Base64.getEncoder().encodeToString(key));
    env.put("JETON_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL);
    env.put("JETON_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
    env.put("JETON_LOG_FORMAT", "text");
    env.put("JETON_DB_URL", db.url());
    env.put("JETON_DB_USER", db.user());
    env.put("JETON_DB_PASSWORD", db.password());
    return env;
  }

  @Test
  void twoNodesOnOnePostgresShareTheDailyQuota(@TempDir Path dir) throws Exception {
    Config.Db db = Databases.create(Engine.POSTGRES, dir);
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    int portA = JetonProcess.freePort();
    String publicUrl = "http://127.0.0.1:" + portA;
    a = JetonProcess.start(settings(dir.resolve("a"), db, key, portA, publicUrl), publicUrl,
        dir.resolve("a.log"), Duration.ofSeconds(120));
    Api nodeA = new Api("http://127.0.0.1:" + portA);
    String admin = nodeA.postJson(V1 + "/auth/login", "{\"email\":\"" + ADMIN_EMAIL
        + "\",\"password\":\"" + ADMIN_PASSWORD + "\"}").text("access_token");
    Api.Response set = nodeA.patchJson(V1 + "/accounts/main", "{\"limits\":{\"daily_quota\":"
        + QUOTA + "}}", admin);
    assertThat(set.status()).as(set.toString()).isEqualTo(200);
    // the second node starts after the quota is set, so it reads it at once
    int portB = JetonProcess.freePort();
    b = JetonProcess.start(settings(dir.resolve("b"), db, key, portB, publicUrl),
        "http://127.0.0.1:" + portB,
        dir.resolve("b.log"), Duration.ofSeconds(120));
    Api nodeB = new Api("http://127.0.0.1:" + portB);
    String user = nodeA.postJson(V1 + "/auth/register", "{\"email\":\"u@example.com\","
        + "\"password\":\"correct horse battery staple 9\"}").text("access_token");

    int admitted = 0;
    int admittedAfterFirstRefusal = 0;
    boolean refusedSeen = false;
    int refusedInARow = 0;
    for (int i = 0; i < 4 * QUOTA && refusedInARow < 10; i++) {
      Api.Response r = (i % 2 == 0 ? nodeA : nodeB).get(V1 + "/me", user);
      if (r.status() == 200) {
        admitted++;
        refusedInARow = 0;
        if (refusedSeen) {
          admittedAfterFirstRefusal++;
        }
      } else {
        assertThat(r.code()).as(r.toString()).isEqualTo("daily_quota_exceeded");
        refusedSeen = true;
        refusedInARow++;
      }
      Thread.sleep(PACE_MS);
    }
    assertThat(refusedInARow).as("both nodes end up refusing").isEqualTo(10);
    System.out.printf("two nodes, quota %d: %d calls admitted, %d of them after the first "
        + "refusal%n", QUOTA, admitted, admittedAfterFirstRefusal);
    // each node sees the other's calls at most two seconds late (the other's flush, then its own
    // read-back): at this pace at most about 25 calls of the other node
    assertThat(admitted).isBetween(QUOTA, QUOTA + 30);
    assertThat(admittedAfterFirstRefusal).isLessThanOrEqualTo(30);

    Thread.sleep(2_500); // both nodes flush
    for (Api node : new Api[] {nodeA, nodeB}) {
      Api.Response usage = node.get(V1 + "/usage", admin);
      assertThat(usage.status()).as(usage.toString()).isEqualTo(200);
      assertThat(usage.json().path("calls").asLong()).as("calls both nodes admitted, once each")
          .isEqualTo(admitted);
    }

    // docs/limits.md#across-nodes: the rate limit of one token holds on both nodes. The admin's
    // calls are not metered, so the spent quota does not stop them; a slow refill (one call per
    // 6 s) keeps the counts exact within the few seconds this takes.
    set = nodeA.patchJson(V1 + "/accounts/main", "{\"limits\":{\"rate_calls\":100,"
        + "\"rate_period\":600}}", admin);
    assertThat(set.status()).as(set.toString()).isEqualTo(200);
    awaitPolicy(nodeA, admin);
    awaitPolicy(nodeB, admin);
    for (int i = 0; i < 50; i++) {
      Api.Response r = nodeA.get(V1 + "/usage", admin);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }
    Thread.sleep(2_500); // node a writes its calls, node b reads them
    Api.Response onB = nodeB.get(V1 + "/usage", admin);
    assertThat(onB.status()).as(onB.toString()).isEqualTo(200);
    // 100 less one call on b and 51 on a, less this one: 47 (a refill may add one or two)
    long left = remaining(onB);
    assertThat(left).as("node b has taken node a's calls out of the bucket").isBetween(45L, 50L);

    // both nodes at once, as fast as they answer: until each has heard of the other's calls
    // (one to two seconds) each admits what it believes is left, so a burst spread over N nodes
    // can take up to N times what is left; the debt is then refused everywhere
    int[] burst = new int[2];
    Thread[] threads = new Thread[2];
    for (int n = 0; n < 2; n++) {
      int node = n;
      Api api = n == 0 ? nodeA : nodeB;
      threads[n] = new Thread(() -> {
        int refused = 0;
        while (refused < 5) {
          Api.Response r = api.get(V1 + "/usage", admin);
          if (r.status() == 200) {
            burst[node]++;
          } else {
            refused++;
          }
        }
      });
      threads[n].start();
    }
    for (Thread t : threads) {
      t.join(60_000);
    }
    int total = burst[0] + burst[1];
    System.out.printf("two nodes, rate limit 100 per 600 s with %d left: a burst on both nodes "
        + "at once admitted %d (%d on a, %d on b)%n", left, total, burst[0], burst[1]);
    assertThat(total).isBetween((int) left, 2 * (int) left + 4);
    Thread.sleep(2_500); // each node hears of the other's burst
    for (Api node : new Api[] {nodeA, nodeB}) {
      Api.Response r = node.get(V1 + "/usage", admin);
      assertThat(r.status()).as("the shared bucket is empty on both nodes: " + r).isEqualTo(429);
      assertThat(r.code()).isEqualTo("rate_limit_exceeded");
    }
  }

  /** Waits until {@code node} applies the 100 per 600 s policy; answers after one call under it. */
  private static void awaitPolicy(Api node, String admin) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      Api.Response r = node.get(V1 + "/usage", admin);
      if (r.header("RateLimit-Policy").orElse("").contains("w=600")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the new rate limit did not reach " + node.base());
  }

  /** The calls left ({@code r}) in the token's {@code RateLimit} field. */
  private static long remaining(Api.Response r) {
    String field = r.header("RateLimit").orElseThrow();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"token\";r=(\\d+)")
        .matcher(field);
    assertThat(m.find()).as(field).isTrue();
    return Long.parseLong(m.group(1));
  }
}
