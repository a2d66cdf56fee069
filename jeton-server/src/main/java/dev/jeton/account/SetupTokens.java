package dev.jeton.account;

import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.TokenKind;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * One-time setup secrets ({@code jeton_st_...}) that let their holder create an account's first
 * admin. Issuing a new one invalidates the account's earlier ones; consuming is a compare-and-set,
 * so a link works exactly once even when two requests race.
 */
public final class SetupTokens {
  /** How long a setup link stays valid. */
  public static final Duration LIFETIME = Duration.ofDays(7);

  private final Jdbi jdbi;
  private final OpaqueTokens tokens;
  private final Clock clock;

  public SetupTokens(Jdbi jdbi, OpaqueTokens tokens, Clock clock) {
    this.jdbi = jdbi;
    this.tokens = tokens;
    this.clock = clock;
  }

  /** Issues a fresh setup secret for the account within the caller's transaction. */
  public String issue(Handle h, String accountId) {
    long now = clock.millis();
    h.createUpdate("UPDATE setup_tokens SET used_at = :now WHERE account_id = :a AND used_at IS NULL")
        .bind("now", now).bind("a", accountId).execute();
    String secret = tokens.generate(TokenKind.ST);
    h.createUpdate("""
            INSERT INTO setup_tokens (hash, account_id, created_at, expires_at)
            VALUES (:h, :a, :now, :exp)""")
        .bind("h", OpaqueTokens.hash(secret)).bind("a", accountId).bind("now", now)
        .bind("exp", now + LIFETIME.toMillis())
        .execute();
    return secret;
  }

  /** Issues a fresh setup secret in its own transaction. */
  public String issue(String accountId) {
    return jdbi.inTransaction(h -> issue(h, accountId));
  }

  /** True when the secret is valid for the account and unused (does not consume it). */
  public boolean isValid(String accountId, String secret) {
    if (OpaqueTokens.kindOf(secret) != TokenKind.ST) {
      return false;
    }
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT count(*) FROM setup_tokens
            WHERE hash = :h AND account_id = :a AND used_at IS NULL AND expires_at > :now""")
        .bind("h", OpaqueTokens.hash(secret)).bind("a", accountId).bind("now", clock.millis())
        .mapTo(Integer.class).one()) == 1;
  }

  /**
   * Consumes the secret inside the caller's transaction; answers the account it was for, or empty
   * when it is unknown, expired, for another account, or already used.
   */
  public Optional<String> consume(Handle h, String accountId, String secret) {
    if (OpaqueTokens.kindOf(secret) != TokenKind.ST) {
      return Optional.empty();
    }
    int n = h.createUpdate("""
            UPDATE setup_tokens SET used_at = :now
            WHERE hash = :h AND account_id = :a AND used_at IS NULL AND expires_at > :now""")
        .bind("now", clock.millis()).bind("h", OpaqueTokens.hash(secret)).bind("a", accountId)
        .execute();
    return n == 1 ? Optional.of(accountId) : Optional.empty();
  }
}
