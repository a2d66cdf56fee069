package dev.jeton.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The whole server configuration, loaded once at start by {@link ConfigLoader} and validated
 * there; every component takes the part it needs.
 */
public record Config(
    Http http,
    Path dataDir,
    Db db,
    String masterKey,
    Bootstrap bootstrap,
    Tokens tokens,
    Pats pats,
    Logging logging,
    Duration shutdownTimeout,
    Duration shutdownDrain,
    int signInFailuresPerSource,
    String metricsToken,
    Retention retention,
    Limits limits,
    Qr qr,
    Push push) {

  /** The same configuration on another database. */
  public Config withDb(Db other) {
    return new Config(http, dataDir, other, masterKey, bootstrap, tokens, pats, logging,
        shutdownTimeout, shutdownDrain, signInFailuresPerSource, metricsToken, retention, limits, qr,
        push);
  }

  /**
   * Standard output's log: its {@code format} (json or text), whether requests are written to the
   * access log, and the share of successful requests that are (refused and failed ones always are).
   */
  public record Logging(String format, boolean access, double accessSample) {}

  /**
   * Listening address, the public URL issuers are built from, and how long a request waits for
   * more of its body ({@code idleTimeout}, Jetty's idle timeout of a request).
   */
  public record Http(String host, int port, String baseUrl, Duration idleTimeout) {}

  /**
   * QR logins: how long one lives ({@code ttl}), and how many one client address may start
   * ({@code starts} per {@code startsPeriod}; 0 starts: no limit), whether the demo page is
   * served, and the request header holding the desktop's rough location (null: none).
   */
  public record Qr(Duration ttl, long starts, Duration startsPeriod, boolean demo,
      String locationHeader) {}

  /**
   * Push approval (docs/push.md): the service account key file FCM messages are sent with (null:
   * push is off), FCM's base URL, the devices one user may register, and whether a push carries
   * the login's matching code for the phone to show ({@code showMatchingCode}) instead of the user
   * typing it from the computer's screen.
   */
  public record Push(Path fcmCredentials, String fcmUrl, int devicesPerUser,
      boolean showMatchingCode) {
    public boolean enabled() {
      return fcmCredentials != null;
    }
  }

  /** Database connection. */
  public record Db(String url, String user, String password, int poolSize) {
    public boolean isPostgres() {
      return url.startsWith("jdbc:postgresql:");
    }
  }

  /** Unattended creation of the first admin of {@code main}. */
  public record Bootstrap(String adminEmail, String adminPassword) {
    public boolean enabled() {
      return !adminEmail.isEmpty();
    }
  }

  /**
   * The scheduled purge: how often it runs ({@code ZERO}: never) and how long a row is kept after
   * it stopped being usable (docs/operations.md#retention).
   */
  public record Retention(Duration purgeInterval, Duration window) {}

  /** Token defaults; each account may override the lifetimes. */
  public record Tokens(
      String signingAlg,
      Duration keyRotationInterval,
      Duration clockSkew,
      Lifetimes lifetimes) {}

  /**
   * The policy for personal access tokens (also the shape of an account's overrides): the
   * lifetime of a token created without one, the longest allowed, whether tokens without expiry
   * may be created, and how many live tokens one owner may hold.
   */
  public record Pats(Duration defaultLifetime, Duration maxLifetime, boolean noExpiry,
      int maxPerOwner) {}

  /** Token lifetimes (also the shape of an account's overrides). */
  public record Lifetimes(
      Duration accessToken,
      Duration refreshToken,
      Duration refreshTokenIdle,
      Duration adminSession,
      Duration refreshGrace,
      Duration authorizationCode) {
    /** How long an authorization code lives unless its account says otherwise (RFC 6749 4.1.2). */
    public static final Duration DEFAULT_AUTHORIZATION_CODE = Duration.ofMinutes(10);
  }

  /**
   * API limits (docs/limits.md): {@code calls} per {@code period} for each rate-limit key in
   * {@code keys} (0 calls: no rate limit), requests in flight per account and node (0: no cap),
   * calls per day per account (0: unlimited) and the zone whose midnight starts a day; and
   * registrations per {@code registrationPeriod} per client address (0: no limit).
   */
  public record Limits(long calls, Duration period, java.util.Set<String> keys, int concurrency,
      long dailyQuota, java.time.ZoneId zone, long registrations, Duration registrationPeriod) {
    /** The rate-limit keys there are. */
    public static final java.util.List<String> KEYS = java.util.List.of("token", "client", "ip");

    public Limits {
      keys = java.util.Set.copyOf(keys);
    }

    public boolean rateLimited() {
      return calls > 0;
    }
  }
}
