package dev.jeton.store;

import java.sql.ResultSet;
import java.sql.SQLException;

/** Reading result-set columns that JDBC has no null-aware getter for. */
public final class Rows {
  private Rows() {}

  /** The column as a Long, or null when it is SQL NULL. */
  public static Long longOrNull(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  /** The column (1-based) as a Long, or null when it is SQL NULL. */
  public static Long longOrNull(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }
}
