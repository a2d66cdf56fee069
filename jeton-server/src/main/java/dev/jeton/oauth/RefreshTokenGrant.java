package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.client.Client;
import dev.jeton.config.Config;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Audit;
import dev.jeton.session.Session;
import dev.jeton.session.SessionService;
import dev.jeton.token.Scope;
import java.util.List;

/**
 * The refresh token grant for OAuth clients (RFC 6749 6): the token is looked up
 * ({@link SessionService#find}), checked here, then rotated ({@link SessionService#rotate}), which
 * brings rotation and reuse detection (docs/security.md#refresh-rotation,
 * docs/security.md#refresh-reuse). The refresh token must have been issued to the authenticated
 * client (RFC 6749 6, 10.4; docs/security.md#refresh-client-binding), else {@code invalid_grant}
 * and the token is left untouched; a {@code scope} may narrow the new access token's scopes,
 * never widen them ({@code invalid_scope}, docs/security.md#scope-no-escalation), and a token
 * refused for its scope is left untouched too. No HTTP here.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-6">RFC 6749 6</a>
 */
final class RefreshTokenGrant {
  private final SessionService sessions;

  RefreshTokenGrant(SessionService sessions) {
    this.sessions = sessions;
  }

  /**
   * Rotates the refresh token of a client registered for the grant.
   *
   * @throws ApiException {@code invalid_grant} (for every refusal of the token itself) or
   *     {@code invalid_scope}
   */
  SessionService.TokenPair refresh(Account account, Client client,
      TokenRequest.RefreshToken request, Config.Lifetimes lifetimes, List<String> audience) {
    SessionService.Presented found;
    try {
      found = sessions.find(account, request.refreshToken());
    } catch (ApiException e) {
      throw AuthorizationCodeGrant.invalidGrant(e.detail());
    }
    Session session = found.session();
    if (!session.clientId().equals(client.clientId())) {
      Audit.event("refresh_token_wrong_client", "account", account.id(), "client_id",
          client.clientId(), "session", session.id());
      throw AuthorizationCodeGrant.invalidGrant("The refresh token was issued to another "
          + "client (RFC 6749 6).");
    }
    Scope granted = request.scope().map(s -> narrow(session, s)).orElse(session.scopes());
    try {
      return sessions.rotate(found, lifetimes, granted, audience);
    } catch (ApiException e) {
      throw AuthorizationCodeGrant.invalidGrant(e.detail());
    }
  }

  /** The requested scopes, when all of them were granted to the session (RFC 6749 6). */
  private static Scope narrow(Session session, Scope requested) {
    try {
      return session.scopes().sorted().narrow(requested);
    } catch (Scope.ScopeNotGrantedException e) {
      throw new ApiException(ErrorCode.INVALID_SCOPE, "The requested scope exceeds the scope "
          + "originally granted (RFC 6749 6).");
    }
  }
}
