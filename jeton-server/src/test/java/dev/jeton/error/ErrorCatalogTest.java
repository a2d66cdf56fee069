package dev.jeton.error;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.config.Setting;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one error catalog (PRODUCT "Errors, limits and diagnostics"): the committed docs and the
 * served catalog are generated from {@link ErrorCode} and must not drift; codes are stable
 * snake_case with error statuses; a problem's {@code type} resolves to its entry. Also checks the
 * README's configuration table names every setting. HTTP only, so one engine is enough.
 */
class ErrorCatalogTest {
  TestServer server;
  Api api;

  @BeforeEach
  void start() {
    server = TestServer.start(Engine.SQLITE);
    api = server.api();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** The repository root: the parent of the module directory Surefire runs in. */
  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    if (Files.isDirectory(dir.resolve("jeton-server"))
        && Files.isRegularFile(dir.resolve("pom.xml"))) {
      return dir;
    }
    return dir.getParent();
  }

  @Test
  void errorsDocWhenComparedWithCatalogThenIdentical() throws IOException {
    Path doc = repoRoot().resolve("docs/errors.md");
    assertThat(doc).as("docs/errors.md").isRegularFile();
    String committed = Files.readString(doc, StandardCharsets.UTF_8);
    assertThat(committed)
        .as("docs/errors.md has drifted from ErrorCode; regenerate it with "
            + "`java -jar jeton-server/target/jeton.jar errors > docs/errors.md`")
        .isEqualTo(ErrorCatalogDoc.markdown());
  }

  @Test
  void errorsDocWhenRenderedThenOneTableRowPerCode() {
    String md = ErrorCatalogDoc.markdown();
    for (ErrorCode c : ErrorCode.values()) {
      assertThat(md).contains("| `" + c.code() + "` | " + c.status() + " | " + c.title() + " | ");
    }
    long rows = md.lines().filter(l -> l.startsWith("| `")).count();
    assertThat(rows).isEqualTo(ErrorCode.values().length);
  }

  @Test
  void catalogListWhenFetchedThenEveryCodeInOrder() {
    Api.Response r = api.get("/api/v1/errors", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type").orElse("")).startsWith("application/json");
    JsonNode errors = r.json().path("errors");
    assertThat(errors.isArray()).isTrue();
    assertThat(errors).hasSize(ErrorCode.values().length);
    for (int i = 0; i < ErrorCode.values().length; i++) {
      assertEntry(errors.get(i), ErrorCode.values()[i]);
    }
  }

  @Test
  void catalogEntryWhenFetchedByCodeThenThatEntry() {
    for (ErrorCode c : ErrorCode.values()) {
      Api.Response r = api.get("/api/v1/errors/" + c.code(), null);
      assertThat(r.status()).as(c.code()).isEqualTo(200);
      assertEntry(r.json(), c);
    }
  }

  @Test
  void catalogEntryWhenCodeUnknownThen404Problem() {
    Api.Response r = api.get("/api/v1/errors/no_such_code", null);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.header("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(r.code()).isEqualTo("route_not_found");
    assertThat(r.text("detail")).contains("no_such_code");
  }

  @Test
  void codesWhenListedThenUniqueSnakeCaseWithText() {
    Pattern snake = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    Set<String> seen = new HashSet<>();
    for (ErrorCode c : ErrorCode.values()) {
      assertThat(c.code()).matches(snake);
      assertThat(seen.add(c.code())).as("duplicate code " + c.code()).isTrue();
      assertThat(c.title()).as(c.code()).isNotBlank();
      assertThat(c.remedy()).as(c.code()).isNotBlank();
    }
  }

  @Test
  void statusesWhenListedThenClientOrServerErrors() {
    for (ErrorCode c : ErrorCode.values()) {
      assertThat(c.status()).as(c.code()).isBetween(400, 599);
    }
  }

  @Test
  void problemTypeWhenResolvedThenThatCatalogEntry() {
    List<Api.Response> problems = List.of(
        api.get(v1("main") + "/me", null),
        api.get("/no/such/route", null),
        api.postJson(v1("main") + "/auth/login", "{broken"),
        server.login("main", "nobody@example.com", "some unrelated words 7"),
        api.send("DELETE", v1("main") + "/me", null, Map.of()));
    Set<String> codes = new HashSet<>();
    for (Api.Response p : problems) {
      assertThat(p.header("Content-Type").orElse("")).as(p.toString())
          .startsWith("application/problem+json");
      String type = p.text("type");
      assertThat(type).as(p.toString()).startsWith(api.base() + "/");
      Api.Response entry = api.get(type, null);
      assertThat(entry.status()).as(type).isEqualTo(200);
      assertThat(entry.text("code")).isEqualTo(p.code());
      assertThat(entry.json().path("status").asInt()).isEqualTo(p.status())
          .isEqualTo(p.json().path("status").asInt());
      assertThat(entry.text("title")).isEqualTo(p.text("title"));
      assertThat(entry.text("remedy")).isEqualTo(p.text("remedy"));
      codes.add(p.code());
    }
    assertThat(codes).containsExactlyInAnyOrder("token_missing", "route_not_found",
        "invalid_json", "invalid_credentials", "method_not_allowed");
  }

  @Test
  void readmeWhenReadThenConfigurationTableNamesEverySetting() throws IOException {
    Path readme = repoRoot().resolve("README.md");
    assertThat(readme).as("README.md at the repository root").isRegularFile();
    List<String> rows = Files.readAllLines(readme, StandardCharsets.UTF_8).stream()
        .filter(l -> l.trim().startsWith("|")).toList();
    for (Setting s : Setting.values()) {
      Pattern name = Pattern.compile("(?<![A-Z0-9_])" + s.envName() + "(?![A-Z0-9_])");
      assertThat(rows.stream().anyMatch(l -> name.matcher(l).find()))
          .as("README.md's configuration table has no row for " + s.envName()
              + " (print the table with `java -jar jeton-server/target/jeton.jar settings`)")
          .isTrue();
    }
  }

  private static void assertEntry(JsonNode e, ErrorCode c) {
    assertThat(e.path("code").asText()).isEqualTo(c.code());
    assertThat(e.path("status").asInt()).as(c.code()).isEqualTo(c.status());
    assertThat(e.path("title").asText()).as(c.code()).isEqualTo(c.title());
    assertThat(e.path("remedy").asText()).as(c.code()).isEqualTo(c.remedy());
    assertThat(e.path("retryable").isBoolean()).as(c.code()).isTrue();
    assertThat(e.path("retryable").asBoolean()).as(c.code()).isEqualTo(c.retryable());
  }
}
