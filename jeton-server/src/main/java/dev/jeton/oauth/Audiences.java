package dev.jeton.oauth;

import dev.jeton.client.Client;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Text;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who an OAuth client's access token is meant for ({@code aud}, RFC 9068 2.2), from the resource
 * indicators of the request (RFC 8707 2) and the client's registered {@code resources}
 * (docs/security.md#audiences):
 *
 * <ul>
 *   <li>{@code resource} named: exactly those, each of which must be registered for the client;
 *   <li>none named, the client has resources: all of them (the client's default);
 *   <li>none named, none registered: the client's own id, so the token is good for the client's
 *       own back end and no other resource server.
 * </ul>
 *
 * <p>The issuer is never an OAuth client's audience: Jeton's own API takes only first-party
 * tokens, meant for {@code {issuer}/api}. Anything else is {@code invalid_target}, before any code
 * is spent.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8707#section-2">RFC 8707 2</a>
 */
final class Audiences {
  /** The request parameter (RFC 8707 2); it may repeat. */
  static final String RESOURCE = "resource";
  /** At most this many resources in one request. */
  static final int MAX_REQUESTED = 20;

  private Audiences() {}

  /**
   * The audience of a token for {@code client}, asked for {@code requested} resources.
   *
   * @throws ApiException {@code invalid_target}
   */
  static List<String> of(Client client, List<String> requested) {
    List<String> registered = client.spec().resources();
    if (requested.isEmpty()) {
      return registered.isEmpty() ? List.of(client.clientId()) : registered;
    }
    if (requested.size() > MAX_REQUESTED) {
      throw invalidTarget("At most " + MAX_REQUESTED + " resources may be requested at once.");
    }
    Set<String> audience = new LinkedHashSet<>();
    for (String resource : requested) {
      if (!registered.contains(resource)) {
        throw invalidTarget("The resource '" + Text.clip(resource) + "' is not registered for "
            + "this client" + (registered.isEmpty() ? " (it has none)" : "; its resources are "
            + String.join(", ", registered)) + " (RFC 8707 2).");
      }
      audience.add(resource);
    }
    return new ArrayList<>(audience);
  }

  /** Checks resources named where no token is issued yet (the authorization endpoints). */
  static void check(Client client, List<String> requested) {
    of(client, requested);
  }

  static ApiException invalidTarget(String detail) {
    return new ApiException(ErrorCode.INVALID_TARGET, detail);
  }
}
