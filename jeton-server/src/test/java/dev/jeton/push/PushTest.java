package dev.jeton.push;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.config.Setting;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Scratch;
import dev.jeton.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Push approval against a local fake of FCM and Google's token endpoint (docs/push.md), on both
 * engines: a QR login started for a user is pushed to the user's phones, signed with the service
 * account's assertion; the phone takes it by id and approves with the code typed from the
 * computer; devices FCM reports gone are pruned; 429 and 5xx are retried after Retry-After, a
 * bounded number of times. Each refusal is an attempt to get a session, or a push, that should
 * not be had (SECURITY: rule 56, docs/security.md#push).
 */
@OnBothEngines
class PushTest {
  private static final String PASSWORD = "correct horse battery staple 9";
  private static final String QR = v1("main") + "/qr-logins";
  private static final String DEVICES = v1("main") + "/me/devices";
  private static final String SCRAPE = "scrape-token-for-the-push-test-0123456789";
  private static FakeFcm fcm;
  private static Path dir;

  final Engine engine;
  TestServer server;
  Api api;

  PushTest(Engine engine) {
    this.engine = engine;
  }

  @BeforeAll
  static void fakeFcm() throws Exception {
    dir = Scratch.dir("jeton-fcm");
    fcm = new FakeFcm(dir);
  }

  @AfterAll
  static void stopFakeFcm() throws Exception {
    fcm.close();
    Files.deleteIfExists(fcm.keyFile());
    Files.deleteIfExists(dir);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    assertThat(fcm.problems).as("what Jeton sent that FCM would refuse").isEmpty();
  }

  private void start(String... more) {
    Map<Setting, String> s = new EnumMap<>(Setting.class);
    s.put(Setting.PUSH_FCM_CREDENTIALS, fcm.keyFile().toString());
    s.put(Setting.PUSH_FCM_URL, fcm.url());
    for (String pair : more) {
      String[] kv = pair.split("=", 2);
      s.put(Setting.valueOf(kv[0]), kv[1]);
    }
    server = TestServer.start(engine, s);
    api = server.api();
    server.openRegistration("main");
  }

  private String signUp(String email) {
    Api.Response r = server.register("main", email, PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.text("access_token");
  }

  private static String newToken() {
    return "fcm-" + UUID.randomUUID() + ":APA91b" + UUID.randomUUID().toString().replace("-", "");
  }

  private JsonNode register(String phone, String token) {
    Api.Response r = api.postJson(DEVICES, "{\"token\":" + Api.q(token)
        + ",\"platform\":\"android\",\"name\":\"Pixel\",\"app_id\":\"com.example.app\"}", phone);
    assertThat(r.status()).as(r.toString()).isIn(200, 201);
    return r.json();
  }

  private JsonNode begin(String hint) {
    Api.Response r = api.postJson(QR, hint == null ? "{}" : "{\"login_hint\":" + Api.q(hint)
        + "}");
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json();
  }

  private Api.Response take(String phone, String id) {
    return api.postJson(QR + "/scan", "{\"id\":" + Api.q(id) + "}", phone);
  }

  private Api.Response approve(String phone, String id, String code) {
    return api.postJson(QR + "/" + id + "/approve", code == null ? "{}"
        : "{\"matching_code\":" + Api.q(code) + "}", phone);
  }

  private Api.Response poll(JsonNode login) {
    server.clock().advance(java.time.Duration.ofSeconds(2));
    return api.get(QR + "/" + login.path("id").asText(), login.path("poll_token").asText());
  }

  private static void assertCode(Api.Response r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.code()).as(r.toString()).isEqualTo(code);
  }

  @Test
  void aLoginForAUserIsPushedToTheirPhoneWhichApprovesWithTheCodeTypedFromTheComputer()
      throws Exception {
    start();
    String alice = signUp("alice@example.com");
    String token = newToken();
    register(alice, token);
    JsonNode login = begin("Alice@Example.com");
    List<FakeFcm.Received> got = fcm.await(token, 1);
    assertThat(got).hasSize(1);
    JsonNode data = got.get(0).message().path("data");
    assertThat(data.path("type").asText()).isEqualTo("qr_login");
    assertThat(data.path("login_id").asText()).isEqualTo(login.path("id").asText());
    assertThat(data.path("account").asText()).isEqualTo("main");
    assertThat(data.path("issuer").asText()).endsWith("/accounts/main");
    // never a secret, and (by default) not the code: the user must read it off the computer
    String sent = got.get(0).message().toString();
    assertThat(sent).doesNotContain(login.path("secret").asText())
        .doesNotContain(login.path("poll_token").asText()).doesNotContain("jeton_");
    assertThat(data.has("matching_code")).isFalse();
    assertThat(got.get(0).message().path("android").path("priority").asText()).isEqualTo("HIGH");

    Api.Response taken = take(alice, login.path("id").asText());
    assertThat(taken.status()).as(taken.toString()).isEqualTo(200);
    assertThat(taken.json().path("state").asText()).isEqualTo("scanned");
    assertThat(taken.json().has("matching_code")).as(taken.toString()).isFalse();
    assertThat(taken.json().path("matching_code_required").asBoolean()).isTrue();
    assertThat(poll(login).json().path("state").asText()).isEqualTo("scanned");

    Api.Response noCode = approve(alice, login.path("id").asText(), null);
    assertCode(noCode, 400, "validation_failed");
    assertThat(noCode.body()).contains("matching_code");
    Api.Response ok = approve(alice, login.path("id").asText(),
        login.path("matching_code").asText());
    assertThat(ok.json().path("state").asText()).as(ok.toString()).isEqualTo("approved");
    Api.Response session = api.send("POST", QR + "/" + login.path("id").asText() + "/exchange",
        "", Map.of("Authorization", "Bearer " + login.path("poll_token").asText()));
    assertThat(session.status()).as(session.toString()).isEqualTo(200);
    assertThat(api.get(v1("main") + "/me", session.text("access_token")).json().path("email")
        .asText()).isEqualTo("alice@example.com");

    JsonNode device = api.get(DEVICES, alice).json().path("data").get(0);
    assertThat(device.path("last_push_at").isNull()).as(device.toString()).isFalse();
  }

  /** Rule 56: a push prompt is not approved by a tap: a wrong code denies the login at once. */
  @Test
  void aWrongCodeDeniesThePushedLoginAndNoGuessFollows() throws Exception {
    start();
    String alice = signUp("alice@example.com");
    register(alice, newToken());
    JsonNode login = begin("alice@example.com");
    String id = login.path("id").asText();
    assertThat(take(alice, id).status()).isEqualTo(200);
    String right = login.path("matching_code").asText();
    String wrong = right.equals("0000") ? "0001" : "0000";
    assertCode(approve(alice, id, wrong), 403, "qr_matching_code_wrong");
    assertThat(poll(login).json().path("state").asText()).isEqualTo("denied");
    assertCode(approve(alice, id, right), 409, "qr_code_used");
    assertCode(api.send("POST", QR + "/" + id + "/exchange", "", Map.of("Authorization",
        "Bearer " + login.path("poll_token").asText())), 403, "qr_login_denied");
  }

  /** Rule 56: only the user a login was started for may take it by id; others learn nothing. */
  @Test
  void anotherUserCannotTakeALoginByItsIdAndAnUnknownHintSendsNothing() throws Exception {
    start();
    String alice = signUp("alice@example.com");
    String bob = signUp("bob@example.com");
    String aliceToken = newToken();
    register(alice, aliceToken);
    JsonNode forAlice = begin("alice@example.com");
    assertCode(take(bob, forAlice.path("id").asText()), 404, "qr_login_not_found");
    JsonNode nobody = begin("nobody@example.com");
    assertThat(nobody.properties().stream().map(Map.Entry::getKey).toList())
        .as("the answer does not tell whether the address has an account")
        .isEqualTo(forAlice.properties().stream().map(Map.Entry::getKey).toList());
    assertCode(take(alice, nobody.path("id").asText()), 404, "qr_login_not_found");
    JsonNode plain = begin(null);
    assertCode(take(alice, plain.path("id").asText()), 404, "qr_login_not_found");
    assertCode(api.postJson(QR, "{\"login_hint\":\"not an address\"}"), 400,
        "validation_failed");
    assertCode(api.postJson(QR + "/scan", "{\"id\":\"x\",\"secret\":\"y\"}", alice), 400,
        "validation_failed");
    assertThat(fcm.await(aliceToken, 1)).hasSize(1);
  }

  /** Push bombing: whoever knows a user's address cannot bury their phone in prompts. */
  @Test
  void aUserIsPushedAtMostFiveSignInsInTenMinutes() throws Exception {
    start("METRICS_TOKEN=" + SCRAPE);
    String alice = signUp("alice@example.com");
    String token = newToken();
    register(alice, token);
    for (int i = 0; i < Push.PER_USER + 3; i++) {
      begin("alice@example.com");
    }
    assertThat(fcm.await(token, Push.PER_USER)).hasSize(Push.PER_USER);
    Thread.sleep(300);
    assertThat(fcm.receivedFor(token)).hasSize(Push.PER_USER);
    assertThat(api.get("/metrics", SCRAPE).body()).containsPattern(
        "jeton_push_messages_total\\{result=\"limited\"} 3.0");
  }

  @Test
  void devicesFcmReportsGoneArePrunedAndOthersAreKept() throws Exception {
    start();
    String alice = signUp("alice@example.com");
    String unregistered = newToken();
    String invalid = newToken();
    String wrongProject = newToken();
    String fine = newToken();
    fcm.script(unregistered, new FakeFcm.Answer(404, FakeFcm.error(404, "NOT_FOUND",
        "Requested entity was not found.", "UNREGISTERED"), Map.of()));
    fcm.script(invalid, new FakeFcm.Answer(400, "{\"error\":{\"code\":400,\"message\":\"The "
        + "registration token is not a valid FCM registration token\",\"status\":"
        + "\"INVALID_ARGUMENT\",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase."
        + "fcm.v1.FcmError\",\"errorCode\":\"INVALID_ARGUMENT\"},{\"@type\":\"type.googleapis."
        + "com/google.rpc.BadRequest\",\"fieldViolations\":[{\"field\":\"message.token\","
        + "\"description\":\"Invalid registration token\"}]}]}}", Map.of()));
    // a 404 that is not FCM's word on the token (a wrong project, say) removes nothing
    fcm.script(wrongProject, new FakeFcm.Answer(404, FakeFcm.error(404, "NOT_FOUND",
        "Requested entity was not found.", null), Map.of()));
    for (String t : List.of(unregistered, invalid, wrongProject, fine)) {
      register(alice, t);
    }
    begin("alice@example.com");
    for (String t : List.of(unregistered, invalid, wrongProject, fine)) {
      assertThat(fcm.await(t, 1)).as(t).hasSize(1);
    }
    List<String> left = List.of();
    for (int i = 0; i < 200; i++) {
      left = api.get(DEVICES, alice).json().path("data").findValuesAsText("id");
      if (left.size() == 2) {
        break;
      }
      Thread.sleep(25);
    }
    assertThat(left).hasSize(2);
    assertThat(fcm.receivedFor(wrongProject)).hasSize(1);
  }

  @Test
  void busyOrFailingFcmIsTriedAgainAfterRetryAfterABoundedNumberOfTimes() throws Exception {
    start();
    String alice = signUp("alice@example.com");
    String once = newToken();
    String always = newToken();
    fcm.script(once, new FakeFcm.Answer(503, FakeFcm.error(503, "UNAVAILABLE", "busy", null),
        Map.of("Retry-After", "1")));
    FakeFcm.Answer quota = new FakeFcm.Answer(429, FakeFcm.error(429, "RESOURCE_EXHAUSTED",
        "quota", "QUOTA_EXCEEDED"), Map.of());
    fcm.script(always, quota, quota, quota, quota, quota, quota);
    register(alice, once);
    register(alice, always);
    begin("alice@example.com");
    List<FakeFcm.Received> tries = fcm.await(once, 2);
    assertThat(tries).hasSize(2);
    assertThat(tries.get(1).atMillis() - tries.get(0).atMillis())
        .as("the second try waited for Retry-After").isGreaterThanOrEqualTo(950);
    assertThat(fcm.await(always, Push.MAX_ATTEMPTS)).hasSize(Push.MAX_ATTEMPTS);
    Thread.sleep(5_000);
    assertThat(fcm.receivedFor(always)).as("no more than " + Push.MAX_ATTEMPTS + " tries")
        .hasSize(Push.MAX_ATTEMPTS);
    assertThat(api.get(DEVICES, alice).json().path("data")).hasSize(2);
  }

  @Test
  void anAccessTokenFcmNoLongerTakesIsReplacedAndTheMessageSent() throws Exception {
    start();
    String alice = signUp("alice@example.com");
    String token = newToken();
    register(alice, token);
    begin("alice@example.com");
    assertThat(fcm.await(token, 1)).hasSize(1);
    int before = fcm.tokensIssued.get();
    fcm.forgetAccessTokens();
    begin("alice@example.com");
    assertThat(fcm.await(token, 2)).hasSize(2);
    assertThat(fcm.tokensIssued.get()).isEqualTo(before + 1);
  }

  @Test
  void withPushMatchingShowThePushCarriesTheCodeAndApprovalNeedsNoTyping() throws Exception {
    start("PUSH_MATCHING=show");
    String alice = signUp("alice@example.com");
    String token = newToken();
    register(alice, token);
    JsonNode login = begin("alice@example.com");
    assertThat(fcm.await(token, 1).get(0).message().path("data").path("matching_code").asText())
        .isEqualTo(login.path("matching_code").asText());
    String id = login.path("id").asText();
    Api.Response taken = take(alice, id);
    assertThat(taken.json().path("matching_code").asText())
        .isEqualTo(login.path("matching_code").asText());
    assertThat(approve(alice, id, null).json().path("state").asText()).isEqualTo("approved");
  }

  /**
   * A device authorization naming its user (login_hint) sends the user's phones to the
   * verification page, where the user types the device's code: the push carries neither code.
   */
  @Test
  void aDeviceLoginForAUserSendsThePhoneToTheVerificationPageWithoutTheCodes() throws Exception {
    start();
    String alice = signUp("alice@example.com");
    String token = newToken();
    register(alice, token);
    ClientService.Registered tv = server.app().clients().create("main", new Client.Spec(
        "Living room TV", Client.Type.PUBLIC, List.of(), List.of(Client.DEVICE_CODE),
        List.of("read"), null, null, null));
    Api.Response started = api.send("POST", "/accounts/main/oauth2/device_authorization",
        "client_id=" + tv.client().clientId() + "&scope=read&login_hint=alice%40example.com",
        Map.of("Content-Type", "application/x-www-form-urlencoded"));
    assertThat(started.status()).as(started.toString()).isEqualTo(200);
    List<FakeFcm.Received> got = fcm.await(token, 1);
    assertThat(got).hasSize(1);
    JsonNode data = got.get(0).message().path("data");
    assertThat(data.path("type").asText()).isEqualTo("device_login");
    assertThat(data.path("verification_uri").asText()).endsWith("/accounts/main/device");
    assertThat(data.path("client_name").asText()).isEqualTo("Living room TV");
    assertThat(got.get(0).message().toString())
        .doesNotContain(started.json().path("user_code").asText())
        .doesNotContain(started.json().path("device_code").asText());
    // an address that is no user's: the same answer, nothing sent
    Api.Response other = api.send("POST", "/accounts/main/oauth2/device_authorization",
        "client_id=" + tv.client().clientId() + "&login_hint=nobody%40example.com",
        Map.of("Content-Type", "application/x-www-form-urlencoded"));
    assertThat(other.status()).isEqualTo(200);
    assertThat(other.json().properties().stream().map(Map.Entry::getKey).toList())
        .isEqualTo(started.json().properties().stream().map(Map.Entry::getKey).toList());
    Thread.sleep(300);
    assertThat(fcm.receivedFor(token)).hasSize(1);
  }
}
