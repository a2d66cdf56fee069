package dev.jeton.oauth;

import static dev.jeton.oauth.OAuthTesting.assertNoStore;
import static dev.jeton.oauth.OAuthTesting.assertOAuthError;
import static dev.jeton.oauth.OAuthTesting.basic;
import static dev.jeton.oauth.OAuthTesting.form;
import static dev.jeton.oauth.OAuthTesting.post;
import static dev.jeton.oauth.OAuthTesting.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST {issuer}/oauth2/token} with the client credentials grant (RFC 6749 4.4), its
 * client authentication (RFC 6749 2.3) and its RFC 6749 5.2 errors, on both engines.
 */
@OnBothEngines
class TokenEndpointTest {
  static final String CC = "client_credentials";

  TestServer server;
  ClientService.Registered backend;
  String issuer;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    backend = OAuthTesting.confidential(server, "main", "read", "write");
    issuer = server.api().base() + "/accounts/main";
  }

  private Api.Response token(String body, String authorization) {
    return post(server, "main", "token", body, authorization);
  }

  private String id() {
    return backend.client().clientId();
  }

  @Test
  void tokenWhenClientCredentialsWithBasicThenAccessTokenForTheClient() throws Exception {
    Api.Response r = token(form("grant_type", CC), basic(backend));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Content-Type").orElse("")).startsWith("application/json");
    assertNoStore(r); // docs/security.md#token-response-no-store
    JsonNode j = r.json();
    long ttl = server.app().accounts().lifetimes(server.app().accounts().requireActive("main"))
        .accessToken().toSeconds();
    assertThat(j.path("token_type").asText()).isEqualTo("Bearer");
    assertThat(j.path("expires_in").asLong()).isEqualTo(ttl);
    assertThat(j.path("scope").asText()).isEqualTo("read write");
    assertThat(j.path("issued_at").asLong()).isPositive();
    assertThat(j.has("refresh_token")).as("RFC 6749 4.4.3: no refresh token").isFalse();

    // The token verifies against the published JWKS, like an outside resource server would.
    SignedJWT jwt = SignedJWT.parse(j.path("access_token").asText());
    String jwks = server.api().get(issuer + "/.well-known/jwks.json").body();
    JWK key = JWKSet.parse(jwks).getKeyByKeyId(jwt.getHeader().getKeyID());
    assertThat(key).isNotNull();
    assertThat(jwt.verify(new DefaultJWSVerifierFactory()
        .createJWSVerifier(jwt.getHeader(), ((AsymmetricJWK) key).toPublicKey()))).isTrue();
    assertThat(jwt.getHeader().getType().getType()).isEqualTo("at+jwt");
    JWTClaimsSet c = jwt.getJWTClaimsSet();
    // docs/security.md#client-ids-not-users: a client token names the client, never a user.
    assertThat(c.getSubject()).isEqualTo(id()).startsWith("cli_").doesNotStartWith("usr_");
    assertThat(c.getStringClaim("client_id")).isEqualTo(id());
    assertThat(c.getClaim("sid")).as("no session").isNull();
    assertThat(c.getClaim("auth_time")).as("no user signed in (RFC 9068 2.2.1)").isNull();
    assertThat(c.getIssuer()).isEqualTo(issuer);
    // no resources registered: meant for the client itself (docs/security.md#audiences)
    assertThat(c.getAudience()).containsExactly(id());
    assertThat(c.getStringClaim("scope")).isEqualTo("read write");
    assertThat(c.getJWTID()).isNotBlank();
    assertThat(c.getExpirationTime().getTime() / 1000 - c.getIssueTime().getTime() / 1000)
        .isEqualTo(ttl);
  }

  @Test
  void tokenWhenClientCredentialsWithPostAndScopeSubsetThenOnlyThatScope() throws Exception {
    Api.Response r = token(form("grant_type", CC, "client_id", id(), "client_secret",
        backend.secret(), "scope", "write"), null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertNoStore(r);
    assertThat(r.text("scope")).isEqualTo("write");
    assertThat(SignedJWT.parse(r.text("access_token")).getJWTClaimsSet().getStringClaim("scope"))
        .isEqualTo("write");
  }

  @Test
  void tokenWhenClientHasOwnLifetimeThenExpiresInIsTheClients() {
    ClientService.Registered shortLived = server.app().clients().create("main", new Client.Spec(
        "Short", Client.Type.CONFIDENTIAL, List.of(), List.of(Client.CLIENT_CREDENTIALS),
        List.of(), null, null, new Client.Lifetimes(120L, null)));
    Api.Response r = token(form("grant_type", CC), basic(shortLived));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().path("expires_in").asLong()).isEqualTo(120);
    assertThat(r.json().has("scope")).as("no registered scopes, none granted").isFalse();
  }

  @Test
  void tokenWhenBasicSecretWrongThen401InvalidClientWithBasicChallenge() {
    // docs/security.md#token-errors: invalid_client is 401 with WWW-Authenticate when the client
    // used Basic.
    Api.Response r = token(form("grant_type", CC), basic(id(), "jeton_cs_wrong"));
    assertOAuthError(r, 401, "invalid_client");
    assertThat(r.header("WWW-Authenticate").orElse(""))
        .isEqualTo("Basic realm=\"" + issuer + "\"");
  }

  @Test
  void tokenWhenFormSecretWrongThen401InvalidClientWithoutChallenge() {
    // docs/security.md#token-errors: no Basic attempt, so no Basic challenge.
    Api.Response r = token(form("grant_type", CC, "client_id", id(), "client_secret",
        "jeton_cs_wrong"), null);
    assertOAuthError(r, 401, "invalid_client");
    assertThat(r.header("WWW-Authenticate")).isEmpty();
    assertOAuthError(token(form("grant_type", CC), null), 401, "invalid_client");
  }

  @Test
  void tokenWhenBasicIdCarriesNulThenInvalidClientNotServerError() {
    // docs/security.md#control-characters: `curl -u 'a%00:b'` (the id percent-decodes to "a\0")
    // answered 500 on PostgreSQL; it is an RFC 6749 invalid_client on both engines.
    for (String credential : List.of("a%00:b", "a\u0000:b", "a:b%00", "a%01:b", "a%C2%85:b")) {
      String header = "Basic " + java.util.Base64.getEncoder().encodeToString(
          credential.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      Api.Response r = token(form("grant_type", CC), header);
      assertThat(assertOAuthError(r, 401, "invalid_client").path("error_description").asText())
          .as(credential).contains("control character");
      assertThat(r.header("WWW-Authenticate").orElse(""))
          .isEqualTo("Basic realm=\"" + issuer + "\"");
    }
  }

  @Test
  void tokenWhenNotAPostThen405InvalidRequestInRfc6749Form() {
    // `curl -u 'a%00:b' {issuer}/oauth2/token` is a GET: the endpoint still answers as an OAuth
    // endpoint (RFC 6749 5.2 JSON, not a problem document), with the Allow header.
    for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
      Api.Response r = server.api().send(method, "/accounts/main/oauth2/token", null,
          java.util.Map.of("Authorization", basic("a%00", "b")));
      assertOAuthError(r, 405, "invalid_request");
      assertThat(r.header("Allow")).as(method).contains("POST");
    }
    for (String endpoint : List.of("introspect", "revoke", "device_authorization")) {
      Api.Response r = server.api().get("/accounts/main/oauth2/" + endpoint);
      assertOAuthError(r, 405, "invalid_request");
    }
  }

  @Test
  void tokenWhenPublicClientAsksClientCredentialsThenUnauthorizedClient() {
    // RFC 6749 4.4: confidential clients only. A public client identifies itself by client_id
    // (it has no secret), so it is known but not allowed: unauthorized_client.
    ClientService.Registered phone = OAuthTesting.publicClient(server, "main");
    Api.Response r = token(form("grant_type", CC, "client_id", phone.client().clientId()), null);
    assertThat(assertOAuthError(r, 400, "unauthorized_client").path("error_description")
        .asText()).contains("confidential");
  }

  @Test
  void tokenWhenClientNotRegisteredForGrantThenUnauthorizedClient() {
    // docs/security.md#grants-per-client: only the grants configured for the client.
    ClientService.Registered web = server.app().clients().create("main", new Client.Spec("Web",
        Client.Type.CONFIDENTIAL, List.of("https://app.example.com/cb"),
        List.of(Client.AUTHORIZATION_CODE), List.of("read"), null, null, null));
    assertOAuthError(token(form("grant_type", CC), basic(web)), 400, "unauthorized_client");
  }

  @Test
  void tokenWhenScopeBeyondRegistrationThenInvalidScope() {
    // docs/security.md#scope-no-escalation: no scope escalation.
    JsonNode j = assertOAuthError(token(form("grant_type", CC, "scope", "read admin"),
        basic(backend)), 400, "invalid_scope");
    assertThat(j.path("error_description").asText()).contains("admin");
    assertOAuthError(token(form("grant_type", CC, "scope", "read  write"), basic(backend)), 400,
        "invalid_scope");
  }

  @Test
  void tokenWhenParameterRepeatedThenInvalidRequestNamingIt() {
    // RFC 6749 3.1: parameters MUST NOT be included more than once.
    JsonNode j = assertOAuthError(token("grant_type=" + CC + "&scope=read&scope=write",
        basic(backend)), 400, "invalid_request");
    assertThat(j.path("error_description").asText()).contains("'scope'");
    assertThat(assertOAuthError(token("grant_type=" + CC + "&grant_type=" + CC, basic(backend)),
        400, "invalid_request").path("error_description").asText()).contains("'grant_type'");
  }

  @Test
  void tokenWhenBodyIsNotAUtf8FormThenInvalidRequest() {
    // RFC 6749 3.2 / Appendix B: application/x-www-form-urlencoded, UTF-8.
    Api.Response json = send(server, "main", "token", "{\"grant_type\":\"" + CC + "\"}",
        "application/json", basic(backend));
    assertThat(assertOAuthError(json, 400, "invalid_request").path("error_description").asText())
        .contains("application/x-www-form-urlencoded");
    assertOAuthError(send(server, "main", "token", form("grant_type", CC), null,
        basic(backend)), 400, "invalid_request");
    assertOAuthError(send(server, "main", "token", form("grant_type", CC),
        OAuthTesting.FORM + "; charset=ISO-8859-1", basic(backend)), 400, "invalid_request");
    assertOAuthError(token("grant_type=" + CC + "&scope=%E9", basic(backend)), 400,
        "invalid_request");
    assertOAuthError(token("grant_type=" + CC + "&scope=%zz", basic(backend)), 400,
        "invalid_request");
    // the explicit UTF-8 charset is fine
    assertThat(send(server, "main", "token", form("grant_type", CC),
        OAuthTesting.FORM + ";charset=UTF-8", basic(backend)).status()).isEqualTo(200);
  }

  @Test
  void tokenWhenPasswordOrImplicitOrUnknownGrantThenUnsupportedGrantType() {
    // docs/security.md#code-flow-only: no ROPC, no implicit; docs/security.md#token-errors: unknown
    // grant -> unsupported_grant_type.
    assertOAuthError(token(form("grant_type", "password", "username", "admin@example.com",
        "password", TestServer.ADMIN_PASSWORD), basic(backend)), 400, "unsupported_grant_type");
    assertOAuthError(token(form("grant_type", "implicit"), basic(backend)), 400,
        "unsupported_grant_type");
    assertOAuthError(token(form("response_type", "token"), basic(backend)), 400,
        "unsupported_grant_type");
    assertOAuthError(token(form("grant_type", "urn:example:magic"), basic(backend)), 400,
        "unsupported_grant_type");
  }

  @Test
  void tokenWhenGrantTypeMissingThenInvalidRequest() {
    assertThat(assertOAuthError(token(form("scope", "read"), basic(backend)), 400,
        "invalid_request").path("error_description").asText()).contains("grant_type");
    assertOAuthError(token(form("grant_type", ""), basic(backend)), 400, "invalid_request");
  }

  @Test
  void tokenWhenAccountUnknownThenOAuthShapedNotFound() {
    assertOAuthError(post(server, "nobody-here", "token", form("grant_type", CC),
        basic(backend)), 404, "account_not_found");
  }

  @Test
  void meWhenClientCredentialsTokenThenClientTokenNotAccepted() {
    // docs/security.md#client-ids-not-users: a client token is not a user's token, even when it
    // carries user/admin scopes.
    ClientService.Registered sneaky = OAuthTesting.confidential(server, "main", "user", "admin");
    String at = token(form("grant_type", CC), basic(sneaky)).text("access_token");
    Api.Response me = server.api().get(TestServer.v1("main") + "/me", at);
    assertThat(me.status()).as(me.toString()).isEqualTo(401);
    assertThat(me.code()).isEqualTo("client_token_not_accepted");
    assertThat(me.header("WWW-Authenticate").orElse("")).contains("error=\"invalid_token\"");
    Api.Response clients = server.api().get(TestServer.v1("main") + "/clients", at);
    assertThat(clients.status()).isEqualTo(401);
    assertThat(clients.code()).isEqualTo("client_token_not_accepted");
  }
}
