package dev.jeton.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;

/**
 * Token buckets (Bucket4j), one per key, held in a bounded Caffeine cache. A bucket of {@code
 * calls} refills smoothly over {@code period}, so a client may burst up to the limit and then
 * goes on at its average rate.
 *
 * <p>Memory stays bounded whatever keys callers make up: the cache holds at most {@code maxKeys}
 * buckets, and {@link #sweep} drops those that are full again (left alone for long enough), which
 * loses nothing, since a new bucket is full too. Under a flood of fresh keys the least useful
 * buckets are evicted first; an evicted bucket comes back full, so eviction can only ever let a
 * caller through, never refuse one wrongly.
 */
public final class RateLimiter {
  /** Buckets kept by default: about 30 MB at most. */
  public static final int MAX_KEYS = 100_000;

  /**
   * The outcome of taking one call: allowed or not, the calls left, seconds until the bucket is
   * full again ({@code reset}) and, when refused, seconds until the next call is allowed.
   */
  public record Probe(boolean allowed, long remaining, long resetSeconds, long retryAfterSeconds) {}

  private record Entry(Bucket bucket, long capacity) {}

  private final Cache<String, Entry> buckets;
  private final TimeMeter time;

  public RateLimiter(Clock clock, int maxKeys) {
    this.time = new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        return clock.millis() * 1_000_000L;
      }

      @Override
      public boolean isWallClockBased() {
        return true;
      }
    };
    // No expiry on access (it would reorder the cache's timer wheel on every call): idle
    // buckets are swept out once full again (sweep), and the size bound holds memory
    this.buckets = Caffeine.newBuilder().maximumSize(maxKeys).build();
  }

  /**
   * Takes one call from {@code key}'s bucket of {@code calls} per {@code period}. The key should
   * name the policy too, so that a changed policy starts a fresh bucket.
   */
  public Probe take(String key, long calls, Duration period) {
    Entry e = entry(key, calls, period);
    ConsumptionProbe p = e.bucket().tryConsumeAndReturnRemaining(1);
    return new Probe(p.isConsumed(), p.getRemainingTokens(), seconds(p.getNanosToWaitForReset()),
        p.isConsumed() ? 0 : Math.max(1, seconds(p.getNanosToWaitForRefill())));
  }

  /**
   * Takes {@code n} calls another node admitted from {@code key}'s bucket, whatever it holds: a
   * bucket can go into debt, and refuses calls until the debt is refilled.
   */
  void spend(String key, long calls, Duration period, long n) {
    if (n > 0 && calls > 0 && !period.isZero() && !period.isNegative()) {
      entry(key, calls, period).bucket().consumeIgnoringRateLimits(n);
    }
  }

  private Entry entry(String key, long calls, Duration period) {
    return buckets.get(key, k -> new Entry(Bucket.builder()
        .addLimit(l -> l.capacity(calls).refillGreedy(calls, period))
        .withCustomTimePrecision(time).build(), calls));
  }

  /** Gives back a call {@link #take} took, when a later check refused the request. */
  public void giveBack(String key) {
    Entry e = buckets.getIfPresent(key);
    if (e != null) {
      e.bucket().addTokens(1);
    }
  }

  /**
   * Seconds until {@code key}'s bucket accepts a call again, taking nothing: 0 when it would
   * accept one now (or holds no bucket: a full one).
   */
  public long waitSeconds(String key) {
    Entry e = buckets.getIfPresent(key);
    if (e == null) {
      return 0;
    }
    io.github.bucket4j.EstimationProbe p = e.bucket().estimateAbilityToConsume(1);
    return p.canBeConsumed() ? 0 : Math.max(1, seconds(p.getNanosToWaitForRefill()));
  }

  /**
   * Forgets every bucket that is full again (untouched for long enough to have refilled): a
   * bucket made afresh is full too, so nothing changes for its caller. A call racing the removal
   * can at most find a full bucket one call early. Run periodically; answers how many went.
   */
  public int sweep() {
    int removed = 0;
    for (var e : buckets.asMap().entrySet()) {
      if (e.getValue().bucket().getAvailableTokens() >= e.getValue().capacity()
          && buckets.asMap().remove(e.getKey(), e.getValue())) {
        removed++;
      }
    }
    return removed;
  }

  /** Buckets held now (after pending evictions). */
  public long size() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  private static long seconds(long nanos) {
    return (nanos + 999_999_999L) / 1_000_000_000L;
  }
}
