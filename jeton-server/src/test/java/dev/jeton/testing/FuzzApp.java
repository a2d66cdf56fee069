package dev.jeton.testing;

import dev.jeton.App;
import dev.jeton.config.Config;
import dev.jeton.config.ConfigLoader;
import dev.jeton.config.Setting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;

/**
 * One Jeton for the fuzz tests of a test run: migrated and prepared (main, its signing keys, its
 * bootstrap admin) on a fresh SQLite file, but not serving HTTP. Its clock stands still at
 * {@link #NOW}, so that committed fuzz inputs carrying {@code iat}/{@code exp} stay valid and a
 * fuzz run is deterministic apart from the keys themselves.
 */
public final class FuzzApp {
  /** The fixed time of the fuzz tests: 2027-01-15T08:00:00Z. */
  public static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);
  public static final String BASE_URL = "https://jeton.test";
  /** The issuer of main: {@code https://jeton.test/accounts/main}. */
  public static final String ISSUER = BASE_URL + "/accounts/main";

  private static App app;

  private FuzzApp() {}

  /** The shared app, prepared on first use and closed when the JVM exits. */
  public static synchronized App app() {
    if (app == null) {
      try {
        Path dir = Files.createTempDirectory("jeton-fuzz");
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        values.put(Setting.HTTP_HOST, "127.0.0.1");
        values.put(Setting.HTTP_PORT, "0");
        values.put(Setting.BASE_URL, BASE_URL);
        values.put(Setting.DATA_DIR, dir.toString());
        values.put(Setting.BOOTSTRAP_ADMIN_EMAIL, TestServer.ADMIN_EMAIL);
        values.put(Setting.BOOTSTRAP_ADMIN_PASSWORD, TestServer.ADMIN_PASSWORD);
        // the clock stands still, so buckets never refill: a limit no fuzz run reaches
        values.put(Setting.RATE_LIMIT, "1000000/20s");
        values.put(Setting.CONCURRENCY_LIMIT, "1000");
        values.put(Setting.REGISTRATION_LIMIT, "0");
        Config config = ConfigLoader.of(values).withDb(Databases.create(Engine.SQLITE, dir));
        App a = new App(config, Clock.fixed(NOW, ZoneOffset.UTC), TestServer.FAST_HASH);
        a.prepare();
        Runtime.getRuntime().addShutdownHook(new Thread(a::close));
        app = a;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return app;
  }
}
