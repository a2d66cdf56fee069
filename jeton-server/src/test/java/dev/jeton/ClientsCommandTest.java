package dev.jeton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.jeton.client.ClientAuthenticator;
import dev.jeton.config.Config;
import dev.jeton.config.ConfigLoader;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.testing.Databases;
import dev.jeton.testing.Engine;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.token.OpaqueTokens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code jeton clients create|list|rotate-secret|delete} against a real database of each engine:
 * the printed id and secret authenticate, the secret is stored only hashed, bad settings stop with
 * the field named, a rotated secret replaces the old one, a deleted client is gone; help works at
 * every level, and an admin command does not log that Jeton stopped.
 */
@OnBothEngines
class ClientsCommandTest {
  private record Run(int exit, String out, String err) {}

  Path file;

  @BeforeEach
  void configure(Engine engine) throws Exception {
    // Start logging before System.out is swapped, so log lines never land in a captured stream.
    org.slf4j.LoggerFactory.getILoggerFactory();
    Path dir = Files.createTempDirectory("jeton-cli");
    Config.Db db = Databases.create(engine, dir);
    file = dir.resolve("jeton.properties");
    Files.writeString(file, "data.dir=" + dir + "\nbase.url=http://jeton.example.com\n"
        + "db.url=" + db.url() + "\n" + (db.user().isEmpty() ? "" : "db.user=" + db.user() + "\n"));
  }

  private static Run run(String... args) {
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

  private static String field(String out, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + ": (\\S+)$").matcher(out);
    assertThat(m.find()).as("%s in %s", name, out).isTrue();
    return m.group(1);
  }

  @Test
  void clientsCreateWhenConfidentialThenPrintsIdAndSecretThatAuthenticate() {
    Run r = run("--config", file.toString(), "clients", "create", "--account", "main",
        "--name", "Reports job", "--type", "confidential", "--grant-type", "client_credentials",
        "--scope", "reports:read", "--scope", "reports:write");
    assertThat(r.exit()).as(r.err()).isZero();
    String id = field(r.out(), "client_id");
    String secret = field(r.out(), "client_secret");
    assertThat(id).matches("cli_[0-9A-Za-z]{22}");
    assertThat(secret).startsWith("jeton_cs_");

    try (App app = new App(ConfigLoader.load(file, Map.of())).prepare()) {
      ClientAuthenticator.Authenticated a = app.clientAuthenticator()
          .authenticate("main", null, id, secret);
      assertThat(a.client().spec().name()).isEqualTo("Reports job");
      assertThat(a.client().spec().scopes()).containsExactly("reports:read", "reports:write");
      String stored = app.database().jdbi().withHandle(h -> h.createQuery(
          "SELECT secret_hash FROM clients WHERE client_id = :id").bind("id", id)
          .mapTo(String.class).one());
      assertThat(stored).isEqualTo(OpaqueTokens.hash(secret));
    }
  }

  @Test
  void clientsCreateWhenPublicThenNoSecretPrinted() {
    Run r = run("--config", file.toString(), "clients", "create", "--name", "Phone",
        "--type", "public", "--redirect-uri", "com.example.app:/cb");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(field(r.out(), "client_id")).startsWith("cli_");
    assertThat(r.out()).doesNotContain("client_secret").doesNotContain("jeton_cs_");
  }

  @Test
  void clientsCreateWhenRulesBrokenThenFieldsNamedAndExitOne() {
    Run r = run("--config", file.toString(), "clients", "create", "--name", "Bad",
        "--type", "public", "--grant-type", "password", "--redirect-uri", "http://evil.example/");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("validation_failed").contains("grant_types[0]")
        .contains("redirect_uris[0]").doesNotContain("Exception");
    assertThat(r.out()).doesNotContain("client_id");
  }

  @Test
  void clientsHelpWhenAskedAtEveryLevelThenUsageAndExitZero() {
    Run clients = run("clients", "--help");
    assertThat(clients.exit()).as(clients.err()).isZero();
    assertThat(clients.out()).contains("create").contains("list").contains("rotate-secret")
        .contains("delete");
    for (String sub : new String[] {"create", "list", "rotate-secret", "delete"}) {
      Run r = run("clients", sub, "--help");
      assertThat(r.exit()).as(sub + ": " + r.err()).isZero();
      assertThat(r.out()).as(sub).contains("Usage: jeton clients " + sub);
    }
    Run none = run("clients");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("subcommand");
  }

  @Test
  void clientsListRotateDeleteWhenRunThenTheyActOnTheAccountsClients() {
    Run created = run("--config", file.toString(), "clients", "create", "--name", "Nightly job",
        "--type", "confidential", "--grant-type", "client_credentials");
    String id = field(created.out(), "client_id");
    String oldSecret = field(created.out(), "client_secret");
    Run phone = run("--config", file.toString(), "clients", "create", "--name", "Phone",
        "--type", "public", "--redirect-uri", "com.example.app:/cb");
    String phoneId = field(phone.out(), "client_id");

    Run list = run("--config", file.toString(), "clients", "list");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out().lines()).containsExactlyInAnyOrder(
        id + "\tconfidential\tclient_credentials\tNightly job",
        phoneId + "\tpublic\tauthorization_code\tPhone");
    assertThat(list.out()).doesNotContain("jeton_cs_");

    Run rotated = run("--config", file.toString(), "clients", "rotate-secret", id);
    assertThat(rotated.exit()).as(rotated.err()).isZero();
    String newSecret = field(rotated.out(), "client_secret");
    assertThat(newSecret).startsWith("jeton_cs_").isNotEqualTo(oldSecret);
    try (App app = new App(ConfigLoader.load(file, Map.of())).prepare()) {
      assertThat(app.clientAuthenticator().authenticate("main", null, id, newSecret).client()
          .clientId()).isEqualTo(id);
      assertThatThrownBy(() -> app.clientAuthenticator().authenticate("main", null, id,
          oldSecret)).isInstanceOfSatisfying(ApiException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CLIENT));
    }
    Run publicRotate = run("--config", file.toString(), "clients", "rotate-secret", phoneId);
    assertThat(publicRotate.exit()).isEqualTo(1);
    assertThat(publicRotate.err()).contains("client_has_no_secret");

    Run deleted = run("--config", file.toString(), "clients", "delete", id);
    assertThat(deleted.exit()).as(deleted.err()).isZero();
    assertThat(deleted.out()).contains("deleted " + id);
    assertThat(run("--config", file.toString(), "clients", "list").out()).doesNotContain(id)
        .contains(phoneId);
    Run again = run("--config", file.toString(), "clients", "delete", id);
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("client_not_found");
    Run otherAccount = run("--config", file.toString(), "clients", "list", "--account", "nope");
    assertThat(otherAccount.exit()).isEqualTo(1);
    assertThat(otherAccount.err()).contains("account_not_found");
  }

  @Test
  void adminCommandWhenRunThenDoesNotLogThatJetonStopped() {
    // "Jeton stopped" reads as if the running server stopped: only the server says it
    Logger appLog = (Logger) LoggerFactory.getLogger(App.class);
    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.start();
    appLog.addAppender(seen);
    try {
      assertThat(run("--config", file.toString(), "clients", "list").exit()).isZero();
      assertThat(run("--config", file.toString(), "rotate-keys").exit()).isZero();
      assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage)
          .doesNotContain("Jeton stopped");
      Config config = ConfigLoader.load(file, Map.of("JETON_HTTP_PORT", "0"));
      new App(config).start().close();
      assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage)
          .contains("Jeton stopped");
    } finally {
      appLog.detachAppender(seen);
    }
  }

  @Test
  void clientsCreateWhenAccountUnknownOrTypeWrongThenRefused() {
    Run unknown = run("--config", file.toString(), "clients", "create", "--account", "nope",
        "--name", "X", "--type", "confidential", "--grant-type", "client_credentials");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("account_not_found");
    Run type = run("--config", file.toString(), "clients", "create", "--name", "X",
        "--type", "secret");
    assertThat(type.exit()).isEqualTo(2);
    assertThat(type.err()).contains("confidential");
  }
}
