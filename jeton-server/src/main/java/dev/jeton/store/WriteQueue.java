package dev.jeton.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs small write transactions, with group commit on SQLite.
 *
 * <p>SQLite with {@code synchronous=FULL} syncs the disk at every commit, which caps a server at
 * the disk's sync rate (a few thousand per second) however fast the writes themselves are. Here a
 * single writer thread takes every transaction waiting in the queue, runs each inside its own
 * savepoint of one database transaction, commits once, and only then answers each caller. Each
 * unit of work stays atomic and isolated (a failing one is rolled back to its savepoint without
 * touching the others, and they run one after another), and no caller hears "done" before its
 * write is durable. On PostgreSQL, which commits concurrent transactions in parallel, each unit
 * simply runs in its own transaction on the caller's thread.
 */
public final class WriteQueue implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WriteQueue.class);
  private static final int MAX_BATCH = 256;

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

  private record Job<T>(Work<T> work, CompletableFuture<T> done) {}

  private static final Job<Void> STOP = new Job<>(h -> null, new CompletableFuture<>());

  private final Jdbi jdbi;
  private final boolean batching;
  private final BlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile boolean closed;

  public WriteQueue(Database db) {
    this.jdbi = db.jdbi();
    this.batching = db.dialect() == Database.Dialect.SQLITE;
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
   * when the work threw {@link Abort}. Other exceptions are rethrown to the caller.
   */
  public <T> T submit(Work<T> work) {
    if (!batching) {
      try {
        return jdbi.inTransaction(work::run);
      } catch (Abort a) {
        return null;
      }
    }
    if (closed) {
      throw new IllegalStateException("the write queue is closed");
    }
    CompletableFuture<T> done = new CompletableFuture<>();
    queue.add(new Job<>(work, done));
    try {
      return done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a commit", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
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
        if (!batch.isEmpty()) {
          runBatch(batch);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop = true;
      } catch (RuntimeException e) {
        LOG.error("write batch failed", e);
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
    jdbi.useTransaction(h -> {
      for (Job<?> job : batch) {
        h.savepoint("w");
        try {
          results.add(job.work().run(h));
          h.releaseSavepoint("w");
        } catch (RuntimeException e) {
          h.rollbackToSavepoint("w");
          results.add(e instanceof Abort ? null : e);
        }
      }
    });
    for (int i = 0; i < batch.size(); i++) {
      complete(batch.get(i), results.get(i));
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> void complete(Job<T> job, Object result) {
    if (result instanceof RuntimeException e && !(result instanceof Abort)) {
      job.done().completeExceptionally(e);
    } else {
      job.done().complete((T) result);
    }
  }

  @Override
  public void close() {
    closed = true;
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
