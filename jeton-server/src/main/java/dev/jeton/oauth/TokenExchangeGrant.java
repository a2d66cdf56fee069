package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.client.Client;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Audit;
import dev.jeton.observe.Metrics;
import dev.jeton.session.PatVerifier;
import dev.jeton.session.SessionService;
import dev.jeton.token.AccessToken;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.Scope;
import dev.jeton.token.TokenKind;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Token exchange (RFC 8693, docs/oauth.md#token-exchange): a confidential client registered for
 * the grant trades a token of the account's user or service principal, a personal access token
 * or an access token of a live session, for an access token meant for one of the client's
 * registered resources, so that the services behind it verify it offline with the JWKS. The new
 * token names the same subject, the exchanging client as {@code client_id}, at most the subject
 * token's scopes, the subject's session (if it has one, so that ending the session ends it at
 * Jeton's introspection too), and lives no longer than the access token lifetime or the subject
 * token, whichever ends first. A subject token that is not acceptable is {@code invalid_request}
 * (RFC 8693 2.2.2), with the precise reason in the description.
 */
final class TokenExchangeGrant {
  private final AccessTokens accessTokens;
  private final SessionService sessions;
  private final PatVerifier pats;
  private final Metrics metrics;
  private final Clock clock;

  TokenExchangeGrant(AccessTokens accessTokens, SessionService sessions, PatVerifier pats,
      Metrics metrics, Clock clock) {
    this.accessTokens = accessTokens;
    this.sessions = sessions;
    this.pats = pats;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Who a subject token stands for, with what, in which session, until when (ms). */
  private record Subject(String subject, Set<String> scopes, String sessionId, Long expiresAt,
      String kind) {}

  /** An issued token and the scopes it carries. */
  record Result(AccessTokens.Issued issued, Scope scope) {}

  /**
   * Exchanges the request's subject token.
   *
   * @param ttl the access token lifetime ({@link Client#lifetimes})
   * @param audience the token's audience ({@link Audiences}), already checked
   * @throws ApiException {@code invalid_request} for a subject token that is not acceptable,
   *     {@code invalid_scope} for scopes it does not carry
   */
  Result exchange(Account account, Client client, TokenRequest.TokenExchange request,
      Duration ttl, List<String> audience, String ip) {
    Subject s = subject(account, request.subjectToken(), ip);
    Scope scope = Scope.of(s.scopes().stream().sorted().toList());
    if (request.scope().isPresent()) {
      Scope asked = request.scope().get();
      if (!s.scopes().containsAll(asked.values())) {
        throw new ApiException(ErrorCode.INVALID_SCOPE, "An exchanged token carries at most "
            + "the subject token's scopes (" + String.join(" ", scope.values()) + "); "
            + "asked: " + asked.render() + " (RFC 8693 2.1).");
      }
      scope = asked;
    }
    Duration life = ttl;
    if (s.expiresAt() != null) {
      long left = s.expiresAt() - clock.millis();
      if (left < life.toMillis()) {
        life = Duration.ofMillis(Math.max(1000, left));
      }
    }
    AccessTokens.Issued issued = accessTokens.issue(new AccessTokens.Contents(account.id(),
        s.subject(), client.clientId(), s.sessionId(), scope, null, audience), life);
    metrics.tokenIssued("access_token");
    Audit.event("token_exchanged", "account", account.id(), "client_id", client.clientId(),
        "subject", s.subject(), "subject_token", s.kind(), "audience", String.join(" ", audience),
        "scope", scope.render(), "jti", issued.claims().jti());
    return new Result(issued, scope);
  }

  private Subject subject(Account account, String token, String ip) {
    if (OpaqueTokens.kindOf(token) == TokenKind.PAT) {
      try {
        PatVerifier.Verified v = pats.verify(token, account.id(), ip);
        return new Subject(v.subject(), v.scopes(), null, v.expiresAt(), "pat");
      } catch (ApiException e) {
        throw refused(e);
      }
    }
    AccessToken at;
    try {
      at = accessTokens.verify(token, account.id());
    } catch (ApiException e) {
      throw refused(e);
    }
    if (at.sessionId() == null) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "The subject token was issued by the "
          + "client_credentials grant: it names a client, not a user, and is not exchanged "
          + "(RFC 8693 2.2.2).");
    }
    if (!sessions.isActive(at.sessionId())) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "The subject token's session has ended "
          + "(logout, expiry or revocation) (RFC 8693 2.2.2).");
    }
    return new Subject(at.subject(), at.scopes(), at.sessionId(), at.expiresAt() * 1000,
        "access_token");
  }

  /** RFC 8693 2.2.2: an unacceptable subject token is invalid_request, saying why. */
  private static ApiException refused(ApiException e) {
    return new ApiException(ErrorCode.INVALID_REQUEST, "The subject token is not acceptable: "
        + e.detail() + " (" + e.code().code() + "; RFC 8693 2.2.2)");
  }
}
