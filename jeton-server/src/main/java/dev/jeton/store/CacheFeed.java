package dev.jeton.store;

import dev.jeton.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every node which cached entries a write made stale (docs/operations.md#caches). A cache
 * registers under a topic ({@code session}, {@code pat}, {@code user}, {@code account},
 * {@code client}, {@code keys}) how to forget one key and everything; a write then reports what it changed.
 * A notification is the topic and its keys, one per line (keys are ids: no line breaks).
 *
 * <p>On SQLite (one process) the entries are forgotten at once. On PostgreSQL the change is also
 * sent with {@code pg_notify} on the channel {@value #CHANNEL}: from inside the write's
 * transaction when it has one ({@link #changedIn}), so that it is delivered exactly when the
 * change commits, or right after the commit ({@link #changed}). Each serving node listens on a
 * connection of its own and forgets the entries within milliseconds. When that connection is
 * lost, the node reconnects and forgets everything it cached, since notifications sent meanwhile
 * are gone; until then the caches' own lifetimes (two to five seconds) bound staleness.
 */
public final class CacheFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CacheFeed.class);
  /** The PostgreSQL notification channel. */
  static final String CHANNEL = "jeton_cache";
  /** A notification's payload stays well under PostgreSQL's 8,000 bytes. */
  private static final int MAX_PAYLOAD = 7_000;
  private static final String ALL = "*";

  private record Cache(Consumer<String> one, Runnable all) {}

  private final Config.Db db;
  private final org.jdbi.v3.core.Jdbi jdbi;
  private final boolean postgres;
  private final Map<String, Cache> caches = new ConcurrentHashMap<>();
  private volatile Thread listener;
  private volatile boolean closed;
  private volatile Connection listening;

  CacheFeed(Config.Db db, org.jdbi.v3.core.Jdbi jdbi, boolean postgres) {
    this.db = db;
    this.jdbi = jdbi;
    this.postgres = postgres;
  }

  /** Registers the cache of {@code topic}: how to forget one key, and everything. */
  public void register(String topic, Consumer<String> one, Runnable all) {
    caches.put(topic, new Cache(one, all));
  }

  /** After a committed write: {@code keys} of {@code topic} changed. */
  public void changed(String topic, Collection<String> keys) {
    forget(topic, keys);
    if (postgres && !keys.isEmpty()) {
      try {
        jdbi.useHandle(h -> send(h, topic, keys));
      } catch (RuntimeException e) {
        // the other nodes' caches expire by themselves within seconds
        LOG.warn("cache change not sent to the other nodes: {}", e.getMessage());
      }
    }
  }

  /** After a committed write: {@code key} of {@code topic} changed. */
  public void changed(String topic, String key) {
    changed(topic, List.of(key));
  }

  /** After a committed write that changed more than can be named: all of {@code topic}. */
  public void changedAll(String topic) {
    changed(topic, List.of(ALL));
  }

  /**
   * Inside the write's transaction: {@code keys} of {@code topic} change when it commits. This
   * node forgets them now; on PostgreSQL every node, this one again, hears of it at the commit,
   * which also clears what a read racing the commit cached meanwhile.
   */
  public void changedIn(Handle h, String topic, Collection<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    forget(topic, keys);
    if (postgres) {
      send(h, topic, keys);
    }
  }

  private static void send(Handle h, String topic, Collection<String> keys) {
    for (String payload : payloads(topic, keys)) {
      h.createQuery("SELECT pg_notify(:c, :p)").bind("c", CHANNEL).bind("p", payload)
          .mapTo(String.class).findOne();
    }
  }

  private static List<String> payloads(String topic, Collection<String> keys) {
    List<String> out = new java.util.ArrayList<>();
    StringBuilder b = new StringBuilder(topic);
    for (String k : keys) {
      if (b.length() + k.length() + 1 > MAX_PAYLOAD && b.length() > topic.length()) {
        out.add(b.toString());
        b = new StringBuilder(topic);
      }
      b.append('\n').append(k);
    }
    out.add(b.toString());
    return out;
  }

  private void forget(String topic, Collection<String> keys) {
    Cache c = caches.get(topic);
    if (c == null) {
      return;
    }
    for (String k : keys) {
      if (k.equals(ALL)) {
        c.all().run();
        return;
      }
      c.one().accept(k);
    }
  }

  private void forgetEverything() {
    caches.values().forEach(c -> c.all().run());
  }

  /** On PostgreSQL, starts listening for the other nodes' changes (a serving node only). */
  public synchronized void listen() {
    if (!postgres || listener != null || closed) {
      return;
    }
    Thread t = new Thread(this::loop, "jeton-cache-feed");
    t.setDaemon(true);
    listener = t;
    t.start();
  }

  private void loop() {
    boolean first = true;
    while (!closed) {
      try (Connection c = connect()) {
        listening = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + CHANNEL);
        }
        if (!first) {
          // what was sent while the connection was down is lost: start afresh
          forgetEverything();
          LOG.info("listening to the other nodes' cache changes again");
        }
        first = false;
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] got = pg.getNotifications(1_000);
          if (got == null) {
            continue;
          }
          for (PGNotification n : got) {
            received(n.getParameter());
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        LOG.warn("the cache change feed lost its connection ({}); reconnecting in 1 s",
            e.getMessage());
        first = false;
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException ie) {
          return;
        }
      } finally {
        listening = null;
      }
    }
  }

  private void received(String payload) {
    String[] parts = payload.split("\n");
    if (parts.length > 1) {
      forget(parts[0], java.util.Arrays.asList(parts).subList(1, parts.length));
    }
  }

  private Connection connect() throws SQLException {
    java.util.Properties p = new java.util.Properties();
    if (!db.user().isEmpty()) {
      p.setProperty("user", db.user());
    }
    if (!db.password().isEmpty()) {
      p.setProperty("password", db.password());
    }
    return DriverManager.getConnection(db.url(), p);
  }

  @Override
  public void close() {
    closed = true;
    Connection c = listening;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing to end the listener: nothing else to do
      }
    }
    Thread t = listener;
    if (t != null) {
      t.interrupt();
    }
  }
}
