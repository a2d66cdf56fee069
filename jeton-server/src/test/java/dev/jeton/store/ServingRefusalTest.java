package dev.jeton.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.App;
import dev.jeton.config.Config;
import dev.jeton.config.ConfigLoader;
import dev.jeton.config.Setting;
import dev.jeton.config.StartRefused;
import dev.jeton.testing.JetonProcess;
import dev.jeton.testing.MutableClock;
import dev.jeton.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SQLite database serves one server process (docs/operations.md#one-process-on-sqlite): a
 * second server on it refuses to start, naming the cause and the way out.
 */
class ServingRefusalTest {
  static App app(Path dir, Config.Db db) {
    return app(dir, db, Map.of());
  }

  /** An App on {@code dir} and {@code db} (null: SQLite in {@code dir}), with more settings. */
  static App app(Path dir, Config.Db db, Map<Setting, String> more) {
    int port = JetonProcess.freePort();
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    values.put(Setting.HTTP_HOST, "127.0.0.1");
    values.put(Setting.HTTP_PORT, Integer.toString(port));
    values.put(Setting.BASE_URL, "http://127.0.0.1:" + port);
    values.put(Setting.DATA_DIR, dir.toString());
    values.put(Setting.SHUTDOWN_TIMEOUT, "0");
    values.putAll(more);
    Config config = ConfigLoader.of(values);
    return new App(db == null ? config : config.withDb(db), new MutableClock(),
        TestServer.FAST_HASH);
  }

  /** Two processes on one SQLite file would each serve from caches the other cannot clear. */
  @Test
  void aSecondServerOnASqliteDatabaseAnotherProcessServesRefusesToStart(@TempDir Path dir)
      throws Exception {
    int port = JetonProcess.freePort();
    String base = "http://127.0.0.1:" + port;
    Map<String, String> env = JetonProcess.sqliteSettings(port, dir);
    JetonProcess first = JetonProcess.start(env, base, dir.resolve("first.log"),
        Duration.ofSeconds(90));
    try {
      App second = app(dir, null);
      try {
        assertThatThrownBy(second::start).isInstanceOf(StartRefused.class)
            .hasMessageContaining("Another Jeton server is serving the SQLite database")
            .hasMessageContaining("PostgreSQL");
      } finally {
        second.close();
      }
      assertThat(first.isAlive()).as("the first server serves on").isTrue();
    } finally {
      first.stop();
    }
    // once the first has stopped, the lock is free again
    App next = app(dir, null);
    try {
      next.start();
    } finally {
      next.close();
    }
  }
}
