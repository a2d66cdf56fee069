package dev.jeton.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.store.Database;
import dev.jeton.store.WriteQueue;
import dev.jeton.testing.Databases;
import dev.jeton.testing.Engine;
import dev.jeton.testing.MutableClock;
import dev.jeton.testing.Scratch;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md#signing-keys: keys older than {@link KeyRing#RELOAD_WITHIN} are loaded again
 * before use; when the database cannot answer, the node goes on with the keys it holds (they still
 * verify and publish what they did) and tries again only {@link KeyRing#RETRY_AFTER_FAILURE}
 * later, so an outage does not make every request that verifies a token wait for the pool.
 */
class KeyRingOutageTest {
  private final MutableClock clock = new MutableClock();
  private Database db;
  private WriteQueue writes;
  private KeyRing ring;

  @BeforeEach
  void open() {
    db = Database.open(Databases.create(Engine.SQLITE, Scratch.dir("jeton-keyring")));
    db.migrate();
    writes = new WriteQueue(db);
    writes.submit(h -> {
      h.execute("INSERT INTO accounts (id, name, created_at) VALUES ('main', 'Main', 0)");
      return null;
    });
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    SecureRandom random = new SecureRandom();
    ring = new KeyRing(db.jdbi(), writes, new MasterKey(raw, random), new OpaqueTokens(random),
        clock);
    writes.submit(h -> {
      ring.createInitialKeys(h, "main", "ES256");
      return null;
    });
  }

  @AfterEach
  void close() {
    writes.close();
    db.close();
  }

  @Test
  void keysWhenStaleAndTheDatabaseIsGoneThenHeldKeysServeAndTheNextTryWaits() {
    KeyRing.AccountKeys loaded = ring.keys("main");
    assertThat(loaded.signing()).isNotNull();
    assertThat(ring.keys("main")).as("fresh: no reload").isSameAs(loaded);

    clock.advance(KeyRing.RELOAD_WITHIN);
    KeyRing.AccountKeys reloaded = ring.keys("main");
    assertThat(reloaded).as("stale: loaded again").isNotSameAs(loaded);
    assertThat(reloaded.jwksJson()).isEqualTo(loaded.jwksJson());

    writes.close();
    db.close(); // every read fails from now on
    clock.advance(KeyRing.RELOAD_WITHIN);
    KeyRing.AccountKeys held = ring.keys("main");
    assertThat(held.signing().kid()).as("the keys held").isEqualTo(loaded.signing().kid());
    assertThat(held.jwksJson()).isEqualTo(loaded.jwksJson());
    assertThat(held.staleAt()).as("the next try, a few seconds on")
        .isGreaterThan(clock.millis() + KeyRing.RETRY_AFTER_FAILURE.toMillis() - 1_000);
    // (the test clock also moves with real time: a second's margin)
    clock.advance(KeyRing.RETRY_AFTER_FAILURE.minusSeconds(1));
    assertThat(ring.keys("main")).as("no new try before the wait is over").isSameAs(held);
    clock.advance(Duration.ofSeconds(1));
    KeyRing.AccountKeys retried = ring.keys("main");
    assertThat(retried).as("tried again, failed again").isNotSameAs(held);
    assertThat(retried.signing().kid()).isEqualTo(loaded.signing().kid());
  }
}
