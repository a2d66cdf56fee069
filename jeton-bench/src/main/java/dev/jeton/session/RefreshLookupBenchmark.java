package dev.jeton.session;

import dev.jeton.bench.BenchStack;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.TokenKind;
import java.security.SecureRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The refresh-token lookup (checksum check, SHA-256, indexed join on SQLite) with a table of
 * {@code rows} refresh tokens, to show that lookups do not slow down as the table grows.
 *
 * <p>Run: {@code java -jar jeton-bench/target/benchmarks.jar RefreshLookupBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RefreshLookupBenchmark {
  @Param({"1000", "1000000"})
  public int rows;

  private BenchStack stack;
  private SessionStore store;
  private String[] secrets;

  @Setup(Level.Trial)
  public void setUp() {
    stack = new BenchStack();
    store = new SessionStore(stack.db.jdbi());
    OpaqueTokens tokens = new OpaqueTokens(new SecureRandom());
    secrets = new String[1024];
    stack.writes.submit(h -> {
      h.execute("INSERT INTO accounts (id, name, created_at) VALUES ('main', 'Main', 0)");
      h.execute("INSERT INTO users (id, account_id, email, password_hash, role, created_at, "
          + "password_changed_at) VALUES ('usr_b', 'main', 'b@example.com', 'x', 'user', 0, 0)");
      h.execute("INSERT INTO sessions (id, account_id, user_id, client_id, scope, auth_time, "
          + "created_at, expires_at, last_used_at) VALUES ('ses_b', 'main', 'usr_b', 'jeton', "
          + "'user', 0, 0, 9999999999999, 0)");
      PreparedBatch batch = h.prepareBatch("INSERT INTO refresh_tokens (hash, session_id, "
          + "issued_at, expires_at) VALUES (?, 'ses_b', 0, 9999999999999)");
      for (int i = 0; i < rows; i++) {
        String secret = tokens.generate(TokenKind.RT);
        if (i < secrets.length) {
          secrets[i] = secret;
        }
        batch.add(OpaqueTokens.hash(secret));
        if (batch.size() == 10_000) {
          batch.execute();
        }
      }
      if (batch.size() > 0) {
        batch.execute();
      }
      return null;
    });
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    stack.close();
  }

  @Benchmark
  public Object lookup() {
    String secret = secrets[ThreadLocalRandom.current().nextInt(Math.min(rows, secrets.length))];
    OpaqueTokens.parse(secret);
    return store.findToken(OpaqueTokens.hash(secret)).orElseThrow();
  }
}
