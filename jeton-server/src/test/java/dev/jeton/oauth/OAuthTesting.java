package dev.jeton.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.account.Account;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.session.SessionService;
import dev.jeton.testing.Api;
import dev.jeton.testing.TestServer;
import dev.jeton.user.User;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Helpers for the OAuth endpoint tests: form bodies, Basic credentials, clients and sessions. */
final class OAuthTesting {
  static final String FORM = "application/x-www-form-urlencoded";

  private OAuthTesting() {}

  /** A form body from name/value pairs, each URL-encoded. */
  static String form(String... nameValues) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < nameValues.length; i += 2) {
      if (b.length() > 0) {
        b.append('&');
      }
      b.append(enc(nameValues[i])).append('=').append(enc(nameValues[i + 1]));
    }
    return b.toString();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String basic(String id, String secret) {
    String pair = enc(id) + ":" + enc(secret);
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  static String basic(ClientService.Registered c) {
    return basic(c.client().clientId(), c.secret());
  }

  /** POSTs a form to {@code {issuer}/oauth2/{endpoint}}; {@code authorization} may be null. */
  static Api.Response post(TestServer s, String account, String endpoint, String body,
      String authorization) {
    return send(s, account, endpoint, body, FORM, authorization);
  }

  static Api.Response send(TestServer s, String account, String endpoint, String body,
      String contentType, String authorization) {
    Map<String, String> headers = new HashMap<>();
    if (contentType != null) {
      headers.put("Content-Type", contentType);
    }
    if (authorization != null) {
      headers.put("Authorization", authorization);
    }
    return s.api().send("POST", "/accounts/" + account + "/oauth2/" + endpoint, body, headers);
  }

  static ClientService.Registered confidential(TestServer s, String account, String... scopes) {
    return s.app().clients().create(account, new Client.Spec("Backend", Client.Type.CONFIDENTIAL,
        List.of("https://app.example.com/cb"),
        List.of(Client.CLIENT_CREDENTIALS, Client.AUTHORIZATION_CODE, Client.REFRESH_TOKEN),
        List.of(scopes), null, null, null));
  }

  static ClientService.Registered publicClient(TestServer s, String account) {
    return s.app().clients().create(account, new Client.Spec("Phone", Client.Type.PUBLIC,
        List.of("com.example.app:/cb"), List.of(Client.AUTHORIZATION_CODE), List.of(), null,
        null, null));
  }

  /** Registers a user and starts a session of {@code clientId} for them. */
  static SessionService.TokenPair sessionOf(TestServer s, String account, String email,
      String clientId) {
    Api.Response r = s.register(account, email, "correct horse battery staple 9");
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    Account a = s.app().accounts().requireActive(account);
    User u = s.app().users().current(account, r.json().path("user").path("id").asText());
    var lifetimes = s.app().accounts().lifetimes(a);
    return s.app().sessions().start(a, u.id(), lifetimes, clientId,
        dev.jeton.token.Scope.of(SessionService.SCOPE_USER), java.util.List.of(clientId),
        s.clock().millis(),
        lifetimes.refreshToken(), 0);
  }

  /** Asserts an RFC 6749 5.2 error: status, code, JSON (not a problem document), no-store. */
  static JsonNode assertOAuthError(Api.Response r, int status, String error) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.header("Content-Type").orElse("")).as(r.toString())
        .startsWith("application/json");
    JsonNode j = r.json();
    assertThat(j.path("error").asText()).as(r.toString()).isEqualTo(error);
    assertThat(j.path("error_description").asText()).isNotBlank();
    assertThat(j.path("request_id").asText()).isEqualTo(r.header("X-Request-Id").orElseThrow());
    assertThat(j.has("code")).as("a problem document was sent").isFalse();
    assertNoStore(r);
    return j;
  }

  static void assertNoStore(Api.Response r) {
    assertThat(r.header("Cache-Control").orElse("")).isEqualTo("no-store");
    assertThat(r.header("Pragma").orElse("")).isEqualTo("no-cache");
  }
}
