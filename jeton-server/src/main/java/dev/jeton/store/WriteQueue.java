package dev.jeton.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs small write transactions, with group commit on SQLite: the one path every write takes.
 *
 * <p>SQLite with {@code synchronous=FULL} syncs the disk at every commit, which caps a server at
 * the disk's sync rate (a few thousand per second) however fast the writes themselves are. Here a
 * single writer thread takes every transaction waiting in the queue, runs each inside its own
 * savepoint of one database transaction, commits once, and only then answers each caller. Each
 * unit of work stays atomic and isolated (a failing one is rolled back to its savepoint without
 * touching the others, and they run one after another), and no caller hears "done" before its
 * write is durable. On PostgreSQL, which commits concurrent transactions in parallel, each unit
 * simply runs in its own transaction on the caller's thread.
 *
 * <p>Failures stay contained: whatever a unit of work throws (an {@link Error} included) fails
 * that unit alone and the writer thread lives on. A caller waits at most {@link #TIMEOUT}; then it
 * gets {@link Unavailable} (answered 503 with Retry-After), and its unit is dropped if the writer
 * has not started it yet. After a storage failure the writer's connection is renewed, so the
 * server recovers by itself once the disk or file is writable again.
 */
public final class WriteQueue implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WriteQueue.class);
  private static final int MAX_BATCH = 256;

  /**
   * How long a caller waits for its commit: the SQLite busy timeout plus a margin. Past it the
   * storage is treated as unavailable rather than letting requests pile up behind a stuck disk.
   */
  public static final Duration TIMEOUT = Duration.ofSeconds(12);

  /** One unit of work: the statements of one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Handle h);
  }

  /** Thrown by a unit of work to undo its own statements (its caller gets {@code null}). */
  public static final class Abort extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Abort() {
      super(null, null, false, false);
    }
  }

  /** The write could not be committed in time, or the queue is closed: the storage's fault. */
  public static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      super(message, null, false, false);
    }
  }

  private record Job<T>(Work<T> work, CompletableFuture<T> done) {}

  private static final Job<Void> STOP = new Job<>(h -> null, new CompletableFuture<>());

  private final Database db;
  private final Jdbi jdbi;
  private final boolean batching;
  private final long timeoutMillis;
  private final BlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile boolean closed;
  private final CacheFeed caches;

  public WriteQueue(Database db) {
    this(db, TIMEOUT);
  }

  /**
   * Whether units run on PostgreSQL, where concurrent transactions need row locks
   * ({@code FOR SHARE}, {@code FOR UPDATE SKIP LOCKED}) that SQLite's single writer makes
   * unnecessary and does not parse.
   */
  public boolean postgres() {
    return !batching;
  }

  /** With another caller timeout (tests). */
  public WriteQueue(Database db, Duration timeout) {
    this.db = db;
    this.jdbi = db.writer();
    this.batching = db.dialect() == Database.Dialect.SQLITE;
    this.timeoutMillis = timeout.toMillis();
    this.caches = new CacheFeed(db.config(), jdbi, !batching);
    if (batching) {
      writer = new Thread(this::loop, "jeton-writer");
      writer.setDaemon(true);
      writer.start();
    } else {
      writer = null;
    }
  }

  /**
   * Runs the work in a transaction and answers its result once it is committed; {@code null}
   * when the work threw {@link Abort}. Other exceptions are rethrown to the caller; when the
   * commit does not happen within the timeout, {@link Unavailable} (the work may still commit if
   * the writer had already started it, as with any answer lost in flight).
   */
  public <T> T submit(Work<T> work) {
    if (!batching) {
      try {
        return jdbi.inTransaction(work::run);
      } catch (Abort a) {
        return null;
      } catch (Error e) {
        throw rethrow(e);
      }
    }
    if (Thread.currentThread() == writer) {
      throw new IllegalStateException("a unit of work must not submit another one");
    }
    if (closed) {
      throw new Unavailable("the write queue is closed");
    }
    CompletableFuture<T> done = new CompletableFuture<>();
    queue.add(new Job<>(work, done));
    try {
      return done.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // Claim the job: the writer skips a job whose caller has gone.
      done.completeExceptionally(new Unavailable("no commit within " + timeoutMillis + " ms"));
      return outcome(done);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done.completeExceptionally(new Unavailable("interrupted while waiting for a commit"));
      return outcome(done);
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    }
  }

  /** The result of a job that is done (it may have finished just before the caller gave up). */
  private static <T> T outcome(CompletableFuture<T> done) {
    try {
      return done.getNow(null);
    } catch (CompletionException e) {
      throw rethrow(e.getCause());
    }
  }

  private static RuntimeException rethrow(Throwable cause) {
    if (cause instanceof RuntimeException re) {
      return re;
    }
    // An Error from a unit of work (a bug) reaches the caller as an ordinary failure: a 500.
    return new IllegalStateException("a unit of work failed", cause);
  }

  /**
   * Whether a write transaction can be begun and committed now (readiness): waits at most
   * {@code timeout}.
   */
  public boolean probe(Duration timeout) {
    if (!batching) {
      try {
        jdbi.useTransaction(h -> h.execute("SELECT 1"));
        return true;
      } catch (RuntimeException e) {
        return false;
      }
    }
    if (closed) {
      return false;
    }
    CompletableFuture<Object> done = new CompletableFuture<>();
    queue.add(new Job<>(h -> Boolean.TRUE, done));
    try {
      return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS) != null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      done.cancel(false);
      return false;
    }
  }

  private void loop() {
    List<Job<?>> batch = new ArrayList<>(MAX_BATCH + 1);
    boolean stop = false;
    while (!stop) {
      try {
        batch.add(queue.take());
        queue.drainTo(batch, MAX_BATCH - 1);
        stop = batch.remove(STOP);
        // Callers that gave up waiting have completed their own job: drop it.
        batch.removeIf(job -> job.done().isDone());
        if (!batch.isEmpty()) {
          runBatch(batch);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop = true;
      } catch (Throwable e) {
        // The batch's transaction could not begin or commit: nothing of it is durable.
        if (Database.isUnavailable(e)) {
          LOG.error("write batch failed: storage unavailable ({})", e.toString());
          if (Database.needsFreshConnection(e)) {
            db.renewWriter();
          }
        } else {
          LOG.error("write batch failed", e);
        }
        for (Job<?> job : batch) {
          job.done().completeExceptionally(e);
        }
      } finally {
        batch.clear();
      }
    }
  }

  private void runBatch(List<Job<?>> batch) {
    List<Object> results = new ArrayList<>(batch.size());
    boolean[] renew = {false};
    jdbi.useTransaction(h -> {
      for (Job<?> job : batch) {
        h.savepoint("w");
        try {
          results.add(job.work().run(h));
          h.releaseSavepoint("w");
        } catch (Throwable e) {
          renew[0] |= Database.needsFreshConnection(e);
          try {
            h.rollbackToSavepoint("w");
          } catch (RuntimeException rollback) {
            // SQLite rolls the whole transaction back by itself on a full disk or an I/O error:
            // every unit of the batch is lost, and each caller is told so.
            e.addSuppressed(rollback);
            throw new BatchLost(e);
          }
          results.add(e instanceof Abort ? null : new Failed(e));
        }
      }
    });
    if (renew[0]) {
      db.renewWriter();
    }
    for (int i = 0; i < batch.size(); i++) {
      complete(batch.get(i), results.get(i));
    }
  }

  /** The batch's transaction was lost while a unit ran; the cause is what that unit met. */
  private static final class BatchLost extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BatchLost(Throwable cause) {
      super("the write batch was rolled back", cause);
    }
  }

  /** What a unit of work threw, kept apart from a result of the same type. */
  private record Failed(Throwable cause) {}

  @SuppressWarnings("unchecked")
  private static <T> void complete(Job<T> job, Object result) {
    if (result instanceof Failed f) {
      job.done().completeExceptionally(f.cause());
    } else {
      job.done().complete((T) result);
    }
  }

  /** What the caches of every node must forget after a write (docs/operations.md#caches). */
  public CacheFeed caches() {
    return caches;
  }

  @Override
  public void close() {
    closed = true;
    caches.close();
    if (writer != null) {
      queue.add(STOP);
      try {
        writer.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
