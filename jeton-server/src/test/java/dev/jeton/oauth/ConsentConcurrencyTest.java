package dev.jeton.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.store.Database;
import dev.jeton.store.WriteQueue;
import dev.jeton.testing.Databases;
import dev.jeton.testing.Engine;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Scratch;
import dev.jeton.token.Scope;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Remembering a consent is one atomic upsert: two approvals of the same user and client at the
 * same moment (two tabs, a double click) neither collide on the primary key nor lose each other's
 * scopes.
 */
@OnBothEngines
class ConsentConcurrencyTest {
  Database db;
  WriteQueue writes;
  Consents consents;

  @BeforeEach
  void open(Engine engine) throws Exception {
    db = Database.open(Databases.create(engine, Scratch.dir("jeton-consent")));
    db.migrate();
    writes = new WriteQueue(db);
    writes.submit(h -> {
      h.execute("INSERT INTO accounts (id, name, created_at) VALUES ('main', 'Main', 0)");
      h.execute("INSERT INTO users (id, account_id, email, password_hash, role, created_at, "
          + "password_changed_at) VALUES ('usr_1', 'main', 'a@example.com', 'x', 'user', 0, 0)");
      return null;
    });
    consents = new Consents(db.jdbi(), writes, Clock.systemUTC());
  }

  @AfterEach
  void close() {
    writes.close();
    db.close();
  }

  @Test
  void rememberWhenManyApprovalsRaceThenNoneFailsAndEveryScopeIsKept() throws Exception {
    int n = 16;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String scope = "s" + i;
      done.add(pool.submit(() -> {
        go.await();
        consents.remember("main", "usr_1", "cli_x", Scope.parse("openid " + scope));
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get(); // a primary-key collision would surface here
    }
    pool.shutdown();
    Scope granted = consents.granted("usr_1", "cli_x").orElseThrow();
    for (int i = 0; i < n; i++) {
      assertThat(granted.contains("s" + i)).as("scope s%d", i).isTrue();
    }
    assertThat(consents.list("usr_1")).hasSize(1);
  }

  @Test
  void rememberAfterRevocationStartsAFreshConsentWithOnlyTheNewScopes() {
    consents.remember("main", "usr_1", "cli_x", Scope.parse("openid email"));
    boolean revoked = writes.submit(h -> consents.revokeIn(h, "usr_1", "cli_x"));
    assertThat(revoked).isTrue();
    consents.remember("main", "usr_1", "cli_x", Scope.parse("openid profile"));
    assertThat(consents.granted("usr_1", "cli_x").orElseThrow().render())
        .isEqualTo("openid profile");
  }
}
