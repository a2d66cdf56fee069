package dev.jeton.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * docs/security.md#sign-in-throttle (password guessing): the backoff keys of
 * {@link FailureThrottle}, driven by a clock the test moves. Every attempt that is let through
 * counts as a failure until its password turns out right. A guesser from one address is slowed
 * exponentially, the same email from another address is not, spreading guesses over addresses meets
 * a one-minute cap, one address failing for many emails is stopped for the window, and parallel
 * attempts cannot share one opening.
 */
class FailureThrottleTest {
  private final MutableClock clock = new MutableClock();
  private final FailureThrottle throttle = new FailureThrottle(clock, 100);

  /** Makes {@code times} attempts that are let through (and fail); asserts none had to wait. */
  private void fail(String email, String ip, int times) {
    for (int i = 0; i < times; i++) {
      assertThat(throttle.acquire("main", email, ip)).as("attempt %d", i + 1).isZero();
    }
  }

  @Test
  void attemptsWhenPastTheFreeBudgetThenWaitDoublesUpToFifteenMinutes() {
    String ip = "203.0.113.7";
    fail("ada@example.com", ip, FailureThrottle.FREE_PER_SOURCE + 1);
    assertThat(throttle.acquire("main", "ada@example.com", ip)).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    fail("ada@example.com", ip, 1);
    assertThat(throttle.acquire("main", "ada@example.com", ip)).isEqualTo(2);
    clock.advance(Duration.ofSeconds(2));
    fail("ada@example.com", ip, 1);
    assertThat(throttle.acquire("main", "ada@example.com", ip)).isEqualTo(4);
    for (int i = 0; i < 12; i++) {
      clock.advance(Duration.ofMinutes(15));
      fail("ada@example.com", ip, 1);
    }
    assertThat(throttle.acquire("main", "ada@example.com", ip)).isEqualTo(15 * 60);
  }

  /**
   * docs/security.md#client-authentication-throttle: for client secrets only failures count, after
   * the check. Fifty authentications of one client in flight at once make nobody wait (with
   * {@link FailureThrottle#acquire}, the password path, the seventh would), and failures are still
   * slowed as before, also while other attempts of the same client succeed.
   */
  @Test
  void clientSecretsWhenManyAttemptsInFlightThenOnlyFailuresCount() {
    String ip = "203.0.113.9";
    for (int i = 0; i < 50; i++) {
      assertThat(throttle.waitSeconds("main", "cli_busy", ip)).as("attempt %d", i + 1).isZero();
    }
    for (int i = 0; i < FailureThrottle.FREE_PER_SOURCE + 1; i++) {
      assertThat(throttle.acquire("main", "ada@example.com", ip)).isZero();
    }
    assertThat(throttle.acquire("main", "ada@example.com", ip)).as("passwords").isPositive();

    for (int i = 0; i < 50; i++) {
      throttle.cleared("main", "cli_busy", ip);
    }
    for (int i = 0; i <= FailureThrottle.FREE_PER_SOURCE; i++) {
      assertThat(throttle.waitSeconds("main", "cli_busy", ip)).isZero();
      throttle.failed("main", "cli_busy", ip);
    }
    assertThat(throttle.waitSeconds("main", "cli_busy", ip)).isEqualTo(1);
    assertThat(throttle.waitSeconds("main", "cli_busy", "198.51.100.1")).isZero();
    clock.advance(Duration.ofSeconds(1));
    assertThat(throttle.waitSeconds("main", "cli_busy", ip)).isZero();
    throttle.cleared("main", "cli_busy", ip);
    assertThat(throttle.status("main", "cli_busy", ip)).doesNotContainKey("subject_and_source");
  }

  /**
   * docs/security.md#client-authentication-throttle: without the per-subject key (OAuth
   * clients), failures sent from many addresses for one client id slow each address and never
   * the client calling from its own; a password's throttle keeps that key.
   */
  @Test
  void clientIdWhenFailedFromManyAddressesThenTheClientItselfIsNeverSlowed() {
    FailureThrottle clients = new FailureThrottle(clock, 1000, false);
    for (int i = 0; i < 60; i++) {
      String ip = "203.0.113." + i;
      assertThat(clients.waitSeconds("main", "cli_public_id", ip)).isZero();
      clients.failed("main", "cli_public_id", ip);
    }
    assertThat(clients.waitSeconds("main", "cli_public_id", "198.51.100.1")).isZero();
    assertThat(clients.status("main", "cli_public_id", null)).doesNotContainKey("subject");
    for (int i = 0; i < 60; i++) {
      throttle.acquire("main", "ada@example.com", "203.0.113." + i);
    }
    assertThat(throttle.acquire("main", "ada@example.com", "198.51.100.1")).as("passwords")
        .isPositive();
  }

  @Test
  void guesserWhenSlowedThenTheUserFromAnotherAddressIsNot() {
    fail("ada@example.com", "203.0.113.7", FailureThrottle.FREE_PER_SOURCE + 1);
    assertThat(throttle.acquire("main", "ada@example.com", "203.0.113.7")).isPositive();
    assertThat(throttle.acquire("main", "ada@example.com", "198.51.100.1")).isZero();
  }

  @Test
  void successWhenAfterFailuresThenThatAddressStartsAfresh() {
    fail("ada@example.com", "203.0.113.7", FailureThrottle.FREE_PER_SOURCE + 1);
    clock.advance(Duration.ofSeconds(1));
    fail("ada@example.com", "203.0.113.7", 1);
    throttle.succeeded("main", "ada@example.com", "203.0.113.7");
    fail("ada@example.com", "203.0.113.7", FailureThrottle.FREE_PER_SOURCE + 1);
  }

  /**
   * An attempt the database could not decide (an outage) is given back: a user retrying through
   * an outage is not made to wait afterwards, and earlier failures still count.
   */
  @Test
  void attemptsWhenUndecidedThenGivenBackWithoutClearingFailures() {
    String ip = "203.0.113.7";
    fail("ada@example.com", ip, FailureThrottle.FREE_PER_SOURCE);
    for (int i = 0; i < 50; i++) {
      assertThat(throttle.acquire("main", "ada@example.com", ip)).as("retry %d", i).isZero();
      throttle.undecided("main", "ada@example.com", ip);
    }
    fail("ada@example.com", ip, 1);
    assertThat(throttle.acquire("main", "ada@example.com", ip)).isEqualTo(1);
  }

  /** Guesses spread over many addresses: slowed, but a malicious lockout lasts a minute at most. */
  @Test
  void attemptsWhenSpreadOverAddressesThenEmailWideWaitCappedAtOneMinute() {
    int ip = 0;
    for (int i = 0; i < 40; i++) {
      fail("ada@example.com", "10.0.0." + ip++, 1);
      clock.advance(Duration.ofSeconds(61));
    }
    assertThat(throttle.acquire("main", "ada@example.com", "10.0.1." + ip++)).isZero();
    assertThat(throttle.acquire("main", "ada@example.com", "198.51.100.1")).isEqualTo(60);
    clock.advance(Duration.ofMinutes(1));
    assertThat(throttle.acquire("main", "ada@example.com", "198.51.100.1")).isZero();
    // another email is not affected
    assertThat(throttle.acquire("main", "bob@example.com", "198.51.100.2")).isZero();
  }

  /** Credential stuffing: one address failing for many emails waits for the window to pass. */
  @Test
  void sourceWhenFailingForManyEmailsThenEverySignInFromItWaits() {
    for (int i = 0; i < 100; i++) {
      fail("user" + i + "@example.com", "203.0.113.9", 1);
    }
    assertThat(throttle.acquire("main", "fresh@example.com", "203.0.113.9")).isEqualTo(15 * 60);
    assertThat(throttle.acquire("main", "fresh@example.com", "198.51.100.1")).isZero();
    clock.advance(Duration.ofMinutes(15));
    assertThat(throttle.acquire("main", "fresh@example.com", "203.0.113.9")).isZero();
  }

  @Test
  void sourceLimitWhenDisabledThenOnlyPerEmailKeysApply() {
    FailureThrottle off = new FailureThrottle(clock, 0);
    for (int i = 0; i < 500; i++) {
      assertThat(off.acquire("main", "user" + i + "@example.com", "203.0.113.9")).isZero();
    }
  }

  /** Parallel attempts at the moment a wait ends: exactly one is let through. */
  @Test
  void attemptsWhenManyAtOnceThenOnlyOnePassesTheOpening() throws Exception {
    fail("ada@example.com", "203.0.113.7", FailureThrottle.FREE_PER_SOURCE);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Long>> waits = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        waits.add(pool.submit(() -> {
          go.await();
          return throttle.acquire("main", "ada@example.com", "203.0.113.7");
        }));
      }
      go.countDown();
      int through = 0;
      for (Future<Long> f : waits) {
        through += f.get() == 0 ? 1 : 0;
      }
      assertThat(through).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void ipv6WhenSameSlash64ThenOneSource() {
    assertThat(FailureThrottle.sourceKey("2001:db8::1"))
        .isEqualTo(FailureThrottle.sourceKey("2001:db8:0:0:ffff::2"))
        .isNotEqualTo(FailureThrottle.sourceKey("2001:db8:0:1::1"));
    assertThat(FailureThrottle.sourceKey("203.0.113.7")).isEqualTo("203.0.113.7");
    fail("ada@example.com", "2001:db8::1", FailureThrottle.FREE_PER_SOURCE + 1);
    assertThat(throttle.acquire("main", "ada@example.com", "2001:db8::beef")).isPositive();
    assertThat(throttle.acquire("main", "ada@example.com", "2001:db8:0:1::1")).isZero();
  }

  @Test
  void keysWhenOtherAccountThenSeparate() {
    fail("ada@example.com", "203.0.113.7", FailureThrottle.FREE_PER_SOURCE + 1);
    assertThat(throttle.acquire("acme", "ada@example.com", "203.0.113.7")).isZero();
  }
}
