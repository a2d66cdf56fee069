package dev.jeton.user;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.jeton.http.ClientAddress;
import java.time.Clock;
import java.time.Duration;

/**
 * Password guessing defence (docs/security.md#sign-in-throttle; ASVS 6.3.1; NIST 800-63B 5.2.2):
 * exponential backoff rather than lockout, on three keys, checked before any password is hashed.
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
 * <p>An attempt is counted before its password is checked and given back when it was right, so
 * parallel attempts cannot all pass through one opening. IPv6 clients count by /64. The answer
 * is the same for existing and unknown emails, so the throttle reveals nothing about which
 * accounts exist (docs/security.md#no-user-enumeration). State is in memory on each node; with
 * several nodes behind a balancer each node counts on its own.
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

  /**
   * Takes an attempt: answers the seconds it must wait (rounded up) and records nothing, or 0 and
   * counts it as a failure at once, before the password is checked, so that concurrent attempts
   * cannot all slip through the same opening. {@link #succeeded} gives it back.
   */
  long acquire(String accountId, String email, String source) {
    long now = clock.millis();
    String ip = sourceKey(source);
    String pair = key(accountId, email, ip);
    String mail = key(accountId, email);
    synchronized (this) {
      long until = Math.max(notBefore(perEmailAndSource.getIfPresent(pair)),
          notBefore(perEmail.getIfPresent(mail)));
      Window w = failuresPerSource > 0 ? perSource.getIfPresent(ip) : null;
      boolean windowOpen = w != null && now - w.start() < SOURCE_WINDOW.toMillis();
      if (windowOpen && w.failures() >= failuresPerSource) {
        until = Math.max(until, w.start() + SOURCE_WINDOW.toMillis());
      }
      if (until > now) {
        return (until - now + 999) / 1000;
      }
      perEmailAndSource.put(pair, next(perEmailAndSource.getIfPresent(pair), now,
          FREE_PER_SOURCE, MAX_WAIT_PER_SOURCE));
      perEmail.put(mail, next(perEmail.getIfPresent(mail), now, FREE_PER_EMAIL,
          MAX_WAIT_PER_EMAIL));
      if (failuresPerSource > 0) {
        perSource.put(ip, windowOpen ? new Window(w.start(), w.failures() + 1)
            : new Window(now, 1));
      }
      return 0;
    }
  }

  /**
   * The password was right: the attempt {@link #acquire} counted is given back, and this
   * source's backoff for the email ends.
   */
  void succeeded(String accountId, String email, String source) {
    String ip = sourceKey(source);
    synchronized (this) {
      perEmailAndSource.invalidate(key(accountId, email, ip));
      perEmail.asMap().computeIfPresent(key(accountId, email), (k, b) ->
          b.failures() <= 1 ? null : new Backoff(b.failures() - 1, b.notBefore()));
      perSource.asMap().computeIfPresent(ip, (k, w) ->
          w.failures() <= 1 ? null : new Window(w.start(), w.failures() - 1));
    }
  }

  /**
   * The attempt ended without a verdict on the password (the database could not be read, the
   * process is shutting down): it is given back without clearing anything, so an outage never
   * turns a user's retries into a wait. {@link #acquire} only lets an attempt through when no
   * wait was pending, so the backoff it set is the only one to undo.
   */
  void undecided(String accountId, String email, String source) {
    String ip = sourceKey(source);
    synchronized (this) {
      perEmailAndSource.asMap().computeIfPresent(key(accountId, email, ip), (k, b) ->
          b.failures() <= 1 ? null : new Backoff(b.failures() - 1, 0));
      perEmail.asMap().computeIfPresent(key(accountId, email), (k, b) ->
          b.failures() <= 1 ? null : new Backoff(b.failures() - 1, 0));
      perSource.asMap().computeIfPresent(ip, (k, w) ->
          w.failures() <= 1 ? null : new Window(w.start(), w.failures() - 1));
    }
  }

  /** The key of a client address (IPv6 by its /64 prefix): {@link ClientAddress#key}. */
  static String sourceKey(String source) {
    return ClientAddress.key(source);
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
