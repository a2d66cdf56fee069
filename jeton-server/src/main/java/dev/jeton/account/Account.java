package dev.jeton.account;

import dev.jeton.config.Config;
import java.time.Duration;

/**
 * An account (tenant): owns its users, keys and tokens, and is its own issuer. {@code parentId} is
 * null only for the root account {@code main}. Lifetime overrides are null where the server
 * default applies; {@code ceilings} are the most its ancestors allow it and its descendants (in
 * seconds, null where they set none).
 */
public record Account(String id, String parentId, String name, long createdAt, Long disabledAt,
    Overrides overrides, PatOverrides pats, String registration, Overrides ceilings,
    LimitOverrides limits) {

  /** The default account that exists from first start. */
  public static final String MAIN = "main";
  /** Anyone may register a user ({@code POST /auth/register}): {@code main}'s default. */
  public static final String REGISTRATION_OPEN = "open";
  /** Nobody may register: a new sub-account's default, until its admins open it. */
  public static final String REGISTRATION_CLOSED = "closed";

  public boolean registrationOpen() {
    return REGISTRATION_OPEN.equals(registration);
  }

  public boolean disabled() {
    return disabledAt != null;
  }

  /** Per-account lifetime overrides in seconds (null: server default). */
  public record Overrides(Long accessToken, Long refreshToken, Long refreshTokenIdle,
      Long adminSession, Long refreshGrace, Long authorizationCode) {
    public static final Overrides NONE = new Overrides(null, null, null, null, null, null);

    /** The effective lifetimes: each override, or the server default. */
    public Config.Lifetimes over(Config.Lifetimes d) {
      return new Config.Lifetimes(
          pick(accessToken, d.accessToken()),
          pick(refreshToken, d.refreshToken()),
          pick(refreshTokenIdle, d.refreshTokenIdle()),
          pick(adminSession, d.adminSession()),
          pick(refreshGrace, d.refreshGrace()),
          pick(authorizationCode, d.authorizationCode()));
    }

    private static Duration pick(Long seconds, Duration fallback) {
      return seconds == null ? fallback : Duration.ofSeconds(seconds);
    }

    /** These lifetimes, each cut to the ceiling where one is set (read as ceilings). */
    public Config.Lifetimes cap(Config.Lifetimes l) {
      return new Config.Lifetimes(min(l.accessToken(), accessToken),
          min(l.refreshToken(), refreshToken), min(l.refreshTokenIdle(), refreshTokenIdle),
          min(l.adminSession(), adminSession), min(l.refreshGrace(), refreshGrace),
          min(l.authorizationCode(), authorizationCode));
    }

    /** The lower of two sets of ceilings, field by field (null: no ceiling). */
    public Overrides lower(Overrides o) {
      return new Overrides(low(accessToken, o.accessToken), low(refreshToken, o.refreshToken),
          low(refreshTokenIdle, o.refreshTokenIdle), low(adminSession, o.adminSession),
          low(refreshGrace, o.refreshGrace), low(authorizationCode, o.authorizationCode));
    }

    private static Duration min(Duration d, Long ceiling) {
      return ceiling == null || d.toSeconds() <= ceiling ? d : Duration.ofSeconds(ceiling);
    }

    private static Long low(Long a, Long b) {
      return a == null ? b : b == null ? a : Long.valueOf(Math.min(a, b));
    }
  }

  /**
   * Per-account personal access token policy overrides (null: server default): lifetimes in
   * seconds, whether tokens without expiry may be created, live tokens per owner.
   */
  public record PatOverrides(Long defaultLifetime, Long maxLifetime, Boolean noExpiry,
      Integer maxPerOwner) {
    public static final PatOverrides NONE = new PatOverrides(null, null, null, null);

    /** The effective policy; a default lifetime above the longest allowed is cut to it. */
    public Config.Pats over(Config.Pats d) {
      Duration max = maxLifetime == null ? d.maxLifetime() : Duration.ofSeconds(maxLifetime);
      Duration dflt = defaultLifetime == null ? d.defaultLifetime()
          : Duration.ofSeconds(defaultLifetime);
      return new Config.Pats(dflt.compareTo(max) > 0 ? max : dflt, max,
          noExpiry == null ? d.noExpiry() : noExpiry,
          maxPerOwner == null ? d.maxPerOwner() : maxPerOwner);
    }
  }

  /**
   * The account's own API limits (docs/limits.md), each null for the server's default: calls per
   * period for each of the rate-limit keys (a comma list; 0 calls: no rate limit), requests in
   * flight (0: no cap), calls per day (0: unlimited) and the zone whose midnight starts a day.
   */
  public record LimitOverrides(Long calls, Long periodSeconds, String keys, Long concurrency,
      Long dailyQuota, String timeZone) {
    public static final LimitOverrides NONE = new LimitOverrides(null, null, null, null, null,
        null);

    public Config.Limits over(Config.Limits d) {
      return new Config.Limits(calls == null ? d.calls() : calls,
          periodSeconds == null ? d.period() : Duration.ofSeconds(periodSeconds),
          keys == null ? d.keys()
              : keys.isEmpty() ? java.util.Set.of() : java.util.Set.of(keys.split(",")),
          concurrency == null ? d.concurrency() : concurrency.intValue(),
          dailyQuota == null ? d.dailyQuota() : dailyQuota,
          timeZone == null ? d.zone() : java.time.ZoneId.of(timeZone), d.registrations(),
          d.registrationPeriod());
    }
  }
}
