package dev.jeton.account;

import dev.jeton.store.WriteQueue;
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

  private final SetupTokenStore store;
  private final OpaqueTokens tokens;
  private final Clock clock;

  private final WriteQueue writes;

  public SetupTokens(Jdbi jdbi, WriteQueue writes, OpaqueTokens tokens, Clock clock) {
    this.store = new SetupTokenStore(jdbi);
    this.writes = writes;
    this.tokens = tokens;
    this.clock = clock;
  }

  /** Issues a fresh setup secret for the account within the caller's transaction. */
  public String issue(Handle h, String accountId) {
    long now = clock.millis();
    String secret = tokens.generate(TokenKind.ST);
    SetupTokenStore.replace(h, accountId, OpaqueTokens.hash(secret), now,
        now + LIFETIME.toMillis());
    return secret;
  }

  /** Issues a fresh setup secret in its own transaction. */
  public String issue(String accountId) {
    return writes.submit(h -> issue(h, accountId));
  }

  /** True when the secret is valid for the account and unused (does not consume it). */
  public boolean isValid(String accountId, String secret) {
    if (OpaqueTokens.kindOf(secret) != TokenKind.ST) {
      return false;
    }
    return store.isUsable(accountId, OpaqueTokens.hash(secret), clock.millis());
  }

  /**
   * Consumes the secret inside the caller's transaction; answers the account it was for, or empty
   * when it is unknown, expired, for another account, or already used.
   */
  public Optional<String> consume(Handle h, String accountId, String secret) {
    if (OpaqueTokens.kindOf(secret) != TokenKind.ST) {
      return Optional.empty();
    }
    return SetupTokenStore.use(h, accountId, OpaqueTokens.hash(secret), clock.millis())
        ? Optional.of(accountId) : Optional.empty();
  }

  /**
   * Ends a setup secret reported leaked, whatever its account; answers that account when the
   * secret still worked (it works no more), empty otherwise.
   */
  public Optional<String> endLeaked(String secret) {
    if (OpaqueTokens.kindOf(secret) != TokenKind.ST) {
      return Optional.empty();
    }
    String hash = OpaqueTokens.hash(secret);
    return writes.submit(h -> {
      long now = clock.millis();
      Optional<String> account = SetupTokenStore.usableAccount(h, hash, now);
      account.ifPresent(a -> SetupTokenStore.use(h, a, hash, now));
      return account;
    });
  }
}
