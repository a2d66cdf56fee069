package dev.jeton.bench;

import dev.jeton.config.Config;
import dev.jeton.store.Database;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.TokenKind;
import java.security.SecureRandom;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Fills a Jeton database with issued refresh tokens (one user, one session, N tokens), to measure
 * refresh and lookup rates on a grown table. Usage: {@code java -cp benchmarks.jar
 * dev.jeton.bench.SeedRefreshTokens <jdbc-url> <count> [user] [password]}
 */
public final class SeedRefreshTokens {
  private SeedRefreshTokens() {}

  public static void main(String[] args) {
    String url = args[0];
    int count = Integer.parseInt(args[1]);
    Config.Db cfg = new Config.Db(url, args.length > 2 ? args[2] : "",
        args.length > 3 ? args[3] : "", 2);
    OpaqueTokens tokens = new OpaqueTokens(new SecureRandom());
    long t0 = System.nanoTime();
    try (Database db = Database.open(cfg); WriteQueue writes = new WriteQueue(db)) {
      String user = tokens.id("usr_");
      String session = tokens.id("ses_");
      writes.submit(h -> {
        h.createUpdate("INSERT INTO users (id, account_id, email, password_hash, role, created_at,"
                + " password_changed_at) VALUES (:id, 'main', :email, 'x', 'user', 0, 0)")
            .bind("id", user).bind("email", user + "@seed.example.com").execute();
        h.createUpdate("INSERT INTO sessions (id, account_id, user_id, client_id, scope, "
                + "auth_time, created_at, expires_at, last_used_at) VALUES (:s, 'main', :u, "
                + "'jeton', 'user', 0, 0, 9999999999999, 0)")
            .bind("s", session).bind("u", user).execute();
        return null;
      });
      int done = 0;
      while (done < count) {
        int n = Math.min(20_000, count - done);
        writes.submit(h -> {
          PreparedBatch batch = h.prepareBatch("INSERT INTO refresh_tokens (hash, session_id, "
              + "issued_at, expires_at) VALUES (?, ?, 0, 9999999999999)");
          for (int i = 0; i < n; i++) {
            batch.add(OpaqueTokens.hash(tokens.generate(TokenKind.RT)), session);
          }
          batch.execute();
          return null;
        });
        done += n;
      }
    }
    System.out.printf("seeded %d refresh tokens in %.1f s%n", count,
        (System.nanoTime() - t0) / 1e9);
  }
}
