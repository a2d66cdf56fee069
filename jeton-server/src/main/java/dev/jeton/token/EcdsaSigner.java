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
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * ES256 and ES384 JWS signing with initialised {@link Signature} objects kept in a pool (request
 * threads may be virtual, so a per-thread cache would start afresh at every request), in the
 * IEEE P1363 form JWS uses (R || S, RFC 7518 3.4), which the JDK produces directly
 * ({@code SHA256withECDSAinP1363Format}). Nimbus's {@code ECDSASigner} looks the algorithm up,
 * initialises it and transcodes a DER signature on every call; signing is most of the cost of a
 * client credentials grant, and this saves part of it (measured by
 * {@code SignerBenchmark} in jeton-bench). Each signature still uses fresh randomness: the JDK
 * draws a new nonce for every {@code sign()}.
 */
final class EcdsaSigner implements JWSSigner {
  private final JWSAlgorithm alg;
  private final PrivateKey key;
  private final String jcaName;
  /** Idle initialised signatures; at most as many as ever signed at once. */
  private final ConcurrentLinkedQueue<Signature> idle = new ConcurrentLinkedQueue<>();
  private final JCAContext jca = new JCAContext();

  EcdsaSigner(PrivateKey key, JWSAlgorithm alg) {
    this.alg = alg;
    this.key = key;
    this.jcaName = jcaName(alg);
    idle.add(fresh()); // a bad key fails here, at load, not at the first token
  }

  private Signature fresh() {
    try {
      Signature s = Signature.getInstance(jcaName);
      s.initSign(key);
      return s;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign " + alg + " with this key", e);
    }
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
    Signature s = idle.poll();
    if (s == null) {
      s = fresh();
    }
    byte[] signature;
    try {
      s.update(signingInput);
      signature = s.sign();
    } catch (GeneralSecurityException | RuntimeException e) {
      // its state is unknown now: it is dropped, not put back
      throw new JOSEException("ECDSA signing failed", e);
    }
    idle.offer(s); // sign() left it initialised with the same key, ready for the next input
    return Base64URL.encode(signature);
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
