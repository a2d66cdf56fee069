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
  }
}
