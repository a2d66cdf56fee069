package dev.jeton.setup;

import dev.jeton.account.SetupTokens;
import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.jeton.account.AccountService;
import dev.jeton.config.ConfigException;
import dev.jeton.config.Setting;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Settings;
import dev.jeton.testing.TestServer;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The first-admin setup link of a server started without bootstrap settings: the page, its form
 * post (same-origin only, single use) and the link's scope, on both engines.
 */
@OnBothEngines
@Settings({"BOOTSTRAP_ADMIN_EMAIL=", "BOOTSTRAP_ADMIN_PASSWORD="})
class SetupTest {
  private static final String EMAIL = "root@example.org";
  private static final String PASSWORD = "amber kettle sings at dawn";
  private static final String FORM = "application/x-www-form-urlencoded";

  final Engine engine;

  TestServer server;
  Api api;

  SetupTest(Engine engine) {
    this.engine = engine;
  }

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    api = server.api();
  }

  /** For the tests that restart the server: closes the one they started. */
  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String tokenOf(String link) {
    String query = URI.create(link).getRawQuery();
    assertThat(query).startsWith("token=");
    return query.substring("token=".length());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private Api.Response postForm(String account, String token, String email, String password,
      String origin) {
    Map<String, String> headers = new HashMap<>();
    headers.put("Content-Type", FORM);
    if (origin != null) {
      headers.put("Origin", origin);
    }
    return api.send("POST", "/accounts/" + account + "/setup",
        "token=" + enc(token) + "&email=" + enc(email) + "&password=" + enc(password), headers);
  }

  private int admins(String account) {
    return server.app().users().store().countAdmins(account);
  }

  @Test
  void firstAdminLinkWhenNoBootstrapAdminThenPointsAtMainSetup() {
    String link = server.app().firstAdminLink();
    assertThat(link).isNotNull();
    assertThat(link).startsWith(api.base() + "/accounts/main/setup?token=jeton_st_");
    assertThat(admins("main")).isZero();
    assertThat(server.login("main", TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD).status())
        .isEqualTo(401);
  }

  @Test
  void setupPageWhenLinkValidThenHtmlFormWithPageSecurityHeaders() {
    String link = server.app().firstAdminLink();
    Api.Response page = api.get(link, null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(page.header("Content-Security-Policy").orElseThrow())
        .contains("frame-ancestors 'none'");
    assertThat(page.header("X-Frame-Options")).contains("DENY");
    assertThat(page.header("Cache-Control")).contains("no-store");
    assertThat(page.body()).contains("<form").contains("method=\"post\"")
        .contains("action=\"/accounts/main/setup\"")
        .contains("name=\"token\" value=\"" + tokenOf(link) + "\"")
        .contains("name=\"email\"").contains("name=\"password\"");
    // Viewing the page does not spend the link.
    assertThat(api.get(link, null).status()).isEqualTo(200);
  }

  @Test
  void setupPageWhenTokenMissingOrUnknownThen400Page() {
    Api.Response none = api.get("/accounts/main/setup", null);
    assertThat(none.status()).isEqualTo(400);
    assertThat(none.header("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(none.body()).doesNotContain("<form");
    String forged = server.app().newSetupLink("main").replaceFirst("token=jeton_st_.{4}",
        "token=jeton_st_zzzz");
    Api.Response unknown = api.get(forged, null);
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.body()).doesNotContain("<form");
  }

  @Test
  void formPostWhenValidThenAdminCreatedAndCanLogIn() {
    String token = tokenOf(server.app().firstAdminLink());
    Api.Response done = postForm("main", token, EMAIL, PASSWORD, null);
    assertThat(done.status()).isEqualTo(200);
    assertThat(done.header("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(done.header("Content-Security-Policy").orElseThrow())
        .contains("frame-ancestors 'none'");
    assertThat(done.body()).contains(EMAIL).doesNotContain(PASSWORD);
    assertThat(admins("main")).isEqualTo(1);

    Api.Response login = server.login("main", EMAIL, PASSWORD);
    assertThat(login.status()).isEqualTo(200);
    assertThat(login.json().path("user").path("role").asText()).isEqualTo("admin");
    assertThat(api.get(v1("main") + "/accounts", login.text("access_token")).status())
        .isEqualTo(200);
  }

  @Test
  void formPostWhenSameOriginHeaderThenAccepted() {
    String token = tokenOf(server.app().firstAdminLink());
    Api.Response done = postForm("main", token, EMAIL, PASSWORD, api.base());
    assertThat(done.status()).isEqualTo(200);
    assertThat(admins("main")).isEqualTo(1);
  }

  @Test
  void formPostWhenLinkAlreadyUsedThen400PageAndNoSecondAdmin() {
    String link = server.app().firstAdminLink();
    String token = tokenOf(link);
    assertThat(postForm("main", token, EMAIL, PASSWORD, null).status()).isEqualTo(200);

    Api.Response again = postForm("main", token, "second@example.org", PASSWORD, null);
    assertThat(again.status()).isEqualTo(400);
    assertThat(again.header("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(again.body()).doesNotContain("<form");
    assertThat(admins("main")).isEqualTo(1);
    assertThat(server.login("main", "second@example.org", PASSWORD).status()).isEqualTo(401);
    // The page of a spent link says so instead of showing the form.
    Api.Response page = api.get(link, null);
    assertThat(page.status()).isEqualTo(400);
    assertThat(page.body()).doesNotContain("<form");
    // The JSON variant agrees.
    Api.Response json = api.postJson(v1("main") + "/setup", "{\"setup_token\":" + Api.q(token)
        + ",\"email\":\"third@example.org\",\"password\":" + Api.q(PASSWORD) + "}");
    assertThat(json.status()).isEqualTo(400);
    assertThat(json.code()).isEqualTo("setup_token_invalid");
  }

  @Test
  void formPostWhenForeignOriginThen403AndNoAdmin() {
    String link = server.app().firstAdminLink();
    Api.Response r = postForm("main", tokenOf(link), EMAIL, PASSWORD, "https://evil.example");
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.header("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(admins("main")).isZero();
    assertThat(server.login("main", EMAIL, PASSWORD).status()).isEqualTo(401);
    // "null" (an opaque origin, e.g. a sandboxed frame) is foreign too.
    assertThat(postForm("main", tokenOf(link), EMAIL, PASSWORD, "null").status()).isEqualTo(403);
    assertThat(admins("main")).isZero();
    // The link was not spent by the refused posts.
    assertThat(api.get(link, null).status()).isEqualTo(200);
    assertThat(postForm("main", tokenOf(link), EMAIL, PASSWORD, null).status()).isEqualTo(200);
  }

  @Test
  void formPostWhenPasswordWeakThenFormAgainWithErrorAndLinkNotSpent() {
    String link = server.app().firstAdminLink();
    String token = tokenOf(link);
    Api.Response weak = postForm("main", token, EMAIL, "short", null);
    assertThat(weak.status()).isEqualTo(400);
    assertThat(weak.header("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(weak.body()).contains("<form").contains("class=\"error\"")
        .contains("at least 8 characters").contains("value=\"" + EMAIL + "\"")
        .contains("value=\"" + token + "\"");
    Api.Response common = postForm("main", token, EMAIL, "Password123", null);
    assertThat(common.status()).isEqualTo(400);
    assertThat(common.body()).contains("<form").contains("commonly used");
    // docs/security.md#password-policy: a listed password with a look-alike and a symbol.
    Api.Response variant = postForm("main", token, EMAIL, "Passw0rd!", null);
    assertThat(variant.status()).isEqualTo(400);
    assertThat(variant.body()).contains("<form").contains("commonly used");
    Api.Response badEmail = postForm("main", token, "not-an-email", PASSWORD, null);
    assertThat(badEmail.status()).isEqualTo(400);
    assertThat(badEmail.body()).contains("<form").contains("class=\"error\"");
    assertThat(admins("main")).isZero();

    assertThat(api.get(link, null).status()).isEqualTo(200);
    assertThat(postForm("main", token, EMAIL, PASSWORD, null).status()).isEqualTo(200);
    assertThat(server.login("main", EMAIL, PASSWORD).status()).isEqualTo(200);
  }

  @Test
  void formPostWhenMarkupInEmailThenEscaped() {
    String token = tokenOf(server.app().firstAdminLink());
    Api.Response r = postForm("main", token, "\"><script>alert(1)</script>", PASSWORD, null);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("<form").doesNotContain("<script>alert(1)</script>");
    assertThat(admins("main")).isZero();
  }

  @Test
  void linkWhenUsedForAnotherAccountThenRefusedEverywhereButItsOwn() {
    AccountService.Created child = server.app().accounts().create("main", "child", "Child");
    String mainToken = tokenOf(server.app().firstAdminLink());
    String childToken = child.setupSecret();

    // main's link at the child, the child's link at main: page and form both refuse.
    assertThat(api.get("/accounts/child/setup?token=" + mainToken, null).status())
        .isEqualTo(400);
    assertThat(api.get("/accounts/main/setup?token=" + childToken, null).status())
        .isEqualTo(400);
    Api.Response crossForm = postForm("child", mainToken, EMAIL, PASSWORD, null);
    assertThat(crossForm.status()).isEqualTo(400);
    assertThat(crossForm.body()).doesNotContain("<form");
    assertThat(postForm("main", childToken, EMAIL, PASSWORD, null).status()).isEqualTo(400);
    Api.Response crossJson = api.postJson(v1("main") + "/setup", "{\"setup_token\":"
        + Api.q(childToken) + ",\"email\":" + Api.q(EMAIL) + ",\"password\":" + Api.q(PASSWORD)
        + "}");
    assertThat(crossJson.code()).isEqualTo("setup_token_invalid");
    assertThat(admins("main")).isZero();
    assertThat(admins("child")).isZero();

    // Each still works where it belongs.
    assertThat(postForm("child", childToken, EMAIL, PASSWORD, null).status()).isEqualTo(200);
    assertThat(admins("child")).isEqualTo(1);
    assertThat(admins("main")).isZero();
    assertThat(postForm("main", mainToken, EMAIL, PASSWORD, null).status()).isEqualTo(200);
    assertThat(admins("main")).isEqualTo(1);
  }

  @Test
  void setupPageWhenAccountUnknownThenNotFound() {
    String token = tokenOf(server.app().firstAdminLink());
    Api.Response r = api.get("/accounts/nope/setup?token=" + token, null);
    assertThat(r.status()).isEqualTo(404);
  }

  @Test
  void newSetupLinkWhenIssuedThenOlderLinksStopWorking() {
    String first = server.app().firstAdminLink();
    String second = server.app().newSetupLink("main");
    assertThat(second).startsWith(api.base() + "/accounts/main/setup?token=jeton_st_")
        .isNotEqualTo(first);

    assertThat(api.get(first, null).status()).isEqualTo(400);
    assertThat(postForm("main", tokenOf(first), EMAIL, PASSWORD, null).status()).isEqualTo(400);
    assertThat(admins("main")).isZero();

    assertThat(api.get(second, null).status()).isEqualTo(200);
    String third = server.app().newSetupLink("main");
    assertThat(api.get(second, null).status()).isEqualTo(400);
    assertThat(postForm("main", tokenOf(third), EMAIL, PASSWORD, null).status()).isEqualTo(200);
    assertThat(server.login("main", EMAIL, PASSWORD).status()).isEqualTo(200);
  }

  @Test
  void setupLinkWhenExpiredThenRefused() {
    String link = server.app().firstAdminLink();
    server.clock().advance(SetupTokens.LIFETIME.plusMinutes(1));
    assertThat(api.get(link, null).status()).isEqualTo(400);
    assertThat(postForm("main", tokenOf(link), EMAIL, PASSWORD, null).status()).isEqualTo(400);
    assertThat(admins("main")).isZero();
  }

  @Test
  void firstAdminLinkWhenBootstrapSettingsThenAdminExistsAndNoLink() {
    server.close();
    server = TestServer.start(engine);
    assertThat(server.app().firstAdminLink()).isNull();
    assertThat(admins("main")).isEqualTo(1);
    Api.Response login = server.login("main", TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    assertThat(login.status()).isEqualTo(200);
    assertThat(login.json().path("user").path("role").asText()).isEqualTo("admin");
  }

  /** docs/security.md#password-policy: the bootstrap admin's password meets the same policy. */
  @Test
  void startWhenBootstrapPasswordCommonThenRefusedNamingTheSetting() {
    server.close();
    server = null;
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> TestServer.start(
        engine, Map.of(Setting.BOOTSTRAP_ADMIN_PASSWORD, "Passw0rd!")));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("JETON_BOOTSTRAP_ADMIN_PASSWORD").contains("commonly used")
        .doesNotContain("Passw0rd!");
  }

  @Test
  void firstAdminLinkWhenRestartedAfterSetupThenNull() {
    String token = tokenOf(server.app().firstAdminLink());
    assertThat(postForm("main", token, EMAIL, PASSWORD, null).status()).isEqualTo(200);
    server.close();
    server = TestServer.start(engine, Map.of(Setting.BOOTSTRAP_ADMIN_EMAIL, "",
        Setting.BOOTSTRAP_ADMIN_PASSWORD, ""), server.dir(), server.db());
    assertThat(server.app().firstAdminLink()).isNull();
    assertThat(server.login("main", EMAIL, PASSWORD).status()).isEqualTo(200);
  }
}
