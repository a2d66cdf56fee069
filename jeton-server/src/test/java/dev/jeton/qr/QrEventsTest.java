package dev.jeton.qr;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Server-Sent Events stream of a QR login (docs/qr-login.md#events), on both engines: the
 * desktop is sent each state as it changes and the stream ends once the state is final; the
 * stream is refused, as a poll is, without the login's poll token.
 */
@OnBothEngines
class QrEventsTest {
  private static final String PASSWORD = "correct horse battery staple 9";
  private static final String QR = v1("main") + "/qr-logins";
  private static final ObjectMapper JSON = new ObjectMapper();

  TestServer server;
  Api api;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    api = server.api();
    server.openRegistration("main");
  }

  private JsonNode begin() {
    Api.Response r = api.postJson(QR, "{}");
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json();
  }

  /** An open stream: its response, and its events' data read as they come. */
  private record Stream(HttpResponse<InputStream> response, BufferedReader reader) {
    /** The next event's name and data, or null once the stream ended. */
    String[] next() throws Exception {
      String event = null;
      StringBuilder data = new StringBuilder();
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.isEmpty()) {
          if (event != null) {
            return new String[] {event, data.toString()};
          }
          continue;
        }
        if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).trim());
        }
      }
      return null;
    }

    JsonNode nextState() throws Exception {
      String[] e = CompletableFuture.supplyAsync(() -> {
        try {
          return next();
        } catch (Exception ex) {
          throw new IllegalStateException(ex);
        }
      }).get(10, TimeUnit.SECONDS);
      assertThat(e).as("an event before the stream ended").isNotNull();
      assertThat(e[0]).isEqualTo("state");
      return JSON.readTree(e[1]);
    }

    boolean ended() throws Exception {
      return CompletableFuture.supplyAsync(() -> {
        try {
          return next() == null;
        } catch (Exception ex) {
          return true;
        }
      }).get(10, TimeUnit.SECONDS);
    }
  }

  private Stream open(JsonNode login, String pollToken, String accept) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.base() + QR + "/"
        + login.path("id").asText() + "/events")).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + pollToken);
    if (accept != null) {
      b.header("Accept", accept);
    }
    HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    return new Stream(r, new BufferedReader(new InputStreamReader(r.body(),
        StandardCharsets.UTF_8)));
  }

  @Test
  void theDesktopIsSentEachStateAsItChangesAndTheStreamEndsOnceApproved() throws Exception {
    String phone = server.register("main", "alice@example.com", PASSWORD).text("access_token");
    JsonNode login = begin();
    Stream s = open(login, login.path("poll_token").asText(), "text/event-stream");
    assertThat(s.response().statusCode()).isEqualTo(200);
    assertThat(s.response().headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/event-stream");
    JsonNode first = s.nextState();
    assertThat(first.path("state").asText()).isEqualTo("pending");
    assertThat(first.path("id").asText()).isEqualTo(login.path("id").asText());
    assertThat(first.has("secret")).isFalse();

    api.postJson(QR + "/scan", "{\"secret\":" + Api.q(login.path("secret").asText()) + "}",
        phone);
    assertThat(s.nextState().path("state").asText()).isEqualTo("scanned");
    api.send("POST", QR + "/" + login.path("id").asText() + "/approve", "",
        Map.of("Authorization", "Bearer " + phone));
    assertThat(s.nextState().path("state").asText()).isEqualTo("approved");
    assertThat(s.ended()).as("approved is final for the stream").isTrue();
    Api.Response session = api.send("POST", QR + "/" + login.path("id").asText() + "/exchange",
        "", Map.of("Authorization", "Bearer " + login.path("poll_token").asText()));
    assertThat(session.status()).as(session.toString()).isEqualTo(200);
  }

  @Test
  void aStreamIsSentTheExpiryAndEnds() throws Exception {
    JsonNode login = begin();
    Stream s = open(login, login.path("poll_token").asText(), "text/event-stream");
    assertThat(s.nextState().path("state").asText()).isEqualTo("pending");
    server.clock().advance(Duration.ofMinutes(3));
    assertThat(s.nextState().path("state").asText()).isEqualTo("expired");
    assertThat(s.ended()).isTrue();
  }

  @Test
  void aSecondStreamReplacesTheFirst() throws Exception {
    JsonNode login = begin();
    Stream first = open(login, login.path("poll_token").asText(), "text/event-stream");
    assertThat(first.nextState().path("state").asText()).isEqualTo("pending");
    Stream second = open(login, login.path("poll_token").asText(), "text/event-stream");
    assertThat(second.nextState().path("state").asText()).isEqualTo("pending");
    assertThat(first.ended()).isTrue();
  }

  /** Rule 56: the stream tells the state only to the holder of the login's poll token. */
  @Test
  void aStreamWithoutThePollTokenIsRefusedAsAPollIs() throws Exception {
    JsonNode login = begin();
    JsonNode other = begin();
    Stream wrong = open(login, other.path("poll_token").asText(), "text/event-stream");
    assertThat(wrong.response().statusCode()).isEqualTo(404);
    String body = new String(wrong.response().body().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(body).contains("qr_login_not_found");
    Stream json = open(login, login.path("poll_token").asText(), "application/json");
    assertThat(json.response().statusCode()).isEqualTo(406);
    List<String> codes = new ArrayList<>();
    codes.add(new String(json.response().body().readAllBytes(), StandardCharsets.UTF_8));
    assertThat(codes.get(0)).contains("not_acceptable");
  }
}
