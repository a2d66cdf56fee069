package dev.jeton.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** User codes (RFC 8628 6.1) and the wrong-entry limiter (RFC 8628 5.1), without a server. */
class UserCodesTest {
  @Test
  void generateWhenManyCodesThenEveryLetterOfTheAlphabetAndOnlyThose() {
    // docs/security.md#user-code-guessing: 8 characters of a 20-letter alphabet, uniformly drawn
    UserCodes codes = new UserCodes(new SecureRandom());
    Map<Character, Integer> seen = new HashMap<>();
    for (int i = 0; i < 2000; i++) {
      String c = codes.generate();
      assertThat(c).matches("[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}");
      c.replace("-", "").chars().forEach(x -> seen.merge((char) x, 1, Integer::sum));
    }
    assertThat(seen).hasSize(20);
    assertThat(seen.values()).allMatch(n -> n > 500);
  }

  @Test
  void normaliseWhenLowerCaseSpacesOrNoDashThenSameCode() {
    assertThat(UserCodes.normalise("wdjb-mjht")).isEqualTo("WDJBMJHT");
    assertThat(UserCodes.normalise(" WDJB MJHT ")).isEqualTo("WDJBMJHT");
    assertThat(UserCodes.normalise("WdJbMjHt")).isEqualTo("WDJBMJHT");
    assertThat(UserCodes.display("WDJBMJHT")).isEqualTo("WDJB-MJHT");
  }

  @Test
  void normaliseWhenWrongLengthOrOutsideAlphabetThenNull() {
    assertThat(UserCodes.normalise(null)).isNull();
    assertThat(UserCodes.normalise("WDJB-MJH")).isNull();
    assertThat(UserCodes.normalise("WDJB-MJHTX")).isNull();
    assertThat(UserCodes.normalise("WDJB-MJH1")).isNull();
    assertThat(UserCodes.normalise("WDJB-MJHA")).isNull();
    assertThat(UserCodes.normalise("B".repeat(40))).isNull();
  }

  @Test
  void entryLimiterWhenBudgetSpentThenRefusedUntilFailuresLeaveTheWindow() {
    // docs/security.md#user-code-guessing: wrong user-code entries are rate limited
    MutableClock clock = new MutableClock();
    EntryLimiter limiter = new EntryLimiter(3, Duration.ofMinutes(5), clock);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.allowed("u:a")).isTrue();
      limiter.fail("u:a");
      clock.advance(Duration.ofMinutes(1));
    }
    assertThat(limiter.allowed("u:a")).isFalse();
    assertThat(limiter.allowed("u:b")).isTrue();
    clock.advance(Duration.ofMinutes(2));
    assertThat(limiter.allowed("u:a")).as("the first failure left the window").isTrue();
  }
}
