package dev.jeton.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.testing.Databases;
import dev.jeton.testing.Engine;
import dev.jeton.testing.Scratch;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only SQLite has: one writer thread that callers queue for, and a read pool that cannot
 * write (docs/architecture.md, "One write path"). PostgreSQL writes run on the caller's thread.
 */
class SqliteWriterTest {
  Database db;
  WriteQueue writes;

  @BeforeEach
  void open() throws Exception {
    db = Database.open(Databases.create(Engine.SQLITE, Scratch.dir("jeton-wq")));
    db.migrate();
    writes = new WriteQueue(db, Duration.ofMillis(500));
    writes.submit(h -> h.execute(
        "INSERT INTO accounts (id, name, created_at) VALUES ('main', 'Main', 0)"));
  }

  @AfterEach
  void close() {
    writes.close();
    db.close();
  }

  private static void insertAccount(Handle h, String id) {
    h.createUpdate("INSERT INTO accounts (id, parent_id, name, created_at) "
        + "VALUES (:id, 'main', :id, 0)").bind("id", id).execute();
  }

  private int count(String like) {
    return db.jdbi().withHandle(h -> h.createQuery(
        "SELECT count(*) FROM accounts WHERE id LIKE :l").bind("l", like)
        .mapTo(Integer.class).one());
  }

  @Test
  void submitWhenTheWriterIsStuckThenCallersGiveUpWithUnavailableAndTheirWorkIsDropped()
      throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(1);
    Future<Object> stuck = pool.submit(() -> writes.submit(h -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    }));
    Thread.sleep(100); // the writer has taken the stuck job
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> writes.submit(h -> {
      insertAccount(h, "gave-up");
      return null;
    })).isInstanceOf(WriteQueue.Unavailable.class)
        .satisfies(e -> assertThat(Database.isUnavailable(e)).isTrue());
    assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(450);
    release.countDown();
    // The stuck caller gave up too (its unit had started, so it ran: an answer lost in flight).
    assertThatThrownBy(stuck::get).hasCauseInstanceOf(WriteQueue.Unavailable.class);
    pool.shutdown();
    writes.submit(h -> {
      insertAccount(h, "later");
      return null;
    });
    assertThat(count("gave-up")).as("the abandoned write never runs").isZero();
    assertThat(count("later")).isEqualTo(1);
  }

  @Test
  void submitFromInsideAUnitOfWorkIsRefused() {
    assertThatThrownBy(() -> writes.submit(h -> writes.submit(h2 -> null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must not submit");
  }

  @Test
  void writeOutsideTheQueueOnSqliteIsRefusedByTheReadOnlyPool() {
    // docs/architecture.md, "One write path": the read pool cannot write at all.
    assertThatThrownBy(() -> db.jdbi().useHandle(h -> insertAccount(h, "bypass")))
        .hasMessageContaining("readonly");
    assertThat(count("bypass")).isZero();
  }
}
