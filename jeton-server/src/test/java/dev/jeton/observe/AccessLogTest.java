package dev.jeton.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.jeton.config.Setting;
import dev.jeton.testing.Engine;
import dev.jeton.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The access log's settings: off writes nothing, a sample rate thins out successful requests
 * only, and refused or failed requests are always written while the log is on.
 */
class AccessLogTest {
  final Logger access = ((LoggerContext) LoggerFactory.getILoggerFactory())
      .getLogger(AccessLog.LOGGER);
  final ListAppender<ILoggingEvent> seen = new ListAppender<>();

  @BeforeEach
  void capture() {
    seen.setContext(access.getLoggerContext());
    seen.start();
    access.addAppender(seen);
  }

  @AfterEach
  void release() {
    access.detachAppender(seen);
  }

  @Test
  void wantsWhenOffOrSampledThenOnlyWhatTheSettingsSay() {
    assertThat(new AccessLog(false, 1).wants(200)).isFalse();
    assertThat(new AccessLog(false, 1).wants(500)).as("off is off").isFalse();
    assertThat(new AccessLog(true, 1).wants(200)).isTrue();
    AccessLog none = new AccessLog(true, 0);
    assertThat(none.wants(200)).isFalse();
    assertThat(none.wants(399)).isFalse();
    assertThat(none.wants(400)).as("refusals are always written").isTrue();
    assertThat(none.wants(503)).isTrue();
    AccessLog half = new AccessLog(true, 0.5);
    int written = 0;
    for (int i = 0; i < 20_000; i++) {
      written += half.wants(200) ? 1 : 0;
    }
    // binomial(20000, 0.5): 9,000 to 11,000 holds with probability 1 - 1e-40
    assertThat(written).isBetween(9_000, 11_000);
    assertThatThrownBy(() -> new AccessLog(true, 1.5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** docs/security.md#no-secrets-in-logs: the QR page has the login's secret in its path. */
  @Test
  void serverWhenASecretIsInThePathThenTheLineKeepsOnlyItsPrefix() {
    String secret = "jeton_qr_0123456789abcdefghijABCDEFGHIJ4x9Kq2";
    try (TestServer server = TestServer.start(Engine.SQLITE, Map.of())) {
      server.api().get("/accounts/main/qr/" + secret);
      server.api().get("/no/" + secret + "/x/jeton_pat_" + "Z".repeat(36));
    }
    assertThat(paths()).contains("/accounts/main/qr/jeton_qr_\u2026 303",
        "/no/jeton_qr_\u2026/x/jeton_pat_\u2026 404");
    assertThat(String.join("\n", paths())).doesNotContain(secret.substring(9));
    assertThat(AccessLog.redact("/accounts/main/me")).isEqualTo("/accounts/main/me");
  }

  @Test
  void serverWhenSampleZeroThenOnlyRefusalsLogged() {
    try (TestServer server = TestServer.start(Engine.SQLITE,
        Map.of(Setting.ACCESS_LOG_SAMPLE, "0"))) {
      assertThat(server.api().get("/").status()).isEqualTo(200);
      assertThat(server.api().get("/no/such/route").status()).isEqualTo(404);
    }
    assertThat(paths()).containsExactly("/no/such/route 404");
  }

  @Test
  void serverWhenAccessLogOffThenNoLineEvenForRefusals() {
    try (TestServer server = TestServer.start(Engine.SQLITE,
        Map.of(Setting.ACCESS_LOG, "off"))) {
      assertThat(server.api().get("/").status()).isEqualTo(200);
      assertThat(server.api().get("/no/such/route").status()).isEqualTo(404);
    }
    assertThat(paths()).isEmpty();
  }

  @Test
  void serverWhenDefaultsThenEveryRequestLoggedWithItsFields() {
    try (TestServer server = TestServer.start(Engine.SQLITE)) {
      assertThat(server.api().get("/").status()).isEqualTo(200);
      assertThat(server.api().get("/no/such/route").status()).isEqualTo(404);
    }
    assertThat(paths()).containsExactly("/ 200", "/no/such/route 404");
    ILoggingEvent first = seen.list.get(0);
    assertThat(first.getKeyValuePairs()).extracting(kv -> kv.key)
        .containsExactly("method", "path", "status", "duration_ms", "ip");
    assertThat(first.getMDCPropertyMap()).containsKey("request_id");
  }

  /** The path and status of every access line seen, in order. */
  private List<String> paths() {
    return seen.list.stream().map(e -> value(e, "path") + " " + value(e, "status")).toList();
  }

  private static Object value(ILoggingEvent e, String key) {
    return e.getKeyValuePairs().stream().filter(kv -> kv.key.equals(key)).findFirst()
        .map(kv -> kv.value).orElse(null);
  }
}
