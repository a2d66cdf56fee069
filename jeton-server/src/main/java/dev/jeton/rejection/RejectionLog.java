package dev.jeton.rejection;

import dev.jeton.error.ErrorCode;
import dev.jeton.http.RequestGuard;
import dev.jeton.http.RequestIds;
import dev.jeton.observe.Metrics;
import dev.jeton.store.Page;
import dev.jeton.store.WriteQueue;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rejection log (docs/diagnose.md#rejection-log): every refused presentation of a token, kept
 * for its owner and the account's admins. Recording costs the request an offer to a bounded
 * queue and nothing else: a writer thread fingerprints each token, works out whose it is and
 * writes the rejections in batches. When the queue is full (a flood of bad tokens faster than the
 * database takes them) further rejections are counted in {@code jeton_rejection_log_dropped} and
 * not kept; requests never wait. The token itself is held in memory only until it is
 * fingerprinted, and is never written or logged.
 */
public final class RejectionLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RejectionLog.class);
  /** Rejections waiting for the writer, at most. */
  public static final int QUEUE = 10_000;
  /** Rejections written in one unit of work, at most. */
  static final int BATCH = 500;
  /** The longest token fingerprinted and attributed; longer strings are cut. */
  private static final int MAX_TOKEN = 8192;

  /** What is known of a token: kind, id, owner, client; any may be null. */
  public record Attribution(String kind, String tokenId, String ownerId, String clientId) {}

  /** Works out whose a token is, if it is one the account issued; null when not. */
  public interface Attributor {
    Attribution of(String accountId, String token);
  }

  /** The filters of a list; null members do not filter. Times in ms, inclusive. */
  public record Filter(String ownerId, String code, String clientId, String fingerprint,
      String tokenId, String requestId, Long since, Long until) {}

  private record Pending(String accountId, String token, String code, long at, String ip,
      String userAgent, String route, String requestId) {}

  private final RejectionStore store;
  private final WriteQueue writes;
  private final Metrics metrics;
  private final Clock clock;
  private final AtomicLong sequence = new AtomicLong();
  private final int node = new SecureRandom().nextInt(0x1000000);
  private final ArrayBlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE);
  private final AtomicLong offered = new AtomicLong();
  private final AtomicLong done = new AtomicLong();
  private final Thread writer;
  private volatile List<Attributor> attributors = List.of();
  private volatile boolean closed;

  public RejectionLog(Jdbi jdbi, WriteQueue writes, Metrics metrics, Clock clock) {
    this.store = new RejectionStore(jdbi);
    this.writes = writes;
    this.metrics = metrics;
    this.clock = clock;
    this.writer = new Thread(this::run, "jeton-rejection-log");
    writer.setDaemon(true);
    writer.start();
  }

  /** Adds a way to tell whose a token is (tried in order until one knows). */
  public synchronized void attributeWith(Attributor a) {
    List<Attributor> l = new ArrayList<>(attributors);
    l.add(a);
    attributors = List.copyOf(l);
  }

  /**
   * Records that {@code token} was refused with {@code code} at {@code accountId}'s API; returns at
   * once. Nothing is recorded without a token (there was no presentation).
   */
  public void record(Context ctx, String accountId, String token, ErrorCode code) {
    if (token == null || token.isEmpty()) {
      return;
    }
    Object route = ctx.attribute(RequestGuard.ROUTE);
    String ua = ctx.header("User-Agent");
    Pending p = new Pending(accountId, token.length() > MAX_TOKEN
        ? token.substring(0, MAX_TOKEN) : token, code.code(), clock.millis(), ctx.ip(),
        ua == null ? null : clip(ua, 256), route == null ? null : clip(route.toString(), 256),
        ctx.attribute(RequestIds.ATTRIBUTE));
    offered.incrementAndGet();
    if (!queue.offer(p)) {
      done.incrementAndGet();
      metrics.rejectionNotLogged();
    }
  }

  /** The fingerprint of a token: 16 characters of its SHA-256, enough to tell tokens apart. */
  public static String fingerprint(String token) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(
          (token.length() > MAX_TOKEN ? token.substring(0, MAX_TOKEN) : token)
              .getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * One page of the account's rejections matching {@code filter}, newest first.
   *
   * @throws dev.jeton.error.ApiException {@code validation_failed} for a cursor this list did not
   *     give
   */
  public Page<Rejection> list(String accountId, Filter filter, String cursor, int limit) {
    String after = null;
    if (cursor != null) {
      after = Page.idOf(cursor);
      if (after.isEmpty() || !store.exists(accountId, after)) {
        throw Page.badCursor();
      }
    }
    return Page.of(store.page(accountId, filter, after, limit + 1), limit, Rejection::id);
  }

  /** The last {@code n} rejections of {@code token} at the account, newest first. */
  public List<Rejection> ofToken(String accountId, String token, int n) {
    return store.page(accountId, new Filter(null, null, null, fingerprint(token), null, null,
        null, null), null, n);
  }

  /** The rejection the account answered to request {@code requestId}, if there was one. */
  public Optional<Rejection> byRequest(String accountId, String requestId) {
    return store.byRequest(accountId, requestId);
  }

  /** Waits until every rejection recorded so far is written or dropped (tests, benchmarks). */
  public void awaitWritten() throws InterruptedException {
    long target = offered.get();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (done.get() < target && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  private void run() {
    List<Pending> batch = new ArrayList<>(BATCH);
    while (!closed || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        write(batch);
      } catch (InterruptedException e) {
        if (closed) {
          queue.drainTo(batch);
          write(batch);
          return;
        }
      } catch (RuntimeException e) {
        LOG.warn("rejections not written: {}", e.toString());
        for (int i = 0; i < batch.size(); i++) {
          metrics.rejectionNotLogged();
        }
        done.addAndGet(batch.size());
      } finally {
        batch.clear();
      }
    }
  }

  private void write(List<Pending> batch) {
    if (batch.isEmpty()) {
      return;
    }
    List<Rejection> rows = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      Attribution a = attribute(p.accountId(), p.token());
      rows.add(new Rejection(newId(p.at()), p.accountId(), p.at(), p.code(),
          fingerprint(p.token()), a == null ? null : a.kind(), a == null ? null : a.tokenId(),
          a == null ? null : a.ownerId(), a == null ? null : a.clientId(), p.ip(),
          p.userAgent(), p.route(), p.requestId()));
    }
    writes.submit(h -> {
      RejectionStore.insert(h, rows);
      return null;
    });
    done.addAndGet(batch.size());
  }

  private Attribution attribute(String accountId, String token) {
    for (Attributor a : attributors) {
      try {
        Attribution found = a.of(accountId, token);
        if (found != null) {
          return found;
        }
      } catch (RuntimeException e) {
        LOG.debug("attribution failed: {}", e.toString());
      }
    }
    return null;
  }

  /**
   * An id that sorts by time and, within one millisecond, in the order this node recorded them:
   * the milliseconds, a counter of this process, and a random number drawn once per process (two
   * nodes would need the same number, millisecond and count to make the same id), in hex.
   */
  private String newId(long at) {
    return String.format("%012x%06x%06x", at, sequence.getAndIncrement() & 0xffffff, node);
  }

  private static String clip(String s, int max) {
    return s.length() > max ? s.substring(0, max) : s;
  }

  @Override
  public void close() {
    closed = true;
    writer.interrupt();
    try {
      writer.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
