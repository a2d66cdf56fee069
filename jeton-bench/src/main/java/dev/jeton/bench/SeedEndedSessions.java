package dev.jeton.bench;

import dev.jeton.config.Config;
import dev.jeton.store.Database;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.TokenKind;
import java.security.SecureRandom;
import java.time.Duration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Fills a Jeton database with refresh tokens the purge must delete: {@code count} tokens in
 * sessions of {@code perSession} tokens each (all but the last rotated, as a client that
 * refreshed leaves them), every session ended 30 days ago: a third revoked, a third past their
 * absolute limit, a third idle (their live token expired). One user of account {@code main}
 * owns them. On PostgreSQL the two tables are analysed afterwards. Usage: {@code java -cp
 * benchmarks.jar dev.jeton.bench.SeedEndedSessions <jdbc-url> <count> <per-session> [user]
 * [password]}
 */
public final class SeedEndedSessions {
  private SeedEndedSessions() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int count = Integer.parseInt(args[1]);
    int perSession = Integer.parseInt(args[2]);
    Config.Db cfg = new Config.Db(url, args.length > 3 ? args[3] : "",
        args.length > 4 ? args[4] : "", 2);
    OpaqueTokens tokens = new OpaqueTokens(new SecureRandom());
    long now = System.currentTimeMillis();
    long ended = now - Duration.ofDays(30).toMillis();
    long future = now + Duration.ofDays(300).toMillis();
    long t0 = System.nanoTime();
    int sessions = (count + perSession - 1) / perSession;
    try (Database db = Database.open(cfg); WriteQueue writes = new WriteQueue(db)) {
      String user = tokens.id("usr_");
      writes.submit(h -> h.createUpdate("INSERT INTO users (id, account_id, email, "
              + "password_hash, role, created_at, password_changed_at) "
              + "VALUES (:id, 'main', :email, 'x', 'user', 0, 0)")
          .bind("id", user).bind("email", user + "@seed.example.com").execute());
      int done = 0;
      int s = 0;
      while (done < count) {
        int chunk = Math.min(2_000, sessions - s);
        int first = s;
        int[] inserted = new int[1];
        int remaining = count - done;
        writes.submit(h -> {
          Connection c = h.getConnection();
          try (PreparedStatement ses = c.prepareStatement("INSERT INTO sessions (id, "
                  + "account_id, user_id, client_id, scope, auth_time, created_at, expires_at, "
                  + "last_used_at, revoked_at, revoked_reason) "
                  + "VALUES (?, 'main', ?, 'jeton', 'user', 0, 0, ?, 0, ?, ?)");
              PreparedStatement rts = c.prepareStatement("INSERT INTO refresh_tokens (hash, "
                  + "session_id, issued_at, expires_at, rotated_at, successor_hash) "
                  + "VALUES (?, ?, 0, ?, ?, ?)")) {
            for (int i = first; i < first + chunk && inserted[0] < remaining; i++) {
              String id = tokens.id("ses_");
              int kind = i % 3; // 0 revoked, 1 past the absolute limit, 2 idle
              ses.setString(1, id);
              ses.setString(2, user);
              ses.setLong(3, kind == 1 ? ended : future);
              if (kind == 0) {
                ses.setLong(4, ended);
                ses.setString(5, "logout");
              } else {
                ses.setNull(4, Types.BIGINT);
                ses.setNull(5, Types.VARCHAR);
              }
              ses.addBatch();
              int n = Math.min(perSession, remaining - inserted[0]);
              String next = OpaqueTokens.hash(tokens.generate(TokenKind.RT));
              for (int k = 0; k < n; k++) {
                String hash = next;
                boolean live = k == n - 1;
                next = live ? null : OpaqueTokens.hash(tokens.generate(TokenKind.RT));
                rts.setString(1, hash);
                rts.setString(2, id);
                rts.setLong(3, live ? (kind == 0 ? future : ended) : ended - 1);
                if (live) {
                  rts.setNull(4, Types.BIGINT);
                  rts.setNull(5, Types.VARCHAR);
                } else {
                  rts.setLong(4, ended - 1);
                  rts.setString(5, next);
                }
                rts.addBatch();
              }
              inserted[0] += n;
            }
            ses.executeBatch();
            rts.executeBatch();
          } catch (SQLException e) {
            throw new IllegalStateException("seeding failed", e);
          }
          return null;
        });
        s += chunk;
        done += inserted[0];
      }
      if (db.dialect() == Database.Dialect.POSTGRES) {
        // what autovacuum would do minutes later: without statistics for the million new rows
        // the planner's first choices are poor, and the run without the purge would measure that
        writes.submit(h -> h.execute("ANALYZE sessions, refresh_tokens"));
      }
    }
    System.out.printf("seeded %d refresh tokens in %d ended sessions in %.1f s%n", count,
        sessions, (System.nanoTime() - t0) / 1e9);
  }
}
