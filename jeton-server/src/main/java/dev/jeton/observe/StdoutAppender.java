package dev.jeton.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * Writes log lines to standard output from one background thread, in batches: every
 * {@value #FLUSH_EVERY_MS} ms (at once again while a whole batch was waiting) the thread takes
 * every line waiting, encodes them, and writes and flushes them with one system call. Request
 * threads only enqueue, and never wake the writer: a writer waiting for the next line was woken
 * line after line, which cost the cheapest endpoints about a fifth of their throughput on two
 * cores (docs/performance.md#access-log). When the queue is full, an access line
 * ({@link AccessLog#LOGGER}) is dropped and counted rather than make the request wait, and the
 * writer says how many it dropped (at most every ten seconds, and in the
 * {@code jeton_access_log_shed_total} metric); every other line (audit events, errors) waits for
 * room and is never dropped.
 */
public final class StdoutAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  private static final int MAX_BATCH = 1024;
  /** How long lines may wait to be written; the writer's sleep between batches. */
  static final long FLUSH_EVERY_MS = 10;
  private static final long REPORT_EVERY_MS = 10_000;
  private static final AtomicLong SHED = new AtomicLong();

  private Encoder<ILoggingEvent> encoder;
  private int queueSize = 16_384;
  private BlockingQueue<ILoggingEvent> queue;
  private Thread worker;
  private volatile boolean stopping;
  private PrintStream target;

  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  public void setQueueSize(int queueSize) {
    this.queueSize = queueSize;
  }

  /** Where lines go instead of standard output (tests). */
  void setTarget(PrintStream target) {
    this.target = target;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("no encoder for " + getName());
      return;
    }
    queue = new ArrayBlockingQueue<>(queueSize);
    PrintStream out = target != null ? target : System.out;
    worker = new Thread(() -> drain(out), "jeton-log-writer");
    worker.setDaemon(true);
    worker.start();
    super.start();
  }

  /** Access lines dropped since the process started because the writer was behind. */
  public static long shedAccessLines() {
    return SHED.get();
  }

  @Override
  protected void append(ILoggingEvent event) {
    boolean sheddable = AccessLog.LOGGER.equals(event.getLoggerName());
    if (sheddable && queue.remainingCapacity() == 0) {
      SHED.incrementAndGet();
      return;
    }
    event.prepareForDeferredProcessing();
    if (sheddable) {
      if (!queue.offer(event)) {
        SHED.incrementAndGet();
      }
      return;
    }
    try {
      queue.put(event);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void drain(PrintStream out) {
    List<ILoggingEvent> batch = new ArrayList<>(MAX_BATCH);
    ByteArrayOutputStream buf = new ByteArrayOutputStream(64 * 1024);
    long reported = SHED.get();
    long reportedAt = 0;
    while (!stopping || !queue.isEmpty()) {
      int taken = 0;
      try {
        taken = queue.drainTo(batch, MAX_BATCH);
        long shed = SHED.get();
        long now = System.currentTimeMillis();
        if (shed != reported && now - reportedAt >= REPORT_EVERY_MS) {
          batch.add(shedReport(shed - reported, shed));
          reported = shed;
          reportedAt = now;
        }
        if (!batch.isEmpty()) {
          for (ILoggingEvent e : batch) {
            buf.write(encoder.encode(e));
          }
          buf.writeTo(out);
          out.flush();
        }
      } catch (IOException | RuntimeException e) {
        addError("log write failed", e);
      } finally {
        batch.clear();
        buf.reset();
      }
      if (taken < MAX_BATCH && !stopping) {
        // less than a whole batch was waiting: let lines gather (a full one goes on at once)
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(FLUSH_EVERY_MS));
        if (Thread.interrupted()) {
          stopping = true;
        }
      }
    }
  }

  /** The writer's own line about dropped access lines; it never goes through the queue. */
  private static ILoggingEvent shedReport(long since, long total) {
    Logger logger = (Logger) LoggerFactory.getLogger(StdoutAppender.class);
    LoggingEvent e = new LoggingEvent(Logger.class.getName(), logger, Level.WARN,
        "access log lines dropped: the log writer could not keep up", null, null);
    e.addKeyValuePair(new KeyValuePair("dropped", since));
    e.addKeyValuePair(new KeyValuePair("dropped_since_start", total));
    e.prepareForDeferredProcessing();
    return e;
  }

  @Override
  public void stop() {
    stopping = true;
    if (worker != null) {
      LockSupport.unpark(worker);
      try {
        worker.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    super.stop();
  }
}
