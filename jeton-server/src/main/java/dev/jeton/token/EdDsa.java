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
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Ed25519 signatures for JWS ({@code alg} {@code EdDSA}, RFC 8037) with the JDK's own
 * implementation (JDK 15 and later), and the key's JWK form ({@code kty} {@code OKP},
 * {@code crv} {@code Ed25519}, {@code x} the 32-byte public key, {@code d} the 32-byte private
 * key). Nimbus signs and verifies Ed25519 only through Google Tink, which Jeton does not carry.
 *
 * <p>The JDK encodes an Ed25519 key as a fixed DER prefix followed by the 32 raw bytes (RFC 8410:
 * SubjectPublicKeyInfo for the public key, PKCS #8 for the private one), which is how raw keys go
 * in and out here.
 */
final class EdDsa {
  /** SubjectPublicKeyInfo of an Ed25519 key without its 32 key bytes (RFC 8410 4). */
  private static final byte[] X509_PREFIX = hex("302a300506032b6570032100");
  /** PKCS #8 (version 0) of an Ed25519 private key without its 32 key bytes (RFC 8410 7). */
  private static final byte[] PKCS8_PREFIX = hex("302e020100300506032b657004220420");
  static final int KEY_BYTES = 32;

  private EdDsa() {}

  /** A new Ed25519 key pair as a JWK with its private part. */
  static OctetKeyPair generate(String kid) {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] x = raw(pair.getPublic().getEncoded(), X509_PREFIX);
      byte[] d = raw(pair.getPrivate().getEncoded(), PKCS8_PREFIX);
      return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).d(Base64URL.encode(d))
          .keyID(kid).algorithm(JWSAlgorithm.EdDSA).keyUse(KeyUse.SIGNATURE).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot generate Ed25519 keys", e);
    }
  }

  static PublicKey publicKey(OctetKeyPair jwk) {
    requireEd25519(jwk);
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(
          concat(X509_PREFIX, exact(jwk.getX().decode()))));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("unreadable Ed25519 public key " + jwk.getKeyID(), e);
    }
  }

  static PrivateKey privateKey(OctetKeyPair jwk) {
    requireEd25519(jwk);
    if (jwk.getD() == null) {
      throw new IllegalStateException("Ed25519 key " + jwk.getKeyID() + " has no private part");
    }
    try {
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(
          concat(PKCS8_PREFIX, exact(jwk.getD().decode()))));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("unreadable Ed25519 private key " + jwk.getKeyID(), e);
    }
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

  private static byte[] raw(byte[] encoded, byte[] prefix) {
    if (encoded.length != prefix.length + KEY_BYTES
        || !Arrays.equals(encoded, 0, prefix.length, prefix, 0, prefix.length)) {
      throw new IllegalStateException("unexpected Ed25519 key encoding from the JDK");
    }
    return Arrays.copyOfRange(encoded, prefix.length, encoded.length);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] hex(String s) {
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }

  /**
   * Signs with one key, keeping initialised {@link Signature} objects in a pool like {@link
   * EcdsaSigner}. Ed25519 is deterministic (RFC 8032 5.1.6): the same input signs the same way.
   */
  static final class Signer implements JWSSigner {
    private final PrivateKey key;
    private final ConcurrentLinkedQueue<Signature> idle = new ConcurrentLinkedQueue<>();
    private final JCAContext jca = new JCAContext();

    Signer(PrivateKey key) {
      this.key = key;
      idle.add(fresh()); // a bad key fails here, at load, not at the first token
    }

    private Signature fresh() {
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        return s;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot sign EdDSA with this key", e);
      }
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
      if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
        throw new JOSEException("this key signs EdDSA, not " + header.getAlgorithm());
      }
      Signature s = idle.poll();
      if (s == null) {
        s = fresh();
      }
      byte[] signature;
      try {
        s.update(signingInput);
        signature = s.sign();
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new JOSEException("EdDSA signing failed", e); // state unknown: not put back
      }
      idle.offer(s);
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

  /** Verifies Ed25519 signatures of one public key; any other {@code alg} is refused. */
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
      if (sig.length != 64) {
        return false;
      }
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update(signingInput);
        return s.verify(sig);
      } catch (java.security.SignatureException e) {
        return false;
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
