package dev.jeton.limit;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Settings;
import dev.jeton.testing.TestServer;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * API limits over real HTTP on both engines (docs/limits.md), with the shipped defaults: 100 calls
 * per 20 s per token, 10 requests in flight per account. Each test tries to get past one limit.
 */
@OnBothEngines
@Settings({"RATE_LIMIT=100/20s", "CONCURRENCY_LIMIT=10"})
class LimitsTest {
  private static final String PASSWORD = "correct horse battery staple 9";

  TestServer server;
  Api api;
  String admin;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    api = server.api();
    admin = server.adminToken();
  }

  private String signUp(String email) {
    Api.Response r = server.register("main", email, PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.text("access_token");
  }

  private void setMainLimits(String json) {
    Api.Response r = api.patchJson(v1("main") + "/accounts/main", "{\"limits\":" + json + "}",
        admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }

  private static void assertRefused(Api.Response r, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(429);
    assertThat(r.code()).isEqualTo(code);
    assertThat(r.json().path("type").asText()).endsWith("/api/v1/errors/" + code);
    assertThat(Long.parseLong(r.header("Retry-After").orElseThrow())).isPositive();
  }

  @Test
  void aBurstOverTheDefaultLimitIsRefusedPerTokenAndTheHeadersSayWhereTheCallerStands() {
    String alice = signUp("alice@example.com");
    // the bucket refills evenly (one call per 0.2 s) while the burst runs: count what passes
    long t0 = System.nanoTime();
    int admitted = 0;
    Api.Response last;
    while ((last = api.get(v1("main") + "/me", alice)).status() == 200) {
      admitted++;
      assertThat(last.header("RateLimit-Policy")).contains("\"token\";q=100;w=20");
      if (admitted == 1) {
        assertThat(last.header("RateLimit").orElseThrow()).startsWith("\"token\";r=99;t=");
      }
      assertThat(admitted).as("calls admitted in a burst").isLessThan(400);
    }
    long refills = Duration.ofNanos(System.nanoTime() - t0).toMillis() / 200 + 1;
    assertThat(admitted).isBetween(100, (int) (100 + refills));
    assertRefused(last, "rate_limit_exceeded");
    Api.Response refused = last;
    assertThat(Long.parseLong(refused.header("Retry-After").orElseThrow())).isBetween(1L, 20L);
    assertThat(refused.header("RateLimit").orElseThrow()).startsWith("\"token\";r=0;");

    // another sign-in of the same user is another token with its own budget
    Api.Response again = server.login("main", "alice@example.com", PASSWORD);
    assertThat(api.get(v1("main") + "/me", again.text("access_token")).status()).isEqualTo(200);

    server.clock().advance(Duration.ofSeconds(20));
    assertThat(api.get(v1("main") + "/me", alice).status()).isEqualTo(200);
  }

  @Test
  void aRefreshDoesNotResetTheSessionsBudget() {
    setMainLimits("{\"rate_calls\":2,\"rate_period\":600}");
    Api.Response bob = server.register("main", "bob@example.com", PASSWORD);
    String at = bob.text("access_token");
    assertThat(api.get(v1("main") + "/me", at).status()).isEqualTo(200);
    assertThat(api.get(v1("main") + "/me", at).status()).isEqualTo(200);
    assertRefused(api.get(v1("main") + "/me", at), "rate_limit_exceeded");
    String fresh = server.refresh("main", bob.text("refresh_token")).text("access_token");
    assertRefused(api.get(v1("main") + "/me", fresh), "rate_limit_exceeded");
  }

  @Test
  void theDoctorTellsTheOwnerThatAValidTokenIsRateLimitedNow() {
    setMainLimits("{\"rate_calls\":2,\"rate_period\":600}");
    Api.Response gil = server.register("main", "gil@example.com", PASSWORD);
    String limited = gil.text("access_token");
    api.get(v1("main") + "/me", limited);
    api.get(v1("main") + "/me", limited);
    assertRefused(api.get(v1("main") + "/me", limited), "rate_limit_exceeded");
    // asked with another sign-in of the owner, which has its own budget
    String other = server.login("main", "gil@example.com", PASSWORD).text("access_token");
    Api.Response d = api.postJson(v1("main") + "/tokens/diagnose",
        "{\"token\":" + Api.q(limited) + "}", other);
    assertThat(d.status()).as(d.toString()).isEqualTo(200);
    JsonNode explained = d.json().path("explained");
    assertThat(explained.path("valid").asBoolean()).isTrue();
    assertThat(explained.path("rate_limited").path("code").asText())
        .isEqualTo("rate_limit_exceeded");
    assertThat(explained.path("rate_limited").path("retry_after_seconds").asLong())
        .isBetween(1L, 300L);
    // the token that asked is not limited, and the doctor says nothing of it
    Api.Response self = api.postJson(v1("main") + "/tokens/diagnose",
        "{\"token\":" + Api.q(other) + "}", admin);
    assertThat(self.json().path("explained").has("rate_limited")).isFalse();
  }

  @Test
  void theIpKeyCountsEveryTokenFromOneAddressTogether() {
    setMainLimits("{\"rate_calls\":5,\"rate_period\":600,\"rate_keys\":[\"ip\"]}");
    String carol = signUp("carol@example.com");
    String dave = signUp("dave@example.com");
    for (int i = 0; i < 5; i++) {
      assertThat(api.get(v1("main") + "/me", carol).status()).isEqualTo(200);
    }
    Api.Response r = api.get(v1("main") + "/me", dave);
    assertRefused(r, "rate_limit_exceeded");
    assertThat(r.header("RateLimit-Policy")).contains("\"ip\";q=5;w=600");
  }

  @Test
  void aClientOverItsLimitAtTheTokenEndpointGetsAnOAuthErrorLinkingTheCatalog() {
    ClientService.Registered one = confidential("One");
    ClientService.Registered two = confidential("Two");
    setMainLimits("{\"rate_calls\":3,\"rate_period\":600}");
    for (int i = 0; i < 3; i++) {
      Api.Response ok = clientCredentials(one);
      assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
      assertThat(ok.header("RateLimit-Policy")).contains("\"token\";q=3;w=600");
    }
    Api.Response refused = clientCredentials(one);
    assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
    JsonNode body = refused.json();
    assertThat(body.path("error").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(body.path("error_uri").asText()).endsWith("/api/v1/errors/rate_limit_exceeded");
    assertThat(refused.header("Retry-After")).isPresent();
    assertThat(clientCredentials(two).status()).as("another client").isEqualTo(200);
  }

  @Test
  @Settings("HTTP_IDLE_TIMEOUT=2s")
  void aRequestWhoseBodyStopsArrivingIsEndedByTheIdleTimeoutAndGivesItsSlotBack()
      throws Exception {
    setMainLimits("{\"concurrency\":1}");
    String fay = signUp("fay@example.com");
    try (Socket stalled = stalled(fay)) {
      awaitInFlight(1);
      assertRefused(api.get(v1("main") + "/me", fay), "concurrency_limit_reached");
      // the client neither sends the body nor goes away: the server ends the request
      long t0 = System.nanoTime();
      awaitInFlight(0);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("ended by the 2 s idle timeout")
          .isGreaterThan(Duration.ofMillis(500));
      assertThat(api.get(v1("main") + "/me", fay).status()).isEqualTo(200);
      // the stalled client is told, in the catalog's terms, that its body never came whole
      String answer = new String(stalled.getInputStream().readAllBytes(),
          StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 400 ").contains("\"code\":\"invalid_json\"");
    }
  }

  @Test
  void requestsOverTheConcurrencyCapAreRefusedAtOnceAndEverySlotComesBack() throws Exception {
    setMainLimits("{\"concurrency\":2}");
    String erin = signUp("erin@example.com");
    // two requests that hold their slot: headers sent, the promised body never comes
    Socket first = stalled(erin);
    Socket second = stalled(erin);
    try {
      awaitInFlight(2);
      long t0 = System.nanoTime();
      Api.Response refused = api.get(v1("main") + "/me", erin);
      assertRefused(refused, "concurrency_limit_reached");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("refused, not queued")
          .isLessThan(Duration.ofSeconds(5));
      // the client of the first goes away: its slot comes back
      first.close();
      awaitInFlight(1);
      assertThat(api.get(v1("main") + "/me", erin).status()).isEqualTo(200);
      // the second ends in an error inside the handler (malformed JSON): its slot comes back
      OutputStream out = second.getOutputStream();
      out.write("{".repeat(200).getBytes(StandardCharsets.US_ASCII)); // the promised 200 bytes
      out.flush();
      awaitInFlight(0);
    } finally {
      first.close();
      second.close();
    }
    // many failing requests in a row never leak a slot
    for (int i = 0; i < 20; i++) {
      Api.Response bad = api.send("POST", v1("main") + "/me/password", "{",
          Map.of("Content-Type", "application/json", "Authorization", "Bearer " + erin));
      assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
    }
    assertThat(server.app().limits().usage("main",
        server.app().accounts().limits(server.app().accounts().requireActive("main")))
        .get("in_flight")).isEqualTo(0);
  }

  @Test
  void theDailyQuotaRefusesUntilMidnightAndRefusedCallsDoNotCount() {
    setMainLimits("{\"daily_quota\":3,\"time_zone\":\"UTC\"}");
    String frank = signUp("frank@example.com");
    for (int i = 0; i < 3; i++) {
      Api.Response ok = api.get(v1("main") + "/me", frank);
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.header("RateLimit").orElseThrow()).contains("\"daily\";r=" + (2 - i));
    }
    Instant midnight = LocalDate.ofInstant(server.clock().instant(), ZoneOffset.UTC).plusDays(1)
        .atStartOfDay(ZoneOffset.UTC).toInstant();
    for (int i = 0; i < 4; i++) {
      Api.Response refused = api.get(v1("main") + "/me", frank);
      assertRefused(refused, "daily_quota_exceeded");
      assertThat(refused.json().path("resets_at").asText()).isEqualTo(midnight.toString());
      long wait = Long.parseLong(refused.header("Retry-After").orElseThrow());
      assertThat(wait).isBetween(Duration.between(server.clock().instant(), midnight)
          .getSeconds() - 5, Duration.between(server.clock().instant(), midnight).getSeconds() + 1);
    }
    // administration is not metered: the admin reads the spent quota
    Api.Response usage = api.get(v1("main") + "/usage", admin);
    assertThat(usage.status()).as(usage.toString()).isEqualTo(200);
    assertThat(usage.json().path("calls").asLong()).as("refused calls do not count")
        .isEqualTo(3);
    assertThat(usage.json().path("daily_quota").asLong()).isEqualTo(3);
    assertThat(usage.json().path("remaining").asLong()).isZero();
    server.app().limits().flush();

    server.clock().advance(Duration.between(server.clock().instant(), midnight).plusSeconds(1));
    // the access tokens of yesterday may have expired: sign in again (sign-in is not metered)
    String today = server.login("main", "frank@example.com", PASSWORD).text("access_token");
    assertThat(api.get(v1("main") + "/me", today).status()).as("a new day").isEqualTo(200);
    Api.Response next = api.get(v1("main") + "/usage", server.adminToken());
    assertThat(next.json().path("calls").asLong()).isEqualTo(1);
    List<JsonNode> days = new java.util.ArrayList<>();
    next.json().path("history").forEach(days::add);
    assertThat(days).anySatisfy(d -> {
      assertThat(d.path("day").asText()).isEqualTo(midnight.minusSeconds(1)
          .atOffset(ZoneOffset.UTC).toLocalDate().toString());
      assertThat(d.path("calls").asLong()).isEqualTo(3);
    });
  }

  @Test
  void anAccountsLimitsAreSetFromAboveAndValidated() {
    Api.Response created = api.postJson(v1("main") + "/accounts", "{\"id\":\"acme\"}", admin);
    String url = created.text("setup_url");
    Api.Response owner = api.postJson(v1("acme") + "/setup", "{\"setup_token\":"
        + Api.q(url.substring(url.indexOf("token=") + 6)) + ",\"email\":\"owner@acme.example\","
        + "\"password\":" + Api.q(PASSWORD) + "}");
    String acmeAdmin = owner.text("access_token");
    Api.Response own = api.patchJson(v1("acme") + "/accounts/acme",
        "{\"limits\":{\"daily_quota\":0}}", acmeAdmin);
    assertThat(own.status()).as(own.toString()).isEqualTo(403);
    assertThat(own.code()).isEqualTo("account_operation_forbidden");

    Api.Response set = api.patchJson(v1("main") + "/accounts/acme",
        "{\"limits\":{\"daily_quota\":5000,\"rate_keys\":[\"token\",\"ip\"],"
            + "\"time_zone\":\"Europe/Paris\"}}", admin);
    assertThat(set.status()).as(set.toString()).isEqualTo(200);
    JsonNode limits = set.json().path("limits");
    assertThat(limits.path("daily_quota").asLong()).isEqualTo(5000);
    assertThat(limits.path("rate_calls").asLong()).as("the default").isEqualTo(100);
    assertThat(limits.path("time_zone").asText()).isEqualTo("Europe/Paris");
    assertThat(limits.path("rate_keys").toString()).isEqualTo("[\"token\",\"ip\"]");
    Api.Response usage = api.get(v1("main") + "/accounts/acme/usage", admin);
    assertThat(usage.json().path("time_zone").asText()).isEqualTo("Europe/Paris");

    Api.Response bad = api.patchJson(v1("main") + "/accounts/acme",
        "{\"limits\":{\"rate_keys\":[\"user\"],\"time_zone\":\"Mars/Olympus\","
            + "\"concurrency\":-1}}", admin);
    assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
    assertThat(bad.body()).contains("limits.rate_keys", "limits.time_zone",
        "limits.concurrency");
  }

  // ---- helpers -------------------------------------------------------------------------------

  private ClientService.Registered confidential(String name) {
    return server.app().clients().create("main", new Client.Spec(name,
        Client.Type.CONFIDENTIAL, List.of("https://app.example.com/cb"),
        List.of(Client.CLIENT_CREDENTIALS), List.of(), null, null, null));
  }

  private Api.Response clientCredentials(ClientService.Registered c) {
    String basic = Base64.getEncoder().encodeToString((c.client().clientId() + ":" + c.secret())
        .getBytes(StandardCharsets.UTF_8));
    return api.send("POST", "/accounts/main/oauth2/token", "grant_type=client_credentials",
        Map.of("Content-Type", "application/x-www-form-urlencoded",
            "Authorization", "Basic " + basic));
  }

  /** A password change whose headers are sent and whose promised body never arrives. */
  private Socket stalled(String token) throws Exception {
    Socket s = new Socket("127.0.0.1", server.app().port());
    s.setSoTimeout(10_000);
    String head = "POST " + v1("main") + "/me/password HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n"
        + "Content-Length: 200\r\n\r\n";
    s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return s;
  }

  private void awaitInFlight(int n) throws InterruptedException {
    var account = server.app().accounts().requireActive("main");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Object now = null;
    while (System.nanoTime() < deadline) {
      now = server.app().limits().usage("main", server.app().accounts().limits(account))
          .get("in_flight");
      if (Integer.valueOf(n).equals(now)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("requests in flight: " + now + ", expected " + n);
  }
}
