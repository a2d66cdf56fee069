package dev.jeton.account;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The SQL of {@code setup_tokens}: secrets stored as hashes, each usable once. */
final class SetupTokenStore {
  private final Jdbi jdbi;

  SetupTokenStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Marks every unused secret of the account used, then stores the new one's hash. */
  static void replace(Handle h, String accountId, String hash, long now, long expiresAt) {
    h.createUpdate("UPDATE setup_tokens SET used_at = :now WHERE account_id = :a "
            + "AND used_at IS NULL")
        .bind("now", now).bind("a", accountId).execute();
    h.createUpdate("""
            INSERT INTO setup_tokens (hash, account_id, created_at, expires_at)
            VALUES (:h, :a, :now, :exp)""")
        .bind("h", hash).bind("a", accountId).bind("now", now).bind("exp", expiresAt)
        .execute();
  }

  /** True when the hash names an unused, unexpired secret of the account. */
  boolean isUsable(String accountId, String hash, long now) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT count(*) FROM setup_tokens
            WHERE hash = :h AND account_id = :a AND used_at IS NULL AND expires_at > :now""")
        .bind("h", hash).bind("a", accountId).bind("now", now)
        .mapTo(Integer.class).one()) == 1;
  }

  /** The account of an unused, unexpired secret with this hash; empty otherwise. */
  static java.util.Optional<String> usableAccount(Handle h, String hash, long now) {
    return h.createQuery("""
            SELECT account_id FROM setup_tokens
            WHERE hash = :h AND used_at IS NULL AND expires_at > :now""")
        .bind("h", hash).bind("now", now).mapTo(String.class).findOne();
  }

  /** Marks the secret used if it is usable (a compare-and-set); true when this call did. */
  static boolean use(Handle h, String accountId, String hash, long now) {
    return h.createUpdate("""
            UPDATE setup_tokens SET used_at = :now
            WHERE hash = :h AND account_id = :a AND used_at IS NULL AND expires_at > :now""")
        .bind("now", now).bind("h", hash).bind("a", accountId).execute() == 1;
  }
}
