package dev.jeton.token;

import dev.jeton.bench.BenchStack;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Access-token signing and verification with Jeton's own {@link AccessTokens} on real account
 * keys: {@code issue} signs, {@code verifySignature} runs the full uncached check, {@code
 * verifyCached} is the hot path for a token presented again.
 *
 * <p>Run: {@code java -jar jeton-bench/target/benchmarks.jar AccessTokenBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AccessTokenBenchmark {
  @Param({"ES256", "ES384", "RS256", "PS256"})
  public String alg;

  private BenchStack stack;
  private AccessTokens tokens;
  private AccessTokens.Contents grant;
  private String token;

  @Setup(Level.Trial)
  public void setUp() {
    stack = new BenchStack();
    SecureRandom random = new SecureRandom();
    OpaqueTokens ids = new OpaqueTokens(random);
    Clock clock = Clock.systemUTC();
    MasterKey master = new MasterKey(new byte[32], random);
    KeyRing ring = new KeyRing(stack.db.jdbi(), stack.writes, master, ids, clock);
    stack.writes.submit(h -> {
      h.execute("INSERT INTO accounts (id, name, created_at) VALUES ('main', 'Main', 0)");
      ring.createInitialKeys(h, "main", alg);
      return null;
    });
    tokens = new AccessTokens(ring, new Issuers("http://localhost:8080"), ids, clock,
        Duration.ofSeconds(60));
    grant = new AccessTokens.Contents("main", "usr_bench", "jeton", "ses_bench",
        dev.jeton.token.Scope.of("user"), clock.instant().getEpochSecond(),
        java.util.List.of("http://localhost:8080/accounts/main/api"));
    token = tokens.issue(grant, Duration.ofHours(1)).token();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    stack.close();
  }

  @Benchmark
  public String issue() {
    return tokens.issue(grant, Duration.ofHours(1)).token();
  }

  @Benchmark
  public AccessToken verifySignature() {
    return tokens.verifyUncached(token);
  }

  @Benchmark
  public AccessToken verifyCached() {
    return tokens.verify(token, "main");
  }
}
