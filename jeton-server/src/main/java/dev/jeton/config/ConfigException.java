package dev.jeton.config;

/** A configuration value that stops start-up; the message names the setting in one line. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
