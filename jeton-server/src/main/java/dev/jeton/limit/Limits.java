package dev.jeton.limit;

import dev.jeton.config.Config;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ClientAddress;
import dev.jeton.http.Json;
import dev.jeton.http.RequestGuard;
import dev.jeton.store.WriteQueue;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API limits of an account (docs/limits.md), checked once a request's caller is known: rate
 * limits per key, then the cap on requests in flight, then the daily quota. A request refused by
 * one is not counted by the others. Every admitted answer carries the {@code RateLimit-Policy}
 * and {@code RateLimit} fields (draft-ietf-httpapi-ratelimit-headers-10) for the limits that
 * apply, and so does a refusal, with {@code Retry-After}.
 */
public final class Limits implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Limits.class);
  /** The errors of {@link #admit}: every way a limit refuses a call. */
  public static final java.util.Set<ErrorCode> ERRORS = java.util.Set.of(
      ErrorCode.RATE_LIMIT_EXCEEDED, ErrorCode.CONCURRENCY_LIMIT_REACHED,
      ErrorCode.DAILY_QUOTA_EXCEEDED);

  /** {@code errors} and those of {@link #admit}. */
  public static java.util.Set<ErrorCode> and(ErrorCode... errors) {
    java.util.Set<ErrorCode> all = new java.util.HashSet<>(ERRORS);
    all.addAll(java.util.List.of(errors));
    return java.util.Set.copyOf(all);
  }

  /** How often daily counts are written and the other nodes' read back. */
  static final long FLUSH_MILLIS = 1000;

  /**
   * What a call counts against: {@code token}, the credential presented (a session, a personal
   * access token, an OAuth client at its endpoints), and {@code client}, the OAuth client whose
   * token it is, either null when the call has none; {@code metered}: whether it counts against
   * the daily quota (administration does not, so that a spent quota can still be read and raised).
   */
  public record Caller(String token, String client, boolean metered) {
    public Caller(String token, String client) {
      this(token, client, true);
    }
  }

  private final Clock clock;
  private final RateLimiter rates;
  private final InFlight inFlight = new InFlight();
  private final DailyQuota quota;
  /** Rate limits and requests in flight of the other nodes: on PostgreSQL only, else null. */
  private final LimitExchange exchange;
  private final ScheduledExecutorService flusher;
  private volatile boolean started;

  public Limits(Clock clock, Jdbi jdbi, WriteQueue writes, int maxKeys) {
    this.clock = clock;
    this.rates = new RateLimiter(clock, maxKeys);
    this.quota = new DailyQuota(clock, jdbi, writes);
    // SQLite serves one process, whose limits are all in its memory
    this.exchange = writes.postgres() ? new LimitExchange(jdbi, writes, Clock.systemUTC()) : null;
    this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "jeton-usage-flush");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts writing the daily counts and exchanging limits with the other nodes every
   * {@value #FLUSH_MILLIS} ms, and sweeping full buckets: on a serving node, once the schema is
   * migrated (an admin command is no node and takes no part).
   */
  public void start() {
    started = true;
    flusher.scheduleWithFixedDelay(this::flushQuietly, FLUSH_MILLIS, FLUSH_MILLIS,
        TimeUnit.MILLISECONDS);
    flusher.scheduleWithFixedDelay(this::sweepQuietly, SWEEP_SECONDS, SWEEP_SECONDS,
        TimeUnit.SECONDS);
  }

  /**
   * Admits one call of {@code caller} to {@code accountId} under {@code policy}, or refuses it
   * with 429: {@code rate_limit_exceeded}, {@code concurrency_limit_reached} or {@code
   * daily_quota_exceeded}. The slot it takes is given back when the request ends, however it ends.
   */
  public void admit(Context ctx, String accountId, Config.Limits policy, Caller caller) {
    List<String> taken = new ArrayList<>(3);
    StringBuilder policies = new StringBuilder();
    StringBuilder state = new StringBuilder();
    if (policy.rateLimited()) {
      long window = policy.period().toSeconds();
      for (String key : Config.Limits.KEYS) {
        if (!policy.keys().contains(key)) {
          continue;
        }
        String id = switch (key) {
          case "token" -> caller.token();
          case "client" -> caller.client();
          default -> ClientAddress.key(ctx.ip());
        };
        if (id == null) {
          continue;
        }
        String bucket = bucketKey(accountId, key, id, policy);
        RateLimiter.Probe p = rates.take(bucket, policy.calls(), policy.period());
        item(policies, key).append(";q=").append(policy.calls()).append(";w=").append(window);
        item(state, key).append(";r=").append(p.remaining()).append(";t=")
            .append(p.resetSeconds());
        if (!p.allowed()) {
          taken.forEach(rates::giveBack);
          headers(ctx, policies, state);
          throw ApiException.retryAfter(ErrorCode.RATE_LIMIT_EXCEEDED, "At most "
              + policy.calls() + " calls per " + window + " s are accepted per " + key
              + "; the next is accepted in " + p.retryAfterSeconds() + " s.", p.retryAfterSeconds());
        }
        taken.add(bucket);
      }
    }
    InFlight.Slot slot = null;
    if (policy.concurrency() > 0) {
      int others = exchange == null ? 0 : exchange.othersInFlight(accountId);
      slot = inFlight.tryAcquire(accountId, policy.concurrency() - others);
      if (slot == null) {
        taken.forEach(rates::giveBack);
        headers(ctx, policies, state);
        throw ApiException.retryAfter(ErrorCode.CONCURRENCY_LIMIT_REACHED, "The account already "
            + "has " + policy.concurrency() + " requests in progress, as many as it may.", 1);
      }
      RequestGuard.whenDone(ctx.req(), slot);
    }
    if (!caller.metered()) {
      shared(taken, policy);
      headers(ctx, policies, state);
      return;
    }
    DailyQuota.Take day = quota.take(accountId, policy.dailyQuota(), policy.zone());
    if (policy.dailyQuota() > 0) {
      long resetMillis = quota.resetsAtMillis(policy.zone());
      long untilReset = Math.max(1, (resetMillis - clock.millis() + 999) / 1000);
      item(policies, "daily").append(";q=").append(policy.dailyQuota()).append(";w=86400");
      item(state, "daily").append(";r=").append(day.remaining()).append(";t=")
          .append(untilReset);
      if (!day.allowed()) {
        taken.forEach(rates::giveBack);
        if (slot != null) {
          slot.close();
        }
        headers(ctx, policies, state);
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("resets_at", Json.time(resetMillis));
        throw ApiException.retryAfter(ErrorCode.DAILY_QUOTA_EXCEEDED, "The account has made "
            + "the " + policy.dailyQuota() + " calls of its daily quota; calls are accepted "
            + "again from " + Json.time(resetMillis) + ".", untilReset, members);
      }
    }
    shared(taken, policy);
    headers(ctx, policies, state);
  }

  /** Tells the other nodes of the calls an admitted request took from {@code buckets}. */
  private void shared(List<String> buckets, Config.Limits policy) {
    if (exchange != null) {
      for (String b : buckets) {
        exchange.spent(b, policy.calls(), policy.period());
      }
    }
  }

  /**
   * Limits what a client address may do without credentials (registration, device codes of
   * public clients, leak reports, QR logins: docs/security.md#unauthenticated-limits): at most
   * {@code calls} per {@code period} per address for {@code purpose}, in every account together.
   *
   * @throws ApiException {@code rate_limit_exceeded} with {@code Retry-After}
   */
  public void perSource(Context ctx, String purpose, long calls, java.time.Duration period) {
    String key = purpose + '\u0000' + ClientAddress.key(ctx.ip());
    RateLimiter.Probe p = rates.take(key, calls, period);
    if (p.allowed() && exchange != null) {
      exchange.spent(key, calls, period);
    }
    if (!p.allowed()) {
      throw ApiException.retryAfter(ErrorCode.RATE_LIMIT_EXCEEDED, "At most " + calls + " "
          + purpose.replace('_', ' ') + " requests per " + per(period) + " are accepted from "
          + "one address; the next in " + p.retryAfterSeconds() + " s.", p.retryAfterSeconds());
    }
  }

  /** "hour", "10 minutes", "90 s": a period as a message reads it. */
  private static String per(java.time.Duration period) {
    long s = period.toSeconds();
    if (s % 3600 == 0) {
      return s == 3600 ? "hour" : s / 3600 + " hours";
    }
    if (s % 60 == 0) {
      return s == 60 ? "minute" : s / 60 + " minutes";
    }
    return s + " s";
  }

  /** The account's usage and limits now, for its admins. */
  public Map<String, Object> usage(String accountId, Config.Limits policy) {
    Map<String, Object> m = new LinkedHashMap<>();
    String today = quota.today(policy.zone());
    long used = quota.used(accountId, policy.zone());
    m.put("day", today);
    m.put("time_zone", policy.zone().getId());
    m.put("calls", used);
    m.put("daily_quota", policy.dailyQuota() > 0 ? policy.dailyQuota() : null);
    m.put("remaining", policy.dailyQuota() > 0 ? Math.max(0, policy.dailyQuota() - used) : null);
    m.put("resets_at", Json.time(quota.resetsAtMillis(policy.zone())));
    m.put("in_flight", inFlight.current(accountId)
        + (exchange == null ? 0 : exchange.othersInFlight(accountId)));
    m.put("concurrency_limit", policy.concurrency() > 0 ? policy.concurrency() : null);
    Map<String, Object> rate = new LinkedHashMap<>();
    rate.put("calls", policy.rateLimited() ? policy.calls() : null);
    rate.put("period_seconds", policy.rateLimited() ? policy.period().toSeconds() : null);
    rate.put("keys", Config.Limits.KEYS.stream().filter(policy.keys()::contains).toList());
    m.put("rate_limit", rate);
    List<Map<String, Object>> days = new ArrayList<>();
    String from = java.time.LocalDate.parse(today).minusDays(30).toString();
    for (Map.Entry<String, Long> e : quota.history(accountId, from)) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("day", e.getKey());
      d.put("calls", e.getKey().equals(today) ? used : e.getValue());
      days.add(d);
    }
    m.put("history", days);
    return m;
  }

  /**
   * Seconds until the credential {@code token} (as {@link Caller#token}) may call the account
   * again under its own rate limit, taking nothing; 0 when it may now. For the token doctor.
   */
  public long tokenWaitSeconds(String accountId, Config.Limits policy, String token) {
    if (!policy.rateLimited() || !policy.keys().contains("token")) {
      return 0;
    }
    return rates.waitSeconds(bucketKey(accountId, "token", token, policy));
  }

  /** Writes the daily counts and exchanges limits with the other nodes now (tests, shutdown). */
  public void flush() {
    quota.flush();
    if (exchange != null) {
      exchange.flush(rates, inFlight);
    }
  }

  /** How often rate-limit buckets that are full again are forgotten. */
  static final long SWEEP_SECONDS = 60;

  private void sweepQuietly() {
    try {
      rates.sweep();
    } catch (RuntimeException e) {
      LOG.warn("rate-limit sweep failed: {}", e.toString());
    }
  }

  private void flushQuietly() {
    try {
      quota.flush();
    } catch (RuntimeException e) {
      LOG.warn("usage flush failed: {}", e.toString());
    }
    if (exchange != null) {
      try {
        exchange.flush(rates, inFlight);
      } catch (RuntimeException e) {
        LOG.warn("limits not exchanged with the other nodes: {}", e.toString());
      }
    }
  }

  @Override
  public void close() {
    flusher.shutdownNow();
    if (started) {
      flushQuietly();
    }
  }

  private static String bucketKey(String accountId, String key, String id, Config.Limits p) {
    return accountId + '\u0000' + key + '\u0000' + id + '\u0000' + p.calls() + '/'
        + p.period().toSeconds();
  }

  private static StringBuilder item(StringBuilder list, String name) {
    if (list.length() > 0) {
      list.append(", ");
    }
    return list.append('"').append(name).append('"');
  }

  private static void headers(Context ctx, StringBuilder policies, StringBuilder state) {
    if (policies.length() > 0) {
      ctx.header("RateLimit-Policy", policies.toString());
      ctx.header("RateLimit", state.toString());
    }
  }
}
