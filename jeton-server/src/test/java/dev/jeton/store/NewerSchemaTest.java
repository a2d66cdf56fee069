package dev.jeton.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.App;
import dev.jeton.config.Config;
import dev.jeton.config.StartRefused;
import dev.jeton.testing.Engine;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * An older Jeton refuses a database a newer one migrated (docs/operations.md#upgrading), on both
 * engines, naming both versions, instead of serving a schema it does not know or failing in
 * Flyway's words.
 */
@OnBothEngines
class NewerSchemaTest {
  final Engine engine;

  NewerSchemaTest(Engine engine) {
    this.engine = engine;
  }

  @Test
  void aDatabaseMigratedByANewerJetonIsRefusedNamingBothVersions() throws Exception {
    TestServer server = TestServer.start(engine);
    Path dir = server.dir();
    Config.Db db = server.db();
    server.close();
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
         Statement s = c.createStatement()) {
      s.executeUpdate("""
          INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,
            checksum, installed_by, execution_time, success)
          VALUES (999, '999', 'from the future', 'SQL', 'V999__from_the_future.sql', 1, 'jeton',
            1, true)""");
    }
    App old = ServingRefusalTest.app(dir, db);
    try {
      assertThatThrownBy(old::start).isInstanceOf(StartRefused.class)
          .hasMessageContaining("version 999")
          .hasMessageContaining("(" + SchemaHistory.latest() + ")");
    } finally {
      old.close();
    }
  }
}
