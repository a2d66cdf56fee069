package dev.jeton.observe;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** The end of logging in a process that is about to exit. */
public final class Logging {
  private Logging() {}

  /**
   * Writes out every line still queued ({@link StdoutAppender} writes from a thread of its own)
   * and stops logging. The last thing a command or a stopping server does: logback's own
   * shutdown hook would run beside the server's and could stop logging before the server has
   * said it stopped.
   */
  public static void stop() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop();
    }
  }
}
