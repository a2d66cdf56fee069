package dev.jeton.testing;

import dev.jeton.config.Config;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test databases: a fresh SQLite file per server, or a fresh database on one embedded PostgreSQL
 * (real PostgreSQL binaries from Maven Central) shared by the whole test run.
 */
public final class Databases {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres postgres;

  private Databases() {}

  /** A new, empty database of the given engine. */
  public static Config.Db create(Engine engine, Path dir) {
    return switch (engine) {
      case SQLITE -> new Config.Db("jdbc:sqlite:" + dir.resolve("jeton.db"), "", "", 10);
      case POSTGRES -> newPostgresDatabase();
    };
  }

  private static synchronized EmbeddedPostgres postgres() {
    if (postgres == null) {
      if ("root".equals(System.getProperty("user.name"))) {
        throw new IllegalStateException("PostgreSQL refuses to run as root: run the tests as an "
            + "unprivileged user (.ci/run does this).");
      }
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("embedded PostgreSQL did not start", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          postgres.close();
        } catch (IOException ignored) {
          // the process is ending
        }
      }));
    }
    return postgres;
  }

  /**
   * Drops a PostgreSQL database {@link #create} made, once nothing uses it (best effort: a
   * database still in use stays); SQLite's file goes with its directory.
   */
  public static void drop(Config.Db db) {
    if (!db.url().startsWith("jdbc:postgresql:") || postgres == null) {
      return;
    }
    String name = db.url().substring(db.url().lastIndexOf('/') + 1);
    if (!name.matches("jeton_[0-9]+_[0-9]+")) {
      return;
    }
    try (Connection c = postgres().getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name);
    } catch (SQLException e) {
      // still in use (a test kept a connection): it stays until the run ends
    }
  }

  private static Config.Db newPostgresDatabase() {
    EmbeddedPostgres pg = postgres();
    String name = "jeton_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    return new Config.Db("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + name, "postgres",
        "", 10);
  }
}
