package dev.jeton.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz test of the configuration loader ({@link ConfigLoader#load}): the input is a configuration
 * file, and after a line {@code --env--} the environment, one {@code NAME=value} per line. Loading
 * either fails with a {@link ConfigException} whose message is one line naming the setting or the
 * file, or yields a configuration in which every value keeps the documented bounds (README
 * configuration table): port 0 to 65535; an http(s) base URL with a host, no query, fragment or
 * trailing slash; a SQLite or PostgreSQL JDBC URL; pool 1 to 200; an allowed signing algorithm;
 * clock skew at most 60 s; positive lifetimes, access tokens at most 24 h; refresh grace at most
 * 5 min; a master key of 32 bytes in base64 or none; a metrics token of 32 to 256 printable
 * characters or none; log format json or text. Any other exception is a finding. Inputs in
 * {@code src/test/resources/dev/jeton/config/ConfigLoaderFuzzTestInputs/load/};
 * docs/fuzzing.md.
 */
class ConfigLoaderFuzzTest {
  private static final Set<String> ALGS = Set.of("ES256", "ES384", "RS256", "PS256");
  private static Path file;

  @BeforeAll
  static void file() throws IOException {
    file = Files.createTempFile("jeton-fuzz", ".properties");
    file.toFile().deleteOnExit();
  }

  @FuzzTest(maxDuration = "5m")
  void load(byte[] data) throws IOException {
    String text = new String(data, StandardCharsets.ISO_8859_1);
    int split = text.indexOf("\n--env--\n");
    byte[] fileBytes = split < 0 ? data : text.substring(0, split)
        .getBytes(StandardCharsets.ISO_8859_1);
    Map<String, String> env = new HashMap<>();
    if (split >= 0) {
      String envText = new String(data, StandardCharsets.UTF_8);
      int at = envText.indexOf("\n--env--\n");
      for (String line : envText.substring(at + 9).split("\n", -1)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          env.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    }
    Files.write(file, fileBytes);
    Config c;
    try {
      c = ConfigLoader.load(file, env);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).as("message").isNotBlank()
          .containsAnyOf("JETON_", "config file")
          .doesNotContain("\n").doesNotContain("\r");
      return;
    }
    assertThat(c.http().host()).isNotEmpty();
    assertThat(c.http().port()).isBetween(0, 65535);
    URI base = URI.create(c.http().baseUrl());
    assertThat(base.getScheme()).isIn("http", "https");
    assertThat(base.getHost()).isNotNull();
    assertThat(base.getRawQuery()).isNull();
    assertThat(base.getRawFragment()).isNull();
    assertThat(c.http().baseUrl()).doesNotEndWith("/");
    assertThat(c.db().url()).matches("(?s)jdbc:(sqlite|postgresql):.*");
    assertThat(c.db().poolSize()).isBetween(1, 200);
    assertThat(c.tokens().signingAlg()).isIn(ALGS);
    assertThat(c.tokens().clockSkew()).isBetween(Duration.ZERO, Duration.ofSeconds(60));
    assertThat(c.tokens().keyRotationInterval()).isGreaterThanOrEqualTo(Duration.ZERO);
    Config.Lifetimes l = c.tokens().lifetimes();
    assertThat(l.accessToken()).isPositive().isLessThanOrEqualTo(Duration.ofHours(24));
    assertThat(l.refreshToken()).isPositive();
    assertThat(l.refreshTokenIdle()).isPositive();
    assertThat(l.adminSession()).isPositive();
    assertThat(l.refreshGrace()).isBetween(Duration.ZERO, Duration.ofMinutes(5));
    assertThat(c.shutdownTimeout()).isGreaterThanOrEqualTo(Duration.ZERO);
    assertThat(c.signInFailuresPerSource()).isBetween(0, 1_000_000);
    if (!c.masterKey().isEmpty()) {
      assertThat(Base64.getDecoder().decode(c.masterKey())).hasSize(32);
    }
    if (!c.metricsToken().isEmpty()) {
      assertThat(c.metricsToken()).matches("[\\x21-\\x7E]{32,256}");
    }
    assertThat(c.logging().format()).isIn("json", "text");
    assertThat(c.bootstrap().adminEmail().isEmpty())
        .isEqualTo(c.bootstrap().adminPassword().isEmpty());
  }
}
