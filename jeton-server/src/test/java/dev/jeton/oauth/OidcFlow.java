package dev.jeton.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.TestServer;
import java.util.Map;

/**
 * The OpenID Connect authorization code flow (OIDC Core 3.1) for tests outside this package:
 * one user, signed in through a {@link Browser}, approving one confidential client.
 */
public final class OidcFlow {
  public static final String CB = "https://app.example.com/cb";

  private final CodeFlow flow;
  private final Browser browser;
  private final ClientService.Registered app;
  private final String userId;

  /** Registers {@code email} in main and signs the browser in. */
  public OidcFlow(TestServer server, ClientService.Registered app, String email) {
    this.flow = new CodeFlow(server);
    this.browser = new Browser(server);
    this.app = app;
    this.userId = flow.user(email);
    Api.Response in = flow.login(browser, email, CodeFlow.PASSWORD);
    assertThat(in.status()).as(in.toString()).isEqualTo(303);
  }

  /** A confidential client of main registered for the code flow with these scopes. */
  public static ClientService.Registered client(TestServer server, String... scopes) {
    return OAuthTesting.confidential(server, "main", scopes);
  }

  public String userId() {
    return userId;
  }

  public String clientId() {
    return app.client().clientId();
  }

  /** Authorizes {@code scope} (with {@code nonce} when not null) and exchanges the code. */
  public JsonNode tokens(String scope, String nonce) {
    String verifier = CodeFlow.verifier();
    Map<String, String> params = CodeFlow.params(app.client().clientId(), CB, verifier, "st",
        scope);
    if (nonce != null) {
      params.put("nonce", nonce);
    }
    Map<String, String> answer = flow.approve(browser, params);
    assertThat(answer).as(answer.toString()).containsKey("code");
    Api.Response r = flow.exchange(answer.get("code"), CB, verifier, OAuthTesting.basic(app),
        null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json();
  }

  /** The authorization endpoint's answer to a request for {@code scope}: the redirect query. */
  public Map<String, String> authorize(String scope) {
    return flow.approve(browser, CodeFlow.params(app.client().clientId(), CB,
        CodeFlow.verifier(), "st", scope));
  }

  /**
   * Sends an authorization request URI built elsewhere (e.g. by a client library) in the
   * signed-in browser, consenting if asked; answers the redirect's query.
   */
  public Map<String, String> approve(String authorizationRequestUri) {
    Api.Response r = browser.get(authorizationRequestUri);
    if (r.status() == 302) {
      return Browser.query(r.header("Location").orElseThrow());
    }
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    Api.Response allowed = browser.post(CodeFlow.BASE + "/oauth2/authorize",
        Browser.form(Browser.hidden(r), "decision", "allow"));
    return Browser.query(Browser.location(allowed, 303));
  }

  /**
   * Enters a device's user code on the verification page in the signed-in browser and decides
   * ({@code allow} or {@code deny}); answers the page the decision leads to.
   */
  public Api.Response decideDevice(String userCode, String decision) {
    Api.Response done = DeviceFlow.decide(browser, userCode, decision);
    assertThat(done.status()).as(done.toString()).isEqualTo(303);
    return browser.get(done.header("Location").orElseThrow());
  }

  /**
   * Submits a form of {@code page} in the browser: its hidden fields, with {@code extra}
   * name/value pairs added or replacing them, posted to {@code path}.
   */
  public Api.Response submit(Api.Response page, String path, String... extra) {
    Map<String, String> fields = new java.util.LinkedHashMap<>(Browser.hidden(page));
    for (int i = 0; i < extra.length; i += 2) {
      fields.put(extra[i], extra[i + 1]);
    }
    return browser.post(path, Browser.form(fields));
  }

  /** A GET in the signed-in browser (its cookies kept). */
  public Api.Response get(String path) {
    return browser.get(path);
  }
}
