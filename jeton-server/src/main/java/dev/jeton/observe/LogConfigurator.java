package dev.jeton.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Jeton's logging, set up in code (found by logback as a service): one {@link StdoutAppender} on
 * the root logger, JSON lines or text as {@code jeton.log.format} says, libraries at WARN. Code
 * instead of a {@code logback.xml} spares every start the XML parser and logback's configuration
 * interpreter. A file named by {@code -Dlogback.configurationFile} still replaces all of this.
 *
 * <p>No logback shutdown hook is installed: {@link Logging#stop()} ends logging after the
 * server's own shutdown is done, so its last lines are written.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
  static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level"
      + " [%X{request_id:-}] %logger{20} %msg %kvp%n%ex{short}";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY; // the operator's own file
    }
    Encoder<ILoggingEvent> encoder;
    if ("text".equals(System.getProperty("jeton.log.format"))) {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(TEXT_PATTERN);
      encoder = text;
    } else {
      encoder = new JsonLogEncoder();
    }
    encoder.setContext(context);
    encoder.start();
    StdoutAppender appender = new StdoutAppender();
    appender.setName("stdout");
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.start();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(appender);
    for (String library : new String[] {"org.eclipse.jetty", "io.javalin", "com.zaxxer.hikari",
        "org.flywaydb"}) {
      context.getLogger(library).setLevel(Level.WARN);
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
