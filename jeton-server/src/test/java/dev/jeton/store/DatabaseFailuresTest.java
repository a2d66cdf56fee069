package dev.jeton.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Which failures are the storage's (503 with Retry-After, fail closed) and which are a request's
 * or a bug's: the classification ErrorWriter and the write queue rely on.
 */
class DatabaseFailuresTest {
  private static RuntimeException wrapped(SQLException e) {
    return new UnableToExecuteStatementException(e, null);
  }

  @Test
  void sqliteStorageFailuresAreUnavailableAndConstraintViolationsAreNot() {
    for (SQLiteErrorCode code : new SQLiteErrorCode[] {SQLiteErrorCode.SQLITE_BUSY,
        SQLiteErrorCode.SQLITE_READONLY, SQLiteErrorCode.SQLITE_READONLY_DBMOVED,
        SQLiteErrorCode.SQLITE_IOERR, SQLiteErrorCode.SQLITE_IOERR_FSYNC,
        SQLiteErrorCode.SQLITE_FULL, SQLiteErrorCode.SQLITE_CANTOPEN}) {
      assertThat(Database.isUnavailable(wrapped(new SQLiteException("x", code))))
          .as(code.name()).isTrue();
    }
    for (SQLiteErrorCode code : new SQLiteErrorCode[] {SQLiteErrorCode.SQLITE_CONSTRAINT,
        SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE, SQLiteErrorCode.SQLITE_ERROR,
        SQLiteErrorCode.SQLITE_MISMATCH}) {
      assertThat(Database.isUnavailable(wrapped(new SQLiteException("x", code))))
          .as(code.name()).isFalse();
    }
  }

  @Test
  void onlyConnectionBoundSqliteFailuresRetireTheWritersConnection() {
    assertThat(Database.needsFreshConnection(wrapped(
        new SQLiteException("x", SQLiteErrorCode.SQLITE_READONLY)))).isTrue();
    assertThat(Database.needsFreshConnection(wrapped(
        new SQLiteException("x", SQLiteErrorCode.SQLITE_IOERR_WRITE)))).isTrue();
    // a full disk or a held lock clears on the same connection
    assertThat(Database.needsFreshConnection(wrapped(
        new SQLiteException("x", SQLiteErrorCode.SQLITE_FULL)))).isFalse();
    assertThat(Database.needsFreshConnection(wrapped(
        new SQLiteException("x", SQLiteErrorCode.SQLITE_BUSY)))).isFalse();
  }

  @Test
  void postgresStatesOfALostOrFullServerAreUnavailableAndDataErrorsAreNot() {
    for (String state : new String[] {"08006", "08001", "57P01", "57P03", "53100", "53300",
        "25006"}) {
      assertThat(Database.isUnavailable(wrapped(new SQLException("x", state))))
          .as(state).isTrue();
    }
    for (String state : new String[] {"23505", "22021", "42601", "40001", null}) {
      assertThat(Database.isUnavailable(wrapped(new SQLException("x", state))))
          .as(String.valueOf(state)).isFalse();
    }
  }

  @Test
  void theWriteQueueGivingUpIsUnavailable() {
    assertThat(Database.isUnavailable(new WriteQueue.Unavailable("no commit"))).isTrue();
    assertThat(Database.isUnavailable(new IllegalStateException("a bug"))).isFalse();
  }
}
