package dev.jeton.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testing.Api;
import dev.jeton.testing.TestServer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Steps of the authorization code flow for the tests, driven through a {@link Browser}. */
final class CodeFlow {
  static final String PASSWORD = "correct horse battery staple 9";
  static final String BASE = "/accounts/main";
  private static final SecureRandom RANDOM = new SecureRandom();

  final TestServer server;

  CodeFlow(TestServer server) {
    this.server = server;
  }

  String issuer() {
    return server.api().base() + BASE;
  }

  /** Registers a user of main; answers their id. */
  String user(String email) {
    Api.Response r = server.register("main", email, PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json().path("user").path("id").asText();
  }

  static String verifier() {
    byte[] b = new byte[48];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A valid authorization request's parameters (scope and state omitted when null). */
  static Map<String, String> params(String clientId, String redirectUri, String verifier,
      String state, String scope) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("response_type", "code");
    p.put("client_id", clientId);
    if (redirectUri != null) {
      p.put("redirect_uri", redirectUri);
    }
    p.put("code_challenge", Pkce.challenge(verifier));
    p.put("code_challenge_method", "S256");
    if (state != null) {
      p.put("state", state);
    }
    if (scope != null) {
      p.put("scope", scope);
    }
    return p;
  }

  static String authorizePath(Map<String, String> params) {
    return BASE + "/oauth2/authorize?" + Browser.form(params);
  }

  /** Signs the browser in through the sign-in page. */
  Api.Response login(Browser b, String email, String password) {
    Api.Response page = b.get(BASE + "/login");
    assertThat(page.status()).as(page.toString()).isEqualTo(200);
    return b.post(BASE + "/login", Browser.form(Browser.hidden(page), "email", email,
        "password", password));
  }

  /** Authorizes (consenting if asked) in a signed-in browser; answers the redirect's query. */
  Map<String, String> approve(Browser b, Map<String, String> params) {
    Api.Response r = b.get(authorizePath(params));
    if (r.status() == 302) {
      return Browser.query(r.header("Location").orElseThrow());
    }
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    Api.Response allowed = b.post(BASE + "/oauth2/authorize",
        Browser.form(Browser.hidden(r), "decision", "allow"));
    return Browser.query(Browser.location(allowed, 303));
  }

  /** Exchanges a code at the token endpoint; {@code authorization} null for a public client. */
  Api.Response exchange(String code, String redirectUri, String verifier, String authorization,
      String clientId) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", "authorization_code");
    f.put("code", code);
    if (redirectUri != null) {
      f.put("redirect_uri", redirectUri);
    }
    if (verifier != null) {
      f.put("code_verifier", verifier);
    }
    if (clientId != null) {
      f.put("client_id", clientId);
    }
    return OAuthTesting.post(server, "main", "token", Browser.form(f), authorization);
  }

  Api.Response refresh(String refreshToken, String authorization, String... extra) {
    String[] all = new String[4 + extra.length];
    all[0] = "grant_type";
    all[1] = "refresh_token";
    all[2] = "refresh_token";
    all[3] = refreshToken;
    System.arraycopy(extra, 0, all, 4, extra.length);
    return OAuthTesting.post(server, "main", "token", OAuthTesting.form(all), authorization);
  }
}
