package dev.jeton.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link EcdsaSigner}: its JWS signatures verify with an independent verifier (Nimbus's), have
 * the R || S length of their curve (RFC 7518 3.4), differ every time (fresh nonce), stay valid
 * when many threads sign at once, and a header naming another algorithm is refused.
 */
class EcdsaSignerTest {
  private static ECKey key(JWSAlgorithm alg) throws JOSEException {
    return new ECKeyGenerator(alg.equals(JWSAlgorithm.ES384) ? Curve.P_384 : Curve.P_256)
        .generate();
  }

  private static JWSObject signed(EcdsaSigner signer, JWSAlgorithm alg, String payload)
      throws JOSEException {
    JWSObject o = new JWSObject(new JWSHeader(alg), new Payload(payload));
    o.sign(signer);
    return o;
  }

  @ParameterizedTest
  @ValueSource(strings = {"ES256", "ES384"})
  void signWhenVerifiedIndependentlyThenValidWithTheCurvesLength(String name) throws Exception {
    JWSAlgorithm alg = JWSAlgorithm.parse(name);
    ECKey key = key(alg);
    EcdsaSigner signer = new EcdsaSigner(key.toECPrivateKey(), alg);
    JWSObject a = signed(signer, alg, "{\"sub\":\"usr_1\"}");
    JWSObject b = signed(signer, alg, "{\"sub\":\"usr_1\"}");
    ECDSAVerifier verifier = new ECDSAVerifier(key.toECPublicKey());
    assertThat(JWSObject.parse(a.serialize()).verify(verifier)).isTrue();
    assertThat(JWSObject.parse(b.serialize()).verify(verifier)).isTrue();
    assertThat(a.getSignature().decode()).hasSize(alg.equals(JWSAlgorithm.ES384) ? 96 : 64);
    assertThat(a.getSignature()).isNotEqualTo(b.getSignature());
    // a different payload under the same signature does not verify
    JWSObject tampered = new JWSObject(a.getHeader().toBase64URL(),
        new Payload("{\"sub\":\"usr_2\"}").toBase64URL(), a.getSignature());
    assertThat(tampered.verify(verifier)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ES256"})
  void signWhenManyThreadsAtOnceThenEverySignatureVerifies(String name) throws Exception {
    JWSAlgorithm alg = JWSAlgorithm.parse(name);
    ECKey key = key(alg);
    EcdsaSigner signer = new EcdsaSigner(key.toECPrivateKey(), alg);
    ECDSAVerifier verifier = new ECDSAVerifier(key.toECPublicKey());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> all = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        String payload = "{\"n\":" + i + "}";
        all.add(pool.submit(() -> signed(signer, alg, payload).serialize()));
      }
      Set<String> distinct = new HashSet<>();
      for (Future<String> f : all) {
        String jws = f.get();
        assertThat(JWSObject.parse(jws).verify(verifier)).as(jws).isTrue();
        distinct.add(jws);
      }
      assertThat(distinct).hasSize(400);
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ES384", "RS256", "HS256"})
  void signWhenHeaderNamesAnotherAlgorithmThenRefused(String other) throws Exception {
    EcdsaSigner signer = new EcdsaSigner(key(JWSAlgorithm.ES256).toECPrivateKey(),
        JWSAlgorithm.ES256);
    assertThatThrownBy(() -> signer.sign(new JWSHeader(JWSAlgorithm.parse(other)),
        new byte[] {1, 2, 3})).isInstanceOf(JOSEException.class);
  }
}
