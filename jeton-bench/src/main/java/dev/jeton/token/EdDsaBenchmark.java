package dev.jeton.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Signing and verifying an access-token-sized JWS input: Jeton's ES256 signer (the default;
 * Bouncy Castle since decision 52) and Nimbus's ES256 verifier against Jeton's Ed25519 signer
 * (Bouncy Castle) and verifier (the JDK), the EdDSA option of RFC 8037, and, for comparison, the JDK's Ed25519
 * signing and Bouncy Castle's verifying. {@code setUp} checks that every signature verifies and
 * that both Ed25519 implementations sign alike.
 *
 * <p>Run: {@code java -jar jeton-bench/target/benchmarks.jar EdDsaBenchmark -t 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EdDsaBenchmark {
  private byte[] input;
  private JWSHeader es256;
  private JWSHeader eddsa;
  private EcdsaSigner ecSigner;
  private ECDSAVerifier ecVerifier;
  private Base64URL ecSignature;
  private EdDsa.Signer edSigner;
  private EdDsa.Verifier edVerifier;
  private Base64URL edSignature;
  private org.bouncycastle.crypto.params.Ed25519PublicKeyParameters bcPublic;
  private java.security.PrivateKey jdkPrivate;
  private java.security.PublicKey jdkPublic;
  private byte[] jdkSignature;

  @Setup
  public void setUp() throws Exception {
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
    OctetKeyPair ed = EdDsa.generate("ed");
    JOSEObjectType atJwt = new JOSEObjectType("at+jwt");
    es256 = new JWSHeader.Builder(JWSAlgorithm.ES256).type(atJwt).keyID("ec").build();
    eddsa = new JWSHeader.Builder(JWSAlgorithm.EdDSA).type(atJwt).keyID("ed").build();
    String claims = "{\"iss\":\"http://127.0.0.1:8098/accounts/main\",\"sub\":\"cli_0123456789"
        + "abcdefghij\",\"aud\":\"cli_0123456789abcdefghij\",\"iat\":1764316800,"
        + "\"exp\":1764320400,\"jti\":\"0123456789abcdefghijklmn\",\"client_id\":\"cli_01234"
        + "56789abcdefghij\",\"scope\":\"read write\"}";
    input = (es256.toBase64URL() + "." + Base64URL.encode(claims))
        .getBytes(StandardCharsets.US_ASCII);
    ecSigner = new EcdsaSigner(ec.toECPrivateKey(), JWSAlgorithm.ES256);
    ecVerifier = new ECDSAVerifier(ec.toECPublicKey());
    edSigner = new EdDsa.Signer(EdDsa.privateKey(ed));
    edVerifier = new EdDsa.Verifier(EdDsa.publicKey(ed));
    ecSignature = ecSigner.sign(es256, input);
    edSignature = edSigner.sign(eddsa, input);
    // the same key in the JDK: RFC 8410 DER prefixes before the raw 32 bytes
    java.security.KeyFactory kf = java.security.KeyFactory.getInstance("Ed25519");
    java.util.HexFormat hex = java.util.HexFormat.of();
    jdkPrivate = kf.generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(concat(
        hex.parseHex("302e020100300506032b657004220420"), ed.getD().decode())));
    jdkPublic = kf.generatePublic(new java.security.spec.X509EncodedKeySpec(concat(
        hex.parseHex("302a300506032b6570032100"), ed.getX().decode())));
    jdkSignature = signJdkEd25519();
    bcPublic = new org.bouncycastle.crypto.params.Ed25519PublicKeyParameters(ed.getX().decode());
    if (!ecVerifier.verify(es256, input, ecSignature)
        || !edVerifier.verify(eddsa, input, edSignature)
        || !java.util.Arrays.equals(jdkSignature, edSignature.decode()) || !verifyJdkEd25519()
        || !verifyBouncyCastle()) {
      throw new IllegalStateException("a signature does not verify");
    }
  }

  @Benchmark
  public Base64URL signEs256() throws JOSEException {
    return ecSigner.sign(es256, input);
  }

  @Benchmark
  public Base64URL signEdDsa() throws JOSEException {
    return edSigner.sign(eddsa, input);
  }

  /** The JDK's own Ed25519 ({@code Signature.getInstance("Ed25519")}), for comparison. */
  @Benchmark
  public byte[] signJdkEd25519() throws java.security.GeneralSecurityException {
    java.security.Signature s = java.security.Signature.getInstance("Ed25519");
    s.initSign(jdkPrivate);
    s.update(input);
    return s.sign();
  }

  @Benchmark
  public boolean verifyJdkEd25519() throws java.security.GeneralSecurityException {
    java.security.Signature s = java.security.Signature.getInstance("Ed25519");
    s.initVerify(jdkPublic);
    s.update(input);
    return s.verify(jdkSignature);
  }

  /** Bouncy Castle's Ed25519 verification, for comparison. */
  @Benchmark
  public boolean verifyBouncyCastle() {
    return bcPublic.verify(org.bouncycastle.math.ec.rfc8032.Ed25519.Algorithm.Ed25519, null,
        input, 0, input.length, jdkSignature, 0);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Benchmark
  public boolean verifyEs256() throws JOSEException {
    return ecVerifier.verify(es256, input, ecSignature);
  }

  @Benchmark
  public boolean verifyEdDsa() throws JOSEException {
    return edVerifier.verify(eddsa, input, edSignature);
  }
}
