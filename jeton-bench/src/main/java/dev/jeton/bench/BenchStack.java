package dev.jeton.bench;

import dev.jeton.config.Config;
import dev.jeton.store.Database;
import dev.jeton.store.WriteQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A throwaway SQLite database in a temporary directory, migrated, for benchmarks; seed it
 * through {@link #writes}, the one write path.
 */
public final class BenchStack implements AutoCloseable {
  public final Path dir;
  public final Database db;
  public final WriteQueue writes;

  public BenchStack() {
    try {
      dir = Files.createTempDirectory("jeton-bench");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    db = Database.open(new Config.Db("jdbc:sqlite:" + dir.resolve("jeton.db"), "", "", 8));
    db.migrate();
    writes = new WriteQueue(db);
  }

  @Override
  public void close() {
    writes.close();
    db.close();
  }
}
