package dev.jeton.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.jeton.client.ClientService;
import dev.jeton.oauth.OidcFlow;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The userinfo endpoint (OIDC Core 5.3) and its RFC 6750 3.1 errors, on both engines. */
@OnBothEngines
class UserInfoTest {
  static final String PATH = "/accounts/main/oauth2/userinfo";

  TestServer server;
  OidcFlow flow;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    ClientService.Registered app = OidcFlow.client(server, "openid", "email", "read");
    flow = new OidcFlow(server, app, "ada@example.com");
  }

  private String accessToken(String scope) {
    return flow.tokens(scope, null).path("access_token").asText();
  }

  private Api.Response post(String path, String token) {
    return server.api().send("POST", path, "", Map.of("Authorization", "Bearer " + token,
        "Content-Type", "application/x-www-form-urlencoded"));
  }

  private static void assertInvalidToken(Api.Response r, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(401);
    assertThat(r.code()).isEqualTo(code);
    assertThat(r.header("WWW-Authenticate").orElse("")).startsWith("Bearer ")
        .contains("error=\"invalid_token\"");
  }

  @Test
  void userinfoWhenGetWithOpenidAndEmailThenSubAndEmail() {
    Api.Response r = server.api().get(PATH, accessToken("openid email"));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().path("sub").asText()).isEqualTo(flow.userId());
    assertThat(r.json().path("email").asText()).isEqualTo("ada@example.com");
    assertThat(r.json().path("email_verified").isBoolean()).isTrue();
    assertThat(r.json().path("email_verified").asBoolean()).isFalse();
    assertThat(r.header("Cache-Control").orElse("")).isEqualTo("no-store");
  }

  @Test
  void userinfoWhenPostWithOpenidOnlyThenSubWithoutEmail() {
    Api.Response r = post(PATH, accessToken("openid"));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().path("sub").asText()).isEqualTo(flow.userId());
    assertThat(r.json().has("email")).isFalse();
  }

  @Test
  void userinfoWhenNoTokenThenChallengeWithoutError() {
    Api.Response r = server.api().get(PATH);
    assertThat(r.status()).as(r.toString()).isEqualTo(401);
    assertThat(r.header("WWW-Authenticate").orElse("")).startsWith("Bearer realm=")
        .doesNotContain("error=");
  }

  @Test
  void userinfoWhenTokenWithoutOpenidThenInsufficientScope() {
    Api.Response r = server.api().get(PATH, accessToken("read"));
    assertThat(r.status()).as(r.toString()).isEqualTo(403);
    assertThat(r.code()).isEqualTo("insufficient_scope");
    assertThat(r.header("WWW-Authenticate").orElse(""))
        .contains("error=\"insufficient_scope\"").contains("scope=\"openid\"");
  }

  @Test
  void userinfoWhenTokenInQueryThenRefused() {
    String token = accessToken("openid");
    Api.Response r = server.api().get(PATH + "?access_token=" + token);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.code()).isEqualTo("token_in_url");
  }

  @Test
  void userinfoWhenSessionRevokedThenInvalidToken() throws Exception {
    String token = accessToken("openid email");
    assertThat(server.api().get(PATH, token).status()).isEqualTo(200);
    String sid = SignedJWT.parse(token).getJWTClaimsSet().getStringClaim("sid");
    server.app().sessions().revoke(sid, "test");
    assertInvalidToken(server.api().get(PATH, token), "token_revoked");
  }

  @Test
  void userinfoWhenTokenOfAnotherAccountThenInvalidToken() {
    server.app().accounts().create("main", "other", "Other");
    String token = accessToken("openid email");
    assertInvalidToken(server.api().get("/accounts/other/oauth2/userinfo", token),
        "token_wrong_account");
  }

  @Test
  void userinfoWhenIdTokenAsBearerThenWrongType() {
    String idToken = flow.tokens("openid", "n").path("id_token").asText();
    assertInvalidToken(post(PATH, idToken), "token_wrong_type");
  }

  @Test
  void userinfoWhenFirstPartyTokenThenRefused() {
    Api.Response login = server.login("main", "ada@example.com",
        "correct horse battery staple 9");
    String token = login.json().path("access_token").asText();
    Api.Response r = server.api().get(PATH, token);
    assertThat(r.status()).as(r.toString()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("client_token_not_accepted");
    // the detail and the catalog's remedy say the same thing: userinfo takes a token issued to
    // an OAuth client for a user, and this first-party token belongs at /api/v1/me
    assertThat(r.text("detail")).contains("issued to an OAuth client for a user")
        .contains("/api/v1/me");
    assertThat(r.text("remedy")).contains("the userinfo endpoint takes only tokens issued to an "
        + "OAuth client for a user");
    Api.Response entry = server.api().get("/api/v1/errors/client_token_not_accepted");
    assertThat(entry.text("remedy")).isEqualTo(r.text("remedy"));
  }

  @Test
  void userinfoWhenClientCredentialsTokenThenRefusedSayingItCarriesNoUser() {
    ClientService.Registered backend = server.app().clients().create("main",
        new dev.jeton.client.Client.Spec("Backend", dev.jeton.client.Client.Type.CONFIDENTIAL,
            java.util.List.of("https://app.example.com/cb"),
            java.util.List.of(dev.jeton.client.Client.CLIENT_CREDENTIALS),
            java.util.List.of("openid"), null, null, null));
    String basic = "Basic " + java.util.Base64.getEncoder().encodeToString((backend.client()
        .clientId() + ":" + backend.secret()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String token = server.api().send("POST", "/accounts/main/oauth2/token",
        "grant_type=client_credentials", Map.of("Content-Type",
            "application/x-www-form-urlencoded", "Authorization", basic)).text("access_token");
    Api.Response r = server.api().get(PATH, token);
    assertThat(r.status()).as(r.toString()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("client_token_not_accepted");
    assertThat(r.text("detail")).contains("client_credentials").contains("no user");
    assertThat(r.text("remedy")).contains("client_credentials tokens carry no user");
  }
}
