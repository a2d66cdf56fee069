package dev.jeton.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code jeton serve} in a JVM of its own, started from the test classpath with {@code JETON_*}
 * environment variables only, as an operator starts it. Standard output and error go to a log
 * file. {@link #kill()} ends it with SIGKILL (no shutdown hook runs), {@link #stop()} with
 * SIGTERM (the graceful shutdown of docs/operations.md#shutdown).
 */
public final class JetonProcess {
  /** The log line of a server that is serving. */
  public static final String READY_LINE = "Jeton ready";
  /** The last log line of a graceful shutdown ({@code App.close}, run by the shutdown hook). */
  public static final String STOPPED_LINE = "Jeton stopped";
  /** Exit status of a process ended by SIGKILL, as {@link Process#exitValue()} reports it. */
  public static final int SIGKILL_EXIT = 128 + 9;
  /**
   * A small heap, one GC thread and the quick compiler only (it halves the start on two busy
   * cores; Argon2 runs slower): several of these run on two shared cores.
   */
  private static final List<String> JVM_FLAGS = List.of("-Xms32m", "-Xmx256m",
      "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");

  private final Process process;
  private final Path log;
  private final String base;

  private JetonProcess(Process process, Path log, String base) {
    this.process = process;
    this.log = log;
    this.base = base;
  }

  /**
   * The settings of a server on SQLite in {@code dataDir}, listening on 127.0.0.1:{@code port}
   * with that address as its base URL, stopping within 2 s; a map to add to.
   */
  public static Map<String, String> sqliteSettings(int port, Path dataDir) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put("JETON_HTTP_HOST", "127.0.0.1");
    env.put("JETON_HTTP_PORT", Integer.toString(port));
    env.put("JETON_BASE_URL", "http://127.0.0.1:" + port);
    env.put("JETON_DATA_DIR", dataDir.toString());
    env.put("JETON_SHUTDOWN_TIMEOUT", "2s");
    return env;
  }

  /**
   * Starts {@code dev.jeton.Main serve} with exactly the given {@code JETON_*} settings (any the
   * test JVM inherited are removed), writing its output to {@code log}; answers once
   * {@code /health/ready} answers 200 on {@code base}.
   */
  public static JetonProcess start(Map<String, String> settings, String base, Path log,
      Duration readyWithin) {
    Process p = launch(settings, log, "serve");
    JetonProcess jp = new JetonProcess(p, log, base);
    jp.awaitReady(readyWithin);
    return jp;
  }

  /**
   * Runs an admin command ({@code dev.jeton.Main args...}, such as {@code rotate-keys}) to its end
   * with exactly the given {@code JETON_*} settings, its output to {@code log}; answers its exit
   * status (an AssertionError when it has not ended within {@code within}).
   */
  public static int command(Map<String, String> settings, Path log, Duration within,
      String... args) {
    Process p = launch(settings, log, args);
    try {
      if (!p.waitFor(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", args) + " did not end within " + within);
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code java dev.jeton.Main args...} with exactly {@code settings}, its output to {@code log}. */
  private static Process launch(Map<String, String> settings, Path log, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.add("-cp");
    command.add(classPath());
    command.add("dev.jeton.Main");
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("JETON_"));
    pb.environment().putAll(settings);
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.get(0), e);
    }
  }

  /**
   * The classpath of the tests: Surefire's forked JVM runs from a manifest-only jar and names the
   * real path in {@code surefire.test.class.path}; elsewhere (an IDE) it is the JVM's own.
   */
  static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }

  private void awaitReady(Duration within) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest ready = HttpRequest.newBuilder(URI.create(base + "/health/ready"))
        .timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("jeton serve exited with " + process.exitValue()
            + " before it was ready; its log:\n" + log());
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(100);
    }
    process.destroyForcibly();
    throw new AssertionError("jeton serve was not ready within " + within + "; its log:\n"
        + log());
  }

  /** Ends the process with SIGKILL and waits for it; answers its exit status. */
  public int kill() {
    return end(process.destroyForcibly());
  }

  /** Ends the process with SIGTERM (graceful shutdown) and waits for it; its exit status. */
  public int stop() {
    process.destroy();
    return end(process);
  }

  private int end(Process p) {
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("jeton serve did not end within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return p.exitValue();
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the process wrote so far. */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A port free on 127.0.0.1 now, below the usual ephemeral range (32768 and up), so that no
   * outgoing connection takes it while a killed server is down and the next one binds it again.
   */
  public static int freePort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32000 on 127.0.0.1");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
