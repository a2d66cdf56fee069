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
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link EcdsaSigner} (docs/security.md#ecdsa-nonces): without additional input its nonces are
 * exactly RFC 6979's (the RFC's vectors), with it the same message signed twice gets two
 * signatures; its JWS signatures verify with independent verifiers (Nimbus's and the JDK's),
 * always have the R || S length of their curve (RFC 7518 3.4) even when R or S starts with a zero
 * byte, stay valid and distinct when many threads sign at once, and a header naming another
 * algorithm, a key of another curve or a scalar out of range is refused.
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
    // hedged nonces: the same message signed twice gets two signatures
    assertThat(a.getSignature()).isNotEqualTo(b.getSignature());
    // without the additional input, RFC 6979's deterministic nonces: the same signature
    EcdsaSigner deterministic = new EcdsaSigner(key.toECPrivateKey(), alg, () -> new byte[0]);
    assertThat(signed(deterministic, alg, "{\"sub\":\"usr_1\"}").getSignature())
        .isEqualTo(signed(deterministic, alg, "{\"sub\":\"usr_1\"}").getSignature());
    // a different payload under the same signature does not verify
    JWSObject tampered = new JWSObject(a.getHeader().toBase64URL(),
        new Payload("{\"sub\":\"usr_2\"}").toBase64URL(), a.getSignature());
    assertThat(tampered.verify(verifier)).isFalse();
  }

  /** RFC 6979 A.2.5 (P-256) and A.2.6 (P-384): the RFC's private key, "sample" and "test". */
  @ParameterizedTest
  @CsvSource({
      "ES256, sample, EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
          + "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
      "ES256, test, F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367"
          + "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083",
      "ES384, sample, 94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C"
          + "81A648152E44ACF96E36DD1E80FABE46"
          + "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94F"
          + "A329C145786E679E7B82C71A38628AC8",
      "ES384, test, 8203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB"
          + "0542A7F0812998DA8F1DD3CA3CF023DB"
          + "DDD0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E0"
          + "6A739F040649A667BF3B828246BAA5A5"})
  void signWhenRfc6979KeyAndMessageThenTheRfcsSignature(String name, String message,
      String expected) throws Exception {
    JWSAlgorithm alg = JWSAlgorithm.parse(name);
    boolean p256 = alg.equals(JWSAlgorithm.ES256);
    String d = p256 ? "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721"
        : "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D8"
            + "96D5724E4C70A825F872C9EA60D2EDF5";
    ECPrivateKey key = privateKey(p256 ? "secp256r1" : "secp384r1", new BigInteger(d, 16));
    byte[] signature = new EcdsaSigner(key, alg, () -> new byte[0])
        .signRaw(message.getBytes(StandardCharsets.US_ASCII));
    assertThat(HexFormat.of().withUpperCase().formatHex(signature)).isEqualTo(expected);
  }

  private static ECParameterSpec curve(String name) throws Exception {
    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec(name));
    return params.getParameterSpec(ECParameterSpec.class);
  }

  private static ECPrivateKey privateKey(String curve, BigInteger d) throws Exception {
    return (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(
        new ECPrivateKeySpec(d, curve(curve)));
  }

  /** A private key holding any scalar, which the JDK's key factory might refuse to build. */
  private static ECPrivateKey rawKey(ECParameterSpec params, BigInteger d) {
    return new ECPrivateKey() {
      @Override
      public BigInteger getS() {
        return d;
      }

      @Override
      public ECParameterSpec getParams() {
        return params;
      }

      @Override
      public String getAlgorithm() {
        return "EC";
      }

      @Override
      public String getFormat() {
        return null;
      }

      @Override
      public byte[] getEncoded() {
        return null;
      }
    };
  }

  /**
   * About one signature in 128 has an R or an S below 2^248, whose big-endian form is shorter than
   * 32 bytes: the encoding must pad it, or the JWS signature is refused (RFC 7518 3.4).
   */
  @Test
  void signWhenROrSIsShortThenPaddedToTheCurvesLengthAndStillVerifies() throws Exception {
    // the RFC's key with deterministic nonces, so that the same inputs give short values every run
    ECPrivateKey key = privateKey("secp256r1",
        new BigInteger("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", 16));
    org.bouncycastle.math.ec.ECPoint q = org.bouncycastle.crypto.ec.CustomNamedCurves
        .getByName("secp256r1").getG().multiply(key.getS()).normalize();
    java.security.PublicKey publicKey = KeyFactory.getInstance("EC").generatePublic(
        new java.security.spec.ECPublicKeySpec(new java.security.spec.ECPoint(
            q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()),
            curve("secp256r1")));
    EcdsaSigner signer = new EcdsaSigner(key, JWSAlgorithm.ES256, () -> new byte[0]);
    Signature jdk = Signature.getInstance("SHA256withECDSAinP1363Format");
    int padded = 0;
    for (int i = 0; i < 2_000; i++) {
      byte[] input = ("{\"n\":" + i + "}").getBytes(StandardCharsets.US_ASCII);
      byte[] signature = signer.signRaw(input);
      assertThat(signature).hasSize(64);
      if (signature[0] == 0 || signature[32] == 0) {
        padded++;
      }
      jdk.initVerify(publicKey);
      jdk.update(input);
      assertThat(jdk.verify(signature)).as("signature %d", i).isTrue();
    }
    // about 16 expected among 2,000; these inputs and this key give some every run
    assertThat(padded).isPositive();
  }

  @Test
  void newWhenTheKeyIsOfAnotherCurveThenRefusedAtLoad() throws Exception {
    ECPrivateKey p384 = key(JWSAlgorithm.ES384).toECPrivateKey();
    assertThatThrownBy(() -> new EcdsaSigner(p384, JWSAlgorithm.ES256))
        .isInstanceOf(IllegalStateException.class);
    ECPrivateKey p256 = key(JWSAlgorithm.ES256).toECPrivateKey();
    assertThatThrownBy(() -> new EcdsaSigner(p256, JWSAlgorithm.ES384))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void newWhenTheScalarIsOutOfRangeThenRefusedAtLoad() throws Exception {
    ECParameterSpec p256 = curve("secp256r1");
    BigInteger n = p256.getOrder();
    BigInteger minusOne = BigInteger.ONE.negate();
    for (BigInteger d : List.of(BigInteger.ZERO, minusOne, n, n.add(BigInteger.ONE))) {
      assertThatThrownBy(() -> new EcdsaSigner(rawKey(p256, d), JWSAlgorithm.ES256))
          .as("d = %s", d).isInstanceOf(IllegalStateException.class);
    }
    // the edges of the range are keys
    new EcdsaSigner(rawKey(p256, BigInteger.ONE), JWSAlgorithm.ES256);
    new EcdsaSigner(rawKey(p256, n.subtract(BigInteger.ONE)), JWSAlgorithm.ES256);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ES256"})
  void signWhenManyThreadsSignOneMessageThenEverySignatureVerifiesAndNoneRepeats(String name)
      throws Exception {
    JWSAlgorithm alg = JWSAlgorithm.parse(name);
    ECKey key = key(alg);
    EcdsaSigner signer = new EcdsaSigner(key.toECPrivateKey(), alg);
    ECDSAVerifier verifier = new ECDSAVerifier(key.toECPublicKey());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> all = new ArrayList<>();
      // one message, signed 400 times at once: each signature valid, and no nonce shared
      for (int i = 0; i < 400; i++) {
        all.add(pool.submit(() -> signed(signer, alg, "{\"sub\":\"usr_1\"}").serialize()));
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
