package dev.jeton.user;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;

/**
 * Password guessing defence (SECURITY 57; ASVS 6.3.1; NIST 800-63B 5.2.2): exponential backoff
 * rather than lockout, on three keys, checked before any password is hashed.
 *
 * <ul>
 *   <li><b>email and source</b>: the first {@value #FREE_PER_SOURCE} failures for one email
 *       from one client IP are free; after that each failure makes the next attempt wait 1 s,
 *       then 2, 4, ... up to 15 minutes. A successful sign-in clears it. This stops a guesser
 *       and leaves the real user, signing in from elsewhere, untouched.
 *   <li><b>email</b>, from every source: the first {@value #FREE_PER_EMAIL} failures are free,
 *       then the wait doubles from 1 s up to one minute only. This bounds guessing spread over
 *       many addresses to about 60 guesses an hour per email, while someone failing on purpose
 *       to lock a user out can delay them by a minute at most (resistance to malicious lockout).
 *       It decays an hour after the last failure, not on success.
 *   <li><b>source</b>: a client IP with more than the configured number of failures in 15
 *       minutes, over all emails (credential stuffing), waits until old failures leave the
 *       window.
 * </ul>
 *
 * <p>The answer is the same for existing and unknown emails, so the throttle reveals nothing
 * about which accounts exist (SECURITY 58). State is in memory on each node; with several nodes
 * behind a balancer each node counts on its own.
 */
final class SignInThrottle {
  static final int FREE_PER_SOURCE = 5;
  static final int FREE_PER_EMAIL = 20;
  static final Duration MAX_WAIT_PER_SOURCE = Duration.ofMinutes(15);
  static final Duration MAX_WAIT_PER_EMAIL = Duration.ofMinutes(1);
  static final Duration SOURCE_WINDOW = Duration.ofMinutes(15);

  private final Clock clock;
  private final int failuresPerSource;
  private final Cache<String, Backoff> perEmailAndSource;
  private final Cache<String, Backoff> perEmail;
  private final Cache<String, Window> perSource;

  /** Consecutive failures and the time before which no attempt is taken (ms). */
  private record Backoff(int failures, long notBefore) {}

  /** Failures of a source in the current window, which starts at its first failure (ms). */
  private record Window(long start, int failures) {}

  /** @param failuresPerSource failures one IP may make in 15 minutes; 0 disables that key */
  SignInThrottle(Clock clock, int failuresPerSource) {
    this.clock = clock;
    this.failuresPerSource = failuresPerSource;
    this.perEmailAndSource = Caffeine.newBuilder().maximumSize(200_000)
        .expireAfterWrite(MAX_WAIT_PER_SOURCE.multipliedBy(2)).build();
    this.perEmail = Caffeine.newBuilder().maximumSize(200_000)
        .expireAfterWrite(Duration.ofHours(1)).build();
    this.perSource = Caffeine.newBuilder().maximumSize(100_000)
        .expireAfterWrite(SOURCE_WINDOW).build();
  }

  /** Seconds the attempt must wait (rounded up), 0 when it may proceed now. */
  long waitSeconds(String accountId, String email, String source) {
    long now = clock.millis();
    long until = Math.max(notBefore(perEmailAndSource.getIfPresent(key(accountId, email, source))),
        notBefore(perEmail.getIfPresent(key(accountId, email))));
    Window w = failuresPerSource > 0 ? perSource.getIfPresent(source) : null;
    if (w != null && now - w.start() < SOURCE_WINDOW.toMillis()
        && w.failures() >= failuresPerSource) {
      until = Math.max(until, w.start() + SOURCE_WINDOW.toMillis());
    }
    return until <= now ? 0 : (until - now + 999) / 1000;
  }

  /** Records a wrong email or password. */
  void failed(String accountId, String email, String source) {
    long now = clock.millis();
    perEmailAndSource.asMap().compute(key(accountId, email, source),
        (k, b) -> next(b, now, FREE_PER_SOURCE, MAX_WAIT_PER_SOURCE));
    perEmail.asMap().compute(key(accountId, email),
        (k, b) -> next(b, now, FREE_PER_EMAIL, MAX_WAIT_PER_EMAIL));
    if (failuresPerSource > 0) {
      perSource.asMap().compute(source, (k, w) ->
          w == null || now - w.start() >= SOURCE_WINDOW.toMillis()
              ? new Window(now, 1) : new Window(w.start(), w.failures() + 1));
    }
  }

  /** Records a sign-in with the right password: this source's backoff for the email ends. */
  void succeeded(String accountId, String email, String source) {
    perEmailAndSource.invalidate(key(accountId, email, source));
  }

  private static Backoff next(Backoff b, long now, int free, Duration max) {
    int failures = b == null ? 1 : b.failures() + 1;
    if (failures <= free) {
      return new Backoff(failures, 0);
    }
    int doublings = Math.min(failures - free - 1, 30);
    long wait = Math.min(max.toMillis(), 1000L << doublings);
    return new Backoff(failures, now + wait);
  }

  private static long notBefore(Backoff b) {
    return b == null ? 0 : b.notBefore();
  }

  private static String key(String... parts) {
    return String.join("\u0000", parts);
  }
}
