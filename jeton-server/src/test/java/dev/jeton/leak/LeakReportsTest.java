package dev.jeton.leak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/leaks.md: a leak report ends every live Jeton credential among the strings it carries and
 * tells the owner and the admins, while its answer is the same whatever the strings were (no
 * oracle: valid, revoked, malformed and foreign strings alike); reports are limited per source;
 * the documented token format lets a secret scanner find and check every kind. On both engines.
 */
@OnBothEngines
class LeakReportsTest {
  static final String LEAKS = "/api/v1/leaks";
  static final String V1 = TestServer.v1("main");
  static final String PASSWORD = "a sturdy pass phrase 41";

  TestServer server;
  Api api;
  String admin;
  Api.Response owner;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    this.api = server.api();
    this.admin = server.adminToken();
    owner = server.register("main", "owner@example.com", PASSWORD);
    assertThat(owner.status()).as(owner.toString()).isEqualTo(201);
  }

  private String pat(String accessToken) {
    Api.Response r = api.postJson(V1 + "/me/tokens", "{}", accessToken);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.text("token");
  }

  private Api.Response report(String... tokens) {
    StringBuilder body = new StringBuilder("{\"tokens\":[");
    for (int i = 0; i < tokens.length; i++) {
      body.append(i == 0 ? "" : ",").append(Api.q(tokens[i]));
    }
    return api.postJson(LEAKS, body.append("]}").toString());
  }

  private void examined() throws InterruptedException {
    assertThat(server.app().leaks().awaitIdle(Duration.ofSeconds(20))).isTrue();
  }

  private JsonNode notices(String path, String bearer) {
    Api.Response r = api.get(path, bearer);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json().path("data");
  }

  /** The answer without what differs between any two requests (request id, date). */
  private static String comparable(Api.Response r) {
    Map<String, List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.putAll(r.headers());
    headers.remove("date");
    headers.remove("x-request-id");
    headers.remove(":status");
    return r.status() + " " + headers + " " + r.body();
  }

  @Test
  void reportWhenValidRevokedMalformedOrForeignThenSameAnswerAndOnlyTheLiveOneEnded()
      throws Exception {
    String live = pat(owner.text("access_token"));
    String revoked = pat(owner.text("access_token"));
    report(revoked);
    examined();
    String forged = live.substring(0, live.length() - 1)
        + (live.endsWith("A") ? "B" : "A"); // checksum no longer matches
    String foreign = "ghp_" + "x".repeat(36);

    List<String> answers = new ArrayList<>();
    for (String s : List.of(live, revoked, forged, foreign)) {
      Api.Response r = report(s);
      assertThat(r.status()).as(r.toString()).isEqualTo(202);
      answers.add(comparable(r));
    }
    assertThat(answers).as("the answer is an oracle if any differs").containsOnly(answers.get(0));
    examined();

    Api.Response me = api.get(V1 + "/me", live);
    assertThat(me.status()).isEqualTo(401);
    assertThat(me.code()).isEqualTo("token_revoked");
    JsonNode mine = notices(V1 + "/me/notices", owner.text("access_token"));
    assertThat(mine).hasSize(2); // the two tokens ended, each once
    assertThat(mine.get(0).path("kind").asText()).isEqualTo("token_leaked");
    assertThat(mine.get(0).path("token").path("kind").asText()).isEqualTo("pat");
    assertThat(mine.get(0).path("action").asText()).isEqualTo("revoked");
    assertThat(mine.toString()).doesNotContain(live).doesNotContain(revoked);
    assertThat(notices(V1 + "/notices", admin)).hasSize(2);
    // another user sees none of them
    Api.Response other = server.register("main", "bystander@example.com", PASSWORD);
    assertThat(notices(V1 + "/me/notices", other.text("access_token"))).isEmpty();
  }

  @Test
  void reportWhenRefreshOrAccessTokenLeakedThenTheirSessionsEnd() throws Exception {
    Api.Response second = server.login("main", "owner@example.com", PASSWORD);
    report("some text around it", owner.text("refresh_token"), second.text("access_token"));
    examined();
    Api.Response refresh = server.refresh("main", owner.text("refresh_token"));
    assertThat(refresh.code()).as(refresh.toString()).isEqualTo("token_revoked");
    assertThat(api.get(V1 + "/me", owner.text("access_token")).status()).isEqualTo(401);
    assertThat(api.get(V1 + "/me", second.text("access_token")).status()).isEqualTo(401);
    assertThat(server.refresh("main", second.text("refresh_token")).code())
        .isEqualTo("token_revoked");
    Api.Response fresh = server.login("main", "owner@example.com", PASSWORD);
    JsonNode mine = notices(V1 + "/me/notices", fresh.text("access_token"));
    assertThat(mine).hasSize(2);
    for (JsonNode n : mine) {
      assertThat(n.path("token").path("kind").asText()).isEqualTo("session");
      assertThat(n.path("detail").asText()).contains("sign in again");
    }
  }

  @Test
  void reportWhenPrincipalTokenLeakedThenRevokedAndOnlyAdminsAreTold() throws Exception {
    Api.Response sp = api.postJson(V1 + "/service-principals", "{\"name\":\"ci\"}", admin);
    String id = sp.json().path("id").asText();
    Api.Response t = api.postJson(V1 + "/service-principals/" + id + "/tokens", "{}", admin);
    String token = t.text("token");
    assertThat(api.get(V1 + "/clients", token).status()).isEqualTo(200);
    report(token);
    examined();
    assertThat(api.get(V1 + "/clients", token).code()).isEqualTo("token_revoked");
    JsonNode all = notices(V1 + "/notices", admin);
    assertThat(all).hasSize(1);
    assertThat(all.get(0).path("owner").path("kind").asText()).isEqualTo("principal");
    assertThat(all.get(0).path("owner").path("id").asText()).isEqualTo(id);
    assertThat(notices(V1 + "/me/notices", owner.text("access_token"))).isEmpty();
    Api.Response notAdmin = api.get(V1 + "/notices", owner.text("access_token"));
    assertThat(notAdmin.code()).isEqualTo("insufficient_scope");
  }

  @Test
  void reportWhenClientSecretLeakedThenAdminsToldOnceAndTheSecretKeepsWorkingUntilRotated()
      throws Exception {
    ClientService.Registered c = server.app().clients().create("main", new Client.Spec(
        "Backend", Client.Type.CONFIDENTIAL, List.of(), List.of(Client.CLIENT_CREDENTIALS),
        List.of("read"), null, null, null));
    report(c.secret());
    report(c.secret());
    examined();
    JsonNode all = notices(V1 + "/notices", admin);
    assertThat(all).hasSize(1);
    assertThat(all.get(0).path("token").path("kind").asText()).isEqualTo("client_secret");
    assertThat(all.get(0).path("token").path("id").asText()).isEqualTo(c.client().clientId());
    assertThat(all.get(0).path("action").asText()).isEqualTo("none");
    assertThat(all.get(0).path("detail").asText()).contains("rotate it now");
    Api.Response token = api.send("POST", V1.replace("/api/v1", "") + "/oauth2/token",
        "grant_type=client_credentials&scope=read&client_id=" + c.client().clientId()
            + "&client_secret=" + c.secret(),
        Map.of("Content-Type", "application/x-www-form-urlencoded"));
    assertThat(token.status()).as(token.toString()).isEqualTo(200);
  }

  @Test
  void reportWhenPasswordLinkLeakedThenItNoLongerWorks() throws Exception {
    Api.Response invited = api.postJson(V1 + "/users", "{\"email\":\"new@example.com\"}", admin);
    String link = invited.json().path("password_link").path("token").asText();
    report(link);
    examined();
    Api.Response set = api.postJson(V1 + "/auth/set-password", "{\"token\":" + Api.q(link)
        + ",\"password\":" + Api.q(PASSWORD) + "}");
    assertThat(set.code()).as(set.toString()).isEqualTo("password_link_invalid");
    assertThat(notices(V1 + "/notices", admin).get(0).path("token").path("kind").asText())
        .isEqualTo("password_link");
  }

  @Test
  void reportWhenOneSourceSendsTooManyThenRateLimitedUntilTheMinutePasses() {
    for (int i = 0; i < LeakReports.REPORTS_PER_WINDOW; i++) {
      assertThat(report("nothing " + i).status()).isEqualTo(202);
    }
    Api.Response limited = report("one more");
    assertThat(limited.status()).as(limited.toString()).isEqualTo(429);
    assertThat(limited.code()).isEqualTo("rate_limit_exceeded");
    assertThat(limited.header("Retry-After")).isPresent();
    server.clock().advance(Duration.ofSeconds(61));
    assertThat(report("later").status()).isEqualTo(202);
  }

  @Test
  void reportWhenTooManyOrTooLongStringsThenRefusedWhole() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i <= LeakReports.MAX_TOKENS; i++) {
      many.add("s" + i);
    }
    Api.Response r = report(many.toArray(String[]::new));
    assertThat(r.code()).as(r.toString()).isEqualTo("validation_failed");
    assertThat(report("x".repeat(LeakReports.MAX_TOKEN_CHARS + 1)).code())
        .isEqualTo("validation_failed");
    assertThat(api.postJson(LEAKS, "{}").code()).isEqualTo("validation_failed");
  }

  /**
   * The pattern and checksum docs/leaks.md gives secret scanners, written here from the
   * document alone: it finds every kind in surrounding text and tells a real secret from a
   * mistyped one.
   */
  @Test
  void scannerWhenUsingTheDocumentedFormatThenFindsAndChecksEveryKind() {
    Pattern scanner = Pattern.compile(
        "\\bjeton_(?:rt|pat|ac|dc|qr|qp|st|cs|pw)_[0-9A-Za-z]{36}\\b");
    dev.jeton.token.OpaqueTokens gen =
        new dev.jeton.token.OpaqueTokens(new java.security.SecureRandom());
    for (dev.jeton.token.TokenKind kind : dev.jeton.token.TokenKind.values()) {
      String secret = gen.generate(kind);
      Matcher m = scanner.matcher("export TOKEN=\"" + secret + "\"; # do not commit");
      assertThat(m.find()).as(kind.toString()).isTrue();
      assertThat(m.group()).isEqualTo(secret);
      assertThat(documentedChecksumHolds(secret)).as(kind.toString()).isTrue();
      String typo = secret.substring(0, 20) + (secret.charAt(20) == 'a' ? 'b' : 'a')
          + secret.substring(21);
      assertThat(documentedChecksumHolds(typo)).as(kind + " with a typo").isFalse();
    }
  }

  /** CRC-32 of the ASCII text before the last six characters, as six base62 digits. */
  private static boolean documentedChecksumHolds(String secret) {
    String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    CRC32 crc = new CRC32();
    crc.update(secret.substring(0, secret.length() - 6).getBytes(StandardCharsets.US_ASCII));
    long v = crc.getValue();
    StringBuilder digits = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      digits.insert(0, alphabet.charAt((int) (v % 62)));
      v /= 62;
    }
    return secret.endsWith(digits.toString());
  }
}
