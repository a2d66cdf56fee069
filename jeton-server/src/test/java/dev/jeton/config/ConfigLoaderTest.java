package dev.jeton.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Defaults, precedence (environment over file over defaults) and validation of settings. */
class ConfigLoaderTest {
  private static final String SECRET_PASSWORD = "Hunter2-very-private-pw";

  @TempDir
  Path tmp;

  private Path file(String content) throws IOException {
    Path f = tmp.resolve("jeton.properties");
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  private static ConfigException fails(Path file, Map<String, String> env) {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.load(file, env));
    assertThat(e).as("expected a ConfigException for %s", env).isNotNull();
    assertThat(e.getMessage()).as("one line").doesNotContain("\n").doesNotContain("\r");
    return e;
  }

  private static ConfigException fails(String envName, String value) {
    ConfigException e = fails(null, Map.of(envName, value));
    assertThat(e.getMessage()).as("message for %s=%s", envName, value).contains(envName);
    return e;
  }

  private static String key(int bytes) {
    byte[] raw = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      raw[i] = (byte) (i * 37 + 11);
    }
    return Base64.getEncoder().encodeToString(raw);
  }

  // ---- defaults ------------------------------------------------------------------------------

  @Test
  void loadWhenNothingSetThenDefaults() {
    Config c = ConfigLoader.load(null, Map.of());
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.http().host()).isEqualTo("127.0.0.1");
    assertThat(c.http().baseUrl()).isEqualTo("http://localhost:8080");
    assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
    assertThat(c.db().url()).isEqualTo("jdbc:sqlite:./data/jeton.db");
    assertThat(c.db().isPostgres()).isFalse();
    assertThat(c.db().poolSize()).isEqualTo(10);
    assertThat(c.masterKey()).isEmpty();
    assertThat(c.bootstrap().enabled()).isFalse();
    assertThat(c.tokens().signingAlg()).isEqualTo("ES256");
    assertThat(c.tokens().clockSkew()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.tokens().keyRotationInterval()).isEqualTo(Duration.ofDays(30));
    Config.Lifetimes l = c.tokens().lifetimes();
    assertThat(l.accessToken()).isEqualTo(Duration.ofHours(1));
    assertThat(l.refreshToken()).isEqualTo(Duration.ofDays(365));
    assertThat(l.refreshTokenIdle()).isEqualTo(Duration.ofDays(30));
    assertThat(l.adminSession()).isEqualTo(Duration.ofHours(4));
    assertThat(l.refreshGrace()).as("off by default (RFC 9700 4.14.2)").isZero();
    assertThat(c.logging().format()).isEqualTo("json");
    assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.retention().purgeInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(c.retention().window()).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void ofWhenNoOverridesThenSameAsLoadWithNothingSet() {
    assertThat(ConfigLoader.of(Map.of())).isEqualTo(ConfigLoader.load(null, Map.of()));
  }

  @Test
  void settingWhenNamedThenFileKeyAndEnvNameFollowTheEnum() {
    assertThat(Setting.HTTP_PORT.fileKey()).isEqualTo("http.port");
    assertThat(Setting.HTTP_PORT.envName()).isEqualTo("JETON_HTTP_PORT");
    assertThat(Setting.BASE_URL.fileKey()).isEqualTo("base.url");
    assertThat(Setting.ACCESS_TOKEN_TTL.fileKey()).isEqualTo("access.token.ttl");
  }

  // ---- precedence ----------------------------------------------------------------------------

  @Test
  void loadWhenFileSetsValuesThenTheyOverrideDefaults() throws IOException {
    Path f = file("""
        # a comment
        http.port = 9000
        http.host=0.0.0.0
        data.dir=/var/lib/jeton
        signing.alg=rs256
        access.token.ttl=15m
        """);
    Config c = ConfigLoader.load(f, Map.of());
    assertThat(c.http().port()).isEqualTo(9000);
    assertThat(c.http().host()).isEqualTo("0.0.0.0");
    assertThat(c.http().baseUrl()).isEqualTo("http://localhost:9000");
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/jeton"));
    assertThat(c.db().url()).isEqualTo("jdbc:sqlite:/var/lib/jeton/jeton.db");
    assertThat(c.tokens().signingAlg()).isEqualTo("RS256");
    assertThat(c.tokens().lifetimes().accessToken()).isEqualTo(Duration.ofMinutes(15));
    // untouched settings keep their defaults
    assertThat(c.tokens().clockSkew()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void loadWhenEnvAndFileBothSetThenEnvWins() throws IOException {
    Path f = file("http.port=9000\nsigning.alg=RS256\nclock.skew=30s\n");
    Config c = ConfigLoader.load(f, Map.of("JETON_HTTP_PORT", " 9100 ",
        "JETON_SIGNING_ALG", "ES384"));
    assertThat(c.http().port()).isEqualTo(9100);
    assertThat(c.tokens().signingAlg()).isEqualTo("ES384");
    assertThat(c.tokens().clockSkew()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void loadWhenEnvSetWithoutFileThenEnvOverridesDefaults() {
    Config c = ConfigLoader.load(null, Map.of(
        "JETON_BASE_URL", "https://id.example.com/",
        "JETON_DB_URL", "jdbc:postgresql://db:5432/jeton",
        "JETON_DB_USER", "jeton",
        "JETON_DB_PASSWORD", SECRET_PASSWORD,
        "JETON_REFRESH_GRACE", "0",
        "JETON_BOOTSTRAP_ADMIN_EMAIL", "ops@example.com",
        "JETON_BOOTSTRAP_ADMIN_PASSWORD", SECRET_PASSWORD,
        "UNRELATED", "ignored"));
    assertThat(c.http().baseUrl()).isEqualTo("https://id.example.com");
    assertThat(c.db().isPostgres()).isTrue();
    assertThat(c.db().user()).isEqualTo("jeton");
    assertThat(c.db().password()).isEqualTo(SECRET_PASSWORD);
    assertThat(c.tokens().lifetimes().refreshGrace()).isZero();
    assertThat(c.bootstrap().enabled()).isTrue();
    assertThat(c.bootstrap().adminEmail()).isEqualTo("ops@example.com");
  }

  @Test
  void loadWhenBaseUrlHasPortPlaceholderThenFilledFromPort() {
    Config c = ConfigLoader.load(null, Map.of("JETON_HTTP_PORT", "8443",
        "JETON_BASE_URL", "https://127.0.0.1:{port}"));
    assertThat(c.http().baseUrl()).isEqualTo("https://127.0.0.1:8443");
  }

  @Test
  void loadWhenMasterKeyValidThenKept() {
    String k = key(32);
    assertThat(ConfigLoader.load(null, Map.of("JETON_MASTER_KEY", k)).masterKey()).isEqualTo(k);
  }

  // ---- bad values ----------------------------------------------------------------------------

  @Test
  void loadWhenPortNotNumberThenNamesEnvVar() {
    assertThat(fails("JETON_HTTP_PORT", "abc").getMessage()).contains("abc");
  }

  @Test
  void loadWhenPortOutOfRangeThenNamesEnvVar() {
    assertThat(fails("JETON_HTTP_PORT", "70000").getMessage()).contains("70000");
    fails("JETON_HTTP_PORT", "-1");
  }

  @Test
  void loadWhenDbUrlNotJdbcSqliteOrPostgresThenNamesEnvVar() {
    fails("JETON_DB_URL", "mysql://x");
    fails("JETON_DB_URL", "jdbc:mysql://x/db");
  }

  @Test
  void loadWhenDbUrlBadAndCarriesCredentialsThenCredentialsNotInMessage() {
    ConfigException e = fails("JETON_DB_URL",
        "mysql://jeton:" + SECRET_PASSWORD + "@db/jeton?password=" + SECRET_PASSWORD);
    assertThat(e.getMessage()).doesNotContain(SECRET_PASSWORD);
  }

  @Test
  void loadWhenSigningAlgSymmetricThenNamesEnvVar() {
    fails("JETON_SIGNING_ALG", "HS256");
    fails("JETON_SIGNING_ALG", "none");
  }

  @Test
  void loadWhenClockSkewAboveOneMinuteOrMalformedThenNamesEnvVar() {
    fails("JETON_CLOCK_SKEW", "5m");
    fails("JETON_CLOCK_SKEW", "61s");
    fails("JETON_CLOCK_SKEW", "soon");
    assertThat(ConfigLoader.load(null, Map.of("JETON_CLOCK_SKEW", "0")).tokens().clockSkew())
        .isZero();
  }

  @Test
  void loadWhenAccessLogSettingsThenParsedAndBadOnesNameTheEnvVar() {
    Config.Logging defaults = ConfigLoader.load(null, Map.of()).logging();
    assertThat(defaults.access()).isTrue();
    assertThat(defaults.accessSample()).isEqualTo(1.0);
    Config.Logging set = ConfigLoader.load(null, Map.of("JETON_ACCESS_LOG", "OFF",
        "JETON_ACCESS_LOG_SAMPLE", "0.25")).logging();
    assertThat(set.access()).isFalse();
    assertThat(set.accessSample()).isEqualTo(0.25);
    assertThat(ConfigLoader.load(null, Map.of("JETON_ACCESS_LOG_SAMPLE", "0")).logging()
        .accessSample()).isZero();
    assertThat(ConfigLoader.load(null, Map.of("JETON_ACCESS_LOG_SAMPLE", ".5")).logging()
        .accessSample()).isEqualTo(0.5);
    fails("JETON_ACCESS_LOG", "yes");
    fails("JETON_ACCESS_LOG", "");
    for (String bad : List.of("1.5", "50%", "-0.1", "1e-3", "NaN", "Infinity", "0x1", "2", "")) {
      fails("JETON_ACCESS_LOG_SAMPLE", bad);
    }
  }

  @Test
  void loadWhenHttpIdleTimeoutOutsideOneSecondToTenMinutesThenNamesEnvVar() {
    assertThat(ConfigLoader.load(null, Map.of()).http().idleTimeout())
        .isEqualTo(Duration.ofSeconds(30));
    fails("JETON_HTTP_IDLE_TIMEOUT", "0");
    fails("JETON_HTTP_IDLE_TIMEOUT", "11m");
    fails("JETON_HTTP_IDLE_TIMEOUT", "soon");
    assertThat(ConfigLoader.load(null, Map.of("JETON_HTTP_IDLE_TIMEOUT", "5s")).http()
        .idleTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void loadWhenQrLoginLifetimeOrLimitOutOfBoundsThenNamesEnvVar() {
    Config.Qr qr = ConfigLoader.load(null, Map.of()).qr();
    assertThat(qr.ttl()).isEqualTo(Duration.ofSeconds(120));
    assertThat(qr.starts()).isEqualTo(60);
    assertThat(qr.startsPeriod()).isEqualTo(Duration.ofMinutes(10));
    fails("JETON_QR_LOGIN_TTL", "29s");
    fails("JETON_QR_LOGIN_TTL", "11m");
    fails("JETON_QR_LOGIN_LIMIT", "60");
    fails("JETON_QR_LOGIN_LIMIT", "60/2d");
    assertThat(ConfigLoader.load(null, Map.of("JETON_QR_LOGIN_LIMIT", "0")).qr().starts())
        .isZero();
  }

  @Test
  void loadWhenPushSettingsWrongThenNamesEnvVarAndDefaultsAreSafe() {
    Config c = ConfigLoader.load(null, Map.of());
    assertThat(c.push().enabled()).as("push is off until a key file is given").isFalse();
    assertThat(c.push().fcmUrl()).isEqualTo("https://fcm.googleapis.com");
    assertThat(c.push().devicesPerUser()).isEqualTo(10);
    assertThat(c.push().showMatchingCode()).as("the code is typed, not shown").isFalse();
    assertThat(c.qr().demo()).isTrue();
    fails("JETON_PUSH_FCM_URL", "fcm.googleapis.com");
    fails("JETON_PUSH_FCM_URL", "ftp://fcm.example");
    fails("JETON_PUSH_DEVICES_PER_USER", "0");
    fails("JETON_PUSH_DEVICES_PER_USER", "101");
    fails("JETON_PUSH_MATCHING", "tap");
    fails("JETON_QR_DEMO", "maybe");
    fails("JETON_QR_LOCATION_HEADER", "X Geo");
    assertThat(c.shutdownDrain()).isZero();
    fails("JETON_SHUTDOWN_DRAIN", "61s");
    assertThat(ConfigLoader.load(null, Map.of("JETON_SHUTDOWN_DRAIN", "10s")).shutdownDrain())
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(c.qr().locationHeader()).isNull();
    assertThat(ConfigLoader.load(null, Map.of("JETON_QR_LOCATION_HEADER", "CF-IPCountry")).qr()
        .locationHeader()).isEqualTo("CF-IPCountry");
    Config show = ConfigLoader.load(null, Map.of("JETON_PUSH_MATCHING", "SHOW",
        "JETON_PUSH_FCM_CREDENTIALS", "/etc/jeton/fcm.json", "JETON_QR_DEMO", "off"));
    assertThat(show.push().showMatchingCode()).isTrue();
    assertThat(show.push().fcmCredentials()).isEqualTo(Path.of("/etc/jeton/fcm.json"));
    assertThat(show.qr().demo()).isFalse();
  }

  @Test
  void loadWhenPurgeIntervalUnderAMinuteOrOverADayThenNamesEnvVar() {
    fails("JETON_PURGE_INTERVAL", "30s");
    fails("JETON_PURGE_INTERVAL", "25h");
    fails("JETON_PURGE_INTERVAL", "often");
    assertThat(ConfigLoader.load(null, Map.of("JETON_PURGE_INTERVAL", "0")).retention()
        .purgeInterval()).isZero();
    assertThat(ConfigLoader.load(null, Map.of("JETON_PURGE_INTERVAL", "15m")).retention()
        .purgeInterval()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void loadWhenPurgeRetentionUnderADayThenNamesEnvVar() {
    // shorter than the longest access token lifetime: a token could outlive its session's row
    fails("JETON_PURGE_RETENTION", "23h");
    fails("JETON_PURGE_RETENTION", "0");
    fails("JETON_PURGE_RETENTION", "3651d");
    assertThat(ConfigLoader.load(null, Map.of("JETON_PURGE_RETENTION", "1d")).retention()
        .window()).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void loadWhenMasterKeyNotBase64ThenNamesEnvVarWithoutTheValue() {
    String notBase64 = "not*base64*" + SECRET_PASSWORD;
    ConfigException e = fails("JETON_MASTER_KEY", notBase64);
    assertThat(e.getMessage()).doesNotContain(notBase64).doesNotContain(SECRET_PASSWORD);
  }

  @Test
  void loadWhenMetricsTokenShortOrWithSpacesThenNamesEnvVarWithoutTheValue() {
    String shortToken = "too-short-to-guard-metrics";
    ConfigException e = fails("JETON_METRICS_TOKEN", shortToken);
    assertThat(e.getMessage()).contains("JETON_METRICS_TOKEN").doesNotContain(shortToken);
    String spaced = "a token with spaces that is long enough to pass";
    assertThat(fails("JETON_METRICS_TOKEN", spaced).getMessage()).doesNotContain(spaced);
    String good = "k".repeat(32);
    assertThat(ConfigLoader.load(null, Map.of("JETON_METRICS_TOKEN", good)).metricsToken())
        .isEqualTo(good);
    assertThat(ConfigLoader.load(null, Map.of()).metricsToken()).isEmpty();
  }

  @Test
  void loadWhenMasterKeyWrongLengthThenNamesEnvVarWithoutTheValue() {
    String shortKey = key(16);
    ConfigException e = fails("JETON_MASTER_KEY", shortKey);
    assertThat(e.getMessage()).doesNotContain(shortKey).contains("32");
    String longKey = key(33);
    assertThat(fails("JETON_MASTER_KEY", longKey).getMessage()).doesNotContain(longKey);
  }

  @Test
  void loadWhenOnlyOneOfBootstrapPairThenNamesBothWithoutThePassword() {
    ConfigException emailOnly = fails(null, Map.of("JETON_BOOTSTRAP_ADMIN_EMAIL",
        "ops@example.com"));
    assertThat(emailOnly.getMessage()).contains("JETON_BOOTSTRAP_ADMIN_EMAIL")
        .contains("JETON_BOOTSTRAP_ADMIN_PASSWORD");
    ConfigException passwordOnly = fails(null, Map.of("JETON_BOOTSTRAP_ADMIN_PASSWORD",
        SECRET_PASSWORD));
    assertThat(passwordOnly.getMessage()).contains("JETON_BOOTSTRAP_ADMIN_PASSWORD")
        .doesNotContain(SECRET_PASSWORD);
  }

  @Test
  void loadWhenBaseUrlNotHttpThenNamesEnvVar() {
    fails("JETON_BASE_URL", "ftp://x");
    fails("JETON_BASE_URL", "localhost:8080");
    fails("JETON_BASE_URL", "https://id.example.com/?a=b");
    fails("JETON_BASE_URL", "https://id.example.com/#top");
  }

  @Test
  void loadWhenFileHasUnknownKeyThenNamesKeyAndFile() throws IOException {
    Path f = file("http.port=9000\nhttp.prot=9001\n");
    ConfigException e = fails(f, Map.of());
    assertThat(e.getMessage()).contains("http.prot").contains(f.toString());
  }

  @Test
  void loadWhenFileHasBadValueThenNamesSettingAndWithholdsSecrets() throws IOException {
    Path port = file("http.port=eighty\n");
    assertThat(fails(port, Map.of()).getMessage()).contains("JETON_HTTP_PORT");
    Path master = file("master.key=" + key(8) + "\n");
    ConfigException e = fails(master, Map.of());
    assertThat(e.getMessage()).contains("JETON_MASTER_KEY").doesNotContain(key(8));
  }

  @Test
  void loadWhenFileMissingThenConfigException() {
    Path missing = tmp.resolve("nope.properties");
    assertThat(fails(missing, Map.of()).getMessage()).contains(missing.toString());
  }

  @Test
  void loadWhenOtherValuesBadThenEachNamesItsEnvVar() {
    Map<String, String> bad = new HashMap<>();
    bad.put("JETON_HTTP_HOST", "");
    bad.put("JETON_DB_POOL_SIZE", "0");
    bad.put("JETON_ACCESS_TOKEN_TTL", "0");
    bad.put("JETON_REFRESH_TOKEN_TTL", "-5m");
    bad.put("JETON_REFRESH_TOKEN_IDLE_TTL", "10x");
    bad.put("JETON_ADMIN_SESSION_TTL", "h");
    bad.put("JETON_REFRESH_GRACE", "61s");
    bad.put("JETON_KEY_ROTATION_INTERVAL", "monthly");
    bad.put("JETON_LOG_FORMAT", "xml");
    bad.put("JETON_SHUTDOWN_TIMEOUT", "PT");
    bad.forEach((name, value) -> fails(name, value));
    fails("JETON_ACCESS_TOKEN_TTL", "25h");
  }

  @Test
  void loadWhenSecretsValidAndAnotherSettingBadThenNoSecretInMessage() {
    ConfigException e = fails(null, Map.of(
        "JETON_DB_PASSWORD", SECRET_PASSWORD,
        "JETON_BOOTSTRAP_ADMIN_EMAIL", "ops@example.com",
        "JETON_BOOTSTRAP_ADMIN_PASSWORD", SECRET_PASSWORD,
        "JETON_MASTER_KEY", key(32),
        "JETON_SIGNING_ALG", "HS256"));
    assertThat(e.getMessage()).contains("JETON_SIGNING_ALG").doesNotContain(SECRET_PASSWORD)
        .doesNotContain(key(32));
  }

  // ---- durations -----------------------------------------------------------------------------

  @Test
  void parseDurationWhenUnitSuffixOrIsoThenParsed() {
    assertThat(ConfigLoader.parseDuration("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(ConfigLoader.parseDuration("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(ConfigLoader.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(ConfigLoader.parseDuration("30d")).isEqualTo(Duration.ofDays(30));
    assertThat(ConfigLoader.parseDuration("PT1H")).isEqualTo(Duration.ofHours(1));
    assertThat(ConfigLoader.parseDuration("pt90m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(ConfigLoader.parseDuration(" 2H ")).isEqualTo(Duration.ofHours(2));
    assertThat(ConfigLoader.parseDuration("0")).isZero();
  }

  @Test
  void loadWhenDurationMalformedThenConfigExceptionNamingEnvVar() {
    for (String bad : new String[] {"", "s", "5", "5x", "-1s", "1.5h", "PT-1H", "P", "abc",
        "99999999999999999d", "1 h"}) {
      fails("JETON_SHUTDOWN_TIMEOUT", bad);
    }
  }

  @Test
  void parseDurationWhenNegativeOrUnitlessThenIllegalArgument() {
    for (String bad : new String[] {"s", "5", "5x", "-1s", "1.5h", "PT-1H"}) {
      assertThatThrownBy(() -> ConfigLoader.parseDuration(bad)).as("'%s'", bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void loadWhenDurationsInEnvThenEverySyntaxAccepted() {
    Config c = ConfigLoader.load(null, Map.of(
        "JETON_CLOCK_SKEW", "45s",
        "JETON_ACCESS_TOKEN_TTL", "15m",
        "JETON_ADMIN_SESSION_TTL", "PT1H",
        "JETON_REFRESH_TOKEN_TTL", "90d",
        "JETON_REFRESH_TOKEN_IDLE_TTL", "12h",
        "JETON_REFRESH_GRACE", "45s"));
    assertThat(c.tokens().clockSkew()).isEqualTo(Duration.ofSeconds(45));
    Config.Lifetimes l = c.tokens().lifetimes();
    assertThat(l.accessToken()).isEqualTo(Duration.ofMinutes(15));
    assertThat(l.adminSession()).isEqualTo(Duration.ofHours(1));
    assertThat(l.refreshToken()).isEqualTo(Duration.ofDays(90));
    assertThat(l.refreshTokenIdle()).isEqualTo(Duration.ofHours(12));
    assertThat(l.refreshGrace()).isEqualTo(Duration.ofSeconds(45));
  }
}
