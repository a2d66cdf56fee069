package dev.jeton.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 signatures for JWS ({@code alg} {@code EdDSA}, RFC 8037) and the key's JWK form
 * ({@code kty} {@code OKP}, {@code crv} {@code Ed25519}, {@code x} the 32-byte public key,
 * {@code d} the 32-byte private key). Keys are made and tokens signed with Bouncy Castle's RFC 8032
 * implementation (already on the class path for Argon2): measured by {@code EdDsaBenchmark} in
 * jeton-bench, it signs about four times as fast as ES256 does on the JDK, while the JDK's own
 * Ed25519 signs four times slower than that ES256 (docs/performance.md#eddsa). Signatures are
 * verified with the JDK's own Ed25519 ({@link Verifier}). Nimbus signs and verifies Ed25519 only
 * through Google Tink, which Jeton does not carry.
 */
final class EdDsa {
  static final int KEY_BYTES = 32;
  private static final int SIGNATURE_BYTES = 64;
  /** SubjectPublicKeyInfo of an Ed25519 key without its 32 key bytes (RFC 8410 4). */
  private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
      0x03, 0x21, 0x00};
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private EdDsa() {}

  /** A new Ed25519 key pair as a JWK with its private part. */
  static OctetKeyPair generate(String kid) {
    Ed25519PrivateKeyParameters priv = new Ed25519PrivateKeyParameters(RANDOM);
    return new OctetKeyPair.Builder(Curve.Ed25519,
        Base64URL.encode(priv.generatePublicKey().getEncoded()))
        .d(Base64URL.encode(priv.getEncoded()))
        .keyID(kid).algorithm(JWSAlgorithm.EdDSA).keyUse(KeyUse.SIGNATURE).build();
  }

  /**
   * The public key as the JDK's: verification uses the JDK's own Ed25519 (see {@link Verifier}).
   * RFC 8410: a fixed SubjectPublicKeyInfo prefix followed by the 32 key bytes.
   */
  static PublicKey publicKey(OctetKeyPair jwk) {
    requireEd25519(jwk);
    byte[] x = exact(jwk.getX().decode());
    byte[] spki = java.util.Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + KEY_BYTES);
    System.arraycopy(x, 0, spki, X509_PREFIX.length, KEY_BYTES);
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("unreadable Ed25519 public key " + jwk.getKeyID(), e);
    }
  }

  static Ed25519PrivateKeyParameters privateKey(OctetKeyPair jwk) {
    requireEd25519(jwk);
    if (jwk.getD() == null) {
      throw new IllegalStateException("Ed25519 key " + jwk.getKeyID() + " has no private part");
    }
    return new Ed25519PrivateKeyParameters(exact(jwk.getD().decode()));
  }

  private static void requireEd25519(OctetKeyPair jwk) {
    if (!Curve.Ed25519.equals(jwk.getCurve())) {
      throw new IllegalStateException("key " + jwk.getKeyID() + " is on " + jwk.getCurve()
          + ", not Ed25519");
    }
  }

  private static byte[] exact(byte[] key) {
    if (key.length != KEY_BYTES) {
      throw new IllegalStateException("an Ed25519 key has 32 bytes, not " + key.length);
    }
    return key;
  }

  /**
   * Signs with one key. Ed25519 is deterministic (RFC 8032 5.1.6): the same input signs the same
   * way, and no randomness is drawn. Safe for concurrent use.
   */
  static final class Signer implements JWSSigner {
    private final Ed25519PrivateKeyParameters key;
    private final Ed25519PublicKeyParameters publicKey;
    private final JCAContext jca = new JCAContext();

    Signer(Ed25519PrivateKeyParameters key) {
      this.key = key;
      this.publicKey = key.generatePublicKey();
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
      if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
        throw new JOSEException("this key signs EdDSA, not " + header.getAlgorithm());
      }
      byte[] signature = new byte[SIGNATURE_BYTES];
      key.sign(Ed25519.Algorithm.Ed25519, publicKey, null, signingInput, 0, signingInput.length,
          signature, 0);
      return Base64URL.encode(signature);
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public JCAContext getJCAContext() {
      return jca;
    }
  }

  /**
   * Verifies Ed25519 signatures of one public key with the JDK's own implementation; any other
   * {@code alg} is refused. Verifying is rare (a verified token is remembered), so it uses the
   * JDK's slower code rather than the one that signs (docs/decisions.md, decision 39).
   */
  static final class Verifier implements JWSVerifier {
    private final PublicKey key;
    private final JCAContext jca = new JCAContext();

    Verifier(PublicKey key) {
      this.key = key;
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature)
        throws JOSEException {
      if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
        return false;
      }
      byte[] sig = signature.decode();
      if (sig.length != SIGNATURE_BYTES) {
        return false;
      }
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update(signingInput);
        return s.verify(sig);
      } catch (SignatureException e) {
        return false; // the JDK throws for a signature whose R is not a curve point
      } catch (GeneralSecurityException e) {
        throw new JOSEException("EdDSA verification failed", e);
      }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public JCAContext getJCAContext() {
      return jca;
    }
  }
}
