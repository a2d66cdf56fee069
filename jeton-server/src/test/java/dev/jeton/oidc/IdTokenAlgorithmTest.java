package dev.jeton.oidc;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.config.Setting;
import dev.jeton.oauth.OidcFlow;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The algorithm of ID tokens: each client's {@code id_token_signed_response_alg}, RS256 when it
 * chose none (OIDC Registration 2; OIDC Core 15.1 makes RS256 mandatory to implement), whatever
 * the account's own algorithm; {@code at_hash} computed with that algorithm's hash (SHA-384 for
 * ES384, OIDC Core 3.1.3.6); the keys of other algorithms published in the JWKS before use and
 * rotated with the account's keys; on both engines.
 */
@OnBothEngines
class IdTokenAlgorithmTest {
  private static final String JWKS = "/accounts/main/.well-known/jwks.json";

  final Engine engine;

  IdTokenAlgorithmTest(Engine engine) {
    this.engine = engine;
  }

  private static ClientService.Registered client(TestServer server, String alg) {
    return server.app().clients().create("main", new Client.Spec("Relying party",
        Client.Type.CONFIDENTIAL, List.of(OidcFlow.CB),
        List.of(Client.AUTHORIZATION_CODE, Client.REFRESH_TOKEN), List.of("openid", "email"),
        null, null, null, alg));
  }

  private static JWKSet jwks(TestServer server) throws Exception {
    return JWKSet.parse(server.api().get(JWKS).body());
  }

  @Test
  void idTokenWhenClientChoseNoAlgorithmThenRs256EvenForEs256Account() throws Exception {
    try (TestServer server = TestServer.start(engine)) {
      OidcFlow flow = new OidcFlow(server, client(server, null), "ada@example.com");
      JsonNode tokens = flow.tokens("openid", "n");
      SignedJWT idToken = SignedJWT.parse(tokens.path("id_token").asText());
      SignedJWT accessToken = SignedJWT.parse(tokens.path("access_token").asText());
      assertThat(accessToken.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
      assertThat(idToken.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
      assertThat(idToken.getHeader().getKeyID()).isNotEqualTo(accessToken.getHeader().getKeyID());
      JWTClaimsSet c = IdTokenTest.verified(server, idToken.serialize());
      assertThat(c.getStringClaim("at_hash")).isEqualTo(IdTokenTest.atHash(
          accessToken.serialize(), JWSAlgorithm.RS256));
      JWK key = jwks(server).getKeyByKeyId(idToken.getHeader().getKeyID());
      assertThat(key.getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
      assertThat(key.isPrivate()).isFalse();
      assertThat(server.api().get(v1("main") + "/clients/" + flow.clientId(),
              server.adminToken()).json().path("id_token_signed_response_alg").asText())
          .isEqualTo("RS256");
    }
  }

  @Test
  void registrationWhenOpenidClientThenItsIdTokenKeysPublishedBeforeFirstUse() throws Exception {
    try (TestServer server = TestServer.start(engine)) {
      assertThat(algorithms(jwks(server))).containsOnly("ES256");
      client(server, null);
      // current and next of the RS256 chain, beside current and next of the account's own
      assertThat(algorithms(jwks(server))).containsExactlyInAnyOrder("ES256", "ES256", "RS256",
          "RS256");
      client(server, "RS256");
      assertThat(jwks(server).getKeys()).hasSize(4);
    }
  }

  @Test
  void registrationWhenClientWithoutOpenidThenNoExtraKeys() throws Exception {
    try (TestServer server = TestServer.start(engine)) {
      server.app().clients().create("main", new Client.Spec("Backend", Client.Type.CONFIDENTIAL,
          List.of(OidcFlow.CB), List.of(Client.CLIENT_CREDENTIALS), List.of("read"), null, null,
          null));
      assertThat(algorithms(jwks(server))).containsOnly("ES256");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ES256", "ES384", "PS256"})
  void idTokenWhenClientChoseAlgorithmThenSignedAndHashedWithIt(String alg) throws Exception {
    try (TestServer server = TestServer.start(engine)) {
      OidcFlow flow = new OidcFlow(server, client(server, alg), "ada@example.com");
      JsonNode tokens = flow.tokens("openid", "n");
      SignedJWT idToken = SignedJWT.parse(tokens.path("id_token").asText());
      assertThat(idToken.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.parse(alg));
      JWTClaimsSet c = IdTokenTest.verified(server, idToken.serialize());
      String atHash = c.getStringClaim("at_hash");
      assertThat(atHash).isEqualTo(IdTokenTest.atHash(tokens.path("access_token").asText(),
          JWSAlgorithm.parse(alg)));
      assertThat(atHash).hasSize(alg.equals("ES384") ? 32 : 22);
      String accessKid = SignedJWT.parse(tokens.path("access_token").asText()).getHeader()
          .getKeyID();
      if (alg.equals("ES256")) { // the account's own algorithm: its own key, no second chain
        assertThat(idToken.getHeader().getKeyID()).isEqualTo(accessKid);
        assertThat(jwks(server).getKeys()).hasSize(2);
      } else {
        assertThat(idToken.getHeader().getKeyID()).isNotEqualTo(accessKid);
      }
    }
  }

  @Test
  void idTokenWhenAccountSignsRs256ThenDefaultUsesTheAccountKey() throws Exception {
    try (TestServer server = TestServer.start(engine, Map.of(Setting.SIGNING_ALG, "RS256"))) {
      OidcFlow flow = new OidcFlow(server, client(server, null), "ada@example.com");
      JsonNode tokens = flow.tokens("openid", "n");
      SignedJWT idToken = SignedJWT.parse(tokens.path("id_token").asText());
      assertThat(idToken.getHeader().getKeyID()).isEqualTo(
          SignedJWT.parse(tokens.path("access_token").asText()).getHeader().getKeyID());
      assertThat(jwks(server).getKeys()).hasSize(2);
    }
  }

  @Test
  void discoveryThenEveryIdTokenAlgorithmWithRs256() {
    try (TestServer server = TestServer.start(engine, Map.of(Setting.SIGNING_ALG, "ES384"))) {
      JsonNode doc = server.api().get("/accounts/main/.well-known/openid-configuration").json();
      List<String> algs = new ArrayList<>();
      doc.path("id_token_signing_alg_values_supported").forEach(n -> algs.add(n.asText()));
      assertThat(algs).containsExactlyInAnyOrder("RS256", "ES256", "ES384", "PS256");
    }
  }

  @Test
  void clientApiWhenAlgorithmSetThenStoredShownAndChangeable() {
    try (TestServer server = TestServer.start(engine)) {
      Api.Response created = server.api().postJson(v1("main") + "/clients",
          "{\"name\":\"RP\",\"type\":\"confidential\",\"redirect_uris\":[\"" + OidcFlow.CB
              + "\"],\"scopes\":[\"openid\"],\"id_token_signed_response_alg\":\"ES384\"}",
          server.adminToken());
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      assertThat(created.json().path("id_token_signed_response_alg").asText())
          .isEqualTo("ES384");
      String path = v1("main") + "/clients/" + created.json().path("client_id").asText();
      Api.Response patched = server.api().send("PATCH", path,
          "{\"id_token_signed_response_alg\":\"PS256\"}", Map.of(
              "Authorization", "Bearer " + server.adminToken(),
              "Content-Type", "application/json"));
      assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
      assertThat(server.api().get(path, server.adminToken()).json()
          .path("id_token_signed_response_alg").asText()).isEqualTo("PS256");
    }
  }

  /** docs/security.md#jwt-alg-allowlist: none, HS256 and unknown names are refused. */
  @ParameterizedTest
  @ValueSource(strings = {"none", "HS256", "RS512", "es256"})
  void clientApiWhenAlgorithmNotOfferedThenValidationFailed(String alg) {
    try (TestServer server = TestServer.start(engine)) {
      Api.Response r = server.api().postJson(v1("main") + "/clients",
          "{\"name\":\"RP\",\"type\":\"confidential\",\"redirect_uris\":[\"" + OidcFlow.CB
              + "\"],\"scopes\":[\"openid\"],\"id_token_signed_response_alg\":\"" + alg + "\"}",
          server.adminToken());
      assertThat(r.status()).as(r.toString()).isEqualTo(400);
      assertThat(r.code()).isEqualTo("validation_failed");
      assertThat(r.json().path("errors").get(0).path("field").asText())
          .isEqualTo("id_token_signed_response_alg");
      assertThat(server.app().clients().list("main")).isEmpty();
    }
  }

  @Test
  void rotationWhenIdTokenChainExistsThenItRotatesAndOldIdTokensStillVerify() throws Exception {
    try (TestServer server = TestServer.start(engine)) {
      OidcFlow flow = new OidcFlow(server, client(server, null), "ada@example.com");
      String before = flow.tokens("openid", "n").path("id_token").asText();
      String oldKid = SignedJWT.parse(before).getHeader().getKeyID();
      // the chain's next key, created with it, published long enough to sign once promoted
      server.clock().advance(dev.jeton.token.KeyRing.PUBLISHED_BEFORE_SIGNING);
      assertThat(server.app().keyRing().rotate("main", "ES256", Duration.ofHours(2))).isTrue();
      String after = flow.tokens("openid", "n").path("id_token").asText();
      String newKid = SignedJWT.parse(after).getHeader().getKeyID();
      assertThat(SignedJWT.parse(after).getHeader().getAlgorithm())
          .isEqualTo(JWSAlgorithm.RS256);
      assertThat(newKid).isNotEqualTo(oldKid);
      IdTokenTest.verified(server, before);
      IdTokenTest.verified(server, after);
      // each chain: previous, current, next
      assertThat(algorithms(jwks(server))).containsExactlyInAnyOrder("ES256", "ES256", "ES256",
          "RS256", "RS256", "RS256");
    }
  }

  /**
   * The scheduled rotation rotates each chain once per interval
   * (docs/security.md#key-rotation-overlap: the next key is published a whole period before it
   * signs, so a second rotation in the same pass would promote a key nobody has seen yet).
   */
  @Test
  void scheduledRotationWhenIdTokenChainExistsThenEveryChainRotatesOnce() throws Exception {
    try (TestServer server = TestServer.start(engine)) {
      client(server, null);
      assertThat(algorithms(jwks(server))).hasSize(4);
      server.clock().advance(Duration.ofDays(31));
      server.app().rotateDueKeys();
      assertThat(algorithms(jwks(server))).containsExactlyInAnyOrder("ES256", "ES256", "ES256",
          "RS256", "RS256", "RS256");
      server.app().rotateDueKeys(); // nothing is due any more
      assertThat(jwks(server).getKeys()).hasSize(6);
    }
  }

  /** Two nodes needing the same new chain at once end up with one chain, used by both. */
  @Test
  void chainWhenCreatedConcurrentlyThenOneCurrentKey() throws Exception {
    try (TestServer server = TestServer.start(engine)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          done.add(pool.submit(() -> {
            go.await();
            server.app().keyRing().ensureIdTokenKey("main", JWSAlgorithm.PS256);
            return null;
          }));
        }
        go.countDown();
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      server.app().keyRing().reload("main");
      assertThat(algorithms(jwks(server))).containsExactlyInAnyOrder("ES256", "ES256", "PS256",
          "PS256");
    }
  }

  private static List<String> algorithms(JWKSet set) {
    return set.getKeys().stream().map(k -> k.getAlgorithm().getName()).toList();
  }
}
