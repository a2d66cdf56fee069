package dev.jeton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Runs the {@code jeton} command line in process, capturing what it prints. */
public final class Cli {
  private Cli() {}

  /** A finished command: its exit status and what it wrote to standard output and error. */
  public record Run(int exit, String out, String err) {}

  public static Run run(String... args) {
    // Start logging before System.out is swapped, so log lines never land in a captured stream.
    org.slf4j.LoggerFactory.getILoggerFactory();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = new CommandLine(new Main()).execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** The value of a {@code name: value} line a command printed. */
  public static String field(String out, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + ": (\\S+)$").matcher(out);
    assertThat(m.find()).as("%s in %s", name, out).isTrue();
    return m.group(1);
  }
}
