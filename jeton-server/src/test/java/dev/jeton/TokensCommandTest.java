package dev.jeton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.account.Account;
import dev.jeton.config.ConfigLoader;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.session.PatVerifier;
import dev.jeton.testing.Cli;
import dev.jeton.testing.Databases;
import dev.jeton.testing.Engine;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Scratch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code jeton tokens create|list|revoke} against a real database of each engine: the printed
 * token is accepted with its owner's identity and scopes, the list never shows a secret, a
 * revoked token is refused, a service principal's token carries {@code admin}, and a request
 * naming no owner, two owners or an unknown one stops with a message.
 */
@OnBothEngines
class TokensCommandTest {
  static final String ADMIN = "cli.admin@example.com";

  Path file;

  @BeforeEach
  void configure(Engine engine) throws Exception {
    org.slf4j.LoggerFactory.getILoggerFactory();
    Path dir = Scratch.dir("jeton-tokens-cli");
    var db = Databases.create(engine, dir);
    file = dir.resolve("jeton.properties");
    Files.writeString(file, "data.dir=" + dir + "\nbase.url=http://jeton.example.com\n"
        + "db.url=" + db.url() + "\n" + (db.user().isEmpty() ? "" : "db.user=" + db.user() + "\n")
        + "bootstrap.admin.email=" + ADMIN + "\nbootstrap.admin.password=tokens bootstrap phrase 9\n");
  }

  private Cli.Run tokens(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "--config";
    all[1] = file.toString();
    all[2] = "tokens";
    System.arraycopy(args, 0, all, 3, args.length);
    return Cli.run(all);
  }

  private App app() {
    return new App(ConfigLoader.load(file, Map.of())).prepare();
  }

  @Test
  void inspectWhenATokenIsRevokedThenTheDoctorSaysWhenAndWhy() {
    Cli.Run created = tokens("create", "--user", ADMIN, "--comment", "nightly");
    String id = Cli.field(created.out(), "id");
    String token = Cli.field(created.out(), "token");
    Cli.Run live = tokens("inspect", token);
    assertThat(live.exit()).as(live.err()).isZero();
    assertThat(live.out()).contains("\"kind\" : \"personal_access_token\"")
        .contains("\"valid\" : true").contains(id);
    assertThat(tokens("revoke", "--user", ADMIN, id).exit()).isZero();
    Cli.Run revoked = tokens("inspect", token);
    assertThat(revoked.out()).contains("\"code\" : \"token_revoked\"")
        .contains("revoked_at").contains("Revoked at");
    Cli.Run garbage = tokens("inspect", "not-a-token");
    assertThat(garbage.exit()).isZero();
    assertThat(garbage.out()).contains("\"format\" : \"unknown\"");
  }

  @Test
  void createWhenForAUserThenTheTokenActsForThemUntilRevoked() {
    Cli.Run created = tokens("create", "--user", ADMIN, "--comment", "backup job",
        "--lifetime", "3600");
    assertThat(created.exit()).as(created.err()).isZero();
    String id = Cli.field(created.out(), "id");
    String token = Cli.field(created.out(), "token");
    assertThat(token).startsWith("jeton_pat_");
    try (App app = app()) {
      PatVerifier.Verified v = app.pats().verify(token, Account.MAIN, "127.0.0.1");
      assertThat(v.tokenId()).isEqualTo(id);
      assertThat(v.scopes()).containsExactly("user");
    }
    Cli.Run list = tokens("list", "--user", ADMIN);
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).contains(id).contains("active").contains("backup job")
        .doesNotContain(token);
    Cli.Run revoked = tokens("revoke", "--user", ADMIN, id);
    assertThat(revoked.exit()).as(revoked.err()).isZero();
    try (App app = app()) {
      assertThatThrownBy(() -> app.pats().verify(token, Account.MAIN, "127.0.0.1"))
          .isInstanceOfSatisfying(ApiException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.TOKEN_REVOKED));
    }
    assertThat(tokens("list", "--user", ADMIN).out()).doesNotContain(id);
    assertThat(tokens("list", "--user", ADMIN, "--all").out()).contains(id).contains("revoked");
  }

  @Test
  void createWhenForAServicePrincipalThenItCarriesAdmin() {
    String principal;
    try (App app = app()) {
      principal = app.principals().create(app.accounts().requireActive(Account.MAIN),
          "cli robot", "test").id();
    }
    Cli.Run created = tokens("create", "--principal", principal);
    assertThat(created.exit()).as(created.err()).isZero();
    try (App app = app()) {
      PatVerifier.Verified v = app.pats().verify(Cli.field(created.out(), "token"), Account.MAIN,
          "127.0.0.1");
      assertThat(v.subject()).isEqualTo(principal);
      assertThat(v.scopes()).containsExactly("admin");
    }
    Cli.Run all = tokens("revoke", "--principal", principal, "--all");
    assertThat(all.exit()).as(all.err()).isZero();
    assertThat(all.out()).contains("revoked 1 tokens");
  }

  @Test
  void createWhenOwnerMissingDoubledOrUnknownThenStopsWithAMessage() {
    Cli.Run none = tokens("create");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("--user").contains("--principal");
    Cli.Run both = tokens("create", "--user", ADMIN, "--principal", "spn_x");
    assertThat(both.exit()).isEqualTo(2);
    Cli.Run unknown = tokens("create", "--user", "nobody@example.com");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("no user nobody@example.com");
    Cli.Run noPrincipal = tokens("create", "--principal", "spn_missing");
    assertThat(noPrincipal.exit()).isEqualTo(1);
    assertThat(noPrincipal.err()).contains("service_principal_not_found");
    Cli.Run widened = tokens("create", "--user", ADMIN, "--scope", "root");
    assertThat(widened.exit()).isEqualTo(1);
    assertThat(widened.err()).contains("scopes");
  }
}
