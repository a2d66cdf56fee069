package dev.jeton.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32;
import javax.sql.DataSource;

/**
 * Answers, without starting Flyway, whether a database already holds exactly the migrations this
 * build carries: every one of {@link #MIGRATIONS} applied in order, successfully, from a script
 * whose checksum (Flyway's: CRC-32 over the script's lines, without line breaks) matches the
 * script in the jar. Only then does a start skip Flyway, whose class loading and validation are
 * a fifth of a restart; any doubt (a missing table, a pending, failed, newer or edited
 * migration, a checksum computed differently) leaves the decision to Flyway, which migrates,
 * validates and fails exactly as it always does.
 */
final class SchemaHistory {
  /** Every script under {@code db/migration}, in version order (a test keeps this list true). */
  static final List<String> MIGRATIONS = List.of(
      "V1__foundation.sql",
      "V2__clients.sql",
      "V3__authorization.sql",
      "V4__device.sql",
      "V5__id_token_keys.sql",
      "V6__client_refresh_grace.sql",
      "V7__purge_indexes.sql",
      "V8__credential_generation.sql",
      "V9__client_resources.sql",
      "V10__personal_access_tokens.sql",
      "V11__users_admin.sql",
      "V12__account_token_lists.sql",
      "V13__notices.sql",
      "V14__lifetime_ceilings.sql",
      "V15__authorization_code_lifetime.sql",
      "V16__account_deletion.sql",
      "V17__limits.sql",
      "V18__rejections.sql",
      "V19__limit_exchange.sql",
      "V20__qr_logins.sql",
      "V21__devices.sql");

  static final String LOCATION = "db/migration";

  private SchemaHistory() {}

  /** One row of Flyway's {@code flyway_schema_history}. */
  record Applied(String version, String script, Integer checksum, boolean success) {}

  /** True when {@code source}'s history is exactly {@link #MIGRATIONS}, unedited. */
  static boolean upToDate(DataSource source) {
    List<Applied> applied;
    try (Connection c = source.getConnection()) {
      applied = read(c);
    } catch (SQLException e) {
      return false; // no history table yet (an empty database), or it cannot be read: Flyway
    }
    return matches(applied);
  }

  static boolean matches(List<Applied> applied) {
    if (applied.size() != MIGRATIONS.size()) {
      return false;
    }
    for (int i = 0; i < applied.size(); i++) {
      Applied a = applied.get(i);
      String script = MIGRATIONS.get(i);
      if (!a.success() || !script.equals(a.script())
          || !script.startsWith("V" + a.version() + "__")
          || !Objects.equals(a.checksum(), checksum(script))) {
        return false;
      }
    }
    return true;
  }

  /** This build's latest migration version. */
  static String latest() {
    String last = MIGRATIONS.get(MIGRATIONS.size() - 1);
    return last.substring(1, last.indexOf("__"));
  }

  /**
   * The highest version applied to {@code source} when it is above this build's latest (a newer
   * Jeton migrated the database), else null (also when there is no history yet).
   */
  static String newerThanThisBuild(DataSource source) {
    List<Applied> applied;
    try (Connection c = source.getConnection()) {
      applied = read(c);
    } catch (SQLException e) {
      return null;
    }
    long known = Long.parseLong(latest());
    String newest = null;
    long max = known;
    for (Applied a : applied) {
      try {
        long v = Long.parseLong(a.version());
        if (v > max) {
          max = v;
          newest = a.version();
        }
      } catch (NumberFormatException | NullPointerException e) {
        // not one of Jeton's versions (a baseline row, say): Flyway judges it
      }
    }
    return newest;
  }

  static List<Applied> read(Connection c) throws SQLException {
    List<Applied> rows = new ArrayList<>();
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT version, script, checksum, success"
             + " FROM flyway_schema_history ORDER BY installed_rank")) {
      while (rs.next()) {
        int checksum = rs.getInt(3);
        rows.add(new Applied(rs.getString(1), rs.getString(2), rs.wasNull() ? null : checksum,
            rs.getBoolean(4)));
      }
    }
    return rows;
  }

  /** Flyway's checksum of a script in the jar: CRC-32 of its lines' UTF-8 bytes, BOM removed. */
  static int checksum(String script) {
    CRC32 crc = new CRC32();
    try (InputStream in = SchemaHistory.class.getClassLoader()
        .getResourceAsStream(LOCATION + "/" + script)) {
      if (in == null) {
        throw new IllegalStateException(script + " missing from the jar");
      }
      BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (!line.isEmpty() && line.charAt(0) == '\uFEFF') {
          line = line.substring(1);
        }
        crc.update(line.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return (int) crc.getValue();
  }
}
