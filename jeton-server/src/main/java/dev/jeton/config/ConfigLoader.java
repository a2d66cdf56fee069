package dev.jeton.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Builds the {@link Config} from defaults, an optional properties file and {@code JETON_*}
 * environment variables (highest precedence), and validates every value.
 */
public final class ConfigLoader {
  private static final Set<String> SIGNING_ALGS = Set.of("ES256", "ES384", "RS256", "PS256",
      "EdDSA");

  private ConfigLoader() {}

  /** Loads from the given file (may be null) and environment. */
  public static Config load(Path file, Map<String, String> env) {
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      values.put(s, s.defaultValue());
    }
    if (file != null) {
      readFile(file, values);
    }
    for (Setting s : Setting.values()) {
      String v = env.get(s.envName());
      if (v != null) {
        values.put(s, v.trim());
      }
    }
    return build(values);
  }

  /** Builds a configuration from explicit values over the defaults (tests and embedding). */
  public static Config of(Map<Setting, String> overrides) {
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      values.put(s, overrides.getOrDefault(s, s.defaultValue()));
    }
    return build(values);
  }

  private static void readFile(Path file, Map<Setting, String> values) {
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(r);
    } catch (IOException e) {
      throw new ConfigException("config file " + file + ": cannot be read (" + e.getMessage() + ")");
    } catch (IllegalArgumentException e) {
      throw new ConfigException("config file " + file + ": malformed \\uXXXX escape");
    }
    for (String key : props.stringPropertyNames()) {
      Setting match = null;
      for (Setting s : Setting.values()) {
        if (s.fileKey().equals(key)) {
          match = s;
        }
      }
      if (match == null) {
        throw new ConfigException("config file " + file + ": unknown setting '" + printable(key)
            + "'");
      }
      values.put(match, props.getProperty(key).trim());
    }
  }

  private static Config build(Map<Setting, String> v) {
    String host = v.get(Setting.HTTP_HOST);
    if (host.isEmpty()) {
      throw bad(Setting.HTTP_HOST, host, "must not be empty");
    }
    int port = intIn(Setting.HTTP_PORT, v.get(Setting.HTTP_PORT), 0, 65535);
    String rawIdle = v.get(Setting.HTTP_IDLE_TIMEOUT);
    Duration idle = duration(Setting.HTTP_IDLE_TIMEOUT, rawIdle);
    if (idle.compareTo(Duration.ofSeconds(1)) < 0 || idle.compareTo(Duration.ofMinutes(10)) > 0) {
      throw bad(Setting.HTTP_IDLE_TIMEOUT, rawIdle, "must be between 1s and 10m");
    }
    String baseUrl = v.get(Setting.BASE_URL).replace("{port}", Integer.toString(port));
    baseUrl = validBaseUrl(baseUrl);
    Path dataDir;
    try {
      dataDir = Path.of(v.get(Setting.DATA_DIR).isEmpty() ? "." : v.get(Setting.DATA_DIR));
    } catch (InvalidPathException e) {
      throw bad(Setting.DATA_DIR, v.get(Setting.DATA_DIR), "is not a valid path");
    }
    String dbUrl = v.get(Setting.DB_URL).replace("{data_dir}", dataDir.toString());
    if (!dbUrl.startsWith("jdbc:sqlite:") && !dbUrl.startsWith("jdbc:postgresql:")) {
      throw bad(Setting.DB_URL, dbUrl, "must start with jdbc:sqlite: or jdbc:postgresql:");
    }
    int pool = intIn(Setting.DB_POOL_SIZE, v.get(Setting.DB_POOL_SIZE), 1, 200);
    String email = v.get(Setting.BOOTSTRAP_ADMIN_EMAIL);
    String password = v.get(Setting.BOOTSTRAP_ADMIN_PASSWORD);
    if (email.isEmpty() != password.isEmpty()) {
      throw new ConfigException(Setting.BOOTSTRAP_ADMIN_EMAIL.envName() + " and "
          + Setting.BOOTSTRAP_ADMIN_PASSWORD.envName() + " must be set together");
    }
    String alg = v.get(Setting.SIGNING_ALG).toUpperCase(Locale.ROOT);
    if (alg.equals("EDDSA")) {
      alg = "EdDSA"; // RFC 8037's spelling: Ed25519
    }
    if (!SIGNING_ALGS.contains(alg)) {
      throw bad(Setting.SIGNING_ALG, alg, "must be one of ES256, ES384, RS256, PS256, EdDSA");
    }
    Duration skew = duration(Setting.CLOCK_SKEW, v.get(Setting.CLOCK_SKEW));
    if (skew.compareTo(Duration.ofSeconds(60)) > 0) {
      throw bad(Setting.CLOCK_SKEW, v.get(Setting.CLOCK_SKEW), "must be at most 60s");
    }
    Config.Lifetimes lifetimes = new Config.Lifetimes(
        positive(Setting.ACCESS_TOKEN_TTL, v),
        positive(Setting.REFRESH_TOKEN_TTL, v),
        positive(Setting.REFRESH_TOKEN_IDLE_TTL, v),
        positive(Setting.ADMIN_SESSION_TTL, v),
        duration(Setting.REFRESH_GRACE, v.get(Setting.REFRESH_GRACE)),
        Config.Lifetimes.DEFAULT_AUTHORIZATION_CODE);
    if (lifetimes.accessToken().compareTo(Duration.ofHours(24)) > 0) {
      throw bad(Setting.ACCESS_TOKEN_TTL, v.get(Setting.ACCESS_TOKEN_TTL), "must be at most 24h");
    }
    if (lifetimes.refreshGrace().compareTo(Duration.ofSeconds(60)) > 0) {
      throw bad(Setting.REFRESH_GRACE, v.get(Setting.REFRESH_GRACE), "must be at most 60s");
    }
    String masterKey = v.get(Setting.MASTER_KEY);
    if (!masterKey.isEmpty()) {
      byte[] raw;
      try {
        raw = java.util.Base64.getDecoder().decode(masterKey);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(Setting.MASTER_KEY.envName() + ": not valid base64");
      }
      if (raw.length != 32) {
        throw new ConfigException(Setting.MASTER_KEY.envName()
            + ": must decode to 32 bytes (got " + raw.length + "); generate one with "
            + "'head -c 32 /dev/urandom | base64'");
      }
    }
    String metricsToken = v.get(Setting.METRICS_TOKEN);
    if (!metricsToken.isEmpty() && !metricsToken.matches("[\\x21-\\x7E]{32,256}")) {
      throw bad(Setting.METRICS_TOKEN, metricsToken, "must be 32 to 256 printable characters "
          + "without spaces; generate one with 'head -c 32 /dev/urandom | base64'");
    }
    Config.Retention retention = retention(v);
    String logFormat = v.get(Setting.LOG_FORMAT).toLowerCase(Locale.ROOT);
    if (!logFormat.equals("json") && !logFormat.equals("text")) {
      throw bad(Setting.LOG_FORMAT, logFormat, "must be json or text");
    }
    Config.Logging logging = new Config.Logging(logFormat,
        onOff(Setting.ACCESS_LOG, v.get(Setting.ACCESS_LOG)),
        share(Setting.ACCESS_LOG_SAMPLE, v.get(Setting.ACCESS_LOG_SAMPLE)));
    return new Config(
        new Config.Http(host, port, baseUrl, idle),
        dataDir,
        new Config.Db(dbUrl, v.get(Setting.DB_USER), v.get(Setting.DB_PASSWORD), pool),
        masterKey,
        new Config.Bootstrap(email, password),
        new Config.Tokens(alg,
            duration(Setting.KEY_ROTATION_INTERVAL, v.get(Setting.KEY_ROTATION_INTERVAL)), skew,
            lifetimes),
        pats(v),
        logging,
        duration(Setting.SHUTDOWN_TIMEOUT, v.get(Setting.SHUTDOWN_TIMEOUT)),
        drain(v),
        intIn(Setting.SIGNIN_FAILURES_PER_SOURCE, v.get(Setting.SIGNIN_FAILURES_PER_SOURCE), 0,
            1_000_000),
        metricsToken,
        retention,
        limits(v),
        qr(v),
        push(v));
  }

  /** Push approval: the FCM key file (checked when the server starts), URL, devices, matching. */
  private static Config.Push push(Map<Setting, String> v) {
    String file = v.get(Setting.PUSH_FCM_CREDENTIALS).trim();
    String url = v.get(Setting.PUSH_FCM_URL).trim();
    java.net.URI uri;
    try {
      uri = new java.net.URI(url);
    } catch (java.net.URISyntaxException e) {
      throw bad(Setting.PUSH_FCM_URL, url, "must be an http(s) URL");
    }
    if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw bad(Setting.PUSH_FCM_URL, url, "must be an http(s) URL");
    }
    int devices = intIn(Setting.PUSH_DEVICES_PER_USER, v.get(Setting.PUSH_DEVICES_PER_USER), 1,
        100);
    String matching = v.get(Setting.PUSH_MATCHING).trim().toLowerCase(Locale.ROOT);
    if (!matching.equals("type") && !matching.equals("show")) {
      throw bad(Setting.PUSH_MATCHING, v.get(Setting.PUSH_MATCHING), "must be type or show");
    }
    return new Config.Push(file.isEmpty() ? null : java.nio.file.Path.of(file), url, devices,
        matching.equals("show"));
  }

  /** How long a stopping node stays up while its readiness fails: 0 to 60 s. */
  private static Duration drain(Map<Setting, String> v) {
    String raw = v.get(Setting.SHUTDOWN_DRAIN);
    Duration d = duration(Setting.SHUTDOWN_DRAIN, raw);
    if (d.compareTo(Duration.ofSeconds(60)) > 0) {
      throw bad(Setting.SHUTDOWN_DRAIN, raw, "must be between 0s and 60s");
    }
    return d;
  }

  /** QR logins: a lifetime of 30 s to 10 min, and the starts one address may make. */
  private static Config.Qr qr(Map<Setting, String> v) {
    String raw = v.get(Setting.QR_LOGIN_TTL);
    Duration d = duration(Setting.QR_LOGIN_TTL, raw);
    if (d.compareTo(Duration.ofSeconds(30)) < 0 || d.compareTo(Duration.ofMinutes(10)) > 0) {
      throw bad(Setting.QR_LOGIN_TTL, raw, "must be between 30s and 10m");
    }
    long[] starts = rate(Setting.QR_LOGIN_LIMIT, v.get(Setting.QR_LOGIN_LIMIT));
    String location = v.get(Setting.QR_LOCATION_HEADER).trim();
    if (!location.isEmpty() && !location.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}")) {
      throw bad(Setting.QR_LOCATION_HEADER, location, "must be an HTTP header name");
    }
    return new Config.Qr(d, starts[0], Duration.ofSeconds(starts[1]),
        onOff(Setting.QR_DEMO, v.get(Setting.QR_DEMO)), location.isEmpty() ? null : location);
  }

  /** The API limits: rate, keys, concurrency, daily quota and its time zone. */
  private static Config.Limits limits(Map<Setting, String> v) {
    long[] rate = rate(Setting.RATE_LIMIT, v.get(Setting.RATE_LIMIT));
    long[] registrations = rate(Setting.REGISTRATION_LIMIT, v.get(Setting.REGISTRATION_LIMIT));
    java.util.Set<String> keys = new java.util.LinkedHashSet<>();
    for (String k : v.get(Setting.RATE_LIMIT_KEYS).split(",")) {
      String key = k.trim().toLowerCase(Locale.ROOT);
      if (!Config.Limits.KEYS.contains(key)) {
        throw bad(Setting.RATE_LIMIT_KEYS, v.get(Setting.RATE_LIMIT_KEYS),
            "must be a comma list of token, client and ip");
      }
      keys.add(key);
    }
    String rawQuota = v.get(Setting.DAILY_QUOTA).trim();
    long quota;
    try {
      quota = Long.parseLong(rawQuota);
    } catch (NumberFormatException e) {
      throw bad(Setting.DAILY_QUOTA, rawQuota, "is not a number");
    }
    if (quota < 0 || quota > 1_000_000_000_000L) {
      throw bad(Setting.DAILY_QUOTA, rawQuota, "must be between 0 (unlimited) and 10^12");
    }
    java.time.ZoneId zone;
    try {
      zone = java.time.ZoneId.of(v.get(Setting.QUOTA_TIME_ZONE).trim());
    } catch (java.time.DateTimeException e) {
      throw bad(Setting.QUOTA_TIME_ZONE, v.get(Setting.QUOTA_TIME_ZONE),
          "is not a time zone (use an IANA name such as UTC or Europe/Paris)");
    }
    return new Config.Limits(rate[0], Duration.ofSeconds(rate[1]), keys,
        intIn(Setting.CONCURRENCY_LIMIT, v.get(Setting.CONCURRENCY_LIMIT), 0, 100_000), quota,
        zone, registrations[0], Duration.ofSeconds(registrations[1]));
  }

  /** A {@code calls/period} setting or 0: the calls (0: none) and the period in seconds. */
  private static long[] rate(Setting s, String raw) {
    String value = raw.trim();
    if (value.equals("0")) {
      return new long[] {0, 20};
    }
    int slash = value.indexOf('/');
    if (slash < 0) {
      throw bad(s, value, "must be calls/period, such as 100/20s, or 0");
    }
    long calls = intIn(s, value.substring(0, slash), 1, 1_000_000);
    Duration period = duration(s, value.substring(slash + 1));
    if (period.compareTo(Duration.ofSeconds(1)) < 0 || period.compareTo(Duration.ofDays(1)) > 0) {
      throw bad(s, value, "the period must be between 1s and 1d");
    }
    return new long[] {calls, period.toSeconds()};
  }

  /** The personal access token policy; the default lifetime is at most the longest. */
  private static Config.Pats pats(Map<Setting, String> v) {
    Duration max = positive(Setting.PAT_MAX_TTL, v);
    if (max.compareTo(Duration.ofDays(3650)) > 0) {
      throw bad(Setting.PAT_MAX_TTL, v.get(Setting.PAT_MAX_TTL), "must be at most 3650d");
    }
    Duration dflt = positive(Setting.PAT_DEFAULT_TTL, v);
    if (dflt.compareTo(max) > 0) {
      throw bad(Setting.PAT_DEFAULT_TTL, v.get(Setting.PAT_DEFAULT_TTL), "must be at most "
          + Setting.PAT_MAX_TTL.envName() + " (" + v.get(Setting.PAT_MAX_TTL) + ")");
    }
    return new Config.Pats(dflt, max, onOff(Setting.PAT_NO_EXPIRY, v.get(Setting.PAT_NO_EXPIRY)),
        intIn(Setting.PAT_MAX_PER_OWNER, v.get(Setting.PAT_MAX_PER_OWNER), 1, 100_000));
  }

  /**
   * The purge settings. The retention window is at least a day, the longest access token
   * lifetime, so that no access token outlives the session row it is checked against.
   */
  private static Config.Retention retention(Map<Setting, String> v) {
    String rawInterval = v.get(Setting.PURGE_INTERVAL);
    Duration interval = duration(Setting.PURGE_INTERVAL, rawInterval);
    if (!interval.isZero() && (interval.compareTo(Duration.ofMinutes(1)) < 0
        || interval.compareTo(Duration.ofHours(24)) > 0)) {
      throw bad(Setting.PURGE_INTERVAL, rawInterval, "must be 0 (off) or between 1m and 24h");
    }
    String rawWindow = v.get(Setting.PURGE_RETENTION);
    Duration window = duration(Setting.PURGE_RETENTION, rawWindow);
    if (window.compareTo(Duration.ofDays(1)) < 0 || window.compareTo(Duration.ofDays(3650)) > 0) {
      throw bad(Setting.PURGE_RETENTION, rawWindow, "must be between 1d and 3650d (at least "
          + "the longest access token lifetime)");
    }
    return new Config.Retention(interval, window);
  }

  private static String validBaseUrl(String raw) {
    String url = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
    try {
      URI uri = new URI(url);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null) {
        throw bad(Setting.BASE_URL, raw, "must be an absolute http(s) URL without query or fragment");
      }
    } catch (URISyntaxException e) {
      throw bad(Setting.BASE_URL, raw, "is not a valid URL");
    }
    return url;
  }

  private static Duration positive(Setting s, Map<Setting, String> v) {
    Duration d = duration(s, v.get(s));
    if (d.isZero()) {
      throw bad(s, v.get(s), "must be greater than zero");
    }
    return d;
  }

  /** Parses {@code 90s}, {@code 15m}, {@code 1h}, {@code 30d} or an ISO-8601 duration. */
  public static Duration parseDuration(String raw) {
    String s = raw.trim().toLowerCase(Locale.ROOT);
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.startsWith("p")) {
      Duration d = Duration.parse(s.toUpperCase(Locale.ROOT));
      if (d.isNegative()) {
        throw new IllegalArgumentException("negative");
      }
      return d;
    }
    if (s.length() < 2) {
      throw new IllegalArgumentException("no unit");
    }
    long n = Long.parseLong(s.substring(0, s.length() - 1));
    if (n < 0) {
      throw new IllegalArgumentException("negative");
    }
    return switch (s.charAt(s.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      case 'd' -> Duration.ofDays(n);
      default -> throw new IllegalArgumentException("unknown unit");
    };
  }

  private static Duration duration(Setting s, String raw) {
    try {
      return parseDuration(raw);
    } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
      throw bad(s, raw, "is not a duration (use e.g. 90s, 15m, 1h, 30d)");
    } catch (IllegalArgumentException e) {
      throw bad(s, raw, "is not a duration (use e.g. 90s, 15m, 1h, 30d)");
    }
  }

  private static boolean onOff(Setting s, String raw) {
    return switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "on" -> true;
      case "off" -> false;
      default -> throw bad(s, raw, "must be on or off");
    };
  }

  /** A share from 0 to 1 written as a decimal number ({@code 0.25}), not a percentage. */
  private static double share(Setting s, String raw) {
    String t = raw.trim();
    if (!t.matches("(0|1)(\\.[0-9]{1,6})?|\\.[0-9]{1,6}")) {
      throw bad(s, raw, "must be a number from 0 to 1, such as 0.1 for one in ten");
    }
    double d = Double.parseDouble(t);
    if (d > 1) {
      throw bad(s, raw, "must be a number from 0 to 1, such as 0.1 for one in ten");
    }
    return d;
  }

  private static int intIn(Setting s, String raw, int min, int max) {
    try {
      int n = Integer.parseInt(raw.trim());
      if (n < min || n > max) {
        throw bad(s, raw, "must be between " + min + " and " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw bad(s, raw, "is not a number");
    }
  }

  private static ConfigException bad(Setting s, String value, String why) {
    // A JDBC URL may carry credentials (user:password@ or ?password=), so it is not echoed either.
    boolean secret = s == Setting.MASTER_KEY || s == Setting.DB_PASSWORD
        || s == Setting.BOOTSTRAP_ADMIN_PASSWORD || s == Setting.DB_URL
        || s == Setting.METRICS_TOKEN;
    return new ConfigException(s.envName() + (secret ? "" : "='" + printable(value) + "'") + ": "
        + why);
  }

  /** A value quoted in a message, its control characters as '?', so the message is one line. */
  private static String printable(String value) {
    StringBuilder b = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return b.toString();
  }
}
