package dev.jeton.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.TestServer;
import dev.jeton.token.AccessToken;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The sign-in and consent pages in a real browser (headless Chromium through ChromeDriver): the
 * authorization code flow from the authorize URL through sign-in, consent (Allow and Deny) and
 * the redirect to the client, then the code exchanged with PKCE over HTTP; the generic error of a
 * wrong password; that neither page can be framed by another origin; and that a form posted to
 * the sign-in endpoint from another origin is refused even with the right CSRF token
 * (docs/security.md#csrf-forms). The client's redirect URI and the other origin are a JDK
 * HttpServer on another 127.0.0.1 port. Only {@link Engine#SQLITE} is used, to keep the suite fast:
 * the storage engines are covered by the HTTP-level tests in {@code dev.jeton.oauth}.
 */
class BrowserLoginConsentTest {
  private static final String EMAIL = "ada@example.com";
  private static final String PASSWORD = "correct horse battery staple 9";
  private static final String BASE = "/accounts/main";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration WAIT = Duration.ofSeconds(15);

  TestServer server;
  OtherOrigin other;
  ClientService.Registered client;
  String userId;
  Chromium chromium;
  WebDriver driver;

  @BeforeEach
  void start() {
    server = TestServer.start(Engine.SQLITE);
    other = new OtherOrigin();
    client = server.app().clients().create("main", new Client.Spec("Photo Printer",
        Client.Type.CONFIDENTIAL, List.of(other.callback()),
        List.of(Client.AUTHORIZATION_CODE, Client.REFRESH_TOKEN), List.of("read", "write"),
        null, null, null));
    Api.Response r = server.register("main", EMAIL, PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    userId = r.json().path("user").path("id").asText();
    chromium = Chromium.start();
    driver = chromium.driver;
  }

  @AfterEach
  void stop() {
    try {
      if (chromium != null) {
        chromium.close();
      }
    } finally {
      if (other != null) {
        other.close();
      }
      if (server != null) {
        server.close();
      }
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private String base() {
    return server.api().base();
  }

  private String issuer() {
    return base() + BASE;
  }

  private static String verifier() {
    byte[] b = new byte[48];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String challenge(String verifier) throws Exception {
    byte[] h = MessageDigest.getInstance("SHA-256")
        .digest(verifier.getBytes(StandardCharsets.US_ASCII));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(h);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String form(Map<String, String> fields) {
    StringBuilder b = new StringBuilder();
    fields.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(enc(k)).append('=')
        .append(enc(v)));
    return b.toString();
  }

  /** The full authorize URL of the client with PKCE (S256). */
  private String authorizeUrl(String verifier, String state, String scope) throws Exception {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("response_type", "code");
    p.put("client_id", client.client().clientId());
    p.put("redirect_uri", other.callback());
    p.put("code_challenge", challenge(verifier));
    p.put("code_challenge_method", "S256");
    p.put("state", state);
    p.put("scope", scope);
    return issuer() + "/oauth2/authorize?" + form(p);
  }

  private static Map<String, String> query(String url) {
    Map<String, String> m = new LinkedHashMap<>();
    String q = URI.create(url).getRawQuery();
    if (q == null) {
      return m;
    }
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  private void waitForUrl(String prefix) {
    new WebDriverWait(driver, WAIT).withMessage(() -> "expected a page under " + prefix
        + " but the browser is at " + driver.getCurrentUrl() + " showing: "
        + driver.findElement(By.tagName("body")).getText())
        .until(d -> d.getCurrentUrl().startsWith(prefix));
  }

  /** Waits for a page whose title starts with {@code prefix}; on timeout says what is shown. */
  private void waitForTitle(String prefix) {
    new WebDriverWait(driver, WAIT).withMessage(() -> "expected a page titled \"" + prefix
        + "...\" but the browser shows \"" + driver.getTitle() + "\" at "
        + driver.getCurrentUrl() + ": " + driver.findElement(By.tagName("body")).getText())
        .until(d -> d.getTitle().startsWith(prefix));
  }

  private String heading() {
    return driver.findElement(By.tagName("h1")).getText();
  }

  private boolean hasSessionCookie() {
    return driver.manage().getCookies().stream().map(Cookie::getName)
        .anyMatch(n -> n.endsWith("jeton_session"));
  }

  /** On the sign-in page: types the credentials and submits the form. */
  private void signIn(String email, String password) {
    assertThat(heading()).isEqualTo("Sign in");
    WebElement e = driver.findElement(By.id("email"));
    e.clear();
    e.sendKeys(email);
    driver.findElement(By.id("password")).sendKeys(password);
    driver.findElement(By.cssSelector("form button[type=submit]")).click();
  }

  /** From a fresh browser: opens the authorize URL, signs in and waits for the consent page. */
  private void toConsent(String url) {
    driver.get(url);
    waitForUrl(issuer() + "/login?return_to=");
    signIn(EMAIL, PASSWORD);
    waitForTitle("Authorize");
  }

  private void click(String decision) {
    driver.findElement(By.cssSelector("button[name=decision][value=" + decision + "]")).click();
    waitForUrl(other.callback());
  }

  private Api.Response exchange(String code, String verifier) {
    String basic = Base64.getEncoder().encodeToString((enc(client.client().clientId()) + ":"
        + enc(client.secret())).getBytes(StandardCharsets.UTF_8));
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", "authorization_code");
    f.put("code", code);
    f.put("redirect_uri", other.callback());
    f.put("code_verifier", verifier);
    return server.api().send("POST", BASE + "/oauth2/token", form(f), Map.of(
        "Content-Type", "application/x-www-form-urlencoded", "Authorization", "Basic " + basic));
  }

  // --- tests ---------------------------------------------------------------------------------

  @Test
  void flowWhenSignedInAndAllowedInChromiumThenRedirectWithCodeAndTokens() throws Exception {
    String verifier = verifier();
    driver.get(authorizeUrl(verifier, "st-42", "read write"));
    // Not signed in: sent to the sign-in page, which carries the request as return_to.
    waitForUrl(issuer() + "/login?return_to=");
    assertThat(driver.getTitle()).isEqualTo("Sign in · Jeton");
    assertThat(hasSessionCookie()).isFalse();
    signIn(EMAIL, PASSWORD);

    waitForTitle("Authorize");
    assertThat(driver.getCurrentUrl()).startsWith(issuer() + "/oauth2/authorize?");
    assertThat(heading()).isEqualTo("Authorize Photo Printer");
    String text = driver.findElement(By.tagName("main")).getText();
    assertThat(text).contains("Signed in as " + EMAIL)
        .contains("Photo Printer asks to act on your behalf");
    assertThat(driver.findElements(By.cssSelector("main li code")).stream()
        .map(WebElement::getText)).containsExactly("read", "write");
    assertThat(hasSessionCookie()).isTrue();
    String shot = System.getProperty("jeton.browser.screenshot");
    if (shot != null && !shot.isEmpty()) {
      Path png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(png, Path.of(shot), StandardCopyOption.REPLACE_EXISTING);
    }

    click("allow");
    Map<String, String> q = query(driver.getCurrentUrl());
    assertThat(q.get("code")).startsWith("jeton_ac_");
    assertThat(q).containsEntry("state", "st-42").containsEntry("iss", issuer())
        .doesNotContainKey("error");
    // The client's server received exactly this navigation.
    assertThat(other.callbacks).hasSize(1);
    assertThat(query(other.callbacks.get(0).toString())).isEqualTo(q);

    Api.Response t = exchange(q.get("code"), verifier);
    assertThat(t.status()).as(t.toString()).isEqualTo(200);
    JsonNode j = t.json();
    assertThat(j.path("token_type").asText()).isEqualTo("Bearer");
    assertThat(j.path("scope").asText()).isEqualTo("read write");
    assertThat(j.path("refresh_token").asText()).startsWith("jeton_rt_");
    AccessToken at = server.app().accessTokens().verify(j.path("access_token").asText(), "main");
    assertThat(at.subject()).isEqualTo(userId);
    assertThat(at.clientId()).isEqualTo(client.client().clientId());
    assertThat(at.scopes()).containsExactlyInAnyOrder("read", "write");
    // The code is single-use, and a wrong verifier would not have worked either.
    assertThat(exchange(q.get("code"), verifier).status()).isEqualTo(400);
  }

  /**
   * RP-initiated logout without an id_token_hint in Chromium: the question page, then the
   * confirmation's 303 to the client's registered URI is followed (the page's CSP form-action
   * allows that origin), and the browser session is gone.
   */
  @Test
  void logoutWhenConfirmedInChromiumThenSignedOutAndBackAtTheClient() throws Exception {
    toConsent(authorizeUrl(verifier(), "st-1", "read"));
    click("allow");
    waitForUrl(other.callback());
    assertThat(hasSessionCookie()).isTrue();

    driver.get(issuer() + "/oauth2/logout?client_id=" + client.client().clientId()
        + "&post_logout_redirect_uri=" + enc(other.callback()) + "&state=bye");
    waitForTitle("Sign out");
    assertThat(hasSessionCookie()).isTrue();
    click("sign_out");
    waitForUrl(other.callback() + "?state=bye");
    driver.get(issuer() + "/login");
    assertThat(hasSessionCookie()).isFalse();
  }

  @Test
  void consentWhenDeniedInChromiumThenAccessDeniedWithStateAndIss() throws Exception {
    String verifier = verifier();
    toConsent(authorizeUrl(verifier, "st-deny", "read"));
    assertThat(driver.findElements(By.cssSelector("main li code")).stream()
        .map(WebElement::getText)).containsExactly("read");
    click("deny");
    Map<String, String> q = query(driver.getCurrentUrl());
    assertThat(q).containsEntry("error", "access_denied").containsEntry("state", "st-deny")
        .containsEntry("iss", issuer()).doesNotContainKey("code");
    assertThat(other.callbacks).hasSize(1);
    // Nothing was granted: the next request asks again instead of redirecting with a code.
    driver.get(authorizeUrl(verifier(), "st-again", "read"));
    waitForTitle("Authorize");
    assertThat(other.callbacks).hasSize(1);
  }

  /**
   * Whether {@code element} has left the document (its page was replaced). Chromium reports an
   * element of a page being replaced either as stale or, during the swap, as "Node with given id
   * does not belong to the document"; both mean gone.
   */
  private static boolean gone(WebElement element) {
    try {
      element.isEnabled();
      return false;
    } catch (org.openqa.selenium.StaleElementReferenceException e) {
      return true;
    } catch (org.openqa.selenium.WebDriverException e) {
      if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
        return true;
      }
      throw e;
    }
  }

  @Test
  void signInWhenPasswordWrongThenGenericErrorAndNoSession() throws Exception {
    String url = authorizeUrl(verifier(), "st-pw", "read");
    driver.get(url);
    waitForUrl(issuer() + "/login?return_to=");
    signIn(EMAIL, "wrong password, clearly");
    WebElement error = new WebDriverWait(driver, WAIT).withMessage(() -> "no error shown: "
        + driver.findElement(By.tagName("body")).getText())
        .until(d -> d.findElement(By.cssSelector("p.error[role=alert]")));
    assertThat(error.getText()).isEqualTo("Invalid email or password.");
    assertThat(heading()).isEqualTo("Sign in");
    assertThat(driver.getPageSource()).doesNotContain("wrong password, clearly");
    assertThat(driver.findElement(By.id("password")).getAttribute("value")).isEmpty();
    assertThat(hasSessionCookie()).isFalse();

    // An unknown email gets the very same answer (docs/security.md#no-user-enumeration).
    signIn("nobody@example.com", PASSWORD);
    // the page before this post shows the same error: wait until the browser has left it
    new WebDriverWait(driver, WAIT).until(d -> gone(error));
    WebElement unknown = new WebDriverWait(driver, WAIT)
        .until(d -> d.findElement(By.cssSelector("p.error[role=alert]")));
    assertThat(unknown.getText()).isEqualTo("Invalid email or password.");
    assertThat(hasSessionCookie()).isFalse();

    // Still not signed in: the authorize URL leads to the sign-in page again.
    driver.get(url);
    waitForUrl(issuer() + "/login?return_to=");
    assertThat(other.callbacks).isEmpty();

    // The form kept the request: the right password now continues to the consent page.
    signIn(EMAIL, PASSWORD);
    waitForTitle("Authorize");
  }

  @Test
  void pagesWhenFramedByAnotherOriginThenNotRendered() throws Exception {
    String authorize = authorizeUrl(verifier(), "st-frame", "read");
    toConsent(authorize); // signed in, so the framed authorize URL would show the consent form
    String control = other.page("/control", "<!DOCTYPE html><form><input id=\"email\"></form>");
    String framing = other.page("/frame", "<!DOCTYPE html><title>framing</title>"
        + "<iframe id=\"control\" src=\"" + control + "\"></iframe>"
        + "<iframe id=\"login\" src=\"" + issuer() + "/login\"></iframe>"
        + "<iframe id=\"consent\" src=\"" + authorize.replace("&", "&amp;") + "\"></iframe>");
    driver.get(framing);
    assertThat(driver.getTitle()).isEqualTo("framing");

    // The control frame (no anti-framing headers) does render: the check below can see forms.
    driver.switchTo().frame("control");
    assertThat(driver.findElements(By.id("email"))).hasSize(1);
    driver.switchTo().defaultContent();

    driver.switchTo().frame("login");
    assertThat(driver.findElements(By.tagName("form"))).isEmpty();
    assertThat(driver.findElements(By.id("email"))).isEmpty();
    driver.switchTo().defaultContent();

    driver.switchTo().frame("consent");
    assertThat(driver.findElements(By.tagName("form"))).isEmpty();
    assertThat(driver.findElements(By.cssSelector("button[value=allow]"))).isEmpty();
    driver.switchTo().defaultContent();
    assertThat(other.callbacks).isEmpty();

    // The reason, as sent: CSP frame-ancestors 'none' (and X-Frame-Options for old browsers).
    for (String path : List.of(BASE + "/login", BASE + "/oauth2/authorize")) {
      Api.Response r = server.api().get(path);
      assertThat(r.header("Content-Security-Policy").orElse(""))
          .as(path).contains("frame-ancestors 'none'");
    }
  }

  @Test
  void signInWhenFormPostedFromAnotherOriginThenRefusedEvenWithTheToken() throws Exception {
    // The victim's browser has the sign-in page's CSRF cookie; the attacker even knows the
    // matching token (the strongest case): only the Origin check stands in the way.
    driver.get(issuer() + "/login");
    String token = driver.findElement(By.name("csrf")).getAttribute("value");
    assertThat(token).hasSize(44);
    String attack = other.page("/attack", "<!DOCTYPE html><title>win a prize</title>"
        + "<form id=\"f\" method=\"post\" action=\"" + issuer() + "/login\">"
        + "<input type=\"hidden\" name=\"csrf\" value=\"" + token + "\">"
        + "<input type=\"hidden\" name=\"return_to\" value=\"\">"
        + "<input type=\"hidden\" name=\"email\" value=\"" + EMAIL + "\">"
        + "<input type=\"hidden\" name=\"password\" value=\"" + PASSWORD + "\">"
        + "</form><script>document.getElementById('f').submit();</script>");
    driver.get(attack);
    new WebDriverWait(driver, WAIT).withMessage(() -> "the attack page did not post: "
        + driver.getCurrentUrl()).until(d -> d.getCurrentUrl().equals(issuer() + "/login")
        && !d.findElements(By.tagName("h1")).isEmpty());
    assertThat(heading()).isEqualTo("Form rejected");
    assertThat(driver.findElement(By.tagName("main")).getText())
        .contains("posted from another site");
    assertThat(hasSessionCookie()).isFalse();

    // The same browser is still signed out.
    driver.get(issuer() + "/login");
    assertThat(driver.findElements(By.cssSelector("p[role=status]"))).isEmpty();
    driver.get(authorizeUrl(verifier(), "st-csrf", "read"));
    waitForUrl(issuer() + "/login?return_to=");
    assertThat(other.callbacks).isEmpty();

    // Control: the same credentials typed into the page itself do sign in.
    driver.get(issuer() + "/login");
    signIn(EMAIL, PASSWORD);
    new WebDriverWait(driver, WAIT).withMessage(() -> "not signed in: "
        + driver.findElement(By.tagName("body")).getText())
        .until(d -> !d.findElements(By.cssSelector("p[role=status]")).isEmpty());
    assertThat(driver.findElement(By.cssSelector("p[role=status]")).getText())
        .isEqualTo("You are signed in.");
    assertThat(hasSessionCookie()).isTrue();
  }
}
