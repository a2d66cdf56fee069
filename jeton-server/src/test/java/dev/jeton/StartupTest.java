package dev.jeton;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.config.Config;
import dev.jeton.config.ConfigLoader;
import dev.jeton.config.Setting;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.MutableClock;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Start and restart on both engines: what survives a restart on the same data directory and
 * database, a wrong master key stopping the start, and readiness.
 */
@OnBothEngines
class StartupTest {
  private static final String PASSWORD = "granite harbour at midnight";

  final Engine engine;

  TestServer server;

  StartupTest(Engine engine) {
    this.engine = engine;
  }

  @BeforeEach
  void none() {
    server = null;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String randomKey() {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    return Base64.getEncoder().encodeToString(raw);
  }

  private static Set<JsonNode> jwks(Api api, String account) {
    Api.Response r = api.get("/accounts/" + account + "/.well-known/jwks.json", null);
    assertThat(r.status()).isEqualTo(200);
    Set<JsonNode> keys = new HashSet<>();
    r.json().path("keys").forEach(keys::add);
    assertThat(keys).isNotEmpty();
    return keys;
  }

  /**
   * The overrides that restart a server on the address it had: the issuer is part of every token,
   * so a restarted node must keep its base URL (TestServer picks a new port by default).
   */
  private static Map<Setting, String> sameAddress(TestServer s, Map<Setting, String> extra) {
    Map<Setting, String> m = new EnumMap<>(Setting.class);
    m.put(Setting.HTTP_PORT, Integer.toString(s.app().port()));
    m.put(Setting.BASE_URL, s.api().base());
    m.putAll(extra);
    return m;
  }

  private static Map<Setting, String> sameAddress(Map<Setting, String> base,
      Map<Setting, String> extra) {
    Map<Setting, String> m = new EnumMap<>(Setting.class);
    m.put(Setting.HTTP_PORT, base.get(Setting.HTTP_PORT));
    m.put(Setting.BASE_URL, base.get(Setting.BASE_URL));
    m.putAll(extra);
    return m;
  }

  /** An App on an existing directory and database, built like TestServer does, not started. */
  private static App app(Path dir, Config.Db db, Map<Setting, String> overrides) {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    values.put(Setting.HTTP_PORT, Integer.toString(port));
    values.put(Setting.BASE_URL, "http://127.0.0.1:" + port);
    values.put(Setting.DATA_DIR, dir.toString());
    values.put(Setting.BOOTSTRAP_ADMIN_EMAIL, TestServer.ADMIN_EMAIL);
    values.put(Setting.BOOTSTRAP_ADMIN_PASSWORD, TestServer.ADMIN_PASSWORD);
    values.put(Setting.SHUTDOWN_TIMEOUT, "0");
    values.putAll(overrides);
    Config base = ConfigLoader.of(values);
    Config config = base.withDb(db);
    return new App(config, new MutableClock(), TestServer.FAST_HASH);
  }

  @Test
  void restartWhenSameDirAndDatabaseThenUsersKeysAndTokensSurvive() {
    server = TestServer.start(engine);
    Api.Response reg = server.register("main", "rita@example.com", PASSWORD);
    assertThat(reg.status()).isEqualTo(201);
    String accessToken = reg.text("access_token");
    String refreshToken = reg.text("refresh_token");
    String admin = server.adminToken();
    Api.Response child = server.api().postJson(v1("main") + "/accounts", "{\"id\":\"kept\"}",
        admin);
    assertThat(child.status()).isEqualTo(201);
    Set<JsonNode> mainKeys = jwks(server.api(), "main");
    Set<JsonNode> childKeys = jwks(server.api(), "kept");
    Path dir = server.dir();
    Config.Db db = server.db();
    Map<Setting, String> restart = sameAddress(server, Map.of());
    server.close();
    server = null;

    server = TestServer.start(engine, restart, dir, db);
    Api api = server.api();
    assertThat(server.app().firstAdminLink()).isNull();
    // The token was signed before the restart, with a key that was reloaded from the database.
    Api.Response me = api.get(v1("main") + "/me", accessToken);
    assertThat(me.status()).as("%s", me).isEqualTo(200);
    assertThat(me.text("email")).isEqualTo("rita@example.com");
    assertThat(jwks(api, "main")).isEqualTo(mainKeys);
    assertThat(jwks(api, "kept")).isEqualTo(childKeys);
    assertThat(server.login("main", "rita@example.com", PASSWORD).status()).isEqualTo(200);
    assertThat(server.refresh("main", refreshToken).status()).isEqualTo(200);
    assertThat(server.register("main", "rita@example.com", PASSWORD).code())
        .isEqualTo("user_already_exists");
    assertThat(api.get(v1("main") + "/accounts/kept", server.adminToken()).status())
        .isEqualTo(200);
    // Exactly one bootstrap admin, even though the bootstrap settings were seen twice.
    assertThat(server.app().users().store().countAdmins("main")).isEqualTo(1);
  }

  @Test
  void restartWhenConfiguredMasterKeyUnchangedThenTokensStillVerify() {
    String key = randomKey();
    server = TestServer.start(engine, Map.of(Setting.MASTER_KEY, key));
    String token = server.adminToken();
    Path dir = server.dir();
    Config.Db db = server.db();
    Map<Setting, String> restart = sameAddress(server, Map.of(Setting.MASTER_KEY, key));
    server.close();
    server = null;

    server = TestServer.start(engine, restart, dir, db);
    assertThat(server.api().get(v1("main") + "/me", token).status()).isEqualTo(200);
    assertThat(server.adminToken()).isNotBlank();
  }

  @Test
  void restartWhenMasterKeyWrongThenStartFailsLoudlyAndIssuesNothing() {
    String right = randomKey();
    server = TestServer.start(engine, Map.of(Setting.MASTER_KEY, right));
    String token = server.adminToken();
    Path dir = server.dir();
    Config.Db db = server.db();
    Map<Setting, String> restart = sameAddress(server, Map.of(Setting.MASTER_KEY, right));
    server.close();
    server = null;

    App wrong = app(dir, db, sameAddress(restart, Map.of(Setting.MASTER_KEY, randomKey())));
    try {
      assertThatThrownBy(wrong::start)
          .hasMessageContaining("signing key")
          .hasMessageContaining("master key");
      // It failed before serving: nothing listens on the address.
      assertThatThrownBy(() -> new java.net.Socket("127.0.0.1",
          Integer.parseInt(restart.get(Setting.HTTP_PORT))).close())
          .isInstanceOf(java.net.ConnectException.class);
    } finally {
      wrong.close();
    }

    // Nothing was damaged: the right key starts the server and the old token still works.
    server = TestServer.start(engine, restart, dir, db);
    assertThat(server.api().get(v1("main") + "/me", token).status()).isEqualTo(200);
  }

  @Test
  void restartWhenDevelopmentKeyFileReplacedByOtherMasterKeyThenStartFails() {
    server = TestServer.start(engine);
    assertThat(server.dir().resolve("master.key")).exists();
    Path dir = server.dir();
    Config.Db db = server.db();
    server.close();
    server = null;

    App wrong = app(dir, db, Map.of(Setting.MASTER_KEY, randomKey()));
    try {
      assertThatThrownBy(wrong::start).hasMessageContaining("master key");
    } finally {
      wrong.close();
    }
  }

  @Test
  void healthWhenStartedThenLiveAndReady() {
    server = TestServer.start(engine);
    Api.Response ready = server.api().get("/health/ready", null);
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.text("status")).isEqualTo("ready");
    assertThat(ready.text("database")).isEqualTo("up");
    Api.Response live = server.api().get("/health/live", null);
    assertThat(live.status()).isEqualTo(200);
    assertThat(live.text("status")).isEqualTo("up");
  }

  @Test
  void startWhenFreshThenMainExistsWithItsOwnIssuer() {
    server = TestServer.start(engine);
    Api.Response root = server.api().get("/", null);
    assertThat(root.status()).isEqualTo(200);
    assertThat(root.text("issuer")).isEqualTo(server.api().base() + "/accounts/main");
    Api.Response discovery = server.api().get("/accounts/main/.well-known/openid-configuration",
        null);
    assertThat(discovery.text("issuer")).isEqualTo(server.api().base() + "/accounts/main");
    assertThat(server.app().accounts().find("main")).isPresent();
  }
}
