package dev.jeton.testing;

import dev.jeton.App;
import dev.jeton.config.Config;
import dev.jeton.config.ConfigLoader;
import dev.jeton.config.Setting;
import dev.jeton.user.PasswordHasher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real Jeton server for a test: real HTTP on 127.0.0.1, a fresh database of the chosen engine,
 * a clock the test can move, and cheap Argon2 parameters (the OWASP ones are tested on their own).
 */
public final class TestServer implements AutoCloseable {
  /** Argon2id parameters for tests: same algorithm, far less memory and time. */
  public static final PasswordHasher.Params FAST_HASH = new PasswordHasher.Params(1024, 1, 1);
  public static final String ADMIN_EMAIL = "admin@example.com";
  public static final String ADMIN_PASSWORD = "bootstrap secret for tests";

  private final App app;
  private final MutableClock clock;
  private final Api api;
  private final Path dir;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * The directories and databases of closed servers, removed when the next server starts: not at
   * once, because a restart test starts a new server on the closed one's directory and database
   * (which it then takes back from here). Without this, the embedded PostgreSQL's data directory
   * grows by every test's database (gigabytes per run) and the temporary directories pile up.
   */
  private static final java.util.Queue<Map.Entry<Path, Config.Db>> CLOSED =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  private TestServer(App app, MutableClock clock, Path dir) {
    this.app = app;
    this.clock = clock;
    this.dir = dir;
    this.api = new Api(app.config().http().baseUrl());
  }

  /** Starts a server with a bootstrap admin of main and the given setting overrides. */
  public static TestServer start(Engine engine, Map<Setting, String> overrides) {
    try {
      Path dir = Files.createTempDirectory("jeton-test");
      return start(engine, overrides, dir, Databases.create(engine, dir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static TestServer start(Engine engine) {
    return start(engine, Map.of());
  }

  /** Starts a server on an existing directory and database (restart tests). */
  public static TestServer start(Engine engine, Map<Setting, String> overrides, Path dir,
      Config.Db db) {
    CLOSED.removeIf(e -> e.getKey().equals(dir) || e.getValue().url().equals(db.url()));
    removeClosed();
    // A free port can be taken by another process between the probe and the bind: try again.
    for (int attempt = 1; ; attempt++) {
      try {
        return startOn(freePort(), overrides, dir, db);
      } catch (io.javalin.util.JavalinBindException e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }

  private static TestServer startOn(int port, Map<Setting, String> overrides, Path dir,
      Config.Db db) {
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    values.put(Setting.HTTP_HOST, "127.0.0.1");
    values.put(Setting.HTTP_PORT, Integer.toString(port));
    values.put(Setting.BASE_URL, "http://127.0.0.1:" + port);
    values.put(Setting.DATA_DIR, dir.toString());
    values.put(Setting.BOOTSTRAP_ADMIN_EMAIL, ADMIN_EMAIL);
    values.put(Setting.BOOTSTRAP_ADMIN_PASSWORD, ADMIN_PASSWORD);
    values.put(Setting.SHUTDOWN_TIMEOUT, "0");
    // tests move the clock: a scheduled purge would delete rows mid-test; they run it by hand
    values.put(Setting.PURGE_INTERVAL, "0");
    // tests call in quick succession and in parallel with one token: limits on, but high;
    // LimitsTest runs with the shipped defaults
    values.put(Setting.RATE_LIMIT, "100000/20s");
    values.put(Setting.CONCURRENCY_LIMIT, "1000");
    values.put(Setting.REGISTRATION_LIMIT, "100000/1h");
    values.putAll(overrides);
    Config base = ConfigLoader.of(values);
    Config config = base.withDb(db);
    MutableClock clock = new MutableClock();
    App app = new App(config, clock, FAST_HASH);
    try {
      app.start();
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
    return new TestServer(app, clock, dir);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public App app() {
    return app;
  }

  public MutableClock clock() {
    return clock;
  }

  public Api api() {
    return api;
  }

  public Path dir() {
    return dir;
  }

  public Config.Db db() {
    return app.config().db();
  }

  /** {@code /accounts/{account}/api/v1} */
  public static String v1(String account) {
    return "/accounts/" + account + "/api/v1";
  }

  /** Registers a user in an account; answers the token response. */
  public Api.Response register(String account, String email, String password) {
    return api.postJson(v1(account) + "/auth/register",
        "{\"email\":" + Api.q(email) + ",\"password\":" + Api.q(password) + "}");
  }

  /**
   * Lets anyone register in a sub-account of main (they start closed), as its admin would with
   * {@code PATCH /accounts/{id}} and {@code {"registration": "open"}}.
   */
  public void openRegistration(String account) {
    app.accounts().update(dev.jeton.account.Account.MAIN, account, null, null, null,
        dev.jeton.account.Account.REGISTRATION_OPEN);
  }

  /** Signs in; answers the token response. */
  public Api.Response login(String account, String email, String password) {
    return api.postJson(v1(account) + "/auth/login",
        "{\"email\":" + Api.q(email) + ",\"password\":" + Api.q(password) + "}");
  }

  /** Presents a refresh token. */
  public Api.Response refresh(String account, String refreshToken) {
    return api.postJson(v1(account) + "/auth/refresh",
        "{\"refresh_token\":" + Api.q(refreshToken) + "}");
  }

  /** The access token of main's bootstrap admin. */
  public String adminToken() {
    Api.Response r = login("main", ADMIN_EMAIL, ADMIN_PASSWORD);
    if (r.status() != 200) {
      throw new AssertionError("admin login failed: " + r);
    }
    return r.text("access_token");
  }

  /** Removes what the servers closed so far left behind (best effort). */
  private static void removeClosed() {
    Map.Entry<Path, Config.Db> e;
    while ((e = CLOSED.poll()) != null) {
      Databases.drop(e.getValue());
      // only the directories start() made; a test's own (@TempDir) are JUnit's to remove
      if (e.getKey().getFileName().toString().startsWith("jeton-test")) {
        deleteTree(e.getKey());
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: what is left is a temporary directory
    }
  }

  /** Stops the server; closing it again does nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      Set<String> undeclared = app.metrics().undeclaredErrors();
      app.close();
      CLOSED.add(Map.entry(dir, app.config().db()));
      // Every error a route answered during the test must be one it declares (ErrorWriter).
      if (!undeclared.isEmpty()) {
        throw new AssertionError("routes answered error codes they do not declare: "
            + undeclared);
      }
    }
  }
}
