package dev.jeton.session;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.jeton.account.Account;
import dev.jeton.config.Config;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Audit;
import dev.jeton.observe.Metrics;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.Issuers;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.Scope;
import dev.jeton.token.TokenKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sessions and their refresh tokens: sign-in, rotation on every refresh, reuse detection, the
 * lost-response grace window, logout and revocation.
 *
 * <p>Rotation is a compare-and-set on the presented token ({@code rotated_at IS NULL}), so two
 * refreshes racing on one token never both rotate it. A token presented again after rotation is
 * reuse and revokes the whole session ({@code refresh_token_reused}), except once within the
 * grace window: then its still-unused successor is revoked and a fresh pair issued, so a client
 * that lost the response is not signed out. Either way the family ends with one live token, and
 * the successor replaced that way is reuse too if it is ever presented: whoever holds it is not
 * the party that retried, so two parties hold the family (RFC 9700 4.14.2).
 */
public final class SessionService {
  /** The client id of Jeton's own first-party sign-in (the {@code client_id} claim). */
  public static final String FIRST_PARTY_CLIENT = "jeton";
  public static final String SCOPE_USER = "user";
  public static final String SCOPE_ADMIN = "admin";

  private final SessionStore store;
  private final WriteQueue writes;
  private final AccessTokens accessTokens;
  private final Issuers issuers;
  private final OpaqueTokens tokens;
  private final Metrics metrics;
  private final Clock clock;
  private final LoadingCache<String, Boolean> active;

  /**
   * A freshly issued access + refresh token pair; {@code scope} is the access token's, the
   * session's or fewer (RFC 6749 6).
   */
  public record TokenPair(AccessTokens.Issued access, String refreshToken, long refreshExpiresAt,
      long issuedAt, Session session, Scope scope) {}

  public SessionService(org.jdbi.v3.core.Jdbi jdbi, WriteQueue writes,
      AccessTokens accessTokens, Issuers issuers, OpaqueTokens tokens, Metrics metrics,
      Clock clock) {
    this.store = new SessionStore(jdbi);
    this.issuers = issuers;
    this.writes = writes;
    this.accessTokens = accessTokens;
    this.tokens = tokens;
    this.metrics = metrics;
    this.clock = clock;
    this.active = Caffeine.newBuilder()
        .maximumSize(100_000)
        .expireAfterWrite(Duration.ofSeconds(2))
        .build(id -> store.findSession(id)
            .map(s -> !s.revoked() && s.expiresAt() > clock.millis())
            .orElse(false));
    writes.caches().register("session", active::invalidate, active::invalidateAll);
  }

  /**
   * Starts a session of {@code clientId} (the {@code client_id} of its tokens; {@link
   * #FIRST_PARTY_CLIENT} for Jeton's own sign-in) for a user who just proved who they are,
   * carrying {@code scopes}, its first access token meant for {@code audience}; {@code authTime}
   * (ms) is when the user signed in, {@code absolute} the session's lifetime.
   */
  public TokenPair start(Account account, String userId, Config.Lifetimes lifetimes,
      String clientId, Scope scopes, List<String> audience, long authTime, Duration absolute,
      int credentialGeneration) {
    long now = clock.millis();
    Session s = new Session(tokens.id("ses_"), account.id(), userId, clientId,
        scopes, authTime, now, now + absolute.toMillis(), now, null, null, credentialGeneration);
    String refresh = tokens.generate(TokenKind.RT);
    long rtExpires = Math.min(s.expiresAt(), now + lifetimes.refreshTokenIdle().toMillis());
    boolean started = writes.submit(h -> {
      if (!SessionStore.insertSession(h, s, writes.postgres())) {
        return false;
      }
      SessionStore.insertToken(h, OpaqueTokens.hash(refresh), s.id(), now, rtExpires);
      return true;
    });
    if (!started) {
      throw new StaleCredentials();
    }
    metrics.tokenIssued("refresh_token");
    return new TokenPair(issueAccess(s, lifetimes, scopes, audience), refresh, rtExpires, now, s,
        scopes);
  }

  /**
   * The user's password changed after they signed in for the session being started (its
   * credential generation is no longer theirs); nothing was created. Callers answer it as their
   * own refusal ({@code invalid_grant}, {@code invalid_credentials}).
   */
  public static final class StaleCredentials extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StaleCredentials() {
      super("the password changed after this sign-in", null, false, false);
    }
  }

  /**
   * A refresh token as {@link #find} looked it up: the row {@link #rotate} compare-and-sets, so
   * the token a caller checked is the token rotated, with one lookup. Only this class makes one.
   */
  public static final class Presented {
    private final SessionStore.TokenRow row;

    private Presented(SessionStore.TokenRow row) {
      this.row = row;
    }

    /** The session the token belongs to. */
    public Session session() {
      return row.session();
    }
  }

  /**
   * Looks up a presented refresh token of the account. Changes nothing and judges nothing more:
   * whether the token may still be used is {@link #rotate}'s to say, after the caller's own
   * checks of the session (its client, its scopes), so a token the caller refuses is left as it
   * was.
   *
   * @throws ApiException {@code token_malformed}, {@code token_wrong_type} or
   *     {@code token_unknown} (also for a token of another account)
   */
  public Presented find(Account account, String refreshToken) {
    try {
      return lookUp(account, refreshToken);
    } catch (ApiException e) {
      metrics.tokenRejected(e.code().code());
      throw e;
    }
  }

  private Presented lookUp(Account account, String refreshToken) {
    TokenKind kind = OpaqueTokens.parse(refreshToken);
    if (kind != TokenKind.RT) {
      throw new ApiException(ErrorCode.TOKEN_WRONG_TYPE,
          "A Jeton '" + kind.tag() + "' token was presented where a refresh token is expected.");
    }
    return new Presented(store.findToken(OpaqueTokens.hash(refreshToken))
        .filter(r -> r.session().accountId().equals(account.id()))
        .orElseThrow(() -> new ApiException(ErrorCode.TOKEN_UNKNOWN,
            "This refresh token was not issued by this account or has been purged.")));
  }

  /**
   * Exchanges a found refresh token for a new pair whose access token carries {@code scope}: the
   * session's scopes or fewer (RFC 6749 6). The rotation is a compare-and-set on the found token
   * (docs/security.md#refresh-rotation); a token presented again after it is reuse
   * (docs/security.md#refresh-reuse), but for one retry within the grace window.
   *
   * @throws ApiException {@code refresh_token_reused}, {@code token_revoked},
   *     {@code token_expired} or {@code user_blocked}
   * @throws IllegalArgumentException when {@code scope} is not within the session's scopes
   */
  public TokenPair rotate(Presented presented, Config.Lifetimes lifetimes, Scope scope,
      List<String> audience) {
    try {
      return rotateOrRefuse(presented, lifetimes, scope, audience);
    } catch (ApiException e) {
      // every refusal of a presented refresh token is counted, as at the bearer-protected API
      metrics.tokenRejected(e.code().code());
      throw e;
    }
  }

  private TokenPair rotateOrRefuse(Presented presented, Config.Lifetimes lifetimes, Scope scope,
      List<String> audience) {
    SessionStore.TokenRow found = presented.row;
    if (!found.session().scopes().containsAll(scope)) {
      throw new IllegalArgumentException("the scope " + scope + " exceeds the session's");
    }
    long now = clock.millis();
    if (found.revokedAt() != null && !found.session().revoked()) {
      // The successor a grace retry replaced: two parties held this family (RFC 9700 4.14.2).
      throw reused(found, "was replaced at " + Instant.ofEpochMilli(found.revokedAt())
          + " by a retried refresh");
    }
    checkUsable(found, now);
    SessionStore.TokenRow row = found;
    if (found.rotatedAt() == null) {
      Session session = found.session();
      String next = tokens.generate(TokenKind.RT);
      long expires = Math.min(session.expiresAt(),
          now + lifetimes.refreshTokenIdle().toMillis());
      boolean rotated = writes.submit(h -> {
        if (!SessionStore.rotate(h, found.hash(), OpaqueTokens.hash(next), now)) {
          return false;
        }
        SessionStore.insertToken(h, OpaqueTokens.hash(next), session.id(), now, expires);
        SessionStore.touch(h, session.id(), now);
        return true;
      });
      if (rotated) {
        metrics.tokenIssued("refresh_token");
        return new TokenPair(issueAccess(session, lifetimes, scope, audience), next, expires,
            now, session, scope);
      }
      // Another request rotated this token first: judge it again as a used token.
      row = store.findToken(found.hash()).orElseThrow();
      checkUsable(row, now);
    }
    return afterRotation(row, now, lifetimes, scope, audience);
  }

  /**
   * The first-party refresh: exchanges a refresh token of Jeton's own sign-in for a new pair with
   * the session's scopes. A token issued to an OAuth client is refused and left as it was: the
   * client refreshes it at the token endpoint, with its own authentication (RFC 6749 6, 10.4).
   *
   * @throws ApiException those of {@link #find} and {@link #rotate}, and
   *     {@code client_token_not_accepted} for a token issued to an OAuth client
   */
  public TokenPair refresh(Account account, String refreshToken, Config.Lifetimes lifetimes) {
    Presented found = find(account, refreshToken);
    if (!FIRST_PARTY_CLIENT.equals(found.session().clientId())) {
      metrics.tokenRejected(ErrorCode.CLIENT_TOKEN_NOT_ACCEPTED.code());
      throw new ApiException(ErrorCode.CLIENT_TOKEN_NOT_ACCEPTED, "This refresh token was "
          + "issued to an OAuth client; the client refreshes it at the token endpoint.");
    }
    return rotate(found, lifetimes, found.session().scopes(), firstPartyAudience(account.id()));
  }

  private TokenPair afterRotation(SessionStore.TokenRow row, long now,
      Config.Lifetimes lifetimes, Scope scope, List<String> audience) {
    boolean inGrace = !lifetimes.refreshGrace().isZero() && !row.graceUsed()
        && row.successorHash() != null
        && now - row.rotatedAt() <= lifetimes.refreshGrace().toMillis();
    if (inGrace) {
      String next = tokens.generate(TokenKind.RT);
      String nextHash = OpaqueTokens.hash(next);
      long expires = Math.min(row.session().expiresAt(),
          now + lifetimes.refreshTokenIdle().toMillis());
      Boolean granted = writes.submit(h -> {
        if (!SessionStore.useGrace(h, row.hash(), row.successorHash(), nextHash, now)) {
          throw new WriteQueue.Abort();
        }
        SessionStore.insertToken(h, nextHash, row.session().id(), now, expires);
        SessionStore.touch(h, row.session().id(), now);
        return true;
      });
      if (granted != null) {
        Audit.event("refresh_grace_used", "account", row.session().accountId(),
            "session", row.session().id(), "user", row.session().userId());
        metrics.tokenIssued("refresh_token");
        return new TokenPair(issueAccess(row.session(), lifetimes, scope, audience), next,
            expires, now, row.session(), scope);
      }
    }
    throw reused(row, "was already used at " + Instant.ofEpochMilli(row.rotatedAt()));
  }

  /** Revokes the session of a token presented when it can no longer be (reuse detection). */
  private ApiException reused(SessionStore.TokenRow row, String what) {
    revoke(row.session().id(), "refresh_token_reused");
    Audit.event("refresh_token_reused", "account", row.session().accountId(),
        "session", row.session().id(), "user", row.session().userId());
    return new ApiException(ErrorCode.REFRESH_TOKEN_REUSED,
        "This refresh token " + what + "; the session has been revoked.");
  }

  private static void checkUsable(SessionStore.TokenRow row, long now) {
    Session s = row.session();
    if (s.revoked()) {
      throw new ApiException(ErrorCode.TOKEN_REVOKED, "The session was revoked at "
          + Instant.ofEpochMilli(s.revokedAt()) + " (" + s.revokedReason() + ").");
    }
    if (row.revokedAt() != null) {
      throw new ApiException(ErrorCode.TOKEN_REVOKED, "This refresh token was superseded at "
          + Instant.ofEpochMilli(row.revokedAt()) + " by a retried refresh.");
    }
    if (now >= s.expiresAt() || (row.rotatedAt() == null && now >= row.expiresAt())) {
      throw new ApiException(ErrorCode.TOKEN_EXPIRED, "The refresh token expired at "
          + Instant.ofEpochMilli(Math.min(s.expiresAt(), row.expiresAt())) + ".");
    }
    if (row.ownerBlocked()) {
      throw new ApiException(ErrorCode.USER_BLOCKED, "The user is blocked.");
    }
  }

  /**
   * Ends the first-party session the refresh token belongs to. Unknown tokens and tokens of other
   * accounts are ignored (the answer is the same, so it reveals nothing). A token issued to an
   * OAuth client is refused and its session left as it was, by the same rule as
   * {@link #refresh}: the client ends it at the revocation endpoint (RFC 7009), with its own
   * authentication.
   *
   * @throws ApiException {@code token_malformed}, {@code token_wrong_type}, and
   *     {@code client_token_not_accepted} for a token issued to an OAuth client
   */
  public void logout(Account account, String refreshToken) {
    TokenKind kind = OpaqueTokens.parse(refreshToken);
    if (kind != TokenKind.RT) {
      throw new ApiException(ErrorCode.TOKEN_WRONG_TYPE,
          "A Jeton '" + kind.tag() + "' token was presented where a refresh token is expected.");
    }
    store.findToken(OpaqueTokens.hash(refreshToken))
        .filter(r -> r.session().accountId().equals(account.id()))
        .ifPresent(r -> {
          if (!FIRST_PARTY_CLIENT.equals(r.session().clientId())) {
            throw new ApiException(ErrorCode.CLIENT_TOKEN_NOT_ACCEPTED, "This refresh token was "
                + "issued to an OAuth client; the client revokes it at the revocation endpoint "
                + "(RFC 7009).");
          }
          if (revoke(r.session().id(), "logout")) {
            Audit.event("logout", "account", account.id(), "session", r.session().id(),
                "user", r.session().userId());
          }
        });
  }

  /** Revokes one session; answers true if it was active. */
  public boolean revoke(String sessionId, String reason) {
    long now = clock.millis();
    boolean changed = writes.submit(h -> SessionStore.revoke(h, sessionId, now, reason));
    writes.caches().changed("session", sessionId);
    return changed;
  }

  /**
   * Revokes the session of a refresh token reported leaked (spent ones too: a spent token in the
   * wild means the family is exposed), whatever its account; empty when the text is no refresh
   * token Jeton issued, else the session and whether this report revoked it.
   */
  public java.util.Optional<Map.Entry<Session, Boolean>> revokeLeakedRefreshToken(String token) {
    return findRefreshToken(token).map(state -> Map.entry(state.session(),
        revoke(state.session().id(), "leaked")));
  }

  /**
   * Revokes a session of the account (an admin's revocation); answers false when the account
   * has no session with this id that has not ended.
   */
  public boolean revokeInAccount(String accountId, String sessionId, String reason) {
    long now = clock.millis();
    boolean changed = writes.submit(h -> SessionStore.revokeInAccount(h, accountId, sessionId,
        now, reason));
    writes.caches().changed("session", sessionId);
    return changed;
  }

  /** Revokes every session of a user but {@code keep}, inside the caller's transaction. */
  public List<String> revokeAllOfUser(org.jdbi.v3.core.Handle h, String userId, String keep,
      String reason) {
    List<String> ids = SessionStore.revokeAllOfUser(h, userId, keep, clock.millis(), reason);
    writes.caches().changedIn(h, "session", ids);
    return ids;
  }

  /**
   * Inside the transaction of a password change: moves the session that made the change to the
   * user's new credential generation, so that it alone stays signed in.
   */
  public void keepThroughCredentialChange(org.jdbi.v3.core.Handle h, String sessionId,
      int generation) {
    SessionStore.renewGeneration(h, sessionId, generation);
  }

  /**
   * Revokes every active session of a user with one client inside the caller's transaction (a
   * revoked grant); their ids. Call {@link #forgetCached(List)} with them after the commit.
   */
  public List<String> revokeAllOfUserForClient(org.jdbi.v3.core.Handle h, String userId,
      String clientId, String reason) {
    return SessionStore.revokeAllOfUserForClient(h, userId, clientId, clock.millis(), reason);
  }


  /**
   * Revokes every active session of a client, inside the caller's transaction (the client is
   * being deleted). The cached states are forgotten when the transaction has committed, so call
   * {@link #forgetCached(List)} with the answer afterwards.
   */
  public List<String> revokeAllOfClient(org.jdbi.v3.core.Handle h, String accountId,
      String clientId, String reason) {
    return SessionStore.revokeAllOfClient(h, accountId, clientId, clock.millis(), reason);
  }

  /** Forgets the cached states of these sessions (after revoking them in a transaction). */
  public void forgetCached(List<String> sessionIds) {
    writes.caches().changed("session", sessionIds);
  }

  /** Forgets cached session states (after a bulk revocation such as disabling an account). */
  public void forgetCached() {
    writes.caches().changedAll("session");
  }

  /**
   * Whether the session behind an access token is still active. Cached for two seconds: a
   * revocation on this node is seen at once, on other nodes when its notification arrives
   * (milliseconds on PostgreSQL, docs/operations.md#caches), and within two seconds if it is
   * lost.
   */
  public boolean isActive(String sessionId) {
    return sessionId != null && active.get(sessionId);
  }

  /**
   * A refresh token's state, read-only (for introspection and revocation). Times in ms;
   * {@code expiresAt} is the earlier of the token's and the session's expiry.
   */
  public record RefreshTokenState(Session session, long issuedAt, long expiresAt, boolean live) {}

  /**
   * The state of a refresh token of any account, or empty when the text is not a well-formed
   * refresh token or was never issued. Live means usable now: not rotated (spent), not revoked,
   * not expired, its session active and its user not blocked. Changes nothing.
   */
  public java.util.Optional<RefreshTokenState> findRefreshToken(String refreshToken) {
    if (OpaqueTokens.kindOf(refreshToken) != TokenKind.RT) {
      return java.util.Optional.empty();
    }
    long now = clock.millis();
    return store.findToken(OpaqueTokens.hash(refreshToken)).map(r -> {
      Session s = r.session();
      boolean live = !s.revoked() && r.revokedAt() == null && r.rotatedAt() == null
          && now < s.expiresAt() && now < r.expiresAt() && !r.ownerBlocked();
      return new RefreshTokenState(s, r.issuedAt(), Math.min(r.expiresAt(), s.expiresAt()),
          live);
    });
  }

  /** The session, if it exists. */
  public java.util.Optional<Session> find(String sessionId) {
    return store.findSession(sessionId);
  }

  /**
   * The audience of first-party access tokens: Jeton's own API under the account's issuer, and
   * nothing else (docs/security.md#audiences).
   */
  public List<String> firstPartyAudience(String accountId) {
    return List.of(issuers.api(accountId));
  }

  private AccessTokens.Issued issueAccess(Session s, Config.Lifetimes lifetimes, Scope scope,
      List<String> audience) {
    AccessTokens.Issued issued = accessTokens.issue(new AccessTokens.Contents(s.accountId(),
        s.userId(), s.clientId(), s.id(), scope, s.authTime() / 1000, audience),
        lifetimes.accessToken());
    metrics.tokenIssued("access_token");
    return issued;
  }
}
