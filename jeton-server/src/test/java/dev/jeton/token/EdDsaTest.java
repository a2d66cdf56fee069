package dev.jeton.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Ed25519 (RFC 8037) keys, signatures and their verification with the JDK's implementation:
 * a round trip through the JWK form, refusal of another algorithm, of a changed input or
 * signature, of a wrong-length signature and of a key on another curve.
 */
class EdDsaTest {
  private static final JWSHeader EDDSA = new JWSHeader(JWSAlgorithm.EdDSA);
  private static final byte[] INPUT = "header.payload".getBytes(StandardCharsets.US_ASCII);

  @Test
  void signWhenKeyRoundTripsThroughItsJwkThenItsPublicHalfVerifies() throws Exception {
    OctetKeyPair jwk = EdDsa.generate("k1");
    assertThat(jwk.getCurve()).isEqualTo(Curve.Ed25519);
    assertThat(jwk.getX().decode()).hasSize(32);
    assertThat(jwk.getD().decode()).hasSize(32);
    OctetKeyPair parsed = OctetKeyPair.parse(jwk.toJSONString());
    EdDsa.Signer signer = new EdDsa.Signer(EdDsa.privateKey(parsed));
    EdDsa.Verifier verifier = new EdDsa.Verifier(EdDsa.publicKey(parsed.toPublicJWK()));
    Base64URL sig = signer.sign(EDDSA, INPUT);
    assertThat(sig.decode()).hasSize(64);
    assertThat(verifier.verify(EDDSA, INPUT, sig)).isTrue();
    // RFC 8032 5.1.6: deterministic, also through the signer's pool
    assertThat(signer.sign(EDDSA, INPUT)).isEqualTo(sig);
  }

  @Test
  void verifyWhenInputSignatureOrAlgorithmChangedThenFalse() throws Exception {
    OctetKeyPair jwk = EdDsa.generate("k2");
    EdDsa.Signer signer = new EdDsa.Signer(EdDsa.privateKey(jwk));
    EdDsa.Verifier verifier = new EdDsa.Verifier(EdDsa.publicKey(jwk));
    Base64URL sig = signer.sign(EDDSA, INPUT);
    byte[] flipped = sig.decode();
    flipped[10] ^= 1;
    assertThat(verifier.verify(EDDSA, INPUT, Base64URL.encode(flipped))).isFalse();
    assertThat(verifier.verify(EDDSA, "header.payloaD".getBytes(StandardCharsets.US_ASCII),
        sig)).isFalse();
    assertThat(verifier.verify(new JWSHeader(JWSAlgorithm.ES256), INPUT, sig)).isFalse();
    assertThat(verifier.verify(EDDSA, INPUT, Base64URL.encode(new byte[63]))).isFalse();
    // another key's signature
    EdDsa.Verifier other = new EdDsa.Verifier(EdDsa.publicKey(EdDsa.generate("k3")));
    assertThat(other.verify(EDDSA, INPUT, sig)).isFalse();
    assertThatThrownBy(() -> signer.sign(new JWSHeader(JWSAlgorithm.ES256), INPUT))
        .hasMessageContaining("EdDSA");
  }

  @Test
  void publicKeyWhenAnotherCurveOrLengthThenRefused() {
    OctetKeyPair x25519 = new OctetKeyPair.Builder(Curve.X25519,
        Base64URL.encode(new byte[32])).build();
    assertThatThrownBy(() -> EdDsa.publicKey(x25519)).hasMessageContaining("not Ed25519");
    OctetKeyPair shortKey = new OctetKeyPair.Builder(Curve.Ed25519,
        Base64URL.encode(new byte[31])).build();
    assertThatThrownBy(() -> EdDsa.publicKey(shortKey)).hasMessageContaining("32 bytes");
  }
}
