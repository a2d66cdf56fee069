package dev.jeton.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import dev.jeton.token.AccessToken;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/oauth.md#token-exchange (RFC 8693): a gateway trades a user's personal access token or
 * access token for a short-lived JWT meant for one of its registered resources; tried with
 * revoked, forged, foreign, client and ended-session subject tokens, widened scopes, unregistered
 * audiences, unsupported token types, delegation, and clients not allowed to exchange. On both
 * engines.
 */
@OnBothEngines
class TokenExchangeTest {
  static final String ORDERS = "https://orders.example.com";
  static final String TOKEN = "/accounts/main/oauth2/token";
  static final String AT_TYPE = "urn:ietf:params:oauth:token-type:access_token";
  static final String PASSWORD = "a sturdy pass phrase 41";
  static final ObjectMapper MAPPER = new ObjectMapper();

  TestServer server;
  Api api;
  ClientService.Registered gateway;
  Api.Response user;
  String userId;
  String pat;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    this.api = server.api();
    gateway = server.app().clients().create("main", new Client.Spec("Gateway",
        Client.Type.CONFIDENTIAL, List.of(), List.of(Client.TOKEN_EXCHANGE,
            Client.CLIENT_CREDENTIALS), List.of("read"), null, null, null, null,
        List.of(ORDERS), null));
    user = server.register("main", "ada@example.com", PASSWORD);
    userId = user.json().path("user").path("id").asText();
    pat = api.postJson(TestServer.v1("main") + "/me/tokens", "{}", user.text("access_token"))
        .text("token");
  }

  private Api.Response exchange(ClientService.Registered client, Map<String, String> params) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", Client.TOKEN_EXCHANGE);
    form.putAll(params);
    form.put("client_id", client.client().clientId());
    form.put("client_secret", client.secret());
    String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
        .collect(Collectors.joining("&"));
    return api.send("POST", TOKEN, body,
        Map.of("Content-Type", "application/x-www-form-urlencoded"));
  }

  private Api.Response exchange(Map<String, String> params) {
    return exchange(gateway, params);
  }

  private static Map<String, String> subject(String token) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("subject_token", token);
    m.put("subject_token_type", AT_TYPE);
    m.put("resource", ORDERS);
    return m;
  }

  private static Map<String, String> with(Map<String, String> m, String k, String v) {
    Map<String, String> copy = new LinkedHashMap<>(m);
    copy.put(k, v);
    return copy;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static JsonNode claims(String jwt) throws Exception {
    return MAPPER.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
  }

  private static void assertError(Api.Response r, String error, String descriptionPart) {
    assertThat(r.status()).as(r.toString()).isBetween(400, 401);
    assertThat(r.text("error")).as(r.toString()).isEqualTo(error);
    if (descriptionPart != null) {
      assertThat(r.text("error_description")).contains(descriptionPart);
    }
  }

  @Test
  void exchangeWhenPersonalAccessTokenThenJwtForTheAudienceNamingTheUserAndTheClient()
      throws Exception {
    Api.Response r = exchange(subject(pat));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Cache-Control")).hasValue("no-store");
    assertThat(r.text("issued_token_type")).isEqualTo(AT_TYPE);
    assertThat(r.text("token_type")).isEqualTo("Bearer");
    assertThat(r.json().has("refresh_token")).isFalse();
    JsonNode c = claims(r.text("access_token"));
    assertThat(c.path("sub").asText()).isEqualTo(userId);
    assertThat(c.path("client_id").asText()).isEqualTo(gateway.client().clientId());
    assertThat(c.path("aud").toString()).contains(ORDERS);
    assertThat(c.path("scope").asText()).isEqualTo("user");
    AccessToken verified = server.app().accessTokens().verify(r.text("access_token"), "main");
    assertThat(verified.audience()).containsExactly(ORDERS);
    // the exchanged token is for the orders service, not a key to Jeton's own API
    assertThat(api.get(TestServer.v1("main") + "/me", r.text("access_token")).status())
        .isEqualTo(401);
    // the audience parameter (RFC 8693 2.1) names the same target
    Map<String, String> byAudience = subject(pat);
    byAudience.remove("resource");
    byAudience.put("audience", ORDERS);
    assertThat(exchange(byAudience).status()).isEqualTo(200);
  }

  @Test
  void exchangeWhenScopesAskedThenOnlyNarrowed() throws Exception {
    String adminPat = api.postJson(TestServer.v1("main") + "/me/tokens",
        "{\"scopes\":[\"user\",\"admin\"]}", server.adminToken()).text("token");
    Api.Response narrowed = exchange(with(subject(adminPat), "scope", "user"));
    assertThat(narrowed.status()).as(narrowed.toString()).isEqualTo(200);
    assertThat(claims(narrowed.text("access_token")).path("scope").asText()).isEqualTo("user");
    assertError(exchange(with(subject(pat), "scope", "user admin")), "invalid_scope", "admin");
    assertError(exchange(with(subject(pat), "scope", "read")), "invalid_scope", null);
  }

  @Test
  void exchangeWhenSubjectTokenUnacceptableThenInvalidRequestSayingWhy() throws Exception {
    Api.Response created = api.postJson(TestServer.v1("main") + "/me/tokens", "{}",
        user.text("access_token"));
    String revoked = created.text("token");
    api.send("DELETE", TestServer.v1("main") + "/me/tokens/" + created.text("id"), null,
        Map.of("Authorization", "Bearer " + user.text("access_token")));
    assertError(exchange(subject(revoked)), "invalid_request", "token_revoked");
    String forged = "jeton_pat_" + "A".repeat(36);
    assertError(exchange(subject(forged)), "invalid_request", "token_malformed");
    assertError(exchange(subject("not a token")), "invalid_request", null);
    // a client's own token names no user
    Api.Response cc = api.send("POST", TOKEN, "grant_type=client_credentials&client_id="
        + gateway.client().clientId() + "&client_secret=" + gateway.secret(),
        Map.of("Content-Type", "application/x-www-form-urlencoded"));
    assertError(exchange(subject(cc.text("access_token"))), "invalid_request",
        "client_credentials");
    // an access token whose session ended
    String access = server.login("main", "ada@example.com", PASSWORD).text("access_token");
    assertThat(exchange(subject(access)).status()).isEqualTo(200);
    server.app().sessions().revoke(claims(access).path("sid").asText(), "logout");
    assertError(exchange(subject(access)), "invalid_request", "session");
  }

  @Test
  void exchangeWhenSubjectTokenOfAnotherAccountThenRefused() {
    String secret = server.app().accounts().create("main", "other", "Other").setupSecret();
    Api.Response otherAdmin = api.postJson(TestServer.v1("other") + "/setup",
        "{\"setup_token\":" + Api.q(secret) + ",\"email\":\"root@other.example\",\"password\":"
            + Api.q(PASSWORD) + "}");
    String otherPat = api.postJson(TestServer.v1("other") + "/me/tokens", "{}",
        otherAdmin.text("access_token")).text("token");
    assertError(exchange(subject(otherPat)), "invalid_request", "token_wrong_account");
    assertError(exchange(subject(otherAdmin.text("access_token"))), "invalid_request",
        "token_wrong_account");
  }

  @Test
  void exchangeWhenRequestOutsideWhatIsOfferedThenRefusedBeforeAnythingIsIssued() {
    assertError(exchange(with(subject(pat), "resource", "https://evil.example.com")),
        "invalid_target", null);
    assertError(exchange(with(subject(pat), "subject_token_type",
        "urn:ietf:params:oauth:token-type:jwt")), "invalid_request", "subject_token_type");
    assertError(exchange(with(subject(pat), "requested_token_type",
        "urn:ietf:params:oauth:token-type:refresh_token")), "invalid_request",
        "requested_token_type");
    assertError(exchange(with(subject(pat), "actor_token", pat)), "invalid_request",
        "actor_token");
    Map<String, String> noSubject = subject(pat);
    noSubject.remove("subject_token");
    assertError(exchange(noSubject), "invalid_request", "subject_token");

    ClientService.Registered plain = server.app().clients().create("main", new Client.Spec(
        "Plain", Client.Type.CONFIDENTIAL, List.of(), List.of(Client.CLIENT_CREDENTIALS),
        List.of("read"), null, null, null, null, List.of(ORDERS), null));
    assertError(exchange(plain, subject(pat)), "unauthorized_client", null);
    // and the token was not spent or changed by any of it
    assertThat(exchange(subject(pat)).status()).isEqualTo(200);
  }

  @Test
  void registerWhenPublicClientAsksForTokenExchangeThenRefused() {
    Api.Response r = api.postJson(TestServer.v1("main") + "/clients", "{\"name\":\"SPA\","
        + "\"type\":\"public\",\"redirect_uris\":[\"https://app.example.com/cb\"],"
        + "\"grant_types\":[\"authorization_code\",\"" + Client.TOKEN_EXCHANGE + "\"]}",
        server.adminToken());
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.body()).contains("Token exchange is for confidential clients");
  }

  @Test
  void exchangeWhenSubjectIsASessionTokenThenTheExchangedTokenEndsWithTheSession()
      throws Exception {
    Api.Response login = server.login("main", "ada@example.com", PASSWORD);
    Api.Response r = exchange(subject(login.text("access_token")));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    String exchanged = r.text("access_token");
    assertThat(claims(exchanged).path("sid").asText())
        .isEqualTo(claims(login.text("access_token")).path("sid").asText());
    String introspect = "token=" + enc(exchanged) + "&client_id="
        + gateway.client().clientId() + "&client_secret=" + gateway.secret();
    Map<String, String> form = Map.of("Content-Type", "application/x-www-form-urlencoded");
    assertThat(api.send("POST", "/accounts/main/oauth2/introspect", introspect, form).json()
        .path("active").asBoolean()).isTrue();
    server.app().sessions().revoke(claims(exchanged).path("sid").asText(), "logout");
    assertThat(api.send("POST", "/accounts/main/oauth2/introspect", introspect, form).json()
        .path("active").asBoolean()).isFalse();
  }

  @Test
  void discoveryWhenFetchedThenAdvertisesTokenExchange() {
    Api.Response d = api.get("/accounts/main/.well-known/oauth-authorization-server");
    assertThat(d.json().path("grant_types_supported").toString())
        .contains(Client.TOKEN_EXCHANGE);
  }
}
