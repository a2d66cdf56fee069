package dev.jeton.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.util.Set;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.util.BigIntegers;

/**
 * ES256 and ES384 JWS signing (RFC 7518 3.4) with Bouncy Castle's ECDSA on its dedicated P-256
 * and P-384 arithmetic, and hedged nonces (RFC 6979 3.6).
 *
 * <p>Why not the JDK's {@code SHA256withECDSAinP1363Format}: signing is most of the cost of a
 * client credentials grant and of a refresh, and measured by {@code SignerBenchmark} in
 * jeton-bench this code signs ES256 about 1.6 times as fast as JDK 25's and six times as fast as
 * JDK 17's (docs/performance.md#ecdsa). Where ECDSA implementations have leaked the nonce, this
 * one does not depend on it: the nonce's point is computed by a comb of fixed length over table
 * lookups that read every entry, and the nonce is inverted by a constant-time algorithm
 * (decision 52, docs/security.md#ecdsa-nonces).
 *
 * <p>Why hedged nonces: an ECDSA nonce that repeats or can be predicted gives the private key
 * away. Each nonce is RFC 6979's HMAC derivation from the key and the message hash, with 32 fresh
 * random bytes as its additional input: a failing random generator leaves nonces that are still
 * unique per message (RFC 6979's guarantee), and a message signed twice still gets two nonces.
 * Verifiers cannot tell these signatures from any other ECDSA signature.
 *
 * <p>Thread-safe: every call builds its own nonce generator and signer; the key and the curve's
 * precomputed multiples of its base point are shared.
 */
final class EcdsaSigner implements JWSSigner {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final JWSAlgorithm alg;
  private final ECPrivateKey key;
  private final ECPrivateKeyParameters params;
  private final Supplier<Digest> digest;
  /** Length of R and of S in bytes: the curve order's. */
  private final int half;
  /** The additional input of each nonce's derivation (RFC 6979 3.6). */
  private final Supplier<byte[]> extraEntropy;
  private final JCAContext jca = new JCAContext();

  EcdsaSigner(ECPrivateKey key, JWSAlgorithm alg) {
    this(key, alg, EcdsaSigner::freshBytes);
  }

  /**
   * With the nonce's additional input from {@code extraEntropy}; zero bytes make the signatures
   * exactly RFC 6979's deterministic ones (for the RFC's test vectors).
   */
  EcdsaSigner(ECPrivateKey key, JWSAlgorithm alg, Supplier<byte[]> extraEntropy) {
    this.alg = alg;
    this.extraEntropy = extraEntropy;
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
    if (!sameCurve(key.getParams(), domain)
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
    ECDSASigner ecdsa = new ECDSASigner(new HedgedKCalculator(digest.get(), extraEntropy.get()));
    ecdsa.init(true, params);
    BigInteger[] rs = ecdsa.generateSignature(h);
    byte[] out = new byte[2 * half];
    BigIntegers.asUnsignedByteArray(rs[0], out, 0, half);
    BigIntegers.asUnsignedByteArray(rs[1], out, half, half);
    return out;
  }

  private static boolean sameCurve(java.security.spec.ECParameterSpec jdk, ECDomainParameters bc) {
    java.security.spec.EllipticCurve c = jdk.getCurve();
    return jdk.getOrder().equals(bc.getN())
        && c.getA().equals(bc.getCurve().getA().toBigInteger())
        && c.getB().equals(bc.getCurve().getB().toBigInteger())
        && c.getField() instanceof java.security.spec.ECFieldFp fp
        && fp.getP().equals(bc.getCurve().getField().getCharacteristic())
        && jdk.getGenerator().getAffineX().equals(bc.getG().getAffineXCoord().toBigInteger())
        && jdk.getGenerator().getAffineY().equals(bc.getG().getAffineYCoord().toBigInteger());
  }

  private static byte[] freshBytes() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return b;
  }

  /**
   * RFC 6979 3.2 with the additional input k' of 3.6, appended to both HMAC inputs of steps d
   * and f.
   */
  private static final class HedgedKCalculator extends HMacDSAKCalculator {
    private final byte[] extra;

    HedgedKCalculator(Digest digest, byte[] extra) {
      super(digest);
      this.extra = extra;
    }

    @Override
    protected void initAdditionalInput0(HMac hmac) {
      hmac.update(extra, 0, extra.length);
    }

    @Override
    protected void initAdditionalInput1(HMac hmac) {
      hmac.update(extra, 0, extra.length);
    }
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
