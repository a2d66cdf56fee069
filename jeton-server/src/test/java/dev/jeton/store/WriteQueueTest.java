package dev.jeton.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.testing.Databases;
import dev.jeton.testing.Engine;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Scratch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Group commit keeps every unit of work atomic and isolated, on both engines. */
@OnBothEngines
class WriteQueueTest {
  Database db;
  WriteQueue writes;

  Engine engine;

  @BeforeEach
  void open(Engine engine) throws Exception {
    this.engine = engine;
    Path dir = Scratch.dir("jeton-wq");
    db = Database.open(Databases.create(engine, dir));
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

  private static void insertAccount(org.jdbi.v3.core.Handle h, String id) {
    h.createUpdate("INSERT INTO accounts (id, parent_id, name, created_at) "
        + "VALUES (:id, 'main', :id, 0)").bind("id", id).execute();
  }

  private int count(String like) {
    return db.jdbi().withHandle(h -> h.createQuery(
        "SELECT count(*) FROM accounts WHERE id LIKE :l").bind("l", like)
        .mapTo(Integer.class).one());
  }

  @Test
  void submitWhenManyWritersThenEveryWriteCommittedOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> futures = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String id = "acct-" + i;
      futures.add(pool.submit(() -> {
        go.await();
        return writes.submit(h -> {
          insertAccount(h, id);
          return id;
        });
      }));
    }
    go.countDown();
    for (int i = 0; i < futures.size(); i++) {
      assertThat(futures.get(i).get()).isEqualTo("acct-" + i);
    }
    pool.shutdown();
    assertThat(count("acct-%")).isEqualTo(400);
  }

  @Test
  void submitWhenWorkAbortsThenOnlyItsOwnStatementsUndone() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Object>> futures = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String id = "mix-" + i;
      boolean abort = i % 3 == 0;
      futures.add(pool.submit(() -> {
        go.await();
        return writes.submit(h -> {
          insertAccount(h, id);
          if (abort) {
            throw new WriteQueue.Abort();
          }
          return id;
        });
      }));
    }
    go.countDown();
    for (int i = 0; i < futures.size(); i++) {
      if (i % 3 == 0) {
        assertThat(futures.get(i).get()).isNull();
      } else {
        assertThat(futures.get(i).get()).isEqualTo("mix-" + i);
      }
    }
    pool.shutdown();
    assertThat(count("mix-%")).isEqualTo(66);
  }

  @Test
  void submitWhenWorkFailsThenCallerGetsTheErrorAndOthersCommit() {
    writes.submit(h -> {
      insertAccount(h, "dup");
      return null;
    });
    assertThatThrownBy(() -> writes.submit(h -> {
      insertAccount(h, "dup-partner");
      insertAccount(h, "dup");
      return null;
    })).isInstanceOf(RuntimeException.class);
    writes.submit(h -> {
      insertAccount(h, "after");
      return null;
    });
    assertThat(count("dup-partner")).isZero();
    assertThat(count("after")).isEqualTo(1);
  }

  @Test
  void submitWhenWorkThrowsAnErrorThenOnlyThatWorkFailsAndTheWriterLives() {
    assertThatThrownBy(() -> writes.submit(h -> {
      insertAccount(h, "err-partner");
      throw new StackOverflowError("a bug in a unit of work");
    })).hasRootCauseInstanceOf(StackOverflowError.class);
    writes.submit(h -> {
      insertAccount(h, "after-error");
      return null;
    });
    assertThat(count("err-partner")).isZero();
    assertThat(count("after-error")).isEqualTo(1);
  }

  @Test
  void probeAnswersWhetherAWriteCanCommit() {
    assertThat(writes.probe(Duration.ofSeconds(2))).isTrue();
    db.close();
    assertThat(writes.probe(Duration.ofSeconds(2))).isFalse();
  }
}
