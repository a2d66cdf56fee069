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
 * URI, PKCE challenge, scopes, user, auth time and nonce they were issued for. They live their
 * account's authorization-code lifetime, 10 minutes unless it is set lower
 * (docs/security.md#code-lifetime), and are spent once by a compare-and-set on
 * {@code used_at}; a replay marks the code and hands back the session its first exchange
 * created, so that it can be revoked (docs/security.md#code-single-use).
 */
final class AuthorizationCodes {
  /** The longest an authorization code lives (the default; accounts may set less). */
  static final Duration LIFETIME = dev.jeton.config.Config.Lifetimes.DEFAULT_AUTHORIZATION_CODE;

  private final AuthorizationCodeStore store;
  private final WriteQueue writes;
  private final OpaqueTokens tokens;
  private final Clock clock;

  /**
   * A stored code; times in ms, {@code redirectUri} null when the request omitted it,
   * {@code credentialGeneration} the one of the browser session that approved it,
   * {@code revokedAt} set when its authorization was withdrawn before a session was created.
   */
  record Code(String hash, String accountId, String clientId, String userId, String redirectUri,
      String codeChallenge, Scope scopes, long authTime, String nonce, long expiresAt,
      Long usedAt, int credentialGeneration, Long revokedAt) {}

  AuthorizationCodes(Jdbi jdbi, WriteQueue writes, OpaqueTokens tokens, Clock clock) {
    this.store = new AuthorizationCodeStore(jdbi);
    this.writes = writes;
    this.tokens = tokens;
    this.clock = clock;
  }

  /**
   * Issues a code for a request approved by a browser session signed in with credential
   * generation {@code generation}; answers the secret (never stored).
   */
  String issue(String accountId, String userId, long authTime, int generation,
      AuthorizationRequest req, Duration lifetime) {
    String code = tokens.generate(TokenKind.AC);
    long now = clock.millis();
    Code c = new Code(OpaqueTokens.hash(code), accountId, req.client().clientId(), userId,
        req.redirectUriSent(), req.codeChallenge(), req.scopes(), authTime, req.nonce(),
        now + lifetime.toMillis(), null, generation, null);
    writes.submit(h -> {
      AuthorizationCodeStore.insert(h, c, now);
      return null;
    });
    return code;
  }

  Optional<Code> find(String code) {
    return store.find(OpaqueTokens.hash(code));
  }

  /** Spends the code; false when another request spent it first. */
  boolean spend(String hash) {
    long now = clock.millis();
    return writes.submit(h -> AuthorizationCodeStore.spend(h, hash, now));
  }

  /**
   * Records the session the exchange created; answers false when the code was replayed or its
   * authorization withdrawn in the meantime (then the caller revokes that session itself).
   */
  boolean attachSession(String hash, String sessionId) {
    return writes.submit(h -> AuthorizationCodeStore.attachSession(h, hash, sessionId));
  }

  /** Marks a replayed code; answers the session its first exchange created, if any yet. */
  Optional<String> replayed(String hash) {
    long now = clock.millis();
    return Optional.ofNullable(writes.submit(h -> AuthorizationCodeStore.markReplayed(h, hash,
        now)));
  }
}
