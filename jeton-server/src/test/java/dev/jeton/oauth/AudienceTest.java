package dev.jeton.oauth;

import static dev.jeton.oauth.OAuthTesting.assertOAuthError;
import static dev.jeton.oauth.OAuthTesting.basic;
import static dev.jeton.oauth.OAuthTesting.form;
import static dev.jeton.oauth.OAuthTesting.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Audience-restricted tokens and who may introspect them (docs/security.md#audiences,
 * docs/security.md#introspection-who; RFC 8707, RFC 7662 4, RFC 9068 2.2), on both engines. The
 * first tests are the attacks a penetration test found: every token meant for the issuer, and any
 * confidential client reading any token of the account, an admin's first-party refresh token
 * among them.
 */
@OnBothEngines
class AudienceTest {
  static final String CB = "https://app.example.com/cb";
  static final String ORDERS = "https://orders.example.com";
  static final String BILLING = "https://billing.example.com/api";

  TestServer server;
  CodeFlow flow;
  /** A confidential client that may ask tokens for the orders and billing APIs. */
  ClientService.Registered app;
  /** The orders API, registered as a resource server (it introspects). */
  ClientService.Registered orders;
  /** The billing API, registered as a resource server. */
  ClientService.Registered billing;
  /** Any other confidential client of the account. */
  ClientService.Registered other;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    flow = new CodeFlow(server);
    app = register("Shop", List.of(ORDERS, BILLING), null,
        List.of(Client.AUTHORIZATION_CODE, Client.REFRESH_TOKEN, Client.CLIENT_CREDENTIALS));
    orders = register("Orders API", List.of(), ORDERS, List.of(Client.CLIENT_CREDENTIALS));
    billing = register("Billing API", List.of(), BILLING, List.of(Client.CLIENT_CREDENTIALS));
    other = register("Reports", List.of(), null, List.of(Client.CLIENT_CREDENTIALS));
  }

  private ClientService.Registered register(String name, List<String> resources,
      String resourceUri, List<String> grants) {
    return server.app().clients().create("main", new Client.Spec(name, Client.Type.CONFIDENTIAL,
        List.of(CB), grants, List.of("read"), null, null, null, null, resources, resourceUri));
  }

  // --- the attacks --------------------------------------------------------------------------

  @Test
  void introspectWhenAdminsFirstPartyTokensThenInactiveToEveryClient() {
    // The finding: a confidential client introspected an admin's refresh token and got
    // {"active":true,"scope":"admin user",...}. First-party tokens concern no OAuth client.
    Api.Response admin = server.login("main", TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    assertThat(admin.status()).as(admin.toString()).isEqualTo(200);
    for (ClientService.Registered caller : List.of(app, orders, billing, other)) {
      assertInactive(caller, admin.text("refresh_token"), "first-party refresh token");
      assertInactive(caller, admin.text("access_token"), "first-party access token");
    }
  }

  @Test
  void tokenWhenIssuedThenNeverMeantForTheIssuer() {
    // The finding: every access token had aud = the issuer, so each was good at every resource
    // server of the account. Now: an OAuth client's token names its resources or the client.
    String issuer = flow.issuer();
    String cc = clientCredentials(other).text("access_token");
    assertThat(audience(cc)).containsExactly(other.client().clientId());
    Api.Response shop = clientCredentials(app);
    assertThat(audience(shop.text("access_token"))).containsExactlyInAnyOrder(ORDERS, BILLING);
    Api.Response login = server.login("main", TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    assertThat(audience(login.text("access_token"))).containsExactly(issuer + "/api");
    for (String token : List.of(cc, shop.text("access_token"))) {
      assertThat(audience(token)).doesNotContain(issuer, issuer + "/api");
    }
  }

  @Test
  void introspectWhenTokenOfAnotherClientThenInactive() {
    // A token issued to the shop for the orders API concerns neither the billing API nor the
    // reports client: exactly inactive to them, active to the shop and to the orders API.
    String token = clientCredentials(app, "resource", ORDERS).text("access_token");
    assertInactive(billing, token, "meant for orders, asked by billing");
    assertInactive(other, token, "issued to the shop, asked by reports");
    JsonNode byOrders = introspect(orders, token).json();
    assertThat(byOrders.path("active").asBoolean()).isTrue();
    assertThat(byOrders.path("aud").asText()).isEqualTo(ORDERS);
    assertThat(byOrders.path("client_id").asText()).isEqualTo(app.client().clientId());
    assertThat(introspect(app, token).json().path("active").asBoolean()).as("own token")
        .isTrue();
  }

  @Test
  void introspectWhenRefreshTokenOfAnotherClientThenInactive() {
    // A refresh token is for the token endpoint alone: only the client it was issued to may
    // look at it, not even the resource servers its access tokens are meant for.
    CodeFlowTokens t = codeFlow("ada@example.com");
    assertInactive(orders, t.refreshToken(), "the shop's refresh token, asked by orders");
    assertInactive(other, t.refreshToken(), "the shop's refresh token, asked by reports");
    JsonNode own = introspect(app, t.refreshToken()).json();
    assertThat(own.path("active").asBoolean()).isTrue();
    assertThat(own.path("token_type").asText()).isEqualTo("refresh_token");
    // the user's access token from the same flow is meant for both APIs
    assertThat(introspect(orders, t.accessToken()).json().path("active").asBoolean()).isTrue();
    assertThat(introspect(billing, t.accessToken()).json().path("active").asBoolean()).isTrue();
    assertInactive(other, t.accessToken(), "the shop's user token, asked by reports");
  }

  // --- resource indicators at the token endpoint (RFC 8707 2) -------------------------------

  @Test
  void tokenWhenResourcesRequestedThenExactlyThoseInAud() {
    assertThat(audience(clientCredentials(app, "resource", BILLING).text("access_token")))
        .containsExactly(BILLING);
    assertThat(audience(clientCredentials(app, "resource", BILLING, "resource", ORDERS,
        "resource", BILLING).text("access_token"))).containsExactlyInAnyOrder(ORDERS, BILLING);
  }

  @Test
  void tokenWhenResourceNotRegisteredThenInvalidTarget() {
    for (String resource : List.of("https://evil.example.com", ORDERS + "/", "ORDERS",
        flow.issuer(), flow.issuer() + "/api", other.client().clientId())) {
      JsonNode e = assertOAuthError(clientCredentials(app, "resource", resource), 400,
          "invalid_target");
      assertThat(e.path("error_description").asText()).as(resource).contains("not registered");
    }
    // a client without resources may name none
    assertOAuthError(clientCredentials(other, "resource", ORDERS), 400, "invalid_target");
  }

  @Test
  void codeWhenExchangedForUnregisteredResourceThenRefusedAndStillRedeemable() {
    // invalid_target is decided before the code is spent: the right request still works
    flow.user("bea@example.com");
    Browser b = new Browser(server);
    flow.login(b, "bea@example.com", CodeFlow.PASSWORD);
    String verifier = CodeFlow.verifier();
    String code = flow.approve(b, CodeFlow.params(app.client().clientId(), CB, verifier, "s",
        "read")).get("code");
    String exchange = form("grant_type", "authorization_code", "code", code, "redirect_uri", CB,
        "code_verifier", verifier);
    assertOAuthError(post(server, "main", "token",
        exchange + "&resource=" + OAuthTesting.enc("https://evil.example.com"), basic(app)), 400,
        "invalid_target");
    Api.Response ok = post(server, "main", "token",
        exchange + "&resource=" + OAuthTesting.enc(ORDERS), basic(app));
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertThat(audience(ok.text("access_token"))).containsExactly(ORDERS);
  }

  @Test
  void refreshWhenResourceNamedThenNarrowedAndWhenUnregisteredThenTokenUntouched() {
    CodeFlowTokens t = codeFlow("cleo@example.com");
    assertThat(audience(t.accessToken())).containsExactlyInAnyOrder(ORDERS, BILLING);
    assertOAuthError(flow.refresh(t.refreshToken(), basic(app), "resource",
        "https://evil.example.com"), 400, "invalid_target");
    Api.Response narrowed = flow.refresh(t.refreshToken(), basic(app), "resource", BILLING);
    assertThat(narrowed.status()).as("refused request left the token usable: " + narrowed)
        .isEqualTo(200);
    assertThat(audience(narrowed.text("access_token"))).containsExactly(BILLING);
    Api.Response full = flow.refresh(narrowed.text("refresh_token"), basic(app));
    assertThat(audience(full.text("access_token"))).containsExactlyInAnyOrder(ORDERS, BILLING);
  }

  @Test
  void authorizeWhenResourceNotRegisteredThenErrorPageNotRedirect() {
    flow.user("dora@example.com");
    Browser b = new Browser(server);
    flow.login(b, "dora@example.com", CodeFlow.PASSWORD);
    Map<String, String> params = CodeFlow.params(app.client().clientId(), CB,
        CodeFlow.verifier(), "s", "read");
    Api.Response refused = b.get(CodeFlow.authorizePath(params) + "&resource="
        + OAuthTesting.enc("https://evil.example.com"));
    assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
    assertThat(refused.header("Location")).isEmpty();
    assertThat(refused.body()).contains("invalid_target");
    // registered resources, repeated, are accepted
    Api.Response ok = b.get(CodeFlow.authorizePath(params) + "&resource="
        + OAuthTesting.enc(ORDERS) + "&resource=" + OAuthTesting.enc(BILLING));
    assertThat(ok.status()).as(ok.toString()).isIn(200, 302);
  }

  @Test
  void deviceAuthorizationWhenResourceNotRegisteredThenInvalidTarget() {
    ClientService.Registered tv = server.app().clients().create("main", new Client.Spec("TV",
        Client.Type.PUBLIC, List.of(), List.of(Client.DEVICE_CODE), List.of("read"), null, null,
        null, null, List.of(ORDERS), null));
    assertOAuthError(post(server, "main", "device_authorization", form("client_id",
        tv.client().clientId(), "resource", BILLING), null), 400, "invalid_target");
    Api.Response ok = post(server, "main", "device_authorization", form("client_id",
        tv.client().clientId(), "resource", ORDERS), null);
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
  }

  @Test
  void apiWhenTokenMeantForAResourceServerThenRefused() {
    // Jeton's own API takes only first-party tokens, meant for {issuer}/api
    CodeFlowTokens t = codeFlow("eve@example.com");
    Api.Response me = server.api().get(TestServer.v1("main") + "/me", t.accessToken());
    assertThat(me.status()).as(me.toString()).isEqualTo(401);
    assertThat(me.json().path("code").asText()).isEqualTo("client_token_not_accepted");
  }

  // --- registration -------------------------------------------------------------------------

  @Test
  void registerWhenResourcesMalformedThenEachFieldRefused() {
    String admin = server.adminToken();
    String body = "{\"name\":\"Bad\",\"type\":\"confidential\",\"grant_types\":"
        + "[\"client_credentials\"],\"resources\":[\"https://a.example.com/x#frag\","
        + "\"https://a.example.com/x?q=1\",\"ftp://a.example.com\",\"http://a.example.com\","
        + "\"/relative\"," + Api.q(flow.issuer() + "/api") + ",\"https://ok.example.com\","
        + "\"https://ok.example.com\"],\"resource_uri\":" + Api.q(server.api().base()) + "}";
    Api.Response r = server.api().postJson(TestServer.v1("main") + "/clients", body, admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().path("code").asText()).isEqualTo("validation_failed");
    Set<String> fields = new HashSet<>();
    r.json().path("errors").forEach(e -> fields.add(e.path("field").asText()));
    assertThat(fields).containsExactlyInAnyOrder("resources[0]", "resources[1]",
        "resources[2]", "resources[3]", "resources[4]", "resources[5]", "resources[7]",
        "resource_uri");
  }

  @Test
  void registerWhenPublicClientClaimsResourceUriThenRefused() {
    String admin = server.adminToken();
    Api.Response r = server.api().postJson(TestServer.v1("main") + "/clients",
        "{\"name\":\"Spa\",\"type\":\"public\",\"redirect_uris\":[\"https://spa.example.com/cb\"],"
            + "\"resource_uri\":\"https://api.example.com\"}", admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("resource_uri");
  }

  @Test
  void registerWhenResourcesValidThenShownAndUpdatable() {
    String admin = server.adminToken();
    Api.Response r = server.api().postJson(TestServer.v1("main") + "/clients",
        "{\"name\":\"Api\",\"type\":\"confidential\",\"grant_types\":[\"client_credentials\"],"
            + "\"resources\":[\"https://a.example.com\",\"http://localhost:9000/api\"],"
            + "\"resource_uri\":\"https://self.example.com\"}", admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.json().path("resources").toString())
        .isEqualTo("[\"https://a.example.com\",\"http://localhost:9000/api\"]");
    assertThat(r.json().path("resource_uri").asText()).isEqualTo("https://self.example.com");
    String id = r.text("client_id");
    Api.Response patched = server.api().send("PATCH", TestServer.v1("main") + "/clients/" + id,
        "{\"resources\":[],\"resource_uri\":null}", Map.of("Content-Type", "application/json",
            "Authorization", "Bearer " + admin));
    assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    assertThat(patched.json().path("resources").size()).isZero();
    assertThat(patched.json().has("resource_uri")).as("unset fields are left out").isFalse();
  }

  // --- helpers ------------------------------------------------------------------------------

  record CodeFlowTokens(String accessToken, String refreshToken) {}

  /** A user signs in and approves the shop; its code is exchanged without a resource. */
  private CodeFlowTokens codeFlow(String email) {
    flow.user(email);
    Browser b = new Browser(server);
    flow.login(b, email, CodeFlow.PASSWORD);
    String verifier = CodeFlow.verifier();
    String code = flow.approve(b, CodeFlow.params(app.client().clientId(), CB, verifier, "s",
        "read")).get("code");
    Api.Response r = flow.exchange(code, CB, verifier, basic(app), null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return new CodeFlowTokens(r.text("access_token"), r.text("refresh_token"));
  }

  private Api.Response clientCredentials(ClientService.Registered c, String... extra) {
    List<String> all = new ArrayList<>(List.of("grant_type", "client_credentials"));
    all.addAll(List.of(extra));
    return post(server, "main", "token", form(all.toArray(String[]::new)), basic(c));
  }

  private Api.Response introspect(ClientService.Registered caller, String token) {
    Api.Response r = post(server, "main", "introspect", form("token", token), basic(caller));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r;
  }

  private void assertInactive(ClientService.Registered caller, String token, String why) {
    assertThat(introspect(caller, token).body()).as(why).isEqualTo(IntrospectionTest.INACTIVE);
  }

  /** The {@code aud} of a JWT, as a list whether it is a string or an array. */
  static List<String> audience(String jwt) {
    assertThat(jwt).as("a token").isNotNull();
    JsonNode claims;
    try {
      claims = new ObjectMapper().readTree(new String(Base64.getUrlDecoder().decode(
          jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("not a JWT: " + jwt, e);
    }
    JsonNode aud = claims.path("aud");
    List<String> out = new ArrayList<>();
    if (aud.isArray()) {
      aud.forEach(a -> out.add(a.asText()));
    } else {
      out.add(aud.asText());
    }
    return out;
  }
}
