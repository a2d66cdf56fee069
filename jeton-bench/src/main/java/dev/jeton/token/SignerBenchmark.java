package dev.jeton.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ES256/ES384 JWS signing of an access-token-sized signing input, three ways: Nimbus's
 * {@link ECDSASigner} (per call a {@code Signature.getInstance}, {@code initSign}, a DER
 * signature transcoded to R || S); the JDK's {@code SHA256withECDSAinP1363Format} (or
 * {@code SHA384...}), initialised once per thread, which is what Jeton signed with before
 * decision 52; and Jeton's {@link EcdsaSigner} (Bouncy Castle's ECDSA, hedged RFC 6979 nonces).
 * {@code setUp} checks that every signature verifies with Nimbus's {@link ECDSAVerifier}.
 *
 * <p>Run: {@code java -jar jeton-bench/target/benchmarks.jar SignerBenchmark -t 1} (and -t 2)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SignerBenchmark {
  @Param({"ES256", "ES384"})
  public String alg;

  private JWSHeader header;
  private byte[] input;
  private String claims;
  private java.security.interfaces.ECPrivateKey privateKey;
  private java.security.interfaces.ECPublicKey publicKey;
  private ECDSASigner nimbus;
  private EcdsaSigner jeton;

  @Setup
  public void setUp() throws Exception {
    JWSAlgorithm a = JWSAlgorithm.parse(alg);
    ECKey key = new ECKeyGenerator(Curve.forJWSAlgorithm(a).iterator().next())
        .keyID("bench").generate();
    header = new JWSHeader.Builder(a).type(new JOSEObjectType("at+jwt")).keyID("bench").build();
    // An access token's claims, about the size Jeton issues.
    claims = "{\"iss\":\"http://127.0.0.1:8098/accounts/main\",\"sub\":\"cli_0123456789"
        + "abcdefghij\",\"aud\":\"http://127.0.0.1:8098/accounts/main\",\"iat\":1764316800,"
        + "\"exp\":1764320400,\"jti\":\"0123456789abcdefghijklmn\",\"client_id\":\"cli_01234"
        + "56789abcdefghij\",\"scope\":\"read write\",\"auth_time\":1764316800}";
    input = (header.toBase64URL() + "." + Base64URL.encode(claims))
        .getBytes(StandardCharsets.US_ASCII);
    privateKey = key.toECPrivateKey();
    publicKey = key.toECPublicKey();
    nimbus = new ECDSASigner(key);
    jeton = new EcdsaSigner(key.toECPrivateKey(), a);
    ECDSAVerifier verifier = new ECDSAVerifier(key.toECPublicKey());
    for (var signer : new com.nimbusds.jose.JWSSigner[] {nimbus, jeton}) {
      JWSObject jws = new JWSObject(header, new Payload(claims));
      jws.sign(signer);
      if (!JWSObject.parse(jws.serialize()).verify(verifier)) {
        throw new IllegalStateException(signer.getClass().getSimpleName() + " does not verify");
      }
    }
  }

  @Benchmark
  public Base64URL nimbusEcdsaSigner() throws JOSEException {
    return nimbus.sign(header, input);
  }

  @Benchmark
  public Base64URL jeton() throws JOSEException {
    return jeton.sign(header, input);
  }

  /** The JDK's P1363 ECDSA, one initialised {@link java.security.Signature} per thread. */
  @Benchmark
  public byte[] jdkP1363(JdkSignature jdk) throws java.security.GeneralSecurityException {
    jdk.signature.update(input);
    return jdk.signature.sign();
  }

  /** One initialised JDK signature per benchmark thread, for {@link #jdkP1363}. */
  @State(Scope.Thread)
  public static class JdkSignature {
    java.security.Signature signature;

    @Setup
    public void setUp(SignerBenchmark bench) throws Exception {
      signature = java.security.Signature.getInstance(bench.alg.equals("ES256")
          ? "SHA256withECDSAinP1363Format" : "SHA384withECDSAinP1363Format");
      signature.initSign(bench.privateKey);
      signature.update(bench.input);
      byte[] sig = signature.sign();
      JWSObject jws = new JWSObject(bench.header.toBase64URL(),
          Base64URL.encode(bench.claims), Base64URL.encode(sig));
      if (!jws.verify(new ECDSAVerifier(bench.publicKey))) {
        throw new IllegalStateException("the JDK's signature does not verify");
      }
    }
  }
}
