package dev.jeton.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jeton.config.Config;
import dev.jeton.testing.Engine;
import dev.jeton.testing.TestServer;
import dev.jeton.token.MasterKey;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data Jeton keeps on disk (password hashes, sealed signing keys, the development master
 * key) is readable by its owner only when Jeton creates it: directories {@code rwx------}, the
 * SQLite database and its WAL and shared-memory files {@code rw-------}; a directory the operator
 * made is left as it is (docs/operations.md#file-permissions). SQLite only: PostgreSQL keeps its
 * own files.
 */
class FilePermissionsTest {
  @TempDir
  Path base;

  @BeforeEach
  void posixOnly() {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
  }

  private static String perms(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static TestServer start(Path dir) {
    return TestServer.start(Engine.SQLITE, Map.of(), dir,
        new Config.Db("jdbc:sqlite:" + dir.resolve("jeton.db"), "", "", 10));
  }

  @Test
  void startWhenDataDirectoryNewThenDirectoriesAndDatabaseFilesOwnerOnly() throws IOException {
    Path dir = base.resolve("var").resolve("jeton");
    try (TestServer server = start(dir)) {
      // a write, so that the WAL holds something
      assertThat(server.register("main", "perm@example.com", "velvet tangerine orbit 58")
          .status()).isEqualTo(201);
      assertThat(perms(base.resolve("var"))).isEqualTo("rwx------");
      assertThat(perms(dir)).isEqualTo("rwx------");
      for (String name : new String[] {"jeton.db", "jeton.db-wal", "jeton.db-shm",
          "master.key"}) {
        assertThat(dir.resolve(name)).as(name).exists();
        assertThat(perms(dir.resolve(name))).as(name).isEqualTo("rw-------");
      }
    }
  }

  @Test
  void startWhenOperatorMadeTheDirectoryThenItIsLeftAsItIsAndNewFilesAreOwnerOnly()
      throws IOException {
    Path dir = Files.createDirectory(base.resolve("chosen"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
    try (TestServer server = start(dir)) {
      assertThat(server.register("main", "perm@example.com", "velvet tangerine orbit 58")
          .status()).isEqualTo(201);
      assertThat(perms(dir)).isEqualTo("rwxr-x---");
      assertThat(perms(dir.resolve("jeton.db"))).isEqualTo("rw-------");
      assertThat(perms(dir.resolve("jeton.db-wal"))).isEqualTo("rw-------");
    }
  }

  @Test
  void startWhenDatabaseFileExistsWithWiderPermissionsThenLeftAsItIs()
      throws IOException {
    Path dir = Files.createDirectory(base.resolve("old"));
    Path db = Files.createFile(dir.resolve("jeton.db"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
    assertThat(PrivateFiles.sharedAccess(db)).isEqualTo("rw-r--r--");
    try (TestServer server = start(dir)) {
      assertThat(perms(db)).as("not changed behind the operator's back").isEqualTo("rw-r--r--");
    }
  }

  @Test
  void masterKeyWhenDataDirectoryNewThenOwnerOnly() throws IOException {
    // with PostgreSQL the data directory holds only the development master key
    Path dir = base.resolve("pg-data");
    MasterKey.load("", dir, new SecureRandom());
    assertThat(perms(dir)).isEqualTo("rwx------");
    assertThat(perms(dir.resolve("master.key"))).isEqualTo("rw-------");
    assertThat(PrivateFiles.sharedAccess(dir.resolve("master.key"))).isNull();
  }
}
