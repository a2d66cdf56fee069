package dev.jeton.qr;

import dev.jeton.http.Json;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Server-Sent Events streams of QR logins (docs/qr-login.md#events): each open stream is sent
 * its login's state when it changes, and is closed once the state is final for the desktop
 * (approved, denied, consumed, expired) or the login's lifetime is over. One thread checks every
 * stream every {@link #TICK} against the copies {@link QrLogins} keeps in memory, so that a
 * stream costs no database read (with PostgreSQL, an open login is read again once a second, as
 * for polls); a comment every {@link #HEARTBEAT} keeps idle connections and proxies open.
 *
 * <p>A login has at most one stream: a new one replaces (closes) the one before, and at most
 * {@link #MAX_STREAMS} are open on a node.
 */
public final class QrStreams implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QrStreams.class);
  static final Duration TICK = Duration.ofMillis(250);
  static final Duration HEARTBEAT = Duration.ofSeconds(15);
  static final int MAX_STREAMS = 10_000;

  private static final class Stream {
    final SseClient client;
    final String loginId;
    volatile String sent;
    volatile long sentNanos = System.nanoTime();

    Stream(SseClient client, String loginId) {
      this.client = client;
      this.loginId = loginId;
    }
  }

  private final QrLogins logins;
  private final Map<String, Stream> open = new ConcurrentHashMap<>();
  private final ScheduledExecutorService ticker;

  public QrStreams(QrLogins logins) {
    this.logins = logins;
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "jeton-qr-events");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Whether another stream may open now. */
  boolean full() {
    return open.size() >= MAX_STREAMS;
  }

  /**
   * Follows {@code first}'s login on {@code client}: sends its state now, then each change, each
   * as a poll answers it.
   */
  void follow(SseClient client, QrLogin first) {
    Stream s = new Stream(client, first.id());
    Stream before = open.put(first.id(), s);
    if (before != null) {
      before.client.close();
    }
    client.onClose(() -> open.remove(first.id(), s));
    send(s, first);
    client.keepAlive();
  }

  private void tick() {
    for (Stream s : open.values()) {
      try {
        if (s.client.terminated()) {
          open.remove(s.loginId, s);
          continue;
        }
        QrLogin l = logins.current(s.loginId);
        if (l == null) {
          s.client.close();
        } else if (!logins.stateOf(l).equals(s.sent)) {
          send(s, l);
        } else if (System.nanoTime() - s.sentNanos > HEARTBEAT.toNanos()) {
          s.client.sendComment("keep-alive");
          s.sentNanos = System.nanoTime();
        }
      } catch (RuntimeException e) {
        LOG.debug("QR login stream {} ended: {}", s.loginId, e.getMessage());
        open.remove(s.loginId, s);
        s.client.close();
      }
    }
  }

  private void send(Stream s, QrLogin l) {
    long now = logins.now();
    String state = l.stateAt(now);
    s.sent = state;
    s.sentNanos = System.nanoTime();
    s.client.sendEvent("state", new String(Json.bytes(QrRoutes.desktopView(l, now)),
        java.nio.charset.StandardCharsets.UTF_8), null);
    if (!state.equals(QrLogin.PENDING) && !state.equals(QrLogin.SCANNED)) {
      // final for the desktop: approved goes on to the exchange, the rest end the login
      open.remove(s.loginId, s);
      s.client.close();
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    open.values().forEach(s -> s.client.close());
    open.clear();
  }
}
