package dev.jeton.observe;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log (logger {@code jeton.access}): one line per request with its method, path,
 * status, duration and client address, the request id coming from the logging context. It can be
 * turned off, and successful requests sampled; a refused or failed request (status 400 and above)
 * is always written while it is on. Under overload the writer sheds access lines rather than make
 * requests wait ({@link StdoutAppender}); the audit log is never shed.
 */
public final class AccessLog {
  /** The logger of access lines; {@link StdoutAppender} may shed its lines, no others. */
  public static final String LOGGER = "jeton.access";
  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  private final boolean enabled;
  private final double sample;

  /**
   * @param enabled whether any line is written
   * @param sample the share of successful requests written, 0 to 1
   */
  public AccessLog(boolean enabled, double sample) {
    if (sample < 0 || sample > 1) {
      throw new IllegalArgumentException("sample must be within 0 and 1: " + sample);
    }
    this.enabled = enabled;
    this.sample = sample;
  }

  /** What of a Jeton secret in a path is kept in the log: its prefix, up to the kind. */
  private static final Pattern SECRET = Pattern.compile("(jeton_[a-z]{2,3}_)[0-9A-Za-z]+");

  /**
   * The path with every Jeton secret in it cut to its prefix ({@code jeton_qr_…}): the phone's
   * page of a QR login has the login's secret in its path (docs/security.md#no-secrets-in-logs).
   */
  static String redact(String path) {
    return path == null || !path.contains("jeton_") ? path
        : SECRET.matcher(path).replaceAll("$1\u2026");
  }

  /** Whether a request that ended with {@code status} is written. */
  public boolean wants(int status) {
    return enabled && (status >= 400 || sample >= 1
        || (sample > 0 && ThreadLocalRandom.current().nextDouble() < sample));
  }

  /** Writes one request's line; call only after {@link #wants} said yes. */
  public void write(String method, String path, int status, long nanos, String ip) {
    LOG.atInfo()
        .addKeyValue("method", method)
        .addKeyValue("path", redact(path))
        .addKeyValue("status", status)
        .addKeyValue("duration_ms", nanos / 1_000_000.0)
        .addKeyValue("ip", ip)
        .log("request");
  }
}
