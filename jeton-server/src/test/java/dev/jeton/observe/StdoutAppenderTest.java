package dev.jeton.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The log writer under overload: with the writer stuck, access lines are dropped and counted
 * instead of making the logging thread wait, the drop is reported once the writer is free, and
 * an audit line waits for room and is written, never dropped.
 */
class StdoutAppenderTest {
  final LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
  final CountDownLatch release = new CountDownLatch(1);
  final CountDownLatch writing = new CountDownLatch(1);
  final ByteArrayOutputStream written = new ByteArrayOutputStream();
  StdoutAppender appender;

  /** An output that blocks its first write until released, like a full pipe. */
  final OutputStream stuck = new OutputStream() {
    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      writing.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      written.write(b, off, len);
    }
  };

  @BeforeEach
  void start() {
    JsonLogEncoder encoder = new JsonLogEncoder();
    encoder.setContext(ctx);
    encoder.start();
    appender = new StdoutAppender();
    appender.setContext(ctx);
    appender.setEncoder(encoder);
    appender.setQueueSize(4);
    appender.setTarget(new PrintStream(stuck, false, StandardCharsets.UTF_8));
    appender.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    appender.stop();
  }

  private LoggingEvent event(String logger, String msg) {
    Logger l = ctx.getLogger(logger);
    return new LoggingEvent(Logger.class.getName(), l, Level.INFO, msg, null, null);
  }

  @Test
  void appendWhenWriterStuckThenAccessLinesDroppedAndCountedAuditLinesWait() throws Exception {
    appender.doAppend(event(AccessLog.LOGGER, "first"));
    assertThat(writing.await(5, TimeUnit.SECONDS)).as("the writer took the first line").isTrue();
    for (int i = 0; i < 4; i++) {
      appender.doAppend(event(AccessLog.LOGGER, "queued " + i)); // fills the queue of 4
    }
    long before = StdoutAppender.shedAccessLines();
    // each returns at once instead of waiting for the stuck writer
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      for (int i = 0; i < 10; i++) {
        appender.doAppend(event(AccessLog.LOGGER, "dropped " + i));
      }
    });
    assertThat(StdoutAppender.shedAccessLines() - before).isEqualTo(10);

    CompletableFuture<Void> audit = CompletableFuture.runAsync(
        () -> appender.doAppend(event("jeton.audit", "kept")));
    Thread.sleep(200);
    assertThat(audit).as("an audit line waits for room instead of being dropped").isNotDone();

    release.countDown();
    audit.get(5, TimeUnit.SECONDS);
    String out = waitFor("\"msg\":\"kept\"", Duration.ofSeconds(5));
    assertThat(out).contains("\"msg\":\"first\"", "\"msg\":\"queued 3\"")
        .doesNotContain("\"msg\":\"dropped ");
    assertThat(out).contains("access log lines dropped").contains("\"dropped\":10");
  }

  private String waitFor(String text, Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < end) {
      String s;
      synchronized (stuck) {
        s = written.toString(StandardCharsets.UTF_8);
      }
      if (s.contains(text)) {
        return s;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("not written within " + max + ": " + text);
  }
}
