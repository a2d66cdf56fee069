package dev.jeton.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.jeton.http.ClientAddress;
import java.time.Clock;
import java.time.Duration;

/**
 * Guessing defence for a secret checked against a subject: a user's password at sign-in
 * (docs/security.md#sign-in-throttle; ASVS 6.3.1; NIST 800-63B 5.2.2) and an OAuth client's secret
 * at the endpoints clients authenticate to (docs/security.md#client-authentication-throttle).
 * Exponential backoff rather than lockout, on three keys, checked before the secret is.
 *
 * <ul>
 *   <li><b>subject and source</b>: the first {@value #FREE_PER_SOURCE} failures for one subject
 *       (an subject, a client id) from one client IP are free; after that each failure makes the
 *       next attempt wait 1 s, then 2, 4, ... up to 15 minutes. A success clears it. This stops a
 *       guesser and leaves the real user or client, calling from elsewhere, untouched.
 *   <li><b>subject</b>, from every source: the first {@value #FREE_PER_SUBJECT} failures are
 *       free, then the wait doubles from 1 s up to one minute only. This bounds guessing spread
 *       over many addresses to about 60 guesses an hour per subject, while someone failing on
 *       purpose to lock a user out can delay them by a minute at most (resistance to malicious
 *       lockout). It decays an hour after the last failure, not on success.
 *   <li><b>source</b>: a client IP with more than the configured number of failures in 15
 *       minutes, over all subjects (credential stuffing), waits until old failures leave the
 *       window.
 * </ul>
 *
 * <p>For passwords ({@link #acquire}), an attempt is counted before its secret is checked and given
 * back when it was right, so parallel guesses cannot all pass through one opening while a slow
 * hash runs. For secrets the server generated with at least 128 random bits (OAuth client
 * secrets: {@link #waitSeconds}, then {@link #failed} or {@link #cleared}), where a guess has no
 * chance and one client legitimately authenticates on many connections at once, only a failure
 * is counted, after the check: counting the attempts in flight would make a busy client's own
 * concurrent requests wait as if they had failed. IPv6 clients count by /64. The answer
 * is the same for existing and unknown subjects, so the throttle reveals nothing about which
 * exist (docs/security.md#no-user-enumeration). State is in memory on each node; with several
 * nodes on one PostgreSQL database ({@link #shareThrough}), every failure, every success that
 * ends a backoff and every admin's clearing is sent to the other nodes, which apply it within
 * milliseconds, so a guesser spread over the nodes is slowed as on one. Memory is bounded: each
 * key's cache holds at most 200,000 entries (100,000 sources).
 */
public final class FailureThrottle {
  public static final int FREE_PER_SOURCE = 5;
  public static final int FREE_PER_SUBJECT = 20;
  static final Duration MAX_WAIT_PER_SOURCE = Duration.ofMinutes(15);
  static final Duration MAX_WAIT_PER_SUBJECT = Duration.ofMinutes(1);
  static final Duration SOURCE_WINDOW = Duration.ofMinutes(15);

  private final Clock clock;
  private final int failuresPerSource;
  private final boolean perSubjectKey;
  private final Cache<String, Backoff> perSubjectAndSource;
  private final Cache<String, Backoff> perSubject;
  private final Cache<String, Window> perSource;
  /** Tells the other nodes (null: one node); their messages are applied by {@link #apply}. */
  private volatile Peers peers;

  /** The other nodes, through the cache change feed, under one topic. */
  private record Peers(dev.jeton.store.CacheFeed feed, String topic, String node) {
    void send(char what, String... fields) {
      StringBuilder b = new StringBuilder(node).append(SEP).append(what);
      for (String f : fields) {
        b.append(SEP).append(f == null ? "" : f);
      }
      feed.changed(topic, b.toString());
    }
  }

  /** Separates the fields of a message (ids, emails and addresses hold no control character). */
  private static final char SEP = '\u001f';

  /** Consecutive failures and the time before which no attempt is taken (ms). */
  private record Backoff(int failures, long notBefore) {}

  /** Failures of a source in the current window, which starts at its first failure (ms). */
  private record Window(long start, int failures) {}

  /** @param failuresPerSource failures one IP may make in 15 minutes; 0 disables that key */
  public FailureThrottle(Clock clock, int failuresPerSource) {
    this(clock, failuresPerSource, true);
  }

  /**
   * @param failuresPerSource failures one IP may make in 15 minutes; 0 disables that key
   * @param perSubject whether failures from every address also slow the subject itself; off for
   *     OAuth clients, whose secrets no guessing reaches, so that anyone who knows a client id
   *     cannot keep the client waiting on every node by failing on purpose
   */
  public FailureThrottle(Clock clock, int failuresPerSource, boolean perSubject) {
    this.clock = clock;
    this.failuresPerSource = failuresPerSource;
    this.perSubjectKey = perSubject;
    this.perSubjectAndSource = Caffeine.newBuilder().maximumSize(200_000)
        .expireAfterWrite(MAX_WAIT_PER_SOURCE.multipliedBy(2)).build();
    this.perSubject = Caffeine.newBuilder().maximumSize(200_000)
        .expireAfterWrite(Duration.ofHours(1)).build();
    this.perSource = Caffeine.newBuilder().maximumSize(100_000)
        .expireAfterWrite(SOURCE_WINDOW).build();
  }

  /**
   * Shares this throttle with the other nodes through {@code feed} under {@code topic}: what
   * changes it here is sent there, and what they send is applied here. A message lost with the
   * listening connection loses that one count on that node, never more.
   */
  public void shareThrough(dev.jeton.store.CacheFeed feed, String topic) {
    byte[] id = new byte[9];
    new java.security.SecureRandom().nextBytes(id);
    String node = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    peers = new Peers(feed, topic, node);
    feed.register(topic, message -> apply(node, message), () -> { });
  }

  /** A message of another node (its own messages come back too, and are skipped). */
  private void apply(String self, String message) {
    String[] f = message.split(String.valueOf(SEP), -1);
    if (f.length < 2 || f[0].equals(self) || f[1].length() != 1) {
      return;
    }
    long now = clock.millis();
    synchronized (this) {
      switch (f[1].charAt(0)) {
        case 'F' -> {
          if (f.length == 5) {
            count(now, f[2], f[3], f[4]);
          }
        }
        case 'S' -> {
          if (f.length == 5) {
            perSubjectAndSource.invalidate(key(f[2], f[3], f[4]));
          }
        }
        case 'C' -> {
          if (f.length == 6) {
            clearHere(f[2], f[3].isEmpty() ? null : f[3], f[4].isEmpty() ? null : f[4],
                "1".equals(f[5]));
          }
        }
        default -> {
          // a kind of message this version does not know: nothing to apply
        }
      }
    }
  }

  private void tell(char what, String accountId, String subject, String ip) {
    Peers p = peers;
    // a subject no account can hold (emails have at most 320 characters, client ids 26) is not
    // sent: it would only fill the notifications (and past 8,000 bytes make them fail)
    if (p != null && subject.length() <= MAX_SHARED_SUBJECT) {
      p.send(what, accountId, subject, ip);
    }
  }

  /** The longest subject whose failures are sent to the other nodes. */
  static final int MAX_SHARED_SUBJECT = 320;

  /**
   * Takes an attempt: answers the seconds it must wait (rounded up) and records nothing, or 0 and
   * counts it as a failure at once, before the secret is checked, so that concurrent attempts
   * cannot all slip through the same opening. {@link #succeeded} gives it back.
   */
  public long acquire(String accountId, String subject, String source) {
    long now = clock.millis();
    String ip = sourceKey(source);
    synchronized (this) {
      long wait = wait(now, accountId, subject, ip);
      if (wait == 0) {
        count(now, accountId, subject, ip);
      }
      return wait;
    }
  }

  /**
   * An attempt let through by {@link #acquire} failed (the password was wrong): it is already
   * counted here; the other nodes count it now.
   */
  public void confirmFailure(String accountId, String subject, String source) {
    tell('F', accountId, subject, sourceKey(source));
  }

  /**
   * The seconds an attempt of {@code subject} from {@code source} must wait (rounded up), 0 when
   * it may go on; counts nothing. Followed by {@link #failed} or {@link #cleared}.
   */
  public long waitSeconds(String accountId, String subject, String source) {
    long now = clock.millis();
    synchronized (this) {
      return wait(now, accountId, subject, sourceKey(source));
    }
  }

  /** An attempt let through by {@link #waitSeconds} failed: counted on every key. */
  public void failed(String accountId, String subject, String source) {
    long now = clock.millis();
    String ip = sourceKey(source);
    synchronized (this) {
      count(now, accountId, subject, ip);
    }
    tell('F', accountId, subject, ip);
  }

  /**
   * An attempt let through by {@link #waitSeconds} succeeded: this source's backoff for the
   * subject ends (the subject's own and the source's counts decay by themselves).
   */
  public void cleared(String accountId, String subject, String source) {
    String ip = sourceKey(source);
    String pair = key(accountId, subject, ip);
    if (perSubjectAndSource.getIfPresent(pair) != null) {
      synchronized (this) {
        perSubjectAndSource.invalidate(pair);
      }
      tell('S', accountId, subject, ip);
    }
  }

  private long wait(long now, String accountId, String subject, String ip) {
    long until = notBefore(perSubjectAndSource.getIfPresent(key(accountId, subject, ip)));
    if (perSubjectKey) {
      until = Math.max(until, notBefore(perSubject.getIfPresent(key(accountId, subject))));
    }
    Window w = failuresPerSource > 0 ? perSource.getIfPresent(ip) : null;
    if (w != null && now - w.start() < SOURCE_WINDOW.toMillis()
        && w.failures() >= failuresPerSource) {
      until = Math.max(until, w.start() + SOURCE_WINDOW.toMillis());
    }
    return until > now ? (until - now + 999) / 1000 : 0;
  }

  private void count(long now, String accountId, String subject, String ip) {
    String pair = key(accountId, subject, ip);
    String mail = key(accountId, subject);
    perSubjectAndSource.put(pair, next(perSubjectAndSource.getIfPresent(pair), now,
        FREE_PER_SOURCE, MAX_WAIT_PER_SOURCE));
    if (perSubjectKey) {
      perSubject.put(mail, next(perSubject.getIfPresent(mail), now, FREE_PER_SUBJECT,
          MAX_WAIT_PER_SUBJECT));
    }
    if (failuresPerSource > 0) {
      Window w = perSource.getIfPresent(ip);
      boolean windowOpen = w != null && now - w.start() < SOURCE_WINDOW.toMillis();
      perSource.put(ip, windowOpen ? new Window(w.start(), w.failures() + 1)
          : new Window(now, 1));
    }
  }

  /**
   * The secret was right: the attempt {@link #acquire} counted is given back, and this
   * source's backoff for the subject ends.
   */
  public void succeeded(String accountId, String subject, String source) {
    String ip = sourceKey(source);
    boolean hadFailures;
    synchronized (this) {
      Backoff pair = perSubjectAndSource.getIfPresent(key(accountId, subject, ip));
      // more than this attempt's own count: earlier failures the other nodes hold too
      hadFailures = pair != null && pair.failures() > 1;
      perSubjectAndSource.invalidate(key(accountId, subject, ip));
      perSubject.asMap().computeIfPresent(key(accountId, subject), (k, b) ->
          b.failures() <= 1 ? null : new Backoff(b.failures() - 1, b.notBefore()));
      perSource.asMap().computeIfPresent(ip, (k, w) ->
          w.failures() <= 1 ? null : new Window(w.start(), w.failures() - 1));
    }
    if (hadFailures) {
      tell('S', accountId, subject, ip);
    }
  }

  /**
   * The attempt ended without a verdict on the secret (the database could not be read, the
   * process is shutting down): it is given back without clearing anything, so an outage never
   * turns a user's retries into a wait. {@link #acquire} only lets an attempt through when no
   * wait was pending, so the backoff it set is the only one to undo.
   */
  public void undecided(String accountId, String subject, String source) {
    String ip = sourceKey(source);
    synchronized (this) {
      perSubjectAndSource.asMap().computeIfPresent(key(accountId, subject, ip), (k, b) ->
          b.failures() <= 1 ? null : new Backoff(b.failures() - 1, 0));
      perSubject.asMap().computeIfPresent(key(accountId, subject), (k, b) ->
          b.failures() <= 1 ? null : new Backoff(b.failures() - 1, 0));
      perSource.asMap().computeIfPresent(ip, (k, w) ->
          w.failures() <= 1 ? null : new Window(w.start(), w.failures() - 1));
    }
  }

  /** The failures counted on one key and the seconds its next attempt must wait (0: none). */
  public record Status(int failures, long waitSeconds) {}

  /**
   * What the throttle holds for {@code subject} and for {@code subject} from {@code source}
   * (either may be null), keyed {@code subject}, {@code subject_and_source}, {@code source}; a key
   * with nothing counted is left out. For admins (docs/api.md#throttles).
   */
  public java.util.Map<String, Status> status(String accountId, String subject, String source) {
    long now = clock.millis();
    java.util.Map<String, Status> out = new java.util.LinkedHashMap<>();
    if (subject != null) {
      Backoff b = perSubject.getIfPresent(key(accountId, subject));
      if (b != null) {
        out.put("subject", new Status(b.failures(), seconds(b.notBefore() - now)));
      }
      if (source != null) {
        Backoff p = perSubjectAndSource.getIfPresent(key(accountId, subject, sourceKey(source)));
        if (p != null) {
          out.put("subject_and_source", new Status(p.failures(), seconds(p.notBefore() - now)));
        }
      }
    }
    if (source != null && failuresPerSource > 0) {
      Window w = perSource.getIfPresent(sourceKey(source));
      if (w != null && now - w.start() < SOURCE_WINDOW.toMillis()) {
        long until = w.failures() >= failuresPerSource ? w.start() + SOURCE_WINDOW.toMillis() : 0;
        out.put("source", new Status(w.failures(), seconds(until - now)));
      }
    }
    return out;
  }

  /**
   * Forgets the failures of {@code subject} (from every source, or only from {@code source} when
   * given) in the account; with {@code subject} null, those of {@code source} for every subject of
   * the account, and, when {@code everywhere}, the source's count over all accounts too.
   */
  public void clear(String accountId, String subject, String source, boolean everywhere) {
    String ip = source == null ? null : sourceKey(source);
    clearHere(accountId, subject, ip, everywhere);
    Peers p = peers;
    if (p != null) {
      p.send('C', accountId, subject, ip, everywhere ? "1" : "0");
    }
  }

  private void clearHere(String accountId, String subject, String ip, boolean everywhere) {
    synchronized (this) {
      if (subject != null) {
        if (ip == null) {
          perSubject.invalidate(key(accountId, subject));
          String prefix = key(accountId, subject) + "\u0000";
          perSubjectAndSource.asMap().keySet().removeIf(k -> k.startsWith(prefix));
        } else {
          perSubjectAndSource.invalidate(key(accountId, subject, ip));
        }
        return;
      }
      if (ip != null) {
        String prefix = accountId + "\u0000";
        String suffix = "\u0000" + ip;
        perSubjectAndSource.asMap().keySet().removeIf(k -> k.startsWith(prefix)
            && k.endsWith(suffix));
        if (everywhere) {
          perSource.invalidate(ip);
        }
      }
    }
  }

  private static long seconds(long millis) {
    return millis <= 0 ? 0 : (millis + 999) / 1000;
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
