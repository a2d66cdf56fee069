package dev.jeton.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
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

/**
 * Writes log lines to standard output from one background thread, in batches: the thread takes
 * every line waiting, encodes them, and writes and flushes them with one system call. Under load
 * that is one write for many lines; when idle every line is flushed at once. Request threads only
 * enqueue; when the queue is full they wait (lines are never dropped).
 */
public final class StdoutAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  private static final int MAX_BATCH = 1024;

  private Encoder<ILoggingEvent> encoder;
  private int queueSize = 16_384;
  private BlockingQueue<ILoggingEvent> queue;
  private Thread worker;
  private volatile boolean stopping;

  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  public void setQueueSize(int queueSize) {
    this.queueSize = queueSize;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("no encoder for " + getName());
      return;
    }
    queue = new ArrayBlockingQueue<>(queueSize);
    PrintStream out = System.out;
    worker = new Thread(() -> drain(out), "jeton-log-writer");
    worker.setDaemon(true);
    worker.start();
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing();
    try {
      queue.put(event);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void drain(PrintStream out) {
    List<ILoggingEvent> batch = new ArrayList<>(MAX_BATCH);
    ByteArrayOutputStream buf = new ByteArrayOutputStream(64 * 1024);
    while (!stopping || !queue.isEmpty()) {
      try {
        ILoggingEvent first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        for (ILoggingEvent e : batch) {
          buf.write(encoder.encode(e));
        }
        buf.writeTo(out);
        out.flush();
      } catch (InterruptedException e) {
        stopping = true;
      } catch (IOException | RuntimeException e) {
        addError("log write failed", e);
      } finally {
        batch.clear();
        buf.reset();
      }
    }
  }

  @Override
  public void stop() {
    stopping = true;
    if (worker != null) {
      try {
        worker.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    super.stop();
  }
}
