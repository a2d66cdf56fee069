package dev.jeton.http;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Settings;
import dev.jeton.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Content negotiation (RFC 9110 12.5.1): a JSON API route asked for a media type it cannot
 * produce answers 406 {@code not_acceptable} instead of JSON the client said it cannot read; the
 * OAuth endpoints (JSON by RFC 6749 5.1) and the pages serve any Accept, so no OAuth client or
 * browser is turned away.
 */
@OnBothEngines
@Settings("METRICS_TOKEN=" + ContentNegotiationTest.METRICS_TOKEN)
class ContentNegotiationTest {
  static final String METRICS_TOKEN = "scrape-0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e";

  TestServer server;
  Api api;
  String admin;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    api = server.api();
    admin = server.adminToken();
  }

  private Api.Response get(String path, String accept, String bearer) {
    Map<String, String> h = new HashMap<>();
    if (accept != null) {
      h.put("Accept", accept);
    }
    if (bearer != null) {
      h.put("Authorization", "Bearer " + bearer);
    }
    return api.send("GET", path, null, h);
  }

  @Test
  void apiWhenAcceptExcludesJsonThen406NotAcceptable() {
    for (String accept : List.of("application/xml", "text/html", "application/json;q=0",
        "*/*;q=0", "application/*;q=0, text/plain")) {
      for (String path : List.of(v1("main") + "/me", v1("main") + "/clients", "/api/v1/errors",
          "/accounts/main/.well-known/openid-configuration", "/health/ready", "/")) {
        Api.Response r = get(path, accept, admin);
        HttpLimitsTest.assertProblem(r, 406, "not_acceptable");
        assertThat(r.text("detail")).as(path).contains("application/json");
      }
    }
    // before any work: a login asked for XML creates no session
    Api.Response login = api.send("POST", v1("main") + "/auth/login", "{\"email\":"
        + Api.q(TestServer.ADMIN_EMAIL) + ",\"password\":" + Api.q(TestServer.ADMIN_PASSWORD)
        + "}", Map.of("Content-Type", "application/json", "Accept", "application/xml"));
    HttpLimitsTest.assertProblem(login, 406, "not_acceptable");
  }

  @Test
  void apiWhenAcceptAllowsJsonOrIsAbsentThenServed() {
    for (String accept : new String[] {null, "*/*", "application/*", "application/json",
        "application/json; charset=utf-8", "text/html,application/xhtml+xml,"
            + "application/xml;q=0.9,*/*;q=0.8", "application/xml, application/json;q=0.1"}) {
      Api.Response r = get(v1("main") + "/me", accept, admin);
      assertThat(r.status()).as(accept + " -> " + r).isEqualTo(200);
      assertThat(r.header("Content-Type").orElse("")).startsWith("application/json");
    }
  }

  @Test
  void keysWhenAskedAsJwkSetOrJsonThenServed() {
    String jwks = "/accounts/main/.well-known/jwks.json";
    for (String accept : List.of("application/jwk-set+json", "application/json",
        "application/json, application/jwk-set+json")) {
      assertThat(get(jwks, accept, null).status()).as(accept).isEqualTo(200);
    }
    HttpLimitsTest.assertProblem(get(jwks, "application/xml", null), 406, "not_acceptable");
  }

  @Test
  void metricsAndStylesheetWhenAskedForTheirOwnTypesThenServed() {
    // Prometheus' own Accept header
    Api.Response m = get("/metrics", "application/openmetrics-text;version=1.0.0;q=0.5,"
        + "text/plain;version=0.0.4;q=0.4,*/*;q=0.1", METRICS_TOKEN);
    assertThat(m.status()).as(m.toString()).isEqualTo(200);
    assertThat(get("/assets/jeton.css", "text/css,*/*;q=0.1", null).status()).isEqualTo(200);
    HttpLimitsTest.assertProblem(get("/assets/jeton.css", "application/json", null), 406,
        "not_acceptable");
  }

  @Test
  void oauthEndpointsWhenAnyAcceptThenJsonAsRfc6749Says() {
    ClientService.Registered c = server.app().clients().create("main", new Client.Spec("Backend",
        Client.Type.CONFIDENTIAL, List.of("https://app.example.com/cb"),
        List.of(Client.CLIENT_CREDENTIALS), List.of("read"), null, null, null));
    String basic = "Basic " + Base64.getEncoder().encodeToString((enc(c.client().clientId())
        + ":" + enc(c.secret())).getBytes(StandardCharsets.UTF_8));
    for (String accept : new String[] {null, "application/json", "*/*",
        "application/json;charset=UTF-8", "application/json, application/*+json",
        "application/xml", "text/html"}) {
      Map<String, String> h = new HashMap<>(Map.of("Content-Type",
          "application/x-www-form-urlencoded", "Authorization", basic));
      if (accept != null) {
        h.put("Accept", accept);
      }
      Api.Response r = api.send("POST", "/accounts/main/oauth2/token",
          "grant_type=client_credentials", h);
      assertThat(r.status()).as(accept + " -> " + r).isEqualTo(200);
      assertThat(r.text("access_token")).isNotBlank();
    }
  }

  @Test
  void pagesWhenAcceptIsJsonThenStillHtml() {
    Api.Response r = get("/accounts/main/login", "application/json", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type").orElse("")).startsWith("text/html");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
