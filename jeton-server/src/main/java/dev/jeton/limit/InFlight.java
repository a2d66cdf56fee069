package dev.jeton.limit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests in flight per key (an account), capped: a request over the cap is refused at once
 * rather than queued, and every slot taken is given back exactly once however its request ends.
 * One counter per account that has ever called; accounts are created by admins, so the map is
 * bounded by the accounts table.
 */
public final class InFlight {
  private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  /** A taken slot; {@link #close} gives it back (again does nothing). */
  public static final class Slot implements AutoCloseable {
    private final AtomicInteger count;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private Slot(AtomicInteger count) {
      this.count = count;
    }

    @Override
    public void close() {
      if (open.compareAndSet(true, false)) {
        count.decrementAndGet();
      }
    }
  }

  /** A slot of {@code key}'s {@code max}, or null when all are taken. */
  public Slot tryAcquire(String key, int max) {
    AtomicInteger count = counts.computeIfAbsent(key, k -> new AtomicInteger());
    while (true) {
      int n = count.get();
      if (n >= max) {
        return null;
      }
      if (count.compareAndSet(n, n + 1)) {
        return new Slot(count);
      }
    }
  }

  /** The keys with requests in flight now, and how many each. */
  java.util.Map<String, Integer> busy() {
    java.util.Map<String, Integer> busy = new java.util.HashMap<>();
    counts.forEach((key, count) -> {
      int n = count.get();
      if (n > 0) {
        busy.put(key, n);
      }
    });
    return busy;
  }

  /** Requests of {@code key} in flight now. */
  public int current(String key) {
    AtomicInteger count = counts.get(key);
    return count == null ? 0 : count.get();
  }
}
