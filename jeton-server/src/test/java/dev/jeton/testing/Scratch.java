package dev.jeton.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Temporary directories for tests that manage a directory's lifetime themselves (a server started
 * and stopped by hand, a database shared by several apps): each is removed with everything in it
 * when the test JVM exits, so that no run leaves directories in the temporary folder. Tests with
 * a directory per test method use JUnit's {@code @TempDir} instead.
 */
public final class Scratch {
  private static final Queue<Path> MADE = new ConcurrentLinkedQueue<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> MADE.forEach(Scratch::delete),
        "jeton-scratch-cleanup"));
  }

  private Scratch() {}

  /** A new empty directory in the temporary folder, named {@code prefix} plus random digits. */
  public static Path dir(String prefix) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      MADE.add(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code dir} and everything in it, as far as it can (best effort). */
  public static void delete(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // already gone, or partly: what is left is in the temporary folder
    }
  }
}
