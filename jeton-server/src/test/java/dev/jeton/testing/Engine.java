package dev.jeton.testing;

/** The database engines every storage test runs on. */
public enum Engine {
  SQLITE,
  POSTGRES
}
