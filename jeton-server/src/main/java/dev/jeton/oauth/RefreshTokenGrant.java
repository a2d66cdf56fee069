package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.client.Client;
import dev.jeton.config.Config;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Form;
import dev.jeton.observe.Audit;
import dev.jeton.session.Session;
import dev.jeton.session.SessionService;
import dev.jeton.token.Scope;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The refresh token grant for OAuth clients (RFC 6749 6): rotation and reuse detection come from
 * {@link SessionService#refresh} (docs/security.md#refresh-rotation,
 * docs/security.md#refresh-reuse). The refresh token must have been issued to the authenticated
 * client (RFC 6749 6, 10.4; docs/security.md#refresh-client-binding), else {@code invalid_grant}
 * and the token is left untouched; a {@code scope} may narrow the new access token's scopes,
 * never widen them ({@code invalid_scope}, docs/security.md#scope-no-escalation). No HTTP here.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-6">RFC 6749 6</a>
 */
final class RefreshTokenGrant {
  private final SessionService sessions;

  RefreshTokenGrant(SessionService sessions) {
    this.sessions = sessions;
  }

  /** A rotated pair and the scopes of its access token. */
  record Result(SessionService.TokenPair pair, Scope scopes) {}

  Result refresh(Account account, Client client, String refreshToken, String scope,
      Config.Lifetimes lifetimes) {
    if (!client.allowsGrant(Client.REFRESH_TOKEN)) {
      throw new ApiException(ErrorCode.UNAUTHORIZED_CLIENT, "The client is not registered for "
          + "the refresh_token grant (RFC 6749 5.2).");
    }
    if (refreshToken == null) {
      throw Form.invalidRequest("The parameter 'refresh_token' is required (RFC 6749 6).");
    }
    try {
      AtomicReference<Scope> narrowed = new AtomicReference<>();
      SessionService.TokenPair pair = sessions.refresh(account, refreshToken, lifetimes,
          session -> {
            narrowed.set(admit(account, client, session, scope));
            return narrowed.get();
          });
      return new Result(pair, narrowed.get() != null ? narrowed.get() : pair.session().scopes());
    } catch (ApiException e) {
      if (e.code() == ErrorCode.INVALID_GRANT || e.code() == ErrorCode.INVALID_SCOPE) {
        throw e; // refused by admit(), the token untouched
      }
      throw AuthorizationCodeGrant.invalidGrant(e.detail());
    }
  }

  /**
   * Checks the token's session before anything changes: it must belong to this client (else
   * {@code invalid_grant}, the token untouched), and a {@code scope} may only narrow it.
   * Answers the narrowed scopes, or null for all of the session's.
   */
  private static Scope admit(Account account, Client client, Session session,
      String scope) {
    if (!session.clientId().equals(client.clientId())) {
      Audit.event("refresh_token_wrong_client", "account", account.id(), "client_id",
          client.clientId(), "session", session.id());
      throw AuthorizationCodeGrant.invalidGrant("The refresh token was issued to another "
          + "client (RFC 6749 6).");
    }
    if (scope == null) {
      return null;
    }
    try {
      return session.scopes().sorted().narrow(Scope.parse(scope));
    } catch (IllegalArgumentException e) {
      throw new ApiException(ErrorCode.INVALID_SCOPE, "The requested scope exceeds the scope "
          + "originally granted (RFC 6749 6).");
    }
  }
}
