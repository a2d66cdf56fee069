package dev.jeton.oauth;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rate limit of wrong user-code entries on the device verification page (RFC 8628 5.1, ASVS 6.6.3,
 * docs/security.md#user-code-guessing): a sliding window of failures per key (a signed-in user, a
 * client IP). Keys over their budget are refused until old failures leave the window. In memory,
 * per node: with a 34-bit code space and a few guesses per window per key, a brute force needs far
 * more keys than an attacker has.
 */
final class EntryLimiter {
  private static final int MAX_KEYS = 100_000;

  private final int max;
  private final Duration window;
  private final Clock clock;
  private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

  EntryLimiter(int max, Duration window, Clock clock) {
    this.max = max;
    this.window = window;
    this.clock = clock;
  }

  /** True when the key still has budget for another attempt. */
  boolean allowed(String key) {
    Deque<Long> q = failures.get(key);
    if (q == null) {
      return true;
    }
    synchronized (q) {
      prune(q, clock.millis());
      return q.size() < max;
    }
  }

  /** Records one wrong entry for the key. */
  void fail(String key) {
    long now = clock.millis();
    if (failures.size() >= MAX_KEYS) {
      failures.entrySet().removeIf(e -> {
        synchronized (e.getValue()) {
          prune(e.getValue(), now);
          return e.getValue().isEmpty();
        }
      });
    }
    Deque<Long> q = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (q) {
      prune(q, now);
      q.addLast(now);
    }
  }

  private void prune(Deque<Long> q, long now) {
    while (!q.isEmpty() && now - q.peekFirst() >= window.toMillis()) {
      q.removeFirst();
    }
  }
}
