package dev.jeton.observe;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * docs/security.md#no-secrets-in-logs, docs/security.md#audit-events: the server log (as the JSON
 * encoder writes it) never carries a password, token or setup secret, while every authentication
 * event is audited with its request id. Runs the user flows over real HTTP with a capturing
 * appender on the root logger, on both engines.
 */
@OnBothEngines
class LogSecretsTest {
  static final ObjectMapper MAPPER = new ObjectMapper();

  TestServer server;
  Api api;
  Capture capture;
  Logger root;

  /** Encodes every event with the production encoder, one JSON line each. */
  static final class Capture extends AppenderBase<ILoggingEvent> {
    final JsonLogEncoder encoder = new JsonLogEncoder();
    final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent e) {
      lines.add(new String(encoder.encode(e), StandardCharsets.UTF_8));
    }

    String text() {
      return String.join("", lines);
    }
  }

  @BeforeEach
  void start(Engine engine) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    capture = new Capture();
    capture.setContext(ctx);
    capture.encoder.setContext(ctx);
    capture.encoder.start();
    capture.start();
    root.addAppender(capture);
    // started here, not injected, so that the capture sees the start-up (bootstrap admin) too
    server = TestServer.start(engine);
    api = server.api();
  }

  @AfterEach
  void stop() {
    try {
      server.close();
    } finally {
      root.detachAppender(capture);
      capture.stop();
    }
  }

  private Api.Response json(String method, String path, String body, String bearer, String rid) {
    Map<String, String> h = new HashMap<>();
    h.put("X-Request-Id", rid);
    if (body != null) {
      h.put("Content-Type", "application/json");
    }
    if (bearer != null) {
      h.put("Authorization", "Bearer " + bearer);
    }
    return api.send(method, path, body, h);
  }

  private static String credentials(String email, String password) {
    return "{\"email\":" + Api.q(email) + ",\"password\":" + Api.q(password) + "}";
  }

  private static String refreshBody(String rt) {
    return "{\"refresh_token\":" + Api.q(rt) + "}";
  }

  @Test
  void logWhenUserFlowsRunThenNoSecretsAndAuditEventsWithRequestIds() throws IOException {
    String email = "quentin@example.com";
    String firstPassword = "copper meadow falcon 31";
    String wrongPassword = "definitely not it 77";
    String secondPassword = "silver harbor lantern 64";
    String ownerPassword = "amber glacier violin 12";
    List<String> secrets = new ArrayList<>(List.of(firstPassword, wrongPassword, secondPassword,
        ownerPassword, TestServer.ADMIN_PASSWORD));
    List<String> accessTokens = new ArrayList<>();
    List<String> refreshTokens = new ArrayList<>();
    String base = v1("main");

    Api.Response reg = json("POST", base + "/auth/register", credentials(email, firstPassword),
        null, "rid-register");
    assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
    collect(reg, accessTokens, refreshTokens);

    Api.Response wrong = json("POST", base + "/auth/login", credentials(email, wrongPassword),
        null, "rid-login-wrong");
    assertThat(wrong.code()).isEqualTo("invalid_credentials");

    Api.Response login = json("POST", base + "/auth/login", credentials(email, firstPassword),
        null, "rid-login");
    assertThat(login.status()).isEqualTo(200);
    collect(login, accessTokens, refreshTokens);
    String at = login.text("access_token");
    String rt = login.text("refresh_token");

    assertThat(json("GET", base + "/me", null, at, "rid-me").status()).isEqualTo(200);
    Api.Response inUrl = json("GET", base + "/me?access_token="
        + URLEncoder.encode(at, StandardCharsets.UTF_8), null, null, "rid-token-in-url");
    assertThat(inUrl.code()).isEqualTo("token_in_url");

    Api.Response refreshed = json("POST", base + "/auth/refresh", refreshBody(rt), null,
        "rid-refresh");
    assertThat(refreshed.status()).isEqualTo(200);
    collect(refreshed, accessTokens, refreshTokens);
    server.clock().advance(Duration.ofMinutes(5));
    Api.Response reused = json("POST", base + "/auth/refresh", refreshBody(rt), null,
        "rid-reuse");
    assertThat(reused.code()).isEqualTo("refresh_token_reused");

    Api.Response again = json("POST", base + "/auth/login", credentials(email, firstPassword),
        null, "rid-login-again");
    collect(again, accessTokens, refreshTokens);
    Api.Response change = json("POST", base + "/me/password", "{\"current_password\":"
        + Api.q(firstPassword) + ",\"new_password\":" + Api.q(secondPassword) + "}",
        again.text("access_token"), "rid-password");
    assertThat(change.status()).as(change.toString()).isEqualTo(200);
    Api.Response logout = json("POST", base + "/auth/logout",
        refreshBody(again.text("refresh_token")), null, "rid-logout");
    assertThat(logout.status()).isEqualTo(204);
    Api.Response relogin = json("POST", base + "/auth/login", credentials(email, secondPassword),
        null, "rid-login-new-password");
    assertThat(relogin.status()).isEqualTo(200);
    collect(relogin, accessTokens, refreshTokens);

    Api.Response admin = json("POST", base + "/auth/login",
        credentials(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD), null, "rid-admin");
    collect(admin, accessTokens, refreshTokens);
    Api.Response sub = json("POST", base + "/accounts", "{\"id\":\"acme\",\"name\":\"Acme\"}",
        admin.text("access_token"), "rid-sub-account");
    assertThat(sub.status()).as(sub.toString()).isEqualTo(201);
    String setupUrl = sub.text("setup_url");
    String setupSecret = setupUrl.substring(setupUrl.indexOf("token=") + "token=".length());
    assertThat(setupSecret).isNotBlank();
    secrets.add(setupSecret);
    Api.Response page = api.send("GET", setupUrl, null, Map.of("X-Request-Id", "rid-setup-page"));
    assertThat(page.status()).isEqualTo(200);
    Api.Response done = api.send("POST", "/accounts/acme/setup",
        "token=" + URLEncoder.encode(setupSecret, StandardCharsets.UTF_8)
            + "&email=" + URLEncoder.encode("owner@acme.example", StandardCharsets.UTF_8)
            + "&password=" + URLEncoder.encode(ownerPassword, StandardCharsets.UTF_8),
        Map.of("Content-Type", "application/x-www-form-urlencoded",
            "X-Request-Id", "rid-setup-form"));
    assertThat(done.status()).as(done.body()).isEqualTo(200);
    Api.Response owner = json("POST", v1("acme") + "/auth/login",
        credentials("owner@acme.example", ownerPassword), null, "rid-owner-login");
    assertThat(owner.status()).isEqualTo(200);
    collect(owner, accessTokens, refreshTokens);

    // Make sure the last request's access log line is in before reading the capture.
    awaitLine("rid-owner-login", "jeton.access");
    String log = capture.text();

    for (String s : secrets) {
      assertThat(log).as("a password or setup secret is logged").doesNotContain(s);
      assertThat(log).doesNotContain(URLEncoder.encode(s, StandardCharsets.UTF_8));
    }
    assertThat(accessTokens).hasSizeGreaterThanOrEqualTo(6);
    for (String t : accessTokens) {
      assertThat(log).as("an access token is logged").doesNotContain(t);
      String signature = t.substring(t.lastIndexOf('.') + 1);
      assertThat(signature).hasSizeGreaterThan(20);
      assertThat(log).as("an access token signature is logged").doesNotContain(signature);
    }
    for (String t : refreshTokens) {
      assertThat(log).as("a refresh token is logged").doesNotContain(t);
    }

    List<JsonNode> events = new ArrayList<>();
    for (String line : capture.lines) {
      assertThat(line).endsWith("\n");
      assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n");
      JsonNode node = MAPPER.readTree(line);
      assertThat(node.isObject()).as(line).isTrue();
      assertThat(node.path("ts").asText()).as(line).endsWith("Z");
      assertThat(node.path("level").asText()).as(line).isNotBlank();
      events.add(node);
    }
    assertAudited(events, "login_failed", "rid-login-wrong");
    assertAudited(events, "login", "rid-login");
    assertAudited(events, "refresh_token_reused", "rid-reuse");
    assertAudited(events, "password_changed", "rid-password");
    assertAudited(events, "logout", "rid-logout");
    assertAudited(events, "account_created", "rid-sub-account");
    assertAudited(events, "admin_created", "rid-setup-form");
    JsonNode failed = find(events, "login_failed", "rid-login-wrong");
    assertThat(failed.path("ip").asText()).isNotBlank();
    assertThat(failed.path("account").asText()).isEqualTo("main");
    // The access log names the path only: the token sent in the URL stays out of it.
    JsonNode urlAccess = events.stream()
        .filter(e -> e.path("logger").asText().equals("jeton.access")
            && e.path("request_id").asText().equals("rid-token-in-url"))
        .findFirst().orElseThrow(() -> new AssertionError("no access log line for the request"));
    assertThat(urlAccess.path("path").asText()).isEqualTo(base + "/me");
    assertThat(urlAccess.path("status").asInt()).isEqualTo(400);
  }

  private void awaitLine(String requestId, String logger) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      for (String l : capture.lines) {
        if (l.contains("\"request_id\":\"" + requestId + "\"")
            && l.contains("\"logger\":\"" + logger + "\"")) {
          return;
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void collect(Api.Response r, List<String> at, List<String> rt) {
    assertThat(r.text("access_token")).as(r.toString()).isNotBlank();
    assertThat(r.text("refresh_token")).as(r.toString()).isNotBlank();
    at.add(r.text("access_token"));
    rt.add(r.text("refresh_token"));
  }

  private static JsonNode find(List<JsonNode> events, String event, String requestId) {
    return events.stream()
        .filter(e -> e.path("logger").asText().equals("jeton.audit")
            && e.path("event").asText().equals(event)
            && e.path("request_id").asText().equals(requestId))
        .findFirst().orElse(null);
  }

  private static void assertAudited(List<JsonNode> events, String event, String requestId) {
    assertThat(find(events, event, requestId))
        .as("audit event '" + event + "' with request_id " + requestId + " in " + events.stream()
            .filter(e -> e.path("logger").asText().equals("jeton.audit")).toList())
        .isNotNull();
  }
}
