package dev.jeton.user;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Register, login, current user, logout and password change over real HTTP, on both engines. */
@OnBothEngines
class AuthFlowTest {
  TestServer server;
  Api api;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    api = server.api();
  }

  @Test
  void registerWhenNewEmailThenTokenResponseWithNoStore() {
    Api.Response r = server.register("main", "  Bob@Example.COM ", "a perfectly fine password");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.header("Cache-Control")).contains("no-store");
    assertThat(r.header("Pragma")).contains("no-cache");
    assertThat(r.json().path("user").path("email").asText()).isEqualTo("bob@example.com");
    assertThat(r.text("token_type")).isEqualTo("Bearer");
    assertThat(r.json().path("expires_in").asLong()).isEqualTo(3600);
    assertThat(r.text("refresh_token")).startsWith("jeton_rt_");
    assertThat(r.json().path("refresh_token_expires_in").asLong()).isEqualTo(30L * 24 * 3600);
    assertThat(r.json().path("issued_at").asLong())
        .isCloseTo(server.clock().millis() / 1000, org.assertj.core.data.Offset.offset(5L));
    assertThat(r.text("access_token")).isNotBlank();
  }

  @Test
  void registerWhenEmailTakenInAnyCaseThenUserAlreadyExists() {
    assertThat(server.register("main", "carol@example.com", "first password ok").status())
        .isEqualTo(201);
    Api.Response dup = server.register("main", "CAROL@example.com", "another password ok");
    assertThat(dup.status()).isEqualTo(409);
    assertThat(dup.code()).isEqualTo("user_already_exists");
  }

  @Test
  void registerWhenPasswordWeakThenValidationNamesPasswordField() {
    Api.Response shortOne = server.register("main", "dave@example.com", "short");
    assertThat(shortOne.status()).isEqualTo(400);
    assertThat(shortOne.code()).isEqualTo("validation_failed");
    assertThat(shortOne.json().path("errors").get(0).path("field").asText()).isEqualTo("password");
    assertThat(shortOne.json().path("errors").get(0).path("code").asText())
        .isEqualTo("password_policy_violation");
    assertThat(server.register("main", "dave@example.com", "password123").code())
        .isEqualTo("validation_failed");
    assertThat(server.register("main", "davidson@example.com", "xx-davidson-xx").code())
        .isEqualTo("validation_failed");
  }

  /**
   * docs/security.md#password-policy: passwords a penetration test registered (a listed password
   * with a look-alike and a symbol, eight spaces, a name repeated, also when it is the email's
   * three-letter local part) are refused with the reason on the password field, at registration
   * and at a password change.
   */
  @Test
  void registerOrChangeWhenCommonVariantBlankOrLocalPartRepeatedThenPolicyViolation() {
    String[][] cases = {
        {"nora@example.com", "Passw0rd!", "commonly used"},
        {"nora@example.com", "        ", "spaces"},
        {"nora@example.com", "bobbybobby", "repeated"},
        {"bob@example.com", "bobbybobby", "email"}};
    for (String[] c : cases) {
      Api.Response r = server.register("main", c[0], c[1]);
      assertThat(r.status()).as(c[1]).isEqualTo(400);
      assertThat(r.code()).isEqualTo("validation_failed");
      assertThat(r.json().path("errors")).hasSize(1);
      assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("password");
      assertThat(r.json().path("errors").get(0).path("code").asText())
          .isEqualTo("password_policy_violation");
      assertThat(r.json().path("errors").get(0).path("detail").asText()).contains(c[2]);
    }
    Api.Response bobby = server.register("main", "bobby@example.com", "amber kettle sings at dawn");
    assertThat(bobby.status()).isEqualTo(201);

    Api.Response change = api.postJson(v1("main") + "/me/password",
        "{\"current_password\":\"amber kettle sings at dawn\","
            + "\"new_password\":\"Passw0rd!\"}", bobby.text("access_token"));
    assertThat(change.status()).isEqualTo(400);
    assertThat(change.json().path("errors").get(0).path("code").asText())
        .isEqualTo("password_policy_violation");
    assertThat(server.login("main", "bobby@example.com", "amber kettle sings at dawn").status())
        .isEqualTo(200);
  }

  @Test
  void registerWhenEmailMalformedThenFieldError() {
    Api.Response r = server.register("main", "not-an-email", "a perfectly fine password");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("email");
  }

  /**
   * docs/security.md#sign-in-throttle: after the free failures, the next attempt waits (429 with
   * Retry-After) without any password being checked, even the right one, so the wait is no oracle;
   * then it passes.
   */
  @Test
  void loginWhenGuessingThenThrottledWithRetryAfterAndNoPasswordChecked() {
    server.register("main", "gil@example.com", "long pass phrase 42 zulu");
    for (int i = 0; i <= dev.jeton.limit.FailureThrottle.FREE_PER_SOURCE; i++) {
      assertThat(server.login("main", "gil@example.com", "guess " + i + " guess guess").code())
          .isEqualTo("invalid_credentials");
    }
    long before = server.app().users().hasher().verifications();
    Api.Response throttled = server.login("main", "gil@example.com", "long pass phrase 42 zulu");
    assertThat(throttled.status()).as(throttled.toString()).isEqualTo(429);
    assertThat(throttled.code()).isEqualTo("sign_in_throttled");
    assertThat(throttled.header("Retry-After")).contains("1");
    assertThat(server.app().users().hasher().verifications()).isEqualTo(before);
    server.clock().advance(java.time.Duration.ofSeconds(1));
    assertThat(server.login("main", "gil@example.com", "long pass phrase 42 zulu").status())
        .isEqualTo(200);
  }

  /** docs/security.md#no-user-enumeration: an unknown email is throttled like a known one. */
  @Test
  void loginWhenGuessingUnknownEmailThenSameThrottleAnswer() {
    server.register("main", "hal@example.com", "long pass phrase 42 zulu");
    for (int i = 0; i <= dev.jeton.limit.FailureThrottle.FREE_PER_SOURCE; i++) {
      server.login("main", "hal@example.com", "guess " + i + " guess guess");
      server.login("main", "nobody@example.com", "guess " + i + " guess guess");
    }
    Api.Response known = server.login("main", "hal@example.com", "one more guess here");
    Api.Response unknown = server.login("main", "nobody@example.com", "one more guess here");
    assertThat(known.status()).isEqualTo(429).isEqualTo(unknown.status());
    assertThat(known.text("detail")).isEqualTo(unknown.text("detail"));
    assertThat(known.header("Retry-After")).isEqualTo(unknown.header("Retry-After"));
  }

  @Test
  void loginWhenUnknownEmailOrWrongPasswordThenSameAnswerAndSameWork() {
    server.register("main", "erin@example.com", "long pass phrase 42 zulu");
    PasswordHasher hasher = server.app().users().hasher();
    long before = hasher.verifications();
    Api.Response unknown = server.login("main", "nobody@example.com", "long pass phrase 42 zulu");
    long afterUnknown = hasher.verifications();
    Api.Response wrong = server.login("main", "erin@example.com", "not the right pass phrase");
    long afterWrong = hasher.verifications();
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(unknown.code()).isEqualTo("invalid_credentials").isEqualTo(wrong.code());
    assertThat(unknown.text("detail")).isEqualTo(wrong.text("detail"));
    // docs/security.md#no-user-enumeration: the unknown email costs one Argon2id verification,
    // exactly like a wrong password.
    assertThat(afterUnknown - before).isEqualTo(1);
    assertThat(afterWrong - afterUnknown).isEqualTo(1);
  }

  @Test
  void loginWhenBlockedThenUserBlockedOnlyWithRightPassword() {
    String id = server.register("main", "frank@example.com", "long pass phrase 42 zulu")
        .json().path("user").path("id").asText();
    server.app().users().store().setState(id, server.clock().millis(), false);
    assertThat(server.login("main", "frank@example.com", "wrong password!!").code())
        .isEqualTo("invalid_credentials");
    Api.Response r = server.login("main", "frank@example.com", "long pass phrase 42 zulu");
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.code()).isEqualTo("user_blocked");
  }

  @Test
  void loginWhenPasswordResetRequiredThen412() {
    String id = server.register("main", "gina@example.com", "long pass phrase 42 zulu")
        .json().path("user").path("id").asText();
    server.app().users().store().setState(id, null, true);
    Api.Response r = server.login("main", "gina@example.com", "long pass phrase 42 zulu");
    assertThat(r.status()).isEqualTo(412);
    assertThat(r.code()).isEqualTo("password_reset_required");
  }

  @Test
  void meWhenValidTokenThenCurrentUser() {
    String at = server.register("main", "hank@example.com", "long pass phrase 42 zulu")
        .text("access_token");
    Api.Response me = api.get(v1("main") + "/me", at);
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.text("email")).isEqualTo("hank@example.com");
    assertThat(me.text("role")).isEqualTo("user");
  }

  @Test
  void logoutWhenCalledThenRefreshAndAccessTokensRevoked() {
    Api.Response login = server.register("main", "ivy@example.com", "long pass phrase 42 zulu");
    String rt = login.text("refresh_token");
    String at = login.text("access_token");
    Api.Response out = api.postJson(v1("main") + "/auth/logout",
        "{\"refresh_token\":" + Api.q(rt) + "}");
    assertThat(out.status()).isEqualTo(204);
    assertThat(server.refresh("main", rt).code()).isEqualTo("token_revoked");
    Api.Response me = api.get(v1("main") + "/me", at);
    assertThat(me.status()).isEqualTo(401);
    assertThat(me.code()).isEqualTo("token_revoked");
  }

  @Test
  void logoutWhenTokenUnknownThenSameAnswer() {
    String unknown = new dev.jeton.token.OpaqueTokens(new java.security.SecureRandom())
        .generate(dev.jeton.token.TokenKind.RT);
    Api.Response out = api.postJson(v1("main") + "/auth/logout",
        "{\"refresh_token\":" + Api.q(unknown) + "}");
    assertThat(out.status()).isEqualTo(204);
  }

  @Test
  void logoutWhenTokenMalformedOrOfAnotherKindThen401AsDocumented() {
    // docs/api.md: 204 only for well-formed refresh tokens; a malformed one is 401
    Api.Response malformed = api.postJson(v1("main") + "/auth/logout",
        "{\"refresh_token\":\"not-a-token\"}");
    assertThat(malformed.status()).as(malformed.toString()).isEqualTo(401);
    assertThat(malformed.code()).isEqualTo("token_malformed");
    String setupLike = new dev.jeton.token.OpaqueTokens(new java.security.SecureRandom())
        .generate(dev.jeton.token.TokenKind.ST);
    Api.Response wrongKind = api.postJson(v1("main") + "/auth/logout",
        "{\"refresh_token\":" + Api.q(setupLike) + "}");
    assertThat(wrongKind.status()).isEqualTo(401);
    assertThat(wrongKind.code()).isEqualTo("token_wrong_type");
  }

  @Test
  void changePasswordWhenCurrentRightThenOtherSessionsRevokedAndNewPasswordWorks() {
    Api.Response first = server.register("main", "jack@example.com", "old pass phrase 42 zulu");
    Api.Response second = server.login("main", "jack@example.com", "old pass phrase 42 zulu");
    Api.Response change = api.postJson(v1("main") + "/me/password",
        "{\"current_password\":\"old pass phrase 42 zulu\",\"new_password\":\"new pass phrase 42 zulu\"}",
        first.text("access_token"));
    assertThat(change.status()).as(change.toString()).isEqualTo(200);
    assertThat(change.json().path("sessions_ended").asInt()).isEqualTo(1);
    assertThat(change.json().path("this_session_kept").asBoolean()).isTrue();
    // docs/security.md#sessions-revoked-on-change: the other session's refresh token dies with the
    // password change.
    assertThat(server.refresh("main", second.text("refresh_token")).code())
        .isEqualTo("token_revoked");
    assertThat(server.refresh("main", first.text("refresh_token")).status()).isEqualTo(200);
    assertThat(server.login("main", "jack@example.com", "old pass phrase 42 zulu").code())
        .isEqualTo("invalid_credentials");
    assertThat(server.login("main", "jack@example.com", "new pass phrase 42 zulu").status())
        .isEqualTo(200);
  }

  @Test
  void changePasswordWhenCurrentWrongThenInvalidCredentials() {
    Api.Response first = server.register("main", "kate@example.com", "old pass phrase 42 zulu");
    Api.Response change = api.postJson(v1("main") + "/me/password",
        "{\"current_password\":\"guess guess guess\",\"new_password\":\"new pass phrase 42 zulu\"}",
        first.text("access_token"));
    assertThat(change.status()).isEqualTo(401);
    assertThat(change.code()).isEqualTo("invalid_credentials");
  }

  @Test
  void accessTokenWhenLifetimePassedThenExpired() {
    String at = server.register("main", "liam@example.com", "long pass phrase 42 zulu")
        .text("access_token");
    server.clock().advance(Duration.ofHours(1).plusSeconds(61));
    Api.Response me = api.get(v1("main") + "/me", at);
    assertThat(me.status()).isEqualTo(401);
    assertThat(me.code()).isEqualTo("token_expired");
    assertThat(me.header("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
  }

  @Test
  void authEndpointsWhenAccountUnknownThen404() {
    Api.Response r = server.register("nope", "m@example.com", "a perfectly fine password");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.code()).isEqualTo("account_not_found");
  }

  @Test
  void blockWhenUserBlockedThenSessionsRevokedAndCachedProfileDropped() {
    Api.Response login = server.register("main", "nina@example.com", "long pass phrase 42 zulu");
    String at = login.text("access_token");
    assertThat(api.get(v1("main") + "/me", at).status()).isEqualTo(200);
    User u = server.app().users().store().byId("main", login.json().path("user").path("id")
        .asText()).orElseThrow();
    server.app().users().setState(u, true, false);
    Api.Response me = api.get(v1("main") + "/me", at);
    assertThat(me.status()).isEqualTo(401);
    assertThat(me.code()).isEqualTo("token_revoked");
    assertThat(server.refresh("main", login.text("refresh_token")).code())
        .isEqualTo("token_revoked");
  }
}
