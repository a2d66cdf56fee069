package dev.jeton.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * SECURITY 57 (password guessing): the backoff keys of {@link SignInThrottle}, driven by a clock
 * the test moves. A guesser from one address is slowed exponentially, the same email from
 * another address is not, spreading guesses over addresses meets a one-minute cap, and one
 * address failing for many emails is stopped for the window.
 */
class SignInThrottleTest {
  private final MutableClock clock = new MutableClock();
  private final SignInThrottle throttle = new SignInThrottle(clock, 100);

  private void fail(String email, String ip, int times) {
    for (int i = 0; i < times; i++) {
      throttle.failed("main", email, ip);
    }
  }

  @Test
  void failuresWhenWithinTheFreeBudgetThenNoWait() {
    fail("ada@example.com", "203.0.113.7", SignInThrottle.FREE_PER_SOURCE);
    assertThat(throttle.waitSeconds("main", "ada@example.com", "203.0.113.7")).isZero();
  }

  @Test
  void failuresWhenPastTheBudgetThenWaitDoublesUpToFifteenMinutes() {
    String ip = "203.0.113.7";
    fail("ada@example.com", ip, SignInThrottle.FREE_PER_SOURCE + 1);
    assertThat(throttle.waitSeconds("main", "ada@example.com", ip)).isEqualTo(1);
    throttle.failed("main", "ada@example.com", ip);
    assertThat(throttle.waitSeconds("main", "ada@example.com", ip)).isEqualTo(2);
    throttle.failed("main", "ada@example.com", ip);
    assertThat(throttle.waitSeconds("main", "ada@example.com", ip)).isEqualTo(4);
    fail("ada@example.com", ip, 30);
    assertThat(throttle.waitSeconds("main", "ada@example.com", ip)).isEqualTo(15 * 60);
    clock.advance(Duration.ofMinutes(15));
    assertThat(throttle.waitSeconds("main", "ada@example.com", ip)).isZero();
  }

  @Test
  void guesserWhenSlowedThenTheUserFromAnotherAddressIsNot() {
    fail("ada@example.com", "203.0.113.7", 12);
    assertThat(throttle.waitSeconds("main", "ada@example.com", "203.0.113.7")).isPositive();
    assertThat(throttle.waitSeconds("main", "ada@example.com", "198.51.100.1")).isZero();
  }

  @Test
  void successWhenAfterFailuresThenThatAddressStartsAfresh() {
    fail("ada@example.com", "203.0.113.7", SignInThrottle.FREE_PER_SOURCE + 1);
    clock.advance(Duration.ofSeconds(1));
    throttle.succeeded("main", "ada@example.com", "203.0.113.7");
    fail("ada@example.com", "203.0.113.7", SignInThrottle.FREE_PER_SOURCE);
    assertThat(throttle.waitSeconds("main", "ada@example.com", "203.0.113.7")).isZero();
  }

  /** Guesses spread over many addresses: slowed, but a malicious lockout lasts a minute at most. */
  @Test
  void failuresWhenSpreadOverAddressesThenEmailWideWaitCappedAtOneMinute() {
    for (int i = 0; i < 200; i++) {
      throttle.failed("main", "ada@example.com", "10.0." + (i / 250) + "." + (i % 250));
    }
    long wait = throttle.waitSeconds("main", "ada@example.com", "198.51.100.1");
    assertThat(wait).isPositive().isLessThanOrEqualTo(60);
    clock.advance(Duration.ofMinutes(1));
    assertThat(throttle.waitSeconds("main", "ada@example.com", "198.51.100.1")).isZero();
    // another email is not affected
    assertThat(throttle.waitSeconds("main", "bob@example.com", "198.51.100.1")).isZero();
  }

  /** Credential stuffing: one address failing for many emails waits for the window to pass. */
  @Test
  void sourceWhenFailingForManyEmailsThenEverySignInFromItWaits() {
    for (int i = 0; i < 100; i++) {
      throttle.failed("main", "user" + i + "@example.com", "203.0.113.9");
    }
    assertThat(throttle.waitSeconds("main", "fresh@example.com", "203.0.113.9"))
        .isEqualTo(15 * 60);
    assertThat(throttle.waitSeconds("main", "fresh@example.com", "198.51.100.1")).isZero();
    clock.advance(Duration.ofMinutes(15));
    assertThat(throttle.waitSeconds("main", "fresh@example.com", "203.0.113.9")).isZero();
  }

  @Test
  void sourceLimitWhenDisabledThenOnlyPerEmailKeysApply() {
    SignInThrottle off = new SignInThrottle(clock, 0);
    for (int i = 0; i < 500; i++) {
      off.failed("main", "user" + i + "@example.com", "203.0.113.9");
    }
    assertThat(off.waitSeconds("main", "fresh@example.com", "203.0.113.9")).isZero();
  }

  @Test
  void keysWhenOtherAccountThenSeparate() {
    fail("ada@example.com", "203.0.113.7", 12);
    assertThat(throttle.waitSeconds("acme", "ada@example.com", "203.0.113.7")).isZero();
  }
}
