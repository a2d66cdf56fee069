package dev.jeton.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.jeton.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The database: a HikariCP pool, JDBI on top, and Flyway migrations run at start. SQLite is opened
 * in WAL mode with {@code synchronous=FULL}, a busy timeout and immediate write transactions;
 * PostgreSQL is used as is.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  private final Dialect dialect;
  private volatile boolean migrated;

  /** The two supported engines. */
  public enum Dialect { SQLITE, POSTGRES }

  private Database(HikariDataSource dataSource, Dialect dialect) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.jdbi = Jdbi.create(dataSource);
  }

  /** Opens the pool described by the configuration (does not migrate). */
  public static Database open(Config.Db db) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("jeton-db");
    hc.setMaximumPoolSize(db.poolSize());
    hc.setConnectionTimeout(5_000);
    hc.setValidationTimeout(2_000);
    Dialect dialect;
    if (db.isPostgres()) {
      dialect = Dialect.POSTGRES;
      hc.setJdbcUrl(db.url());
      if (!db.user().isEmpty()) {
        hc.setUsername(db.user());
      }
      if (!db.password().isEmpty()) {
        hc.setPassword(db.password());
      }
    } else {
      dialect = Dialect.SQLITE;
      createParentDirectory(db.url());
      SQLiteConfig sc = new SQLiteConfig();
      sc.setJournalMode(SQLiteConfig.JournalMode.WAL);
      sc.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
      sc.setBusyTimeout(10_000);
      sc.enforceForeignKeys(true);
      sc.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
      SQLiteDataSource ds = new SQLiteDataSource(sc);
      ds.setUrl(db.url());
      hc.setDataSource(ds);
    }
    return new Database(new HikariDataSource(hc), dialect);
  }

  /**
   * Creates the SQLite file's directory and the file itself owner-only when they do not exist
   * (docs/operations.md#file-permissions), and warns when an existing file is readable by others.
   */
  private static void createParentDirectory(String url) {
    String path = url.substring("jdbc:sqlite:".length());
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    if (path.isEmpty() || path.startsWith(":memory:") || path.startsWith("file:")) {
      return;
    }
    Path file = Path.of(path).toAbsolutePath();
    Path parent = file.getParent();
    try {
      PrivateFiles.createDirectories(parent);
      // SQLite gives its -wal and -shm files the database file's permissions
      PrivateFiles.createFile(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create database directory " + parent, e);
    }
    String shared = PrivateFiles.sharedAccess(file);
    if (shared != null) {
      LOG.warn("The database file {} is {}: other users of this machine may read password hashes "
          + "and sealed keys. Run 'chmod 600 {}*' (Jeton does not change the permissions of a "
          + "file it did not create).", file, shared, file);
    }
  }

  /** Applies pending migrations; safe to run on every node at start (Flyway takes a lock). */
  public void migrate() {
    Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .load()
        .migrate();
    migrated = true;
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  public Dialect dialect() {
    return dialect;
  }

  /** True when migrations ran and a connection answers within two seconds. */
  public boolean ready() {
    if (!migrated) {
      return false;
    }
    try (var c = dataSource.getConnection()) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }

  /**
   * True when {@code e} (or a cause) says the database cannot be reached: no connection could be
   * had from the pool or opened. Such a failure is the server's, answered 503 (fail closed).
   */
  public static boolean isUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.jdbi.v3.core.ConnectionException
          || t instanceof java.sql.SQLTransientConnectionException) {
        return true;
      }
    }
    return false;
  }
}
