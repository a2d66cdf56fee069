package dev.jeton;

import dev.jeton.testing.Cli;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.config.Setting;
import dev.jeton.error.ErrorCatalogDoc;
import dev.jeton.testing.Scratch;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The command line: documentation commands and configuration errors. */
class CliTest {
  @Test
  void errorsWhenRunThenPrintsTheGeneratedCatalog() {
    Cli.Run r = Cli.run("errors");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo(ErrorCatalogDoc.markdown());
  }

  @Test
  void settingsWhenRunThenEverySettingListed() {
    Cli.Run r = Cli.run("settings");
    assertThat(r.exit()).isZero();
    for (Setting s : Setting.values()) {
      assertThat(r.out()).contains("`" + s.envName() + "`").contains("`" + s.fileKey() + "`");
    }
  }

  @Test
  void setupLinkWhenConfigInvalidThenOneLineErrorAndExitTwo() throws Exception {
    Path file = Files.createTempFile("jeton", ".properties");
    Files.writeString(file, "http.port=eighty\n");
    Cli.Run r = Cli.run("--config", file.toString(), "setup-link");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).startsWith("jeton: configuration error: JETON_HTTP_PORT")
        .doesNotContain("\n").doesNotContain("Exception");
  }

  @Test
  void setupLinkAndRotateKeysWhenConfiguredThenTheyRunAgainstTheDatabase() throws Exception {
    Path dir = Scratch.dir("jeton-cli");
    Path file = dir.resolve("jeton.properties");
    Files.writeString(file, "data.dir=" + dir + "\nbase.url=http://jeton.example.com\n");
    Cli.Run r = Cli.run("--config", file.toString(), "setup-link");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip())
        .matches("http://jeton\\.example\\.com/accounts/main/setup\\?token=jeton_st_[0-9A-Za-z]{36}");
    Cli.Run again = Cli.run("--config", file.toString(), "rotate-keys");
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("rotated signing keys of main");
    // the next key was created with the account moments ago: it signs only once published for
    // 330 s (docs/operations.md#signing-keys), and the command says from when
    String time = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";
    assertThat(again.out()).containsPattern("the new key signs from " + time
        + ", once it has been published for 330 s \\(since " + time + "\\)");
  }
}
