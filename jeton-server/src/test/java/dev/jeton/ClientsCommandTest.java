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
import dev.jeton.testing.Cli;
import dev.jeton.testing.Databases;
import dev.jeton.testing.Engine;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Scratch;
import dev.jeton.token.OpaqueTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code jeton clients create|list|rotate-secret|delete} against a real database of each engine:
 * the printed id and secret authenticate, the secret is stored only hashed, bad settings stop with
 * the field named, a rotated secret replaces the old one, a deleted client is gone; help works at
 * every level, and an admin command does not log that Jeton stopped.
 */
@OnBothEngines
class ClientsCommandTest {
  Path file;

  @BeforeEach
  void configure(Engine engine) throws Exception {
    // Start logging before System.out is swapped, so log lines never land in a captured stream.
    org.slf4j.LoggerFactory.getILoggerFactory();
    Path dir = Scratch.dir("jeton-cli");
    Config.Db db = Databases.create(engine, dir);
    file = dir.resolve("jeton.properties");
    Files.writeString(file, "data.dir=" + dir + "\nbase.url=http://jeton.example.com\n"
        + "db.url=" + db.url() + "\n" + (db.user().isEmpty() ? "" : "db.user=" + db.user() + "\n"));
  }

  @Test
  void clientsCreateWhenConfidentialThenPrintsIdAndSecretThatAuthenticate() {
    Cli.Run r = Cli.run("--config", file.toString(), "clients", "create", "--account", "main",
        "--name", "Reports job", "--type", "confidential", "--grant-type", "client_credentials",
        "--scope", "reports:read", "--scope", "reports:write");
    assertThat(r.exit()).as(r.err()).isZero();
    String id = Cli.field(r.out(), "client_id");
    String secret = Cli.field(r.out(), "client_secret");
    assertThat(id).matches("cli_[0-9A-Za-z]{22}");
    assertThat(secret).startsWith("jeton_cs_");

    try (App app = new App(ConfigLoader.load(file, Map.of())).prepare()) {
      ClientAuthenticator.Authenticated a = app.clientAuthenticator()
          .authenticate("main", null, id, secret, "203.0.113.1");
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
    Cli.Run r = Cli.run("--config", file.toString(), "clients", "create", "--name", "Phone",
        "--type", "public", "--redirect-uri", "com.example.app:/cb");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Cli.field(r.out(), "client_id")).startsWith("cli_");
    assertThat(r.out()).doesNotContain("client_secret").doesNotContain("jeton_cs_");
  }

  @Test
  void clientsCreateWhenRulesBrokenThenFieldsNamedAndExitOne() {
    Cli.Run r = Cli.run("--config", file.toString(), "clients", "create", "--name", "Bad",
        "--type", "public", "--grant-type", "password", "--redirect-uri", "http://evil.example/");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("validation_failed").contains("grant_types[0]")
        .contains("redirect_uris[0]").doesNotContain("Exception");
    assertThat(r.out()).doesNotContain("client_id");
  }

  @Test
  void clientsHelpWhenAskedAtEveryLevelThenUsageAndExitZero() {
    Cli.Run clients = Cli.run("clients", "--help");
    assertThat(clients.exit()).as(clients.err()).isZero();
    assertThat(clients.out()).contains("create").contains("list").contains("rotate-secret")
        .contains("delete");
    for (String sub : new String[] {"create", "list", "rotate-secret", "delete"}) {
      Cli.Run r = Cli.run("clients", sub, "--help");
      assertThat(r.exit()).as(sub + ": " + r.err()).isZero();
      assertThat(r.out()).as(sub).contains("Usage: jeton clients " + sub);
    }
    Cli.Run none = Cli.run("clients");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("subcommand");
  }

  @Test
  void clientsListRotateDeleteWhenRunThenTheyActOnTheAccountsClients() {
    Cli.Run created = Cli.run("--config", file.toString(), "clients", "create", "--name", "Nightly job",
        "--type", "confidential", "--grant-type", "client_credentials");
    String id = Cli.field(created.out(), "client_id");
    String oldSecret = Cli.field(created.out(), "client_secret");
    Cli.Run phone = Cli.run("--config", file.toString(), "clients", "create", "--name", "Phone",
        "--type", "public", "--redirect-uri", "com.example.app:/cb");
    String phoneId = Cli.field(phone.out(), "client_id");

    Cli.Run list = Cli.run("--config", file.toString(), "clients", "list");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out().lines()).containsExactlyInAnyOrder(
        id + "\tconfidential\tclient_credentials\tNightly job",
        phoneId + "\tpublic\tauthorization_code\tPhone");
    assertThat(list.out()).doesNotContain("jeton_cs_");

    Cli.Run rotated = Cli.run("--config", file.toString(), "clients", "rotate-secret", id);
    assertThat(rotated.exit()).as(rotated.err()).isZero();
    String newSecret = Cli.field(rotated.out(), "client_secret");
    assertThat(newSecret).startsWith("jeton_cs_").isNotEqualTo(oldSecret);
    try (App app = new App(ConfigLoader.load(file, Map.of())).prepare()) {
      assertThat(app.clientAuthenticator()
          .authenticate("main", null, id, newSecret, "203.0.113.1").client()
          .clientId()).isEqualTo(id);
      assertThatThrownBy(() -> app.clientAuthenticator().authenticate("main", null, id,
          oldSecret, "203.0.113.1")).isInstanceOfSatisfying(ApiException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CLIENT));
    }
    Cli.Run publicRotate = Cli.run("--config", file.toString(), "clients", "rotate-secret", phoneId);
    assertThat(publicRotate.exit()).isEqualTo(1);
    assertThat(publicRotate.err()).contains("client_has_no_secret");

    Cli.Run deleted = Cli.run("--config", file.toString(), "clients", "delete", id);
    assertThat(deleted.exit()).as(deleted.err()).isZero();
    assertThat(deleted.out()).contains("deleted " + id);
    assertThat(Cli.run("--config", file.toString(), "clients", "list").out()).doesNotContain(id)
        .contains(phoneId);
    Cli.Run again = Cli.run("--config", file.toString(), "clients", "delete", id);
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("client_not_found");
    Cli.Run otherAccount = Cli.run("--config", file.toString(), "clients", "list", "--account", "nope");
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
      assertThat(Cli.run("--config", file.toString(), "clients", "list").exit()).isZero();
      assertThat(Cli.run("--config", file.toString(), "rotate-keys").exit()).isZero();
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
    Cli.Run unknown = Cli.run("--config", file.toString(), "clients", "create", "--account", "nope",
        "--name", "X", "--type", "confidential", "--grant-type", "client_credentials");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("account_not_found");
    Cli.Run type = Cli.run("--config", file.toString(), "clients", "create", "--name", "X",
        "--type", "secret");
    assertThat(type.exit()).isEqualTo(2);
    assertThat(type.err()).contains("confidential");
  }
}
