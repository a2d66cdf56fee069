package dev.jeton.oauth;

import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.Scope;
import dev.jeton.token.TokenKind;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Authorization codes (RFC 6749 4.1.2): {@code jeton_ac_...} secrets of 178 CSPRNG bits
 * (docs/security.md#secret-entropy), stored only as SHA-256 hashes with the client, redirect
 * URI, PKCE challenge, scopes, user, auth time and nonce they were issued for. They live 10
 * minutes (docs/security.md#code-lifetime) and are spent once by a compare-and-set on
 * {@code used_at}; a replay marks the code and hands back the session its first exchange
 * created, so that it can be revoked (docs/security.md#code-single-use).
 */
final class AuthorizationCodes {
  static final Duration LIFETIME = Duration.ofMinutes(10);

  private final Jdbi jdbi;
  private final WriteQueue writes;
  private final OpaqueTokens tokens;
  private final Clock clock;

  /** A stored code; times in ms, {@code redirectUri} null when the request omitted it. */
  record Code(String hash, String accountId, String clientId, String userId, String redirectUri,
      String codeChallenge, Scope scopes, long authTime, String nonce, long expiresAt,
      Long usedAt) {}

  AuthorizationCodes(Jdbi jdbi, WriteQueue writes, OpaqueTokens tokens, Clock clock) {
    this.jdbi = jdbi;
    this.writes = writes;
    this.tokens = tokens;
    this.clock = clock;
  }

  /** Issues a code for an approved request; answers the secret (never stored). */
  String issue(String accountId, String userId, long authTime, AuthorizationRequest req) {
    String code = tokens.generate(TokenKind.AC);
    long now = clock.millis();
    writes.submit(h -> h.createUpdate("""
            INSERT INTO authorization_codes (hash, account_id, client_id, user_id, redirect_uri,
              code_challenge, scope, auth_time, nonce, created_at, expires_at)
            VALUES (:h, :a, :c, :u, :r, :ch, :s, :auth, :n, :now, :exp)""")
        .bind("h", OpaqueTokens.hash(code)).bind("a", accountId)
        .bind("c", req.client().clientId()).bind("u", userId).bind("r", req.redirectUriSent())
        .bind("ch", req.codeChallenge()).bind("s", req.scopes().render())
        .bind("auth", authTime).bind("n", req.nonce()).bind("now", now)
        .bind("exp", now + LIFETIME.toMillis()).execute());
    return code;
  }

  Optional<Code> find(String code) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT hash, account_id, client_id, user_id, redirect_uri, code_challenge, scope,
                   auth_time, nonce, expires_at, used_at
            FROM authorization_codes WHERE hash = :h""")
        .bind("h", OpaqueTokens.hash(code))
        .map((rs, c) -> {
          long used = rs.getLong("used_at");
          Long usedAt = rs.wasNull() ? null : used;
          return new Code(rs.getString("hash"), rs.getString("account_id"),
              rs.getString("client_id"), rs.getString("user_id"), rs.getString("redirect_uri"),
              rs.getString("code_challenge"), Scope.parse(rs.getString("scope")),
              rs.getLong("auth_time"), rs.getString("nonce"), rs.getLong("expires_at"),
              usedAt);
        })
        .findOne());
  }

  /** Spends the code; false when another request spent it first. */
  boolean spend(String hash) {
    long now = clock.millis();
    return writes.submit(h -> h.createUpdate(
            "UPDATE authorization_codes SET used_at = :now WHERE hash = :h AND used_at IS NULL")
        .bind("now", now).bind("h", hash).execute() == 1);
  }

  /**
   * Records the session the exchange created; answers false when the code was replayed in the
   * meantime (then the caller revokes that session itself).
   */
  boolean attachSession(String hash, String sessionId) {
    return writes.submit(h -> {
      h.createUpdate("UPDATE authorization_codes SET session_id = :s WHERE hash = :h")
          .bind("s", sessionId).bind("h", hash).execute();
      return h.createQuery("SELECT replayed_at FROM authorization_codes WHERE hash = :h")
          .bind("h", hash).mapTo(Long.class).findOne().isEmpty();
    });
  }

  /** Marks a replayed code; answers the session its first exchange created, if any yet. */
  Optional<String> replayed(String hash) {
    long now = clock.millis();
    return Optional.ofNullable(writes.submit(h -> {
      h.createUpdate("UPDATE authorization_codes SET replayed_at = :now WHERE hash = :h "
          + "AND replayed_at IS NULL").bind("now", now).bind("h", hash).execute();
      return h.createQuery("SELECT session_id FROM authorization_codes WHERE hash = :h")
          .bind("h", hash).mapTo(String.class).findOne().orElse(null);
    }));
  }
}
