package dev.jeton.oauth;

import dev.jeton.client.Client;
import dev.jeton.error.ApiException;
import dev.jeton.observe.Audit;
import dev.jeton.observe.Metrics;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.Scope;
import java.time.Duration;
import java.util.List;

/**
 * The client credentials grant (RFC 6749 4.4): a confidential client registered for the grant
 * obtains an access token for itself. The token's {@code sub} and {@code client_id} are the
 * client id ({@code cli_...}, never a user's {@code usr_...}, so the two kinds of token cannot be
 * confused: docs/security.md#client-ids-not-users), it names no session and it comes without a
 * refresh token (RFC 6749 4.4.3). No HTTP here: the endpoint parses, this class decides.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-4.4">RFC 6749 4.4</a>
 */
final class ClientCredentialsGrant {
  private final AccessTokens accessTokens;
  private final Metrics metrics;

  ClientCredentialsGrant(AccessTokens accessTokens, Metrics metrics) {
    this.accessTokens = accessTokens;
    this.metrics = metrics;
  }

  /** An issued token and the scopes it carries, in the client's registration order. */
  record Result(AccessTokens.Issued issued, Scope scope) {}

  /**
   * Issues a token to an authenticated confidential client registered for the grant.
   *
   * @param ttl the access token's lifetime ({@link Client#lifetimes})
   * @param audience who the token is meant for ({@link Audiences})
   * @throws ApiException {@code invalid_scope}
   */
  Result grant(Client client, TokenRequest.ClientCredentials request, Duration ttl,
      List<String> audience) {
    Scope scope = RequestedScope.allowed(client, request.scope());
    AccessTokens.Issued issued = accessTokens.issue(new AccessTokens.Contents(client.accountId(),
        client.clientId(), client.clientId(), null, scope, null, audience), ttl);
    metrics.tokenIssued("access_token");
    Audit.event("client_credentials_token_issued", "account", client.accountId(),
        "client_id", client.clientId(), "scope", scope.render(),
        "jti", issued.claims().jti());
    return new Result(issued, scope);
  }
}
