package dev.jeton.user;

import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The SQL of {@code password_links}: one-time secrets stored as their SHA-256 only. */
final class PasswordLinkStore {
  /** A link's row: whose password it sets, why, and until when. */
  record Link(String accountId, String userId, String purpose, long expiresAt, Long usedAt) {}

  private final Jdbi jdbi;

  PasswordLinkStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Ends the user's unused links, then stores the new one's hash. */
  static void replace(Handle h, String hash, String accountId, String userId, String purpose,
      long now, long expiresAt) {
    endAll(h, userId, now);
    h.createUpdate("""
            INSERT INTO password_links (hash, account_id, user_id, purpose, created_at,
                                        expires_at)
            VALUES (:h, :a, :u, :p, :now, :exp)""")
        .bind("h", hash).bind("a", accountId).bind("u", userId).bind("p", purpose)
        .bind("now", now).bind("exp", expiresAt).execute();
  }

  /** Marks every unused link of the user used: none of them works any more. */
  static int endAll(Handle h, String userId, long now) {
    return h.createUpdate("""
            UPDATE password_links SET used_at = :now WHERE user_id = :u AND used_at IS NULL""")
        .bind("now", now).bind("u", userId).execute();
  }

  Optional<Link> find(String hash) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT account_id, user_id, purpose, expires_at, used_at FROM password_links
            WHERE hash = :h""")
        .bind("h", hash)
        .map((rs, ctx) -> new Link(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getLong(4), dev.jeton.store.Rows.longOrNull(rs, 5)))
        .findOne());
  }

  /** Marks the link used if it still works (a compare-and-set); true when this call did. */
  static boolean use(Handle h, String hash, String accountId, long now) {
    return h.createUpdate("""
            UPDATE password_links SET used_at = :now
            WHERE hash = :h AND account_id = :a AND used_at IS NULL AND expires_at > :now""")
        .bind("now", now).bind("h", hash).bind("a", accountId).execute() == 1;
  }
}
