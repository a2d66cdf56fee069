package dev.jeton.oauth;

import static dev.jeton.oauth.OAuthTesting.assertOAuthError;
import static dev.jeton.oauth.OAuthTesting.basic;
import static dev.jeton.oauth.OAuthTesting.form;
import static dev.jeton.oauth.OAuthTesting.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.client.ClientService;
import dev.jeton.session.SessionService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.TokenKind;
import java.security.SecureRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST {issuer}/oauth2/revoke} (RFC 7009) on both engines: a client revokes the sessions
 * of its own tokens at once; anything else is 200 and changes nothing.
 */
@OnBothEngines
class RevocationTest {
  TestServer server;
  ClientService.Registered app;
  ClientService.Registered otherApp;
  SessionService.TokenPair pair;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    app = OAuthTesting.confidential(server, "main", "read");
    otherApp = OAuthTesting.confidential(server, "main", "read");
    pair = OAuthTesting.sessionOf(server, "main", "rita@example.com", app.client().clientId());
  }

  private Api.Response revoke(ClientService.Registered caller, String... params) {
    return post(server, "main", "revoke", form(params), basic(caller));
  }

  private boolean active(String token) {
    Api.Response r = post(server, "main", "introspect", form("token", token), basic(app));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json().path("active").asBoolean();
  }

  private static void assertEmpty200(Api.Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void revokeWhenRefreshTokenOfCallerThenFamilyRevokedAndAccessTokenInactiveAtOnce() {
    String at = pair.access().token();
    assertThat(active(at)).isTrue();
    assertThat(server.app().sessions().isActive(pair.session().id())).isTrue();
    assertEmpty200(revoke(app, "token", pair.refreshToken(), "token_type_hint",
        "refresh_token"));
    // docs/security.md#revocation-immediate: the grant's access tokens die with it, at once.
    assertThat(active(pair.refreshToken())).isFalse();
    assertThat(active(at)).isFalse();
    assertThat(server.app().sessions().isActive(pair.session().id())).isFalse();
    assertThat(server.refresh("main", pair.refreshToken()).status()).isEqualTo(401);
    // revoking again is still 200
    assertEmpty200(revoke(app, "token", pair.refreshToken()));
  }

  @Test
  void revokeWhenAccessTokenOfCallersSessionThenSessionRevoked() {
    assertEmpty200(revoke(app, "token", pair.access().token(), "token_type_hint",
        "access_token"));
    assertThat(active(pair.access().token())).isFalse();
    assertThat(active(pair.refreshToken())).isFalse();
  }

  @Test
  void revokeWhenTokenOfAnotherClientThen200AndStillActive() {
    // docs/security.md#revocation-owner-only: only the client the token was issued to may revoke
    // it.
    assertEmpty200(revoke(otherApp, "token", pair.refreshToken()));
    assertEmpty200(revoke(otherApp, "token", pair.access().token()));
    assertThat(active(pair.refreshToken())).isTrue();
    assertThat(active(pair.access().token())).isTrue();
    // first-party tokens (client 'jeton') are not any registered client's either
    Api.Response user = server.register("main", "fred@example.com", "velvet orbit canal 52");
    assertEmpty200(revoke(app, "token", user.text("refresh_token")));
    // (introspection tells no client about first-party tokens: asked of the server itself)
    assertThat(server.app().sessions().findRefreshToken(user.text("refresh_token"))
        .orElseThrow().live()).isTrue();
    assertThat(server.api().get(TestServer.v1("main") + "/me", user.text("access_token"))
        .status()).isEqualTo(200);
  }

  @Test
  void revokeWhenTokenOfAnotherAccountThen200AndStillActive() {
    server.app().accounts().create("main", "other", "Other");
    server.openRegistration("other");
    ClientService.Registered theirs = OAuthTesting.confidential(server, "other", "read");
    SessionService.TokenPair foreign = OAuthTesting.sessionOf(server, "other",
        "owen@example.com", theirs.client().clientId());
    assertEmpty200(revoke(app, "token", foreign.refreshToken()));
    assertEmpty200(revoke(app, "token", foreign.access().token()));
    assertThat(server.app().sessions().isActive(foreign.session().id())).isTrue();
  }

  @Test
  void revokeWhenTokenUnknownOrInvalidThen200() {
    // docs/security.md#revocation-answers: unknown or invalid tokens are answered 200
    // (RFC 7009 2.2).
    String neverIssued = new OpaqueTokens(new SecureRandom()).generate(TokenKind.RT);
    for (String t : new String[] {neverIssued, "garbage", "a.b.c", "jeton_rt_short"}) {
      assertEmpty200(revoke(app, "token", t));
    }
    assertThat(active(pair.refreshToken())).isTrue();
  }

  @Test
  void revokeWhenHintUnsupportedThenIgnored() {
    // RFC 7009 2.1: an unknown token_type_hint does not change the answer.
    assertEmpty200(revoke(app, "token", pair.refreshToken(), "token_type_hint", "frobnicator"));
    assertThat(active(pair.refreshToken())).isFalse();
  }

  @Test
  void revokeWhenOwnClientCredentialsTokenThenUnsupportedTokenType() {
    // RFC 7009 2.2.1: a self-contained client token cannot be revoked; say so to its owner only.
    String cc = post(server, "main", "token", form("grant_type", "client_credentials"),
        basic(app)).text("access_token");
    assertOAuthError(revoke(app, "token", cc), 400, "unsupported_token_type");
    assertEmpty200(revoke(otherApp, "token", cc));
  }

  @Test
  void revokeWhenCallerNotAuthenticatedThen401InvalidClient() {
    // docs/security.md#confidential-client-auth.
    assertOAuthError(post(server, "main", "revoke", form("token", pair.refreshToken()), null),
        401, "invalid_client");
    Api.Response wrong = post(server, "main", "revoke", form("token", pair.refreshToken()),
        basic(app.client().clientId(), "jeton_cs_wrong"));
    assertOAuthError(wrong, 401, "invalid_client");
    assertThat(wrong.header("WWW-Authenticate").orElse("")).startsWith("Basic realm=");
    assertThat(active(pair.refreshToken())).isTrue();
  }

  @Test
  void revokeWhenTokenMissingThenInvalidRequest() {
    assertOAuthError(revoke(app, "token_type_hint", "refresh_token"), 400, "invalid_request");
  }
}
