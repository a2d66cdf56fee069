package dev.jeton.observe;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The audit trail of security events (ASVS 16.3): sign-ins and failures, refresh-token reuse,
 * revocations, password changes, account changes and key rotations. Written as structured log
 * lines on the {@code jeton.audit} logger; never carries a secret, only ids and fingerprints.
 */
public final class Audit {
  private static final Logger LOG = LoggerFactory.getLogger("jeton.audit");

  private Audit() {}

  /** Records an event with alternating key/value pairs. */
  public static void event(String event, Object... keyValues) {
    LoggingEventBuilder b = LOG.atInfo().addKeyValue("event", event);
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      b = b.addKeyValue(String.valueOf(keyValues[i]), keyValues[i + 1]);
    }
    b.log(event);
  }
}
