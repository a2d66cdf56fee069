package dev.jeton.observe;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jeton.account.Account;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.config.Config;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Settings;
import dev.jeton.testing.TestServer;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.Scope;
import dev.jeton.token.TokenKind;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Operations (PRODUCT "Operations"): health endpoints, Prometheus metrics labelled by route
 * template, token counters, and the issuer metadata (discovery and JWKS), on both engines.
 */
@OnBothEngines
@Settings("METRICS_TOKEN=" + OpsTest.METRICS_TOKEN)
class OpsTest {
  static final String METRICS_TOKEN = "scrape-4f1c0a9e7d2b6c8a3e5f7091b2d4c6e8";
  static final String LOGIN_ROUTE = "/accounts/{account}/api/v1/auth/login";
  static final Pattern SAMPLE = Pattern.compile(
      "^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+\\S+)?$");
  static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  TestServer server;
  Api api;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    api = server.api();
  }

  @Test
  void liveWhenRunningThenUp() {
    Api.Response r = api.get("/health/live", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().size()).isEqualTo(1);
    assertThat(r.text("status")).isEqualTo("up");
  }

  @Test
  void readyWhenDatabaseUpThenReady() {
    Api.Response r = api.get("/health/ready", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text("status")).isEqualTo("ready");
    assertThat(r.text("database")).isEqualTo("up");
  }

  @Test
  void metricsWhenRequestsServedThenCountedByRouteTemplateAndStatus() {
    server.register("main", "olga@example.com", "pepper summit canyon 44");
    Map<String, String> ok = labels("method", "POST", "route", LOGIN_ROUTE, "status", "200");
    Map<String, String> refused = labels("method", "POST", "route", LOGIN_ROUTE, "status", "401");
    String before = scrape();
    double okBefore = sample(before, "jeton_http_requests_seconds_count", ok);
    double refusedBefore = sample(before, "jeton_http_requests_seconds_count", refused);

    assertThat(server.login("main", "olga@example.com", "pepper summit canyon 44").status())
        .isEqualTo(200);
    assertThat(server.login("main", "olga@example.com", "not the password 1").status())
        .isEqualTo(401);
    assertThat(api.get("/accounts/main/api/v1/no-such-thing-7f3c", null).status())
        .isEqualTo(404);

    awaitSample("jeton_http_requests_seconds_count", ok, okBefore + 1);
    awaitSample("jeton_http_requests_seconds_count", refused, refusedBefore + 1);
    String after = awaitSample("jeton_http_requests_seconds_count",
        labels("method", "GET", "route", "unmatched", "status", "404"), 1);
    assertThat(sample(after, "jeton_http_requests_seconds_sum", ok)).isPositive();
    // Raw paths (with account ids or anything a client sent) never become label values.
    assertThat(after).doesNotContain("route=\"/accounts/main").doesNotContain("no-such-thing-7f3c");
  }

  @Test
  void metricsWhenScrapedThenPrometheusText() {
    assertThat(api.get("/health/live", null).status()).isEqualTo(200);
    awaitSample("jeton_http_requests_seconds_count",
        labels("method", "GET", "route", "/health/live", "status", "200"), 1);
    Api.Response r = api.get("/metrics", METRICS_TOKEN);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(r.body()).contains("# TYPE jeton_http_requests_seconds ")
        .contains("jeton_http_requests_seconds_sum{").contains("jvm_memory_used_bytes");
    for (String line : r.body().split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        assertThat(SAMPLE.matcher(line).matches()).as(line).isTrue();
      }
    }
  }

  @Test
  void tokensIssuedWhenLoginThenAccessAndRefreshCountersIncrease() {
    server.register("main", "paul@example.com", "pepper summit canyon 44");
    String before = scrape();
    double access = sample(before, "jeton_tokens_issued_total", labels("kind", "access_token"));
    double refresh = sample(before, "jeton_tokens_issued_total", labels("kind", "refresh_token"));
    assertThat(access).isPositive();

    assertThat(server.login("main", "paul@example.com", "pepper summit canyon 44").status())
        .isEqualTo(200);
    String after = scrape();
    assertThat(sample(after, "jeton_tokens_issued_total", labels("kind", "access_token")))
        .isEqualTo(access + 1);
    assertThat(sample(after, "jeton_tokens_issued_total", labels("kind", "refresh_token")))
        .isEqualTo(refresh + 1);
  }

  @Test
  void tokenRejectionsWhenExpiredTokenPresentedThenCountedByCode() {
    String at = server.register("main", "rita@example.com", "pepper summit canyon 44")
        .text("access_token");
    Map<String, String> expired = labels("code", "token_expired");
    double before = sample(scrape(), "jeton_token_rejections_total", expired);
    server.clock().advance(Duration.ofHours(1).plusMinutes(2));
    Api.Response me = api.get(v1("main") + "/me", at);
    assertThat(me.code()).isEqualTo("token_expired");
    String after = scrape();
    assertThat(sample(after, "jeton_token_rejections_total", expired)).isEqualTo(before + 1);
    Api.Response missing = api.get(v1("main") + "/me", null);
    assertThat(missing.code()).isEqualTo("token_missing");
    assertThat(sample(scrape(), "jeton_token_rejections_total", labels("code", "token_missing")))
        .isEqualTo(1);
  }

  @Test
  @Settings("REFRESH_GRACE=0s")
  void tokenRejectionsWhenRefreshTokenRefusedAtEitherRefreshEndpointThenCountedByCode() {
    List<String> codes = List.of("token_malformed", "token_unknown", "refresh_token_reused",
        "client_token_not_accepted");
    Map<String, Double> expected = new LinkedHashMap<>();
    String before = scrape();
    codes.forEach(c -> expected.put(c, sample(before, "jeton_token_rejections_total",
        labels("code", c))));

    // the first-party refresh endpoint: malformed, unknown, reused
    String rt = server.register("main", "ruth@example.com", "pepper summit canyon 44")
        .text("refresh_token");
    assertThat(server.refresh("main", "not-a-token").code()).isEqualTo("token_malformed");
    String neverIssued = new OpaqueTokens(new SecureRandom()).generate(TokenKind.RT);
    assertThat(server.refresh("main", neverIssued).code()).isEqualTo("token_unknown");
    assertThat(server.refresh("main", rt).status()).isEqualTo(200);
    assertThat(server.refresh("main", rt).code()).isEqualTo("refresh_token_reused");
    expected.merge("token_malformed", 1.0, Double::sum);
    expected.merge("token_unknown", 1.0, Double::sum);
    expected.merge("refresh_token_reused", 1.0, Double::sum);

    // the OAuth token endpoint's refresh grant counts the reason behind its invalid_grant
    ClientService.Registered app = server.app().clients().create("main", new Client.Spec("App",
        Client.Type.CONFIDENTIAL, List.of("https://app.example.com/cb"),
        List.of(Client.AUTHORIZATION_CODE, Client.REFRESH_TOKEN), List.of("read"), null, null,
        null));
    Account main = server.app().accounts().requireActive("main");
    String userId = server.login("main", "ruth@example.com", "pepper summit canyon 44").json()
        .path("user").path("id").asText();
    Config.Lifetimes lifetimes = server.app().accounts().lifetimes(main);
    String clientRt = server.app().sessions().start(main, userId, lifetimes,
        app.client().clientId(), Scope.of("read"), java.util.List.of(app.client().clientId()),
        server.clock().millis(),
        lifetimes.refreshToken(), 0).refreshToken();
    Map<String, String> headers = Map.of("Content-Type", "application/x-www-form-urlencoded",
        "Authorization", "Basic " + Base64.getEncoder().encodeToString((app.client().clientId()
            + ":" + app.secret()).getBytes(StandardCharsets.UTF_8)));
    String body = "grant_type=refresh_token&refresh_token=" + clientRt;
    assertThat(api.send("POST", "/accounts/main/oauth2/token", body, headers).status())
        .isEqualTo(200);
    assertThat(api.send("POST", "/accounts/main/oauth2/token", body, headers).text("error"))
        .isEqualTo("invalid_grant");
    expected.merge("refresh_token_reused", 1.0, Double::sum);
    // and the first-party endpoint's refusal of a client's token
    assertThat(server.refresh("main", clientRt).code()).isEqualTo("client_token_not_accepted");
    expected.merge("client_token_not_accepted", 1.0, Double::sum);

    String after = scrape();
    for (String code : codes) {
      assertThat(sample(after, "jeton_token_rejections_total", labels("code", code))).as(code)
          .isEqualTo(expected.get(code));
    }
  }

  @Test
  void discoveryWhenFetchedThenIssuerAndResolvableJwks() throws Exception {
    String issuer = "http://127.0.0.1:" + server.app().port() + "/accounts/main";
    String at = server.register("main", "sven@example.com", "pepper summit canyon 44")
        .text("access_token");
    for (String doc : new String[] {"openid-configuration", "oauth-authorization-server"}) {
      Api.Response r = api.get("/accounts/main/.well-known/" + doc, null);
      assertThat(r.status()).as(doc).isEqualTo(200);
      assertThat(r.text("issuer")).as(doc).isEqualTo(issuer);
      String jwksUri = r.text("jwks_uri");
      assertThat(jwksUri).as(doc).startsWith(issuer + "/");
      Api.Response jwks = api.get(jwksUri, null);
      assertThat(jwks.status()).as(jwksUri).isEqualTo(200);
      JsonNode keys = jwks.json().path("keys");
      assertThat(keys.isArray()).isTrue();
      assertThat(keys.size()).isPositive();
      for (JsonNode k : keys) {
        assertThat(k.has("d")).as("private key material in the JWKS").isFalse();
        assertThat(k.has("p")).isFalse();
        assertThat(k.path("kid").asText()).isNotBlank();
      }
      // The JWKS verifies a token this issuer signed.
      SignedJWT jwt = SignedJWT.parse(at);
      JWK key = JWKSet.parse(jwks.body()).getKeyByKeyId(jwt.getHeader().getKeyID());
      assertThat(key).as("JWKS key for kid " + jwt.getHeader().getKeyID()).isNotNull();
      assertThat(key.isPrivate()).isFalse();
      JWSVerifier verifier = new DefaultJWSVerifierFactory()
          .createJWSVerifier(jwt.getHeader(), ((AsymmetricJWK) key).toPublicKey());
      assertThat(jwt.verify(verifier)).isTrue();
      assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(issuer);
    }
  }

  @Test
  void discoveryWhenAccountUnknownThen404() {
    Api.Response r = api.get("/accounts/nobody-here/.well-known/openid-configuration",
        null);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.code()).isEqualTo("account_not_found");
    assertThat(api.get("/accounts/nobody-here/.well-known/jwks.json", null).code())
        .isEqualTo("account_not_found");
  }

  // --- the metrics token (docs/security.md#metrics-token) --------------------------------------

  @Test
  void metricsWhenNoTokenThenBearerChallengeAndNothingShown() {
    Api.Response r = api.get("/metrics");
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("token_missing");
    assertThat(r.header("WWW-Authenticate").orElse("")).startsWith("Bearer realm=");
    assertThat(r.body()).doesNotContain("jeton_http_requests");
  }

  @Test
  void metricsWhenWrongTokenThenRefused() {
    for (String wrong : new String[] {METRICS_TOKEN + "x", METRICS_TOKEN.substring(1),
        METRICS_TOKEN.toUpperCase(java.util.Locale.ROOT), "", "Basic " + METRICS_TOKEN}) {
      Api.Response r = api.send("GET", "/metrics", null,
          Map.of("Authorization", "Bearer " + wrong));
      assertThat(r.status()).as(wrong).isEqualTo(401);
      assertThat(r.body()).as(wrong).doesNotContain("jeton_http_requests");
    }
    // the token is never taken from the query string
    Api.Response q = api.get("/metrics?access_token=" + METRICS_TOKEN);
    assertThat(q.status()).isEqualTo(401);
  }

  @Test
  @Settings("METRICS_TOKEN=")
  void metricsWhenNoTokenConfiguredThenNotServed() {
    Api.Response r = api.get("/metrics", METRICS_TOKEN);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.code()).isEqualTo("route_not_found");
    assertThat(api.get("/metrics").status()).isEqualTo(404);
  }

  // --- helpers -----------------------------------------------------------------------------

  private String scrape() {
    Api.Response r = api.get("/metrics", METRICS_TOKEN);
    assertThat(r.status()).isEqualTo(200);
    return r.body();
  }

  /**
   * Polls until the sample reaches {@code expected}: the request timer is recorded after the
   * response went out, so a scrape right after an answer may not include it yet.
   */
  private String awaitSample(String name, Map<String, String> labels, double expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    String text = scrape();
    while (sample(text, name, labels) < expected && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      text = scrape();
    }
    assertThat(sample(text, name, labels)).as(name + labels).isEqualTo(expected);
    return text;
  }

  private static Map<String, String> labels(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  /** The sum of the samples named {@code name} whose labels include {@code wanted}; 0 if none. */
  static double sample(String text, String name, Map<String, String> wanted) {
    double total = 0;
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (line.startsWith("#") || !m.matches() || !m.group(1).equals(name)) {
        continue;
      }
      Map<String, String> have = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          have.put(l.group(1), l.group(2));
        }
      }
      if (have.entrySet().containsAll(wanted.entrySet())) {
        total += Double.parseDouble(m.group(3));
      }
    }
    return total;
  }
}
