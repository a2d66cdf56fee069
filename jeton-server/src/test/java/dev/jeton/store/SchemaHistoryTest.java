package dev.jeton.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.testing.Databases;
import dev.jeton.testing.Engine;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Scratch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A restart recognises an up-to-date schema without Flyway, and leaves every other case to
 * Flyway: an empty database, a pending, failed, newer or edited migration.
 */
@OnBothEngines
class SchemaHistoryTest {
  Database db;

  @BeforeEach
  void open(Engine engine) throws Exception {
    db = Database.open(Databases.create(engine, Scratch.dir("jeton-schema")));
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void migrationsListWhenComparedWithTheScriptsThenNamesEveryOneInOrder() throws Exception {
    Path dir = Path.of(SchemaHistory.class.getClassLoader()
        .getResource(SchemaHistory.LOCATION).toURI());
    List<String> scripts;
    try (Stream<Path> files = Files.list(dir)) {
      scripts = files.map(p -> p.getFileName().toString())
          .sorted((a, b) -> Integer.compare(version(a), version(b))).toList();
    }
    assertThat(SchemaHistory.MIGRATIONS).containsExactlyElementsOf(scripts);
  }

  private static int version(String script) {
    return Integer.parseInt(script.substring(1, script.indexOf("__")));
  }

  @Test
  void upToDateWhenEmptyThenFalseAndMigrateCreatesTheSchema() {
    assertThat(db.schemaUpToDate()).isFalse();
    db.migrate();
    assertThat(db.ready()).isTrue();
    assertThat(db.schemaUpToDate()).isTrue();
  }

  @Test
  void checksumWhenFlywayAppliedTheScriptsThenEqualsWhatFlywayRecorded() throws Exception {
    db.migrate();
    List<SchemaHistory.Applied> applied = db.writer()
        .withHandle(h -> SchemaHistory.read(h.getConnection()));
    assertThat(applied).hasSize(SchemaHistory.MIGRATIONS.size());
    for (SchemaHistory.Applied a : applied) {
      assertThat(a.checksum()).as(a.script()).isEqualTo(SchemaHistory.checksum(a.script()));
    }
  }

  @Test
  void migrateWhenAScriptWasEditedAfterItRanThenFlywayRefusesToStart() {
    db.migrate();
    history("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '3'");
    assertThat(db.schemaUpToDate()).isFalse();
    assertThatThrownBy(db::migrate).isInstanceOf(FlywayException.class)
        .hasMessageContaining("checksum");
  }

  @Test
  void upToDateWhenAMigrationFailedOrIsPendingOrNewerThenFalse() {
    db.migrate();
    history("UPDATE flyway_schema_history SET success = " + bool(false) + " WHERE version = '9'");
    assertThat(db.schemaUpToDate()).isFalse();
    history("UPDATE flyway_schema_history SET success = " + bool(true) + " WHERE version = '9'");
    assertThat(db.schemaUpToDate()).isTrue();

    history("INSERT INTO flyway_schema_history (installed_rank, version, description, type,"
        + " script, checksum, installed_by, execution_time, success) VALUES (99, '99', 'later',"
        + " 'SQL', 'V99__later.sql', 1, 'test', 1, " + bool(true) + ")");
    assertThat(db.schemaUpToDate()).as("a schema newer than this build").isFalse();
    history("DELETE FROM flyway_schema_history WHERE version IN ('99', '9')");
    assertThat(db.schemaUpToDate()).as("a pending migration").isFalse();
  }

  private String bool(boolean b) {
    return db.dialect() == Database.Dialect.POSTGRES ? String.valueOf(b) : (b ? "1" : "0");
  }

  private void history(String sql) {
    db.writer().useHandle(h -> h.execute(sql));
  }
}
