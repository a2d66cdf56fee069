package dev.jeton.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Set;

/**
 * ES256 and ES384 JWS signing with one initialised {@link Signature} per thread, in the IEEE P1363
 * form JWS uses (R || S, RFC 7518 3.4), which the JDK produces directly
 * ({@code SHA256withECDSAinP1363Format}). Nimbus's {@code ECDSASigner} looks the algorithm up,
 * initialises it and transcodes a DER signature on every call; signing is most of the cost of a
 * client credentials grant, and this saves about a sixth of it (measured by
 * {@code SignerBenchmark} in jeton-bench). Each signature still uses fresh randomness: the JDK
 * draws a new nonce for every {@code sign()}.
 */
final class EcdsaSigner implements JWSSigner {
  private final JWSAlgorithm alg;
  private final PrivateKey key;
  private final ThreadLocal<Signature> perThread;
  private final JCAContext jca = new JCAContext();

  EcdsaSigner(PrivateKey key, JWSAlgorithm alg) {
    this.alg = alg;
    this.key = key;
    String name = jcaName(alg);
    this.perThread = ThreadLocal.withInitial(() -> {
      try {
        Signature s = Signature.getInstance(name);
        s.initSign(key);
        return s;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot sign " + alg + " with this key", e);
      }
    });
    perThread.get(); // a bad key fails here, at load, not at the first token
  }

  private static String jcaName(JWSAlgorithm alg) {
    if (JWSAlgorithm.ES256.equals(alg)) {
      return "SHA256withECDSAinP1363Format";
    }
    if (JWSAlgorithm.ES384.equals(alg)) {
      return "SHA384withECDSAinP1363Format";
    }
    throw new IllegalArgumentException("not an ECDSA algorithm Jeton signs with: " + alg);
  }

  @Override
  public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
    if (!alg.equals(header.getAlgorithm())) {
      throw new JOSEException("this key signs " + alg + ", not " + header.getAlgorithm());
    }
    Signature s = perThread.get();
    try {
      // sign() leaves the object initialised with the same key, ready for the next input
      s.update(signingInput);
      return Base64URL.encode(s.sign());
    } catch (GeneralSecurityException e) {
      perThread.remove(); // its state is unknown now; the next call starts afresh
      throw new JOSEException("ECDSA signing failed", e);
    }
  }

  /** The private key (for tests that prove it is sealed at rest). */
  PrivateKey privateKey() {
    return key;
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return Set.of(alg);
  }

  @Override
  public JCAContext getJCAContext() {
    return jca;
  }
}
