package dev.jeton.oauth;

import static dev.jeton.oauth.OAuthTesting.assertNoStore;
import static dev.jeton.oauth.OAuthTesting.assertOAuthError;
import static dev.jeton.oauth.OAuthTesting.basic;
import static dev.jeton.oauth.OAuthTesting.form;
import static dev.jeton.oauth.OAuthTesting.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.client.ClientService;
import dev.jeton.session.SessionService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST {issuer}/oauth2/introspect} (RFC 7662) on both engines: the members of an active
 * access or refresh token, exactly {@code {"active":false}} for everything else, and caller
 * authentication. The tokens here are issued to the calling client; who else may introspect a
 * token is {@link AudienceTest}'s subject.
 */
@OnBothEngines
class IntrospectionTest {
  static final String INACTIVE = "{\"active\":false}";

  TestServer server;
  ClientService.Registered rs;
  String issuer;
  String userId;
  String at;
  String rt;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    rs = OAuthTesting.confidential(server, "main", "read");
    issuer = server.api().base() + "/accounts/main";
    SessionService.TokenPair pair = OAuthTesting.sessionOf(server, "main", "ines@example.com",
        rs.client().clientId());
    userId = pair.session().userId();
    at = pair.access().token();
    rt = pair.refreshToken();
  }

  private Api.Response introspect(String token) {
    return post(server, "main", "introspect", form("token", token), basic(rs));
  }

  private void assertInactive(String token, String why) {
    Api.Response r = introspect(token);
    assertThat(r.status()).as(why + ": " + r).isEqualTo(200);
    // docs/security.md#introspection-inactive: exactly {"active":false}, no other member.
    assertThat(r.body()).as(why).isEqualTo(INACTIVE);
    assertNoStore(r);
  }

  @Test
  void introspectWhenAccessTokenActiveThenItsMembers() {
    Api.Response r = introspect(at);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertNoStore(r);
    JsonNode j = r.json();
    assertThat(j.path("active").asBoolean()).isTrue();
    assertThat(j.path("scope").asText()).isEqualTo("user");
    assertThat(j.path("client_id").asText()).isEqualTo(rs.client().clientId());
    assertThat(j.path("sub").asText()).isEqualTo(userId).startsWith("usr_");
    assertThat(j.path("iss").asText()).isEqualTo(issuer);
    // no resources registered: the token is meant for the client itself (docs/security.md#audiences)
    assertThat(j.path("aud").asText()).isEqualTo(rs.client().clientId());
    assertThat(j.path("token_type").asText()).isEqualTo("Bearer");
    assertThat(j.path("jti").asText()).isNotBlank();
    long now = server.clock().instant().getEpochSecond();
    assertThat(j.path("iat").asLong()).isBetween(now - 60, now);
    assertThat(j.path("exp").asLong()).isGreaterThan(now);
  }

  @Test
  void introspectWhenClientCredentialsTokenThenActiveForTheClient() {
    String cc = post(server, "main", "token", form("grant_type", "client_credentials"),
        basic(rs)).text("access_token");
    JsonNode j = introspect(cc).json();
    assertThat(j.path("active").asBoolean()).isTrue();
    assertThat(j.path("sub").asText()).isEqualTo(rs.client().clientId());
    assertThat(j.path("client_id").asText()).isEqualTo(rs.client().clientId());
    assertThat(j.path("scope").asText()).isEqualTo("read");
  }

  @Test
  void introspectWhenRefreshTokenActiveThenItsMembers() {
    Api.Response r = post(server, "main", "introspect",
        form("token", rt, "token_type_hint", "refresh_token"), basic(rs));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonNode j = r.json();
    assertThat(j.path("active").asBoolean()).isTrue();
    assertThat(j.path("token_type").asText()).isEqualTo("refresh_token");
    assertThat(j.path("sub").asText()).isEqualTo(userId);
    assertThat(j.path("client_id").asText()).isEqualTo(rs.client().clientId());
    assertThat(j.path("scope").asText()).isEqualTo("user");
    assertThat(j.path("iss").asText()).isEqualTo(issuer);
    assertThat(j.path("exp").asLong()).isGreaterThan(j.path("iat").asLong());
    assertThat(j.has("jti")).isFalse();
    // a wrong hint is only a hint (RFC 7662 2.1)
    assertThat(post(server, "main", "introspect",
        form("token", rt, "token_type_hint", "access_token"), basic(rs)).json()
        .path("active").asBoolean()).isTrue();
  }

  @Test
  void introspectWhenAccessTokenExpiredThenExactlyInactive() {
    Duration ttl = server.app().accounts()
        .lifetimes(server.app().accounts().requireActive("main")).accessToken();
    server.clock().advance(ttl.plusSeconds(1));
    assertInactive(at, "expired access token");
    String cc = post(server, "main", "token", form("grant_type", "client_credentials"),
        basic(rs)).text("access_token");
    server.clock().advance(ttl.plusSeconds(1));
    assertInactive(cc, "expired client_credentials token");
  }

  @Test
  void introspectWhenRevokedThenAccessAndRefreshTokenExactlyInactive() {
    // docs/security.md#revocation-immediate: revocation (RFC 7009) takes effect at once.
    Api.Response out = post(server, "main", "revoke", form("token", rt), basic(rs));
    assertThat(out.status()).as(out.toString()).isEqualTo(200);
    assertInactive(at, "access token of a revoked session");
    assertInactive(rt, "refresh token after revocation");
  }

  @Test
  void introspectWhenRefreshTokenSpentThenExactlyInactive() {
    Api.Response refreshed = post(server, "main", "token",
        form("grant_type", "refresh_token", "refresh_token", rt), basic(rs));
    assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
    assertInactive(rt, "rotated-out refresh token");
    assertThat(introspect(refreshed.text("refresh_token")).json().path("active").asBoolean())
        .isTrue();
  }

  /**
   * The token with one character of its signature changed, away from the end: the last
   * base64url character of a signature carries padding bits, so changing it may change nothing.
   */
  private static String altered(String jwt) {
    int i = jwt.length() - 10;
    return jwt.substring(0, i) + (jwt.charAt(i) == 'A' ? 'B' : 'A') + jwt.substring(i + 1);
  }

  @Test
  void introspectWhenGarbageThenExactlyInactive() {
    List<String> garbage = new ArrayList<>(List.of("garbage", "a.b.c", "jeton_rt_123",
        rt.substring(0, rt.length() - 1) + (rt.endsWith("A") ? "B" : "A"),
        altered(at), "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."));
    garbage.add(new dev.jeton.token.OpaqueTokens(new java.security.SecureRandom())
        .generate(dev.jeton.token.TokenKind.RT)); // well formed, never issued
    for (String g : garbage) {
      assertInactive(g, g);
    }
  }

  @Test
  void introspectWhenTokenOfAnotherAccountThenExactlyInactive() {
    server.app().accounts().create("main", "other", "Other");
    server.openRegistration("other");
    Api.Response theirs = server.register("other", "olga@example.com", "distant meadow piano 77");
    assertInactive(theirs.text("access_token"), "access token of another account");
    assertInactive(theirs.text("refresh_token"), "refresh token of another account");
    // and main's client is unknown at the other account's endpoint
    assertOAuthError(post(server, "other", "introspect", form("token", at), basic(rs)), 401,
        "invalid_client");
  }

  @Test
  void introspectWhenCallerNotAuthenticatedThen401InvalidClient() {
    // docs/security.md#introspection-auth: no anonymous token scanning.
    Api.Response anonymous = post(server, "main", "introspect", form("token", at), null);
    assertOAuthError(anonymous, 401, "invalid_client");
    assertThat(anonymous.body()).doesNotContain("active");
    Api.Response wrong = post(server, "main", "introspect", form("token", at),
        basic(rs.client().clientId(), "jeton_cs_wrong"));
    assertOAuthError(wrong, 401, "invalid_client");
    assertThat(wrong.header("WWW-Authenticate").orElse("")).startsWith("Basic realm=");
    ClientService.Registered phone = OAuthTesting.publicClient(server, "main");
    assertOAuthError(post(server, "main", "introspect",
        form("token", at, "client_id", phone.client().clientId()), null), 401, "invalid_client");
  }

  @Test
  void introspectWhenTokenMissingThenInvalidRequest() {
    assertOAuthError(post(server, "main", "introspect", form("token_type_hint", "access_token"),
        basic(rs)), 400, "invalid_request");
  }
}
