package dev.jeton.limit;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * The cost of one rate-limit decision ({@link RateLimiter#take}): one hot key (every call of a
 * busy token; with {@code -t 2} two threads contend for it), 10,000 keys taken in turn (many
 * tokens, all cached), and a fresh key on every call (an attacker rotating addresses: each call
 * creates a bucket and the cache evicts at its 100,000-key bound). Limits are high enough never
 * to refuse, so every call does the full work of an admitted one.
 *
 * <p>Run: {@code java -jar jeton-bench/target/benchmarks.jar RateLimiterBenchmark -t 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RateLimiterBenchmark {
  private static final Duration PERIOD = Duration.ofSeconds(20);
  private static final long CALLS = 1_000_000_000L;

  private RateLimiter limiter;
  private String[] keys;
  private final AtomicLong next = new AtomicLong();

  @Setup
  public void setUp() {
    limiter = new RateLimiter(Clock.systemUTC(), RateLimiter.MAX_KEYS);
    keys = new String[10_000];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = "main\u0000token\u0000s:ses_" + i + "\u0000100/20";
      limiter.take(keys[i], CALLS, PERIOD);
    }
  }

  @Benchmark
  public RateLimiter.Probe oneHotKey() {
    return limiter.take(keys[0], CALLS, PERIOD);
  }

  @Benchmark
  public RateLimiter.Probe tenThousandKeys() {
    return limiter.take(keys[(int) (next.getAndIncrement() % keys.length)], CALLS, PERIOD);
  }

  @Benchmark
  public RateLimiter.Probe freshKeyEveryCall() {
    return limiter.take("main\u0000ip\u0000198.51." + next.getAndIncrement(), CALLS, PERIOD);
  }
}
