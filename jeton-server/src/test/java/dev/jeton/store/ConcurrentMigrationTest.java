package dev.jeton.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.App;
import dev.jeton.config.Config;
import dev.jeton.config.Setting;
import dev.jeton.testing.Databases;
import dev.jeton.testing.Engine;
import dev.jeton.testing.Scratch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Several nodes started at once on an empty PostgreSQL database (docs/operations.md#upgrading):
 * each migration runs exactly once, under Flyway's lock, and every node comes up serving.
 */
class ConcurrentMigrationTest {
  @Test
  void threeNodesStartingTogetherOnAnEmptyDatabaseRunEachMigrationOnce() throws Exception {
    Path root = Scratch.dir("jeton-migrate");
    Config.Db db = Databases.create(Engine.POSTGRES, root);
    List<App> apps = new ArrayList<>();
    // the nodes of one database share its master key, which seals the signing keys
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    Map<Setting, String> shared = Map.of(Setting.MASTER_KEY,
        java.util.Base64.getEncoder().encodeToString(key));
    try {
      for (int i = 0; i < 3; i++) {
        apps.add(ServingRefusalTest.app(Files.createDirectories(root.resolve("node" + i)), db,
            shared));
      }
      CyclicBarrier together = new CyclicBarrier(apps.size());
      List<CompletableFuture<Void>> starts = new ArrayList<>();
      for (App a : apps) {
        starts.add(CompletableFuture.runAsync(() -> {
          try {
            together.await(30, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          a.start();
        }));
      }
      CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

      List<String> versions = new ArrayList<>();
      try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
           Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT version FROM flyway_schema_history"
               + " WHERE version IS NOT NULL ORDER BY installed_rank")) {
        while (rs.next()) {
          versions.add(rs.getString(1));
        }
      }
      assertThat(versions).as("every migration once, in order").hasSize(
          SchemaHistory.MIGRATIONS.size()).doesNotHaveDuplicates()
          .endsWith(SchemaHistory.latest());
      for (App a : apps) {
        assertThat(a.database().ready()).isTrue();
      }
    } finally {
      apps.forEach(App::close);
      Databases.drop(db);
    }
  }
}
