package dev.jeton.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.jeton.config.Config;
import dev.jeton.config.StartRefused;
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
 * The database: HikariCP pools, JDBI on top, and Flyway migrations run at start.
 *
 * <p>On SQLite (WAL mode, {@code synchronous=FULL}, a busy timeout) there are two pools: one
 * read-write connection, used only by the {@link WriteQueue}'s writer thread and by migrations,
 * and a pool of connections opened read-only for everything else. SQLite allows one writer at a
 * time, so every write goes through the queue; a write attempted anywhere else fails with
 * {@code SQLITE_READONLY} instead of competing for the lock (docs/architecture.md, "One write
 * path"). PostgreSQL, which runs concurrent writers well, has one pool used for both.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final HikariDataSource readPool;
  private final HikariDataSource writePool;
  private final Jdbi reads;
  private final Jdbi writes;
  private final Dialect dialect;
  private volatile boolean migrated;
  /** The lock a serving process holds on its SQLite database (null: none, or PostgreSQL). */
  private java.nio.channels.FileChannel servingLock;
  private final String url;
  private final Config.Db config;

  /** The two supported engines. */
  public enum Dialect { SQLITE, POSTGRES }

  private Database(HikariDataSource readPool, HikariDataSource writePool, Dialect dialect,
      Config.Db config) {
    this.config = config;
    this.url = config.url();
    this.readPool = readPool;
    this.writePool = writePool;
    this.dialect = dialect;
    this.reads = Jdbi.create(readPool);
    this.writes = writePool == readPool ? reads : Jdbi.create(writePool);
  }

  /** Opens the pools described by the configuration (does not migrate). */
  public static Database open(Config.Db db) {
    if (db.isPostgres()) {
      HikariConfig hc = pool("jeton-db", db.poolSize());
      hc.setJdbcUrl(db.url());
      if (!db.user().isEmpty()) {
        hc.setUsername(db.user());
      }
      if (!db.password().isEmpty()) {
        hc.setPassword(db.password());
      }
      HikariDataSource ds = new HikariDataSource(hc);
      return new Database(ds, ds, Dialect.POSTGRES, db);
    }
    createParentDirectory(db.url());
    // The writer first: opening it creates the file and switches it to WAL, which the read-only
    // connections need.
    HikariDataSource writer = new HikariDataSource(sqlite(db, "jeton-db-write", 1, false));
    try {
      HikariDataSource readers = new HikariDataSource(
          sqlite(db, "jeton-db-read", db.poolSize(), true));
      return new Database(readers, writer, Dialect.SQLITE, db);
    } catch (RuntimeException e) {
      writer.close();
      throw e;
    }
  }

  private static HikariConfig pool(String name, int size) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName(name);
    hc.setMaximumPoolSize(size);
    hc.setConnectionTimeout(5_000);
    hc.setValidationTimeout(2_000);
    return hc;
  }

  private static HikariConfig sqlite(Config.Db db, String name, int size, boolean readOnly) {
    SQLiteConfig sc = new SQLiteConfig();
    sc.setJournalMode(SQLiteConfig.JournalMode.WAL);
    sc.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    sc.setBusyTimeout(10_000);
    sc.enforceForeignKeys(true);
    sc.setReadOnly(readOnly);
    sc.setTransactionMode(readOnly ? SQLiteConfig.TransactionMode.DEFERRED
        : SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource ds = new SQLiteDataSource(sc);
    ds.setUrl(db.url());
    HikariConfig hc = pool(name, size);
    hc.setDataSource(ds);
    hc.setReadOnly(readOnly); // Hikari resets the flag on each connection: keep it the same
    return hc;
  }

  /**
   * Creates the SQLite file's directory and the file itself owner-only when they do not exist
   * (docs/operations.md#file-permissions), and warns when an existing file is readable by others.
   */
  private static void createParentDirectory(String url) {
    Path file = sqliteFile(url);
    if (file == null) {
      return;
    }
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

  /** The file of a SQLite URL; null for an in-memory or URI-style one. */
  private static Path sqliteFile(String url) {
    String path = url.substring("jdbc:sqlite:".length());
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    if (path.isEmpty() || path.startsWith(":memory:") || path.startsWith("file:")) {
      return null;
    }
    return Path.of(path).toAbsolutePath();
  }

  /**
   * Before serving on SQLite: takes the lock file beside the database ({@code jeton.db.lock}), held
   * until {@link #close} or the process ends, so that a second server on the same file refuses to
   * start. SQLite keeps the data safe between processes, but each server caches what it read
   * (sessions, keys, limits) and would not see the other's changes: a SQLite database serves one
   * process (docs/operations.md#one-process-on-sqlite). Commands that only prepare (setup-link,
   * rotate-keys, clients) do not take it. Nothing to do on PostgreSQL.
   *
   * @throws StartRefused when another process (or server in this process) holds the lock
   */
  public synchronized void lockForServing() {
    Path file = dialect == Dialect.SQLITE ? sqliteFile(url) : null;
    if (file == null || servingLock != null) {
      return;
    }
    Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
    java.nio.channels.FileChannel ch = null;
    try {
      ch = java.nio.channels.FileChannel.open(lockFile,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
      if (ch.tryLock() != null) {
        servingLock = ch;
        return;
      }
    } catch (java.nio.channels.OverlappingFileLockException e) {
      // another server of this JVM holds it
    } catch (IOException e) {
      closeQuietly(ch);
      throw new UncheckedIOException("cannot lock " + lockFile, e);
    }
    closeQuietly(ch);
    throw new StartRefused("Another Jeton server is serving the SQLite database " + file
        + " (it holds " + lockFile.getFileName() + "). A SQLite database serves one process: "
        + "stop the other server, or run several nodes on PostgreSQL "
        + "(docs/operations.md#one-process-on-sqlite).");
  }

  private static void closeQuietly(java.nio.channels.FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // closing a channel whose lock was not taken: nothing to give back
      }
    }
  }

  /**
   * Applies pending migrations; safe to run on every node at start (Flyway takes a lock). A
   * database that already holds exactly this build's migrations is recognised from its history
   * table without starting Flyway ({@link SchemaHistory}), which makes a restart faster.
   */
  public void migrate() {
    if (!schemaUpToDate()) {
      String newer = SchemaHistory.newerThanThisBuild(writePool);
      if (newer != null) {
        throw new StartRefused("The database's schema is at version " + newer + ", newer than "
            + "this Jeton knows (" + SchemaHistory.latest() + "): a newer Jeton migrated it. Run "
            + "that version (or newer) on every node; an older one cannot serve a newer schema "
            + "(docs/operations.md#upgrading).");
      }
      Flyway.configure()
          .dataSource(writePool)
          .locations("classpath:" + SchemaHistory.LOCATION)
          .load()
          .migrate();
    }
    migrated = true;
  }

  /** True when the database holds exactly this build's migrations, unedited. */
  boolean schemaUpToDate() {
    return SchemaHistory.upToDate(writePool);
  }

  /**
   * Reads. On SQLite its connections are read-only: writes go through {@link WriteQueue#submit}.
   */
  public Jdbi jdbi() {
    return reads;
  }

  /** The connection the write queue commits on (the same pool as reads on PostgreSQL). */
  Jdbi writer() {
    return writes;
  }

  /**
   * Retires the writer's pooled connections once they are returned, so the next write opens a
   * fresh one: after a storage failure (a file that became read-only, a full disk, a dropped
   * PostgreSQL connection) the server recovers by itself once the cause is gone.
   */
  void renewWriter() {
    var mx = writePool.getHikariPoolMXBean();
    if (mx != null) {
      mx.softEvictConnections();
    }
  }

  /** How this database was opened (the cache feed opens its own connection with it). */
  Config.Db config() {
    return config;
  }

  public Dialect dialect() {
    return dialect;
  }

  /** True when migrations ran and a connection answers within two seconds. */
  public boolean ready() {
    if (!migrated) {
      return false;
    }
    return valid(readPool);
  }

  private static boolean valid(HikariDataSource pool) {
    try (var c = pool.getConnection()) {
      return c.isValid(2);
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    readPool.close();
    if (writePool != readPool) {
      writePool.close();
    }
    synchronized (this) {
      closeQuietly(servingLock); // gives the lock back
      servingLock = null;
    }
  }

  /**
   * True when {@code e} (or a cause) is the storage failing rather than the request: no connection
   * could be had or opened, the write queue gave up waiting, PostgreSQL is shutting down, out of
   * disk or read-only, or SQLite found its file busy, read-only, unopenable, full or failing to do
   * I/O. Such a failure is the server's, answered 503 with Retry-After (fail closed), never a 500.
   */
  public static boolean isUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.jdbi.v3.core.ConnectionException
          || t instanceof java.sql.SQLTransientConnectionException
          || t instanceof WriteQueue.Unavailable) {
        return true;
      }
      if (t instanceof org.sqlite.SQLiteException s && sqliteUnavailable(s)) {
        return true;
      }
      if (t instanceof SQLException s && !(t instanceof org.sqlite.SQLiteException)
          && postgresUnavailable(s.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when the failure may be tied to the connection itself (SQLite opened the file read-only,
   * lost it, or failed I/O on it), so a fresh connection may succeed once the cause is fixed. A
   * full disk or a busy lock is not: the same connection works again when space or the lock
   * frees. PostgreSQL connections are checked and replaced by the pool itself.
   */
  static boolean needsFreshConnection(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.sqlite.SQLiteException s) {
        int primary = s.getResultCode().code & 0xff;
        // READONLY, IOERR, CANTOPEN, PROTOCOL, NOLFS
        return primary == 8 || primary == 10 || primary == 14 || primary == 15 || primary == 22;
      }
    }
    return false;
  }

  private static boolean sqliteUnavailable(org.sqlite.SQLiteException e) {
    int primary = e.getResultCode().code & 0xff;
    return switch (primary) {
      // BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL, NOLFS
      case 5, 6, 8, 10, 13, 14, 15, 22 -> true;
      default -> false;
    };
  }

  private static boolean postgresUnavailable(String state) {
    if (state == null) {
      return false;
    }
    return state.startsWith("08") // connection exception
        || state.startsWith("53") // insufficient resources: disk full, out of memory, connections
        || state.startsWith("57P") // admin shutdown, crash shutdown, cannot connect now
        || state.equals("25006"); // read-only transaction: a standby after failover
  }
}
