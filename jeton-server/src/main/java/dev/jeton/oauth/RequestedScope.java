package dev.jeton.oauth;

import dev.jeton.client.Client;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Text;
import dev.jeton.token.Scope;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The {@code scope} parameter of the authorization, device authorization and token requests
 * (RFC 6749 3.3): its syntax, and the scopes a client may be granted for it. Both failures are
 * {@code invalid_scope} (RFC 6749 4.1.2.1, 5.2; RFC 8628 3.2).
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-3.3">RFC 6749 3.3</a>
 */
final class RequestedScope {
  private RequestedScope() {}

  /**
   * Parses a {@code scope} parameter: empty when it was not sent.
   *
   * @throws ApiException {@code invalid_scope} when it is not RFC 6749 3.3 syntax
   */
  static Optional<Scope> parse(String param) {
    if (param == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Scope.parse(param));
    } catch (Scope.MalformedScopeException e) {
      throw new ApiException(ErrorCode.INVALID_SCOPE, "The scope parameter is malformed: scope "
          + "tokens are separated by single spaces and use printable ASCII except the double "
          + "quote and the backslash (RFC 6749 3.3).");
    }
  }

  /**
   * The scopes granted for a request: every registered scope when none is requested, else the
   * requested ones, which must all be registered for the client; in registration order.
   *
   * @throws ApiException {@code invalid_scope} naming the scopes the client is not registered for
   */
  static Scope allowed(Client client, Optional<Scope> requested) {
    Scope registered = client.scope();
    if (requested.isEmpty()) {
      return registered;
    }
    try {
      return registered.narrow(requested.get());
    } catch (Scope.ScopeNotGrantedException e) {
      throw new ApiException(ErrorCode.INVALID_SCOPE, "The client is not registered for the "
          + "scope(s) " + e.excess().values().stream().map(Text::clip)
              .collect(Collectors.joining(", ")) + " (RFC 6749 3.3).");
    }
  }
}
