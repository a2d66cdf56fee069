package dev.jeton;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.config.Setting;
import dev.jeton.error.ErrorCatalogDoc;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line: documentation commands and configuration errors. */
class CliTest {
  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
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

  @Test
  void errorsWhenRunThenPrintsTheGeneratedCatalog() {
    Run r = run("errors");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo(ErrorCatalogDoc.markdown());
  }

  @Test
  void settingsWhenRunThenEverySettingListed() {
    Run r = run("settings");
    assertThat(r.exit()).isZero();
    for (Setting s : Setting.values()) {
      assertThat(r.out()).contains("`" + s.envName() + "`").contains("`" + s.fileKey() + "`");
    }
  }

  @Test
  void setupLinkWhenConfigInvalidThenOneLineErrorAndExitTwo() throws Exception {
    Path file = Files.createTempFile("jeton", ".properties");
    Files.writeString(file, "http.port=eighty\n");
    Run r = run("--config", file.toString(), "setup-link");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).startsWith("jeton: configuration error: JETON_HTTP_PORT")
        .doesNotContain("\n").doesNotContain("Exception");
  }

  @Test
  void setupLinkAndRotateKeysWhenConfiguredThenTheyRunAgainstTheDatabase() throws Exception {
    Path dir = Files.createTempDirectory("jeton-cli");
    Path file = dir.resolve("jeton.properties");
    Files.writeString(file, "data.dir=" + dir + "\nbase.url=http://jeton.example.com\n");
    Run r = run("--config", file.toString(), "setup-link");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip())
        .matches("http://jeton\\.example\\.com/accounts/main/setup\\?token=jeton_st_[0-9A-Za-z]{36}");
    Run again = run("--config", file.toString(), "rotate-keys");
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("rotated signing keys of main");
  }
}
