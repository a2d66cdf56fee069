package dev.jeton.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The token buckets on their own: the limit, the wait it names, and memory under key floods. */
class RateLimiterTest {
  private final MutableClock clock = new MutableClock();

  @Test
  void burstAboveTheLimitIsRefusedWithTheWaitUntilTheNextCall() {
    RateLimiter rates = new RateLimiter(clock, 100);
    for (int i = 0; i < 3; i++) {
      RateLimiter.Probe p = rates.take("k", 3, Duration.ofSeconds(30));
      assertThat(p.allowed()).isTrue();
      assertThat(p.remaining()).isEqualTo(2 - i);
    }
    RateLimiter.Probe refused = rates.take("k", 3, Duration.ofSeconds(30));
    assertThat(refused.allowed()).isFalse();
    // 3 calls per 30 s refill one every 10 s
    assertThat(refused.retryAfterSeconds()).isBetween(9L, 10L);
    assertThat(refused.resetSeconds()).isBetween(29L, 30L);
    assertThat(rates.take("other", 3, Duration.ofSeconds(30)).allowed())
        .as("another key has its own bucket").isTrue();
    clock.advance(Duration.ofSeconds(10));
    assertThat(rates.take("k", 3, Duration.ofSeconds(30)).allowed()).isTrue();
    assertThat(rates.take("k", 3, Duration.ofSeconds(30)).allowed()).isFalse();
  }

  @Test
  void aCallGivenBackCanBeTakenAgain() {
    RateLimiter rates = new RateLimiter(clock, 100);
    rates.take("k", 1, Duration.ofMinutes(1));
    assertThat(rates.take("k", 1, Duration.ofMinutes(1)).allowed()).isFalse();
    rates.giveBack("k");
    assertThat(rates.take("k", 1, Duration.ofMinutes(1)).allowed()).isTrue();
  }

  /** Only buckets that are full again are forgotten: a busy one keeps what it spent. */
  @Test
  void theSweepForgetsOnlyBucketsThatAreFullAgain() {
    RateLimiter rates = new RateLimiter(clock, 100);
    rates.take("idle", 10, Duration.ofSeconds(10));
    for (int i = 0; i < 10; i++) {
      rates.take("busy", 10, Duration.ofSeconds(10));
    }
    clock.advance(Duration.ofSeconds(2)); // idle refilled its one call; busy got two of ten back
    assertThat(rates.sweep()).isEqualTo(1);
    assertThat(rates.size()).isEqualTo(1);
    assertThat(rates.take("busy", 10, Duration.ofSeconds(10)).remaining())
        .as("the busy bucket was kept: two refilled, one taken").isEqualTo(1);
  }

  /**
   * An attacker rotating addresses or tokens makes a fresh key per request: the buckets held stay
   * at the bound however many keys appear (SECURITY: bounded memory under key floods).
   */
  @Test
  void aFloodOfFreshKeysKeepsMemoryBounded() {
    RateLimiter rates = new RateLimiter(clock, 5_000);
    for (int i = 0; i < 200_000; i++) {
      assertThat(rates.take("ip\u0000198.51." + i, 100, Duration.ofSeconds(20)).allowed())
          .isTrue();
    }
    assertThat(rates.size()).isLessThanOrEqualTo(5_000);
  }
}
