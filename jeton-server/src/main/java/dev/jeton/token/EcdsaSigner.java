package dev.jeton.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.math.BigInteger;
import java.security.interfaces.ECPrivateKey;
import java.util.Set;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.util.BigIntegers;

/**
 * ES256 and ES384 JWS signing (RFC 7518 3.4) with Bouncy Castle's ECDSA on its dedicated P-256
 * and P-384 arithmetic, and deterministic nonces (RFC 6979).
 *
 * <p>Why not the JDK's {@code SHA256withECDSAinP1363Format}: signing is most of the cost of a
 * client credentials grant and of a refresh, and measured by {@code SignerBenchmark} in
 * jeton-bench this code signs ES256 about 1.7 times as fast as the JDK 25's and six times as fast
 * as JDK 17's (docs/performance.md#ecdsa). Its secret-dependent steps are written to take the same
 * time whatever the secret: the nonce's point is computed by a fixed-length comb over
 * constant-time table lookups, and the nonce is inverted by a constant-time modular inversion
 * (decision 52).
 *
 * <p>Why deterministic nonces: an ECDSA nonce that repeats or is predictable gives the private key
 * away; RFC 6979 derives it from the key and the message with HMAC, so no signature depends on the
 * random number generator of the moment, and the same key and message always give the same
 * signature. Every token Jeton signs carries a random {@code jti}, so no two messages repeat.
 * Verifiers cannot tell these signatures from randomised ones (RFC 6979 3).
 *
 * <p>Thread-safe: every call builds its own nonce generator and signer; the key and the curve's
 * precomputed multiples of its base point are shared.
 */
final class EcdsaSigner implements JWSSigner {
  private final JWSAlgorithm alg;
  private final ECPrivateKey key;
  private final ECPrivateKeyParameters params;
  private final Supplier<Digest> digest;
  /** Length of R and of S in bytes: the curve order's. */
  private final int half;
  private final JCAContext jca = new JCAContext();

  EcdsaSigner(ECPrivateKey key, JWSAlgorithm alg) {
    this.alg = alg;
    String curve;
    if (JWSAlgorithm.ES256.equals(alg)) {
      curve = "secp256r1";
      digest = SHA256Digest::new;
      half = 32;
    } else if (JWSAlgorithm.ES384.equals(alg)) {
      curve = "secp384r1";
      digest = SHA384Digest::new;
      half = 48;
    } else {
      throw new IllegalArgumentException("not an ECDSA algorithm Jeton signs with: " + alg);
    }
    X9ECParameters x9 = CustomNamedCurves.getByName(curve);
    ECDomainParameters domain = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(),
        x9.getH());
    BigInteger d = key.getS();
    // a key of another curve, or a scalar out of range, fails here, at load, not at the first token
    if (key.getParams().getOrder().compareTo(domain.getN()) != 0
        || d.signum() <= 0 || d.compareTo(domain.getN()) >= 0) {
      throw new IllegalStateException("cannot sign " + alg + " with this key");
    }
    this.params = new ECPrivateKeyParameters(d, domain);
    this.key = key;
  }

  @Override
  public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
    if (!alg.equals(header.getAlgorithm())) {
      throw new JOSEException("this key signs " + alg + ", not " + header.getAlgorithm());
    }
    return Base64URL.encode(signRaw(signingInput));
  }

  /** R || S, each as long as the curve order (RFC 7518 3.4), over the hash of the input. */
  byte[] signRaw(byte[] input) {
    Digest hash = digest.get();
    hash.update(input, 0, input.length);
    byte[] h = new byte[hash.getDigestSize()];
    hash.doFinal(h, 0);
    ECDSASigner ecdsa = new ECDSASigner(new HMacDSAKCalculator(digest.get()));
    ecdsa.init(true, params);
    BigInteger[] rs = ecdsa.generateSignature(h);
    byte[] out = new byte[2 * half];
    BigIntegers.asUnsignedByteArray(rs[0], out, 0, half);
    BigIntegers.asUnsignedByteArray(rs[1], out, half, half);
    return out;
  }

  /** The private key (for tests that prove it is sealed at rest). */
  ECPrivateKey privateKey() {
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
