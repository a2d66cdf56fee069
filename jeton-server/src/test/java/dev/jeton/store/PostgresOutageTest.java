package dev.jeton.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.config.Config;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.Scratch;
import dev.jeton.testing.TestServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped under load (docs/operations.md#database-outages): every request that needs
 * the database answers 503 with Retry-After in its route's format (RFC 6749 5.2
 * {@code temporarily_unavailable} at the token endpoint), never a 500 and never a token whose
 * checks could not run (fail closed); readiness reports the database down; and when PostgreSQL
 * is back, Jeton serves again by itself, without a restart. A PostgreSQL of its own is stopped
 * and started on the same data directory and port, as an operator's restart would.
 */
class PostgresOutageTest {
  private static final String ACCOUNT = "main";
  private static final String PASSWORD = "a long enough password 1";

  /** One answer seen during the outage: which request, and what came back. */
  private record Seen(String what, Api.Response response) {}

  @Test
  void postgresStoppedUnderLoadThen503FailClosedAndRecoveryWithoutRestart() throws Exception {
    Path pgData = Scratch.dir("jeton-pg-outage");
    int pgPort = freePort();
    EmbeddedPostgres pg = startPostgres(pgData, pgPort);
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE jeton");
    }
    Config.Db db = new Config.Db("jdbc:postgresql://127.0.0.1:" + pgPort + "/jeton", "postgres",
        "", 10);
    try (TestServer server = TestServer.start(Engine.POSTGRES, Map.of(),
        Scratch.dir("jeton-outage"), db)) {
      Api api = server.api();
      assertThat(server.register(ACCOUNT, "live@example.com", PASSWORD).status()).isEqualTo(201);
      Api.Response loggedOut = server.register(ACCOUNT, "gone@example.com", PASSWORD);
      String revokedAccess = loggedOut.text("access_token");
      assertThat(api.postJson(TestServer.v1(ACCOUNT) + "/auth/logout",
          "{\"refresh_token\":" + Api.q(loggedOut.text("refresh_token")) + "}").status())
          .isEqualTo(204);

      ClientService.Registered client = server.app().clients().create(ACCOUNT, new Client.Spec(
          "Backend", Client.Type.CONFIDENTIAL, List.of("https://app.example.com/cb"),
          List.of(Client.CLIENT_CREDENTIALS), List.of(), null, null, null));
      String basic = "Basic " + Base64.getEncoder().encodeToString(
          (client.client().clientId() + ":" + client.secret()).getBytes(StandardCharsets.UTF_8));

      ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
      AtomicBoolean down = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService load = Executors.newFixedThreadPool(3);
      load.submit(() -> {
        while (!stop.get()) {
          Api.Response r = server.login(ACCOUNT, "live@example.com", PASSWORD);
          if (down.get()) {
            seen.add(new Seen("login", r));
          }
        }
        return null;
      });
      load.submit(() -> {
        while (!stop.get()) {
          Api.Response r = api.send("POST", "/accounts/main/oauth2/token",
              "grant_type=client_credentials",
              Map.of("Content-Type", "application/x-www-form-urlencoded", "Authorization", basic));
          if (down.get()) {
            seen.add(new Seen("token", r));
          }
        }
        return null;
      });
      load.submit(() -> {
        while (!stop.get()) {
          Api.Response r = api.get(TestServer.v1(ACCOUNT) + "/me", revokedAccess);
          if (down.get()) {
            seen.add(new Seen("revoked-access", r));
          }
        }
        return null;
      });
      Thread.sleep(500);

      down.set(true);
      pg.close();
      Thread.sleep(7_000); // longer than the pool's 5 s connection timeout
      Api.Response ready = api.get("/health/ready", null);
      assertThat(ready.status()).as(ready.toString()).isEqualTo(503);
      assertThat(ready.header("Retry-After")).isPresent();
      assertThat(ready.text("database")).isEqualTo("down");
      down.set(false);

      pg = startPostgres(pgData, pgPort);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (api.get("/health/ready", null).status() != 200 && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      stop.set(true);
      load.shutdown();
      assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

      assertThat(api.get("/health/ready", null).status()).as("recovered without a restart")
          .isEqualTo(200);
      Api.Response after = server.login(ACCOUNT, "live@example.com", PASSWORD);
      assertThat(after.status()).as(after.toString()).isEqualTo(200);
      assertThat(server.refresh(ACCOUNT, after.text("refresh_token")).status()).isEqualTo(200);

      List<Seen> outage = List.copyOf(seen);
      assertThat(outage).as("requests were made during the outage").isNotEmpty();
      for (String what : List.of("login", "token", "revoked-access")) {
        assertThat(outage).as("the outage was noticed by " + what)
            .anyMatch(x -> x.what().equals(what) && x.response().status() == 503);
      }
      for (Seen x : outage) {
        Api.Response r = x.response();
        switch (x.what()) {
          case "login" -> assertThat(r.status()).as(r.toString()).isIn(200, 503);
          case "token" -> assertThat(r.status()).as(r.toString()).isIn(200, 503);
          // fail closed: a revoked session's token is never accepted, whatever the database does
          default -> assertThat(r.status()).as(r.toString()).isIn(401, 503);
        }
        if (r.status() == 503) {
          assertThat(r.header("Retry-After")).as(r.toString()).isPresent();
          if (x.what().equals("token")) {
            assertThat(r.text("error")).isEqualTo("temporarily_unavailable");
          } else {
            assertThat(r.code()).isEqualTo("service_unavailable");
          }
          assertThat(r.body()).doesNotContainIgnoringCase("sql")
              .doesNotContainIgnoringCase("hikari");
        }
      }
    } finally {
      pg.close();
    }
  }

  private static EmbeddedPostgres startPostgres(Path data, int port) throws IOException {
    return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
        .setPort(port).start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
