package dev.jeton.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jeton.config.Setting;
import dev.jeton.oauth.OidcFlow;
import dev.jeton.testing.Engine;
import dev.jeton.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ID tokens of accounts whose keys use the other algorithms: signed with that algorithm,
 * advertised in discovery, and {@code at_hash} computed with its hash (SHA-384 for ES384,
 * OIDC Core 3.1.3.6), on both engines.
 */
@ParameterizedClass
@EnumSource(Engine.class)
class IdTokenAlgorithmTest {
  @Parameter
  Engine engine;

  @ParameterizedTest
  @ValueSource(strings = {"ES384", "RS256", "PS256"})
  void idTokenWhenAccountAlgorithmThenSignedAndHashedWithIt(String alg) throws Exception {
    try (TestServer server = TestServer.start(engine, Map.of(Setting.SIGNING_ALG, alg))) {
      OidcFlow flow = new OidcFlow(server, OidcFlow.client(server, "openid"), "ada@example.com");
      JsonNode tokens = flow.tokens("openid", "n");
      String idToken = tokens.path("id_token").asText();
      assertThat(SignedJWT.parse(idToken).getHeader().getAlgorithm())
          .isEqualTo(JWSAlgorithm.parse(alg));
      JWTClaimsSet c = IdTokenTest.verified(server, idToken);
      String atHash = c.getStringClaim("at_hash");
      assertThat(atHash).isEqualTo(IdTokenTest.atHash(tokens.path("access_token").asText(),
          JWSAlgorithm.parse(alg)));
      assertThat(atHash).hasSize(alg.equals("ES384") ? 32 : 22);
      JsonNode doc = server.api().get("/accounts/main/.well-known/openid-configuration").json();
      assertThat(doc.path("id_token_signing_alg_values_supported").get(0).asText())
          .isEqualTo(alg);
    }
  }
}
