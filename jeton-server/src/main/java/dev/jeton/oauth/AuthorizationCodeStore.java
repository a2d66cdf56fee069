package dev.jeton.oauth;

import dev.jeton.store.Rows;
import dev.jeton.token.Scope;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The SQL of {@code authorization_codes}: codes stored by hash, spent by compare-and-set. */
final class AuthorizationCodeStore {
  private final Jdbi jdbi;

  AuthorizationCodeStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  static void insert(Handle h, AuthorizationCodes.Code c, long now) {
    h.createUpdate("""
            INSERT INTO authorization_codes (hash, account_id, client_id, user_id, redirect_uri,
              code_challenge, scope, auth_time, nonce, created_at, expires_at,
              credential_generation)
            VALUES (:h, :a, :c, :u, :r, :ch, :s, :auth, :n, :now, :exp, :gen)""")
        .bind("h", c.hash()).bind("a", c.accountId()).bind("c", c.clientId())
        .bind("u", c.userId()).bind("r", c.redirectUri()).bind("ch", c.codeChallenge())
        .bind("s", c.scopes().render()).bind("auth", c.authTime()).bind("n", c.nonce())
        .bind("now", now).bind("exp", c.expiresAt()).bind("gen", c.credentialGeneration())
        .execute();
  }

  Optional<AuthorizationCodes.Code> find(String hash) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT hash, account_id, client_id, user_id, redirect_uri, code_challenge, scope,
                   auth_time, nonce, expires_at, used_at, credential_generation, revoked_at
            FROM authorization_codes WHERE hash = :h""")
        .bind("h", hash)
        .map((rs, c) -> new AuthorizationCodes.Code(rs.getString("hash"),
            rs.getString("account_id"), rs.getString("client_id"), rs.getString("user_id"),
            rs.getString("redirect_uri"), rs.getString("code_challenge"),
            Scope.parse(rs.getString("scope")), rs.getLong("auth_time"), rs.getString("nonce"),
            rs.getLong("expires_at"), Rows.longOrNull(rs, "used_at"),
            rs.getInt("credential_generation"), Rows.longOrNull(rs, "revoked_at")))
        .findOne());
  }

  /** Marks the code used if it is unused; true when this call did. */
  static boolean spend(Handle h, String hash, long now) {
    return h.createUpdate(
            "UPDATE authorization_codes SET used_at = :now WHERE hash = :h AND used_at IS NULL")
        .bind("now", now).bind("h", hash).execute() == 1;
  }

  /**
   * Records the session the exchange created; true unless the code was replayed or revoked
   * meanwhile. A compare-and-set on the code's row, which a revocation updates too: whichever
   * commits second sees the other (on PostgreSQL it waits for the row and re-checks).
   */
  static boolean attachSession(Handle h, String hash, String sessionId) {
    return h.createUpdate("""
            UPDATE authorization_codes SET session_id = :s
            WHERE hash = :h AND replayed_at IS NULL AND revoked_at IS NULL""")
        .bind("s", sessionId).bind("h", hash).execute() == 1;
  }

  /**
   * Revokes every code of the user (of one client, or of all with {@code clientId} null) that
   * has not created a session yet, exchanged or not; answers how many.
   */
  static int revokePending(Handle h, String userId, String clientId, long now) {
    return h.createUpdate("""
            UPDATE authorization_codes SET revoked_at = :now
            WHERE user_id = :u AND session_id IS NULL AND revoked_at IS NULL
              AND expires_at > :now""" + (clientId == null ? "" : " AND client_id = :c"))
        .bind("now", now).bind("u", userId).bind("c", clientId).execute();
  }

  /** Marks the code replayed; answers the session its first exchange created, or null. */
  static String markReplayed(Handle h, String hash, long now) {
    h.createUpdate("UPDATE authorization_codes SET replayed_at = :now WHERE hash = :h "
        + "AND replayed_at IS NULL").bind("now", now).bind("h", hash).execute();
    return h.createQuery("SELECT session_id FROM authorization_codes WHERE hash = :h")
        .bind("h", hash).mapTo(String.class).findOne().orElse(null);
  }
}
