package dev.jeton.qr;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Settings;
import dev.jeton.testing.TestServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The QR login API (docs/qr-login.md) on both engines: the whole flow, then every refusal a
 * desktop or a phone can meet, each an attempt to get a session it should not (SECURITY: rule 56,
 * docs/security.md#qr-login).
 */
@OnBothEngines
class QrLoginTest {
  private static final String PASSWORD = "correct horse battery staple 9";
  private static final String QR = v1("main") + "/qr-logins";

  TestServer server;
  Api api;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    api = server.api();
    server.openRegistration("main");
  }

  private String signUp(String email) {
    Api.Response r = server.register("main", email, PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.text("access_token");
  }

  /** A desktop starts a login, without credentials. */
  private JsonNode begin() {
    Api.Response r = api.send("POST", QR, "", Map.of("User-Agent", "Desktop browser/1.0"));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json();
  }

  private Api.Response poll(JsonNode login) {
    return api.get(QR + "/" + login.path("id").asText(), login.path("poll_token").asText());
  }

  private Api.Response exchange(JsonNode login) {
    return api.send("POST", QR + "/" + login.path("id").asText() + "/exchange", "",
        Map.of("Authorization", "Bearer " + login.path("poll_token").asText()));
  }

  private Api.Response scan(JsonNode login, String phone) {
    return api.postJson(QR + "/scan", "{\"secret\":" + Api.q(login.path("secret").asText())
        + "}", phone);
  }

  private Api.Response decide(JsonNode login, String phone, String decision) {
    return api.send("POST", QR + "/" + login.path("id").asText() + "/" + decision, "",
        Map.of("Authorization", "Bearer " + phone));
  }

  private void later() {
    server.clock().advance(QrLogins.POLL_INTERVAL);
  }

  private static void assertCode(Api.Response r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.code()).as(r.toString()).isEqualTo(code);
  }

  @Test
  void aPhoneSignedInApprovesAndOnlyTheDesktopExchangesTheLoginOnceForASession() {
    String phone = signUp("alice@example.com");
    JsonNode login = begin();
    assertThat(login.path("secret").asText()).startsWith("jeton_qr_");
    assertThat(login.path("poll_token").asText()).startsWith("jeton_qp_");
    assertThat(login.path("state").asText()).isEqualTo("pending");
    assertThat(login.path("matching_code").asText()).matches("[0-9]{4}");
    assertThat(login.path("poll_interval").asLong()).isEqualTo(2);
    assertThat(login.path("deep_link").asText())
        .endsWith("/accounts/main/qr/" + login.path("secret").asText());
    Instant expected = Instant.ofEpochMilli(server.clock().millis()).plusSeconds(120);
    assertThat(Instant.parse(login.path("expires_at").asText()))
        .isBetween(expected.minusSeconds(1), expected);
    assertThat(poll(login).json().path("state").asText()).isEqualTo("pending");

    Api.Response scanned = scan(login, phone);
    assertThat(scanned.status()).as(scanned.toString()).isEqualTo(200);
    // what the phone is shown before deciding: the same matching code, where the desktop is
    assertThat(scanned.json().path("state").asText()).isEqualTo("scanned");
    assertThat(scanned.json().path("matching_code").asText())
        .isEqualTo(login.path("matching_code").asText());
    assertThat(scanned.json().path("desktop").path("ip").asText()).isEqualTo("127.0.0.1");
    assertThat(scanned.json().path("desktop").path("user_agent").asText())
        .isEqualTo("Desktop browser/1.0");
    assertThat(scanned.body()).doesNotContain(login.path("poll_token").asText());
    later();
    assertThat(poll(login).json().path("state").asText()).isEqualTo("scanned");
    assertCode(exchange(login), 400, "qr_login_pending");

    Api.Response approved = decide(login, phone, "approve");
    assertThat(approved.json().path("state").asText()).as(approved.toString())
        .isEqualTo("approved");
    later();
    Api.Response polled = poll(login);
    assertThat(polled.json().path("state").asText()).isEqualTo("approved");
    assertThat(polled.body()).as("the desktop never sees who approved")
        .doesNotContain("alice").doesNotContain("usr_");

    Api.Response session = exchange(login);
    assertThat(session.status()).as(session.toString()).isEqualTo(200);
    assertThat(session.header("Cache-Control")).contains("no-store");
    Api.Response me = api.get(v1("main") + "/me", session.text("access_token"));
    assertThat(me.json().path("email").asText()).as(me.toString())
        .isEqualTo("alice@example.com");
    assertThat(session.text("refresh_token")).startsWith("jeton_rt_");

    // once only
    assertCode(exchange(login), 409, "qr_login_consumed");
    later();
    assertThat(poll(login).json().path("state").asText()).isEqualTo("consumed");
    // the phone's approval did not hand the session to the phone, nor the secret to a second use
    assertCode(scan(login, phone), 409, "qr_code_used");
  }

  @Test
  void theQrCodeImagesDecodeBackToTheDeepLink() throws Exception {
    JsonNode login = begin();
    String link = login.path("deep_link").asText();
    String png = login.path("qr_png_url").asText();
    assertThat(png).startsWith("data:image/png;base64,");
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(
        Base64.getDecoder().decode(png.substring(png.indexOf(',') + 1))));
    assertThat(decode(img)).isEqualTo(link);
    // the quiet zone: four modules of white on every side
    assertThat(img.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFFFFFF);
    assertThat(img.getRGB(4 * QrImages.PIXELS_PER_MODULE - 1, 4 * QrImages.PIXELS_PER_MODULE - 1)
        & 0xFFFFFF).isEqualTo(0xFFFFFF);
    assertThat(img.getRGB(4 * QrImages.PIXELS_PER_MODULE, 4 * QrImages.PIXELS_PER_MODULE)
        & 0xFFFFFF).as("the finder pattern's corner").isZero();

    // the SVG: drawn back from its squares, it decodes to the same link
    String svgUrl = login.path("qr_svg_url").asText();
    assertThat(svgUrl).startsWith("data:image/svg+xml;base64,");
    String svg = new String(Base64.getDecoder().decode(
        svgUrl.substring(svgUrl.indexOf(',') + 1)), StandardCharsets.UTF_8);
    Matcher side = Pattern.compile("viewBox=\"0 0 (\\d+) ")
        .matcher(svg);
    assertThat(side.find()).as(svg).isTrue();
    int n = Integer.parseInt(side.group(1));
    int scale = 4;
    BufferedImage drawn = new BufferedImage(n * scale, n * scale,
        BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < n * scale; y++) {
      for (int x = 0; x < n * scale; x++) {
        drawn.setRGB(x, y, 0xFFFFFF);
      }
    }
    Matcher square = Pattern.compile("M(\\d+),(\\d+)h1v1h-1z")
        .matcher(svg);
    while (square.find()) {
      int mx = Integer.parseInt(square.group(1));
      int my = Integer.parseInt(square.group(2));
      for (int y = 0; y < scale; y++) {
        for (int x = 0; x < scale; x++) {
          drawn.setRGB(mx * scale + x, my * scale + y, 0);
        }
      }
    }
    assertThat(decode(drawn)).isEqualTo(link);
  }

  private static String decode(BufferedImage img) throws Exception {
    int[] pixels = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    BinaryBitmap bitmap = new BinaryBitmap(
        new HybridBinarizer(new RGBLuminanceSource(
            img.getWidth(), img.getHeight(), pixels)));
    return new QRCodeReader().decode(bitmap).getText();
  }

  @Test
  void withoutItsOwnPollTokenNobodyFollowsOrExchangesALogin() {
    JsonNode login = begin();
    JsonNode other = begin();
    String id = login.path("id").asText();
    assertCode(api.get(QR + "/" + id, other.path("poll_token").asText()), 404,
        "qr_login_not_found");
    assertCode(api.get(QR + "/" + id, login.path("secret").asText()), 404,
        "qr_login_not_found");
    assertCode(api.get(QR + "/" + id, "jeton_qp_" + "x".repeat(36)), 404, "qr_login_not_found");
    assertCode(api.get(QR + "/qrl_unknown", login.path("poll_token").asText()), 404,
        "qr_login_not_found");
    assertThat(api.get(QR + "/" + id).status()).isEqualTo(401);
    assertCode(api.send("POST", QR + "/" + id + "/exchange", "",
        Map.of("Authorization", "Bearer " + other.path("poll_token").asText())), 404,
        "qr_login_not_found");
    // a phone's own token does not follow a login either
    String phone = signUp("mallory@example.com");
    assertCode(api.get(QR + "/" + id, phone), 404, "qr_login_not_found");
  }

  @Test
  void pollingFasterThanTheIntervalIsToldToSlowDown() {
    JsonNode login = begin();
    assertThat(poll(login).status()).isEqualTo(200);
    Api.Response fast = poll(login);
    assertCode(fast, 400, "slow_down");
    assertThat(fast.header("Retry-After")).hasValue("2");
    server.clock().advance(Duration.ofMillis(1600));
    assertThat(poll(login).status()).as("a poll a little early is let through").isEqualTo(200);
  }

  @Test
  void aSecondPhoneCannotTakeOverAScannedLoginNorDecideForTheFirst() {
    String alice = signUp("alice@example.com");
    String bob = signUp("bob@example.com");
    JsonNode login = begin();
    assertThat(scan(login, alice).status()).isEqualTo(200);
    assertThat(scan(login, alice).status()).as("the same phone again").isEqualTo(200);
    assertCode(scan(login, bob), 409, "qr_code_used");
    assertCode(decide(login, bob, "approve"), 404, "qr_login_not_found");
    // a login nobody scanned cannot be decided
    JsonNode unscanned = begin();
    assertCode(decide(unscanned, alice, "approve"), 404, "qr_login_not_found");
    // a secret that is not one, or of another kind
    assertCode(api.postJson(QR + "/scan", "{\"secret\":\"jeton_qr_nothing\"}", alice), 404,
        "qr_login_not_found");
    assertCode(api.postJson(QR + "/scan", "{\"secret\":" + Api.q(login.path("poll_token")
        .asText()) + "}", alice), 404, "qr_login_not_found");
    assertCode(api.postJson(QR + "/scan", "{}", alice), 400, "validation_failed");
    assertThat(api.postJson(QR + "/scan", "{\"secret\":\"x\"}").status())
        .as("scanning needs a signed-in user").isEqualTo(401);
    // a personal access token (a script's, perhaps leaked) cannot approve sign-ins
    Api.Response pat = api.postJson(v1("main") + "/me/tokens", "{\"comment\":\"script\"}",
        bob);
    assertThat(pat.status()).as(pat.toString()).isEqualTo(201);
    JsonNode fresh = begin();
    assertCode(scan(fresh, pat.text("token")), 403, "session_required");
  }

  @Test
  void aDeniedLoginIsNeverExchangedAndTheDecisionIsFinal() {
    String phone = signUp("alice@example.com");
    JsonNode login = begin();
    scan(login, phone);
    assertThat(decide(login, phone, "deny").json().path("state").asText()).isEqualTo("denied");
    assertThat(decide(login, phone, "deny").status()).as("the same decision again").isEqualTo(200);
    assertCode(decide(login, phone, "approve"), 409, "qr_code_used");
    assertCode(exchange(login), 403, "qr_login_denied");
    later();
    assertThat(poll(login).json().path("state").asText()).isEqualTo("denied");
  }

  @Test
  void anExpiredLoginCanBeNeitherScannedNorApprovedNorExchanged() {
    String phone = signUp("alice@example.com");
    JsonNode late = begin();
    JsonNode approvedLate = begin();
    scan(approvedLate, phone);
    decide(approvedLate, phone, "approve");
    JsonNode scannedLate = begin();
    scan(scannedLate, phone);
    server.clock().advance(Duration.ofSeconds(121));
    assertCode(scan(late, phone), 400, "qr_login_expired");
    assertThat(poll(late).json().path("state").asText()).isEqualTo("expired");
    assertCode(exchange(approvedLate), 400, "qr_login_expired");
    assertCode(decide(scannedLate, phone, "approve"), 400, "qr_login_expired");
  }

  @Test
  void startingWithoutAnyBodyOrLengthAsCurlSendsItIsAccepted() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.app().port())) {
      s.getOutputStream().write(("POST " + QR + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(),
          StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 201 ").contains("\"poll_token\":\"jeton_qp_");
    }
  }

  @Test
  @Settings("QR_LOGIN_LIMIT=5/10m")
  void startingNamesItsClientAndIsLimitedPerAddress() {
    assertCode(api.postJson(QR, "{\"client_id\":\"cli_nobody\"}"), 404, "client_not_found");
    assertCode(api.postJson(QR, "{\"client\":\"x\"}"), 400, "validation_failed");
    String clientId = server.app().clients().create("main", new dev.jeton.client.Client.Spec(
        "Acme TV", dev.jeton.client.Client.Type.PUBLIC, java.util.List.of(),
        java.util.List.of(dev.jeton.client.Client.DEVICE_CODE), java.util.List.of(), null, null,
        null)).client().clientId();
    Api.Response named = api.postJson(QR, "{\"client_id\":" + Api.q(clientId) + "}");
    assertThat(named.status()).as(named.toString()).isEqualTo(201);
    assertThat(named.json().path("client").path("name").asText()).isEqualTo("Acme TV");
    String phone = signUp("alice@example.com");
    assertThat(scan(named.json(), phone).json().path("client").path("name").asText())
        .as("the phone is shown what is asking").isEqualTo("Acme TV");
    // each start is a row: one address gets a bounded number
    int started = 1;
    Api.Response r;
    while ((r = api.send("POST", QR, "", Map.of())).status() == 201) {
      started++;
      assertThat(started).isLessThanOrEqualTo(5);
    }
    assertCode(r, 429, "rate_limit_exceeded");
    assertThat(started).isEqualTo(5);
  }

  /** Rule 56: the phone is told roughly where the desktop is, as the operator's proxy says. */
  @Test
  @Settings("QR_LOCATION_HEADER=X-Geo-Location")
  void thePhoneSeesTheDesktopsRoughLocationFromTheConfiguredHeader() {
    String phone = signUp("alice@example.com");
    Api.Response r = api.send("POST", QR, "", Map.of("X-Geo-Location", "Lyon, FR"));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    Api.Response scanned = scan(r.json(), phone);
    assertThat(scanned.json().path("desktop").path("location").asText()).as(scanned.toString())
        .isEqualTo("Lyon, FR");
  }

  /** Without the setting a client cannot claim a location: the header is not read. */
  @Test
  void aLocationHeaderIsIgnoredUnlessTheOperatorNamedIt() {
    String phone = signUp("alice@example.com");
    Api.Response r = api.send("POST", QR, "", Map.of("X-Geo-Location", "Lyon, FR"));
    Api.Response scanned = scan(r.json(), phone);
    assertThat(scanned.status()).as(scanned.toString()).isEqualTo(200);
    assertThat(scanned.json().path("desktop").has("location")).isFalse();
  }
}
