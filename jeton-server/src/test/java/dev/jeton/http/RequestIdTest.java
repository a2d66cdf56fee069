package dev.jeton.http;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The correlation header (PRODUCT: {@code X-Request-Id}, also {@code X-Correlation-Id}, echoed on
 * every response and carried in problem documents) and the security headers of API answers.
 * HTTP-level behaviour only, so one engine is enough.
 */
class RequestIdTest {
  static final String FRESH_ID = "[0-9a-f]{24}";
  static final String WELL_FORMED = "[A-Za-z0-9._:+=/-]{1,128}";

  TestServer server;
  Api api;

  @BeforeEach
  void start() {
    server = TestServer.start(Engine.SQLITE);
    api = server.api();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void requestIdWhenWellFormedThenEchoedAndInProblemBody() {
    String id = "client-42.abc:def/+=_";
    Api.Response r = api.send("GET", "/no/such/route", null, Map.of("X-Request-Id", id));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.header("X-Request-Id")).contains(id);
    assertThat(r.text("request_id")).isEqualTo(id);

    Api.Response ok = api.send("GET", "/health/live", null, Map.of("X-Request-Id", id));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.header("X-Request-Id")).contains(id);
  }

  @Test
  void requestIdWhenExactly128CharactersThenKept() {
    String id = "r".repeat(128);
    Api.Response r = api.send("GET", "/health/live", null, Map.of("X-Request-Id", id));
    assertThat(r.header("X-Request-Id")).contains(id);
  }

  @Test
  void correlationIdWhenRequestIdAbsentThenUsedAndBothEchoed() {
    String id = "corr-7f3a9";
    Api.Response r = api.send("POST", v1("main") + "/auth/login", "[]",
        Map.of("X-Correlation-Id", id, "Content-Type", "application/json"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.header("X-Request-Id")).contains(id);
    assertThat(r.header("X-Correlation-Id")).contains(id);
    assertThat(r.text("request_id")).isEqualTo(id);
  }

  @Test
  void correlationIdWhenRequestIdMalformedThenCorrelationIdUsed() {
    Api.Response r = api.send("GET", "/no/such/route", null,
        Map.of("X-Request-Id", "has space", "X-Correlation-Id", "corr-1"));
    assertThat(r.header("X-Request-Id")).contains("corr-1");
    assertThat(r.text("request_id")).isEqualTo("corr-1");
  }

  @Test
  void requestIdWhenMalformedThenReplacedByFreshId() {
    List<String> malformed = List.of(
        "x".repeat(129),
        "two words",
        "abc%0D%0ASet-Cookie:%20stolen=1",
        "\"quoted\"",
        "it's",
        "<script>",
        "id;drop",
        "é-accent");
    for (String bad : malformed) {
      Api.Response r = api.send("GET", "/no/such/route", null,
          Map.of("X-Request-Id", bad, "X-Correlation-Id", bad));
      String echoed = r.header("X-Request-Id").orElseThrow();
      assertThat(echoed).as(bad).matches(FRESH_ID);
      assertThat(r.text("request_id")).as(bad).isEqualTo(echoed);
      assertThat(r.header("X-Correlation-Id")).as(bad).isEmpty();
      assertThat(r.header("Set-Cookie")).as(bad).isEmpty();
    }
  }

  @Test
  void requestIdWhenCrlfInjectedOnTheWireThenNoInjectedHeader() {
    HttpLimitsTest.RawHttp.Answer a = HttpLimitsTest.RawHttp.exchange(server.app().port(),
        out -> out.write(("GET /no/such/route HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            + "X-Request-Id: abc\r\nSet-Cookie: stolen=1\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1)));
    assertThat(a.header("Set-Cookie")).isEmpty();
    String echoed = a.header("X-Request-Id").orElseThrow();
    assertThat(echoed).matches(WELL_FORMED);
    assertThat(a.json().path("request_id").asText()).isEqualTo(echoed);
  }

  @Test
  void requestIdWhenAbsentThenFreshAndDifferentPerRequest() {
    String first = api.get("/health/live", null).header("X-Request-Id").orElseThrow();
    String second = api.get("/health/live", null).header("X-Request-Id").orElseThrow();
    assertThat(first).matches(FRESH_ID);
    assertThat(second).matches(FRESH_ID).isNotEqualTo(first);
  }

  @Test
  void everyResponseWhenAnyStatusThenCarriesRequestId() {
    String id = "every-status-1";
    Map<String, String> withId = Map.of("X-Request-Id", id);
    List<Optional<String>> ids = new ArrayList<>();
    Api.Response ok = api.send("GET", "/api/v1/errors", null, withId);
    assertThat(ok.status()).isEqualTo(200);
    ids.add(ok.header("X-Request-Id"));
    Api.Response notFound = api.send("GET", "/nope", null, withId);
    assertThat(notFound.status()).isEqualTo(404);
    ids.add(notFound.header("X-Request-Id"));
    Api.Response notAllowed = api.send("DELETE", v1("main") + "/me", null, withId);
    assertThat(notAllowed.status()).isEqualTo(405);
    ids.add(notAllowed.header("X-Request-Id"));
    Api.Response unsupported = api.send("POST", v1("main") + "/auth/login", "{}",
        Map.of("X-Request-Id", id, "Content-Type", "text/plain"));
    assertThat(unsupported.status()).isEqualTo(415);
    ids.add(unsupported.header("X-Request-Id"));
    assertThat(ids).allSatisfy(v -> assertThat(v).contains(id));

    HttpLimitsTest.RawHttp.Answer tooLarge = HttpLimitsTest.RawHttp.exchange(
        server.app().port(), out -> out.write(HttpLimitsTest.head("POST",
            v1("main") + "/auth/login", "X-Request-Id: " + id, "Content-Type: application/json",
            "Content-Length: " + (2 * 1024 * 1024))));
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.header("X-Request-Id")).contains(id);
    assertThat(tooLarge.json().path("request_id").asText()).isEqualTo(id);

    HttpLimitsTest.RawHttp.Answer uriTooLong = HttpLimitsTest.RawHttp.exchange(
        server.app().port(), out -> out.write(HttpLimitsTest.head("GET",
            "/api/v1/errors?q=" + "u".repeat(20 * 1024), "X-Request-Id: " + id)));
    assertThat(uriTooLong.status()).isEqualTo(414);
    String uriId = uriTooLong.header("X-Request-Id").orElseThrow();
    assertThat(uriId).matches(WELL_FORMED);
    assertThat(uriTooLong.json().path("request_id").asText()).isEqualTo(uriId);

    List<String> big = new ArrayList<>(List.of("X-Request-Id: " + id));
    for (int i = 0; i < 20; i++) {
      big.add("X-Filler-" + i + ": " + "h".repeat(1000));
    }
    HttpLimitsTest.RawHttp.Answer headersTooLarge = HttpLimitsTest.RawHttp.exchange(
        server.app().port(), out -> out.write(HttpLimitsTest.head("GET", "/api/v1/errors",
            big.toArray(String[]::new))));
    assertThat(headersTooLarge.status()).isEqualTo(431);
    String headersId = headersTooLarge.header("X-Request-Id").orElseThrow();
    assertThat(headersId).matches(WELL_FORMED);
    assertThat(headersTooLarge.json().path("request_id").asText()).isEqualTo(headersId);
  }

  @Test
  void securityHeadersWhenApiAnswersThenPresent() {
    Api.Response registered = server.register("main", "ruth@example.com",
        "marble lantern quiver 93");
    String at = registered.text("access_token");
    List<Api.Response> answers = List.of(
        registered,
        api.get(v1("main") + "/me", at),
        api.get(v1("main") + "/me", null),
        api.get("/no/such/route", null),
        api.send("DELETE", v1("main") + "/me", null, Map.of()),
        api.postJson(v1("main") + "/auth/login", "not json"),
        api.get("/health/live", null));
    for (Api.Response r : answers) {
      assertThat(r.header("X-Content-Type-Options")).as(r.toString()).contains("nosniff");
      assertThat(r.header("X-Frame-Options")).as(r.toString()).contains("DENY");
      assertThat(r.header("Referrer-Policy")).as(r.toString()).contains("no-referrer");
      assertThat(r.header("Cache-Control")).as(r.toString()).contains("no-store");
    }
  }

  @Test
  void securityHeadersWhenRefusedBeforeRoutingThenPresent() {
    List<String> filler = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      filler.add("X-Filler-" + i + ": " + "h".repeat(1000));
    }
    List<byte[]> requests = List.of(
        // 413 from the request guard
        HttpLimitsTest.head("POST", v1("main") + "/auth/login", "Content-Type: application/json",
            "Content-Length: " + (2 * 1024 * 1024)),
        // 414, 431 and 400 from Jetty's parser, answered by the JSON error handler
        HttpLimitsTest.head("GET", "/api/v1/errors?q=" + "u".repeat(20 * 1024)),
        HttpLimitsTest.head("GET", "/api/v1/errors", filler.toArray(String[]::new)),
        HttpLimitsTest.head("GET", "/%zz"));
    List<Integer> statuses = List.of(413, 414, 431, 400);
    for (int i = 0; i < requests.size(); i++) {
      byte[] request = requests.get(i);
      HttpLimitsTest.RawHttp.Answer a = HttpLimitsTest.RawHttp.exchange(server.app().port(),
          out -> out.write(request));
      assertThat(a.status()).as(a.toString()).isEqualTo(statuses.get(i));
      assertThat(a.header("X-Content-Type-Options")).as(a.toString()).contains("nosniff");
      assertThat(a.header("X-Frame-Options")).as(a.toString()).contains("DENY");
      assertThat(a.header("Referrer-Policy")).as(a.toString()).contains("no-referrer");
      assertThat(a.header("Cache-Control")).as(a.toString()).contains("no-store");
      assertThat(a.header("X-Request-Id")).as(a.toString()).isPresent();
    }
  }
}
