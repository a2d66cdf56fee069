package dev.jeton.bench;

import dev.jeton.user.PasswordHasher;
import java.security.SecureRandom;
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
 * The raw Argon2id verification rate with OWASP parameters: the ceiling for the login endpoint.
 *
 * <p>Run: {@code java -jar jeton-bench/target/benchmarks.jar PasswordHashBenchmark -t 2}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 4, time = 3)
@Fork(1)
public class PasswordHashBenchmark {
  private PasswordHasher hasher;
  private String hash;

  @Setup
  public void setUp() {
    hasher = new PasswordHasher(PasswordHasher.Params.OWASP, new SecureRandom());
    hash = hasher.hash("benchmark pass phrase");
  }

  @Benchmark
  public boolean verifyOwasp() {
    return hasher.verify("benchmark pass phrase", hash);
  }
}
