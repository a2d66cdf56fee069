package dev.jeton.config;

/**
 * The server cannot start on what it was given, for a reason the operator must resolve outside
 * Jeton: another server holds the SQLite database, or the database schema is newer than this
 * build. The CLI prints the message on one line and exits with status 2, as for a
 * {@link ConfigException}.
 */
public final class StartRefused extends RuntimeException {
  public StartRefused(String message) {
    super(message);
  }
}
