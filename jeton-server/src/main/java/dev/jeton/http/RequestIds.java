package dev.jeton.http;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Request ids: a well-formed {@code X-Request-Id} (or {@code X-Correlation-Id}) from the client is
 * kept, anything else is replaced by a fresh random id.
 */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  public static final String CORRELATION_HEADER = "X-Correlation-Id";
  public static final String ATTRIBUTE = "jeton.request_id";
  private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:+=/-]{1,128}");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  /** The id to use given the two client headers (either may be null). */
  public static String choose(String requestId, String correlationId) {
    if (requestId != null && WELL_FORMED.matcher(requestId).matches()) {
      return requestId;
    }
    if (correlationId != null && WELL_FORMED.matcher(correlationId).matches()) {
      return correlationId;
    }
    // Request ids identify, they do not authorise: a fast non-cryptographic generator suffices.
    byte[] b = new byte[12];
    ThreadLocalRandom.current().nextBytes(b);
    char[] out = new char[24];
    for (int i = 0; i < b.length; i++) {
      out[2 * i] = HEX[(b[i] >> 4) & 0xF];
      out[2 * i + 1] = HEX[b[i] & 0xF];
    }
    return new String(out);
  }
}
