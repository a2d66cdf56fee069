package dev.jeton.oauth;

import dev.jeton.client.Client;
import dev.jeton.config.Config;
import dev.jeton.store.Database;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.Scope;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Issues authorization codes for the authorization-code exchange benchmark through Jeton's own
 * {@link AuthorizationCodes#issue} (so through its {@link WriteQueue}, group commit on SQLite),
 * as if the user had approved {@code count} authorization requests of one client with one PKCE
 * verifier, against the database of a running Jeton. Codes are single use and live 10 minutes:
 * seed right before the run. Writes the code secrets, one a line, to {@code out}.
 *
 * <p>In package {@code dev.jeton.oauth} (as {@code AccessTokenBenchmark} is in
 * {@code dev.jeton.token}) because the code store is package-private.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.jeton.oauth.SeedAuthorizationCodes <jdbc-url>
 * <db-user> <db-password> <account> <client_id> <user_id> <redirect_uri> <scope> <verifier>
 * <count> <out>} (empty strings for no database user or password).
 */
public final class SeedAuthorizationCodes {
  private SeedAuthorizationCodes() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 11) {
      System.err.println("usage: SeedAuthorizationCodes <jdbc-url> <db-user> <db-password> "
          + "<account> <client_id> <user_id> <redirect_uri> <scope> <verifier> <count> <out>");
      System.exit(2);
    }
    String account = args[3];
    String clientId = args[4];
    String userId = args[5];
    String redirectUri = args[6];
    Scope scope = Scope.parse(args[7]);
    String verifier = args[8];
    int count = Integer.parseInt(args[9]);
    Path out = Path.of(args[10]);
    if (!Pkce.wellFormed(verifier)) {
      throw new IllegalArgumentException("the verifier is not 43 to 128 unreserved characters");
    }
    // issue() reads only the client id from the client; the rest of the record is not used.
    Client client = new Client(clientId, account, new Client.Spec("bench", Client.Type.CONFIDENTIAL,
        List.of(redirectUri), List.of(Client.AUTHORIZATION_CODE), scope.values(), null, null,
        null),
        null, 0, 0, null);
    AuthorizationRequest req = new AuthorizationRequest(client, redirectUri, redirectUri, null,
        scope, Pkce.challenge(verifier), null, Set.of(), null, null);
    int threads = 64; // many concurrent submitters so that SQLite commits up to 256 per sync
    long t0 = System.nanoTime();
    try (Database db = Database.open(new Config.Db(args[0], args[1], args[2], 8));
        WriteQueue writes = new WriteQueue(db);
        BufferedWriter w = Files.newBufferedWriter(out)) {
      AuthorizationCodes codes = new AuthorizationCodes(db.jdbi(), writes,
          new OpaqueTokens(new SecureRandom()), Clock.systemUTC());
      // the exchange checks that the user's consent still covers the code's scopes, as it
      // would after the consent page
      new Consents(db.jdbi(), writes, Clock.systemUTC()).remember(account, userId, clientId,
          scope);
      long authTime = System.currentTimeMillis();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<List<String>>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int n = count / threads + (t < count % threads ? 1 : 0);
        parts.add(pool.submit(() -> {
          List<String> mine = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            mine.add(codes.issue(account, userId, authTime, 0, req,
                AuthorizationCodes.LIFETIME));
          }
          return mine;
        }));
      }
      for (Future<List<String>> f : parts) {
        for (String code : f.get()) {
          w.write(code);
          w.newLine();
        }
      }
      pool.shutdown();
    }
    System.out.printf("seeded %d authorization codes in %.1f s%n", count,
        (System.nanoTime() - t0) / 1e9);
  }
}
