package dev.jeton.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
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
 * buckets, and a bucket untouched for its whole period is dropped, which loses nothing, since a
 * bucket left alone that long is full again. Under a flood of fresh keys the least useful
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

  private record Entry(Bucket bucket, long periodNanos) {}

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
    this.buckets = Caffeine.newBuilder().maximumSize(maxKeys)
        .expireAfter(new Expiry<String, Entry>() {
          @Override
          public long expireAfterCreate(String key, Entry e, long now) {
            return e.periodNanos();
          }

          @Override
          public long expireAfterUpdate(String key, Entry e, long now, long current) {
            return e.periodNanos();
          }

          @Override
          public long expireAfterRead(String key, Entry e, long now, long current) {
            return e.periodNanos();
          }
        })
        .build();
  }

  /**
   * Takes one call from {@code key}'s bucket of {@code calls} per {@code period}. The key should
   * name the policy too, so that a changed policy starts a fresh bucket.
   */
  public Probe take(String key, long calls, Duration period) {
    Entry e = buckets.get(key, k -> new Entry(Bucket.builder()
        .addLimit(l -> l.capacity(calls).refillGreedy(calls, period))
        .withCustomTimePrecision(time).build(), period.toNanos()));
    ConsumptionProbe p = e.bucket().tryConsumeAndReturnRemaining(1);
    return new Probe(p.isConsumed(), p.getRemainingTokens(), seconds(p.getNanosToWaitForReset()),
        p.isConsumed() ? 0 : Math.max(1, seconds(p.getNanosToWaitForRefill())));
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

  /** Forgets {@code key}'s bucket: its next call finds it full. */
  public void clear(String key) {
    buckets.invalidate(key);
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
