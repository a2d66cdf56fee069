package dev.jeton.oauth;

import dev.jeton.client.Client;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Text;
import dev.jeton.observe.Audit;
import dev.jeton.observe.Metrics;
import dev.jeton.token.AccessTokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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
  record Result(AccessTokens.Issued issued, List<String> scopes) {}

  /**
   * Issues a token to an authenticated client.
   *
   * @param requestedScope the {@code scope} parameter, or null for every registered scope
   * @param accountDefault the account's access-token lifetime, used unless the client has its own
   * @throws ApiException {@code unauthorized_client} or {@code invalid_scope}
   */
  Result grant(Client client, String requestedScope, Duration accountDefault) {
    if (client.isPublic() || !client.allowsGrant(Client.CLIENT_CREDENTIALS)) {
      throw new ApiException(ErrorCode.UNAUTHORIZED_CLIENT, client.isPublic()
          ? "The client_credentials grant is only for confidential clients (RFC 6749 4.4)."
          : "The client is not registered for the client_credentials grant (RFC 6749 5.2).");
    }
    List<String> scopes = scopes(client.spec().scopes(), requestedScope);
    Long own = client.spec().lifetimes().accessToken();
    Duration ttl = own != null ? Duration.ofSeconds(own) : accountDefault;
    AccessTokens.Issued issued = accessTokens.issue(new AccessTokens.Grant(client.accountId(),
        client.clientId(), client.clientId(), null, new LinkedHashSet<>(scopes), null), ttl);
    metrics.tokenIssued("access_token");
    Audit.event("client_credentials_token_issued", "account", client.accountId(),
        "client_id", client.clientId(), "scope", String.join(" ", scopes),
        "jti", issued.claims().jti());
    return new Result(issued, scopes);
  }

  /**
   * The granted scopes: every registered scope when none is requested, else the requested ones,
   * which must be well-formed RFC 6749 3.3 scope tokens and all registered for the client.
   */
  static List<String> scopes(List<String> registered, String requested) {
    if (requested == null) {
      return List.copyOf(registered);
    }
    Set<String> wanted = new LinkedHashSet<>();
    for (String token : requested.split(" ", -1)) {
      if (!isScopeToken(token)) {
        throw new ApiException(ErrorCode.INVALID_SCOPE, "The scope parameter is malformed: "
            + "scope tokens are separated by single spaces and use printable ASCII except the "
            + "double quote and the backslash (RFC 6749 3.3).");
      }
      wanted.add(token);
    }
    List<String> unknown = new ArrayList<>();
    for (String s : wanted) {
      if (!registered.contains(s)) {
        unknown.add(Text.clip(s));
      }
    }
    if (!unknown.isEmpty()) {
      throw new ApiException(ErrorCode.INVALID_SCOPE, "The client is not registered for the "
          + "scope(s) " + String.join(", ", unknown) + " (RFC 6749 3.3).");
    }
    return registered.stream().filter(wanted::contains).toList();
  }

  private static boolean isScopeToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7E || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }
}
