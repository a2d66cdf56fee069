package dev.jeton.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per log line: {@code ts} (UTC), {@code level}, {@code logger}, {@code msg},
 * {@code request_id} when inside a request, the event's key/value pairs, and the exception with
 * its stack for errors.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
  private static final byte[] EMPTY = new byte[0];

  @Override
  public byte[] headerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] footerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] encode(ILoggingEvent e) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"ts\":\"").append(Instant.ofEpochMilli(e.getTimeStamp())).append('"');
    field(b, "level", e.getLevel().toString());
    field(b, "logger", e.getLoggerName());
    field(b, "msg", e.getFormattedMessage());
    Map<String, String> mdc = e.getMDCPropertyMap();
    if (mdc != null) {
      for (Map.Entry<String, String> m : mdc.entrySet()) {
        field(b, m.getKey(), m.getValue());
      }
    }
    if (e.getKeyValuePairs() != null) {
      for (KeyValuePair kv : e.getKeyValuePairs()) {
        if (kv.value instanceof Number || kv.value instanceof Boolean) {
          b.append(",\"");
          escape(b, kv.key);
          b.append("\":").append(kv.value);
        } else {
          field(b, kv.key, String.valueOf(kv.value));
        }
      }
    }
    IThrowableProxy t = e.getThrowableProxy();
    if (t != null) {
      field(b, "error", t.getClassName() + ": " + t.getMessage());
      if (e.getLevel().isGreaterOrEqual(Level.ERROR)) {
        StringBuilder stack = new StringBuilder();
        for (IThrowableProxy c = t; c != null; c = c.getCause()) {
          if (c != t) {
            stack.append("caused by ").append(c.getClassName()).append(": ")
                .append(c.getMessage()).append('\n');
          }
          for (StackTraceElementProxy s : c.getStackTraceElementProxyArray()) {
            stack.append("  at ").append(s.getStackTraceElement()).append('\n');
          }
        }
        field(b, "stack", stack.toString());
      }
    }
    b.append("}\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void field(StringBuilder b, String key, String value) {
    b.append(",\"");
    escape(b, key);
    b.append("\":\"");
    escape(b, value == null ? "" : value);
    b.append('"');
  }

  private static void escape(StringBuilder b, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
  }
}
