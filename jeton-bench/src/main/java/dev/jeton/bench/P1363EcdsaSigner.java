package dev.jeton.bench;

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
 * An ES256/ES384/ES512 {@link JWSSigner} that keeps one initialised {@link Signature} per thread
 * and asks the JDK for the IEEE P1363 form ({@code SHA256withECDSAinP1363Format}, R || S, which
 * is what JWS wants, RFC 7515 A.3), so it skips what Nimbus's {@code ECDSASigner} does on every
 * call: a provider lookup ({@code Signature.getInstance}), {@code initSign}, and transcoding the
 * DER signature to JWS form. A benchmark candidate only (see {@link SignerBenchmark}); it is not
 * used by Jeton.
 */
public final class P1363EcdsaSigner implements JWSSigner {
  private final JWSAlgorithm alg;
  private final ThreadLocal<Signature> signatures;
  private final JCAContext jca = new JCAContext();

  public P1363EcdsaSigner(PrivateKey key, JWSAlgorithm alg) {
    this.alg = alg;
    String jca = jcaName(alg);
    this.signatures = ThreadLocal.withInitial(() -> {
      try {
        Signature s = Signature.getInstance(jca);
        s.initSign(key);
        return s;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    });
    signatures.get(); // fail now on a bad key or algorithm
  }

  static String jcaName(JWSAlgorithm alg) {
    if (JWSAlgorithm.ES256.equals(alg)) {
      return "SHA256withECDSAinP1363Format";
    } else if (JWSAlgorithm.ES384.equals(alg)) {
      return "SHA384withECDSAinP1363Format";
    } else if (JWSAlgorithm.ES512.equals(alg)) {
      return "SHA512withECDSAinP1363Format";
    }
    throw new IllegalArgumentException("not an ECDSA JWS algorithm: " + alg);
  }

  @Override
  public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
    if (!alg.equals(header.getAlgorithm())) {
      throw new JOSEException("this signer signs " + alg + " only");
    }
    Signature s = signatures.get();
    try {
      // After sign() the object is back in the state initSign left it in: ready for reuse.
      s.update(signingInput);
      return Base64URL.encode(s.sign());
    } catch (GeneralSecurityException e) {
      throw new JOSEException("ECDSA signing failed: " + e.getMessage(), e);
    }
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
