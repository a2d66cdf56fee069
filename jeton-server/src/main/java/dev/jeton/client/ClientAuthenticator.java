package dev.jeton.client;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Form;
import dev.jeton.http.Text;
import dev.jeton.limit.FailureThrottle;
import dev.jeton.token.OpaqueTokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;

/**
 * Client authentication at the OAuth endpoints (RFC 6749 2.3): {@code client_secret_basic}
 * (RFC 6749 2.3.1, HTTP Basic over the form-urlencoded id and secret), {@code client_secret_post}
 * (the {@code client_id} and {@code client_secret} form fields), or {@code none} for a public
 * client, which presents only its {@code client_id}. A request using two methods is refused
 * (RFC 6749 2.3). Secrets are compared as SHA-256 hashes in constant time
 * (docs/security.md#client-secret-hashed).
 *
 * <p>Every failure is an {@code invalid_client} {@link ApiException}. The endpoint that calls this
 * must answer 401 with {@code WWW-Authenticate: Basic} when the client tried Basic
 * (RFC 6749 5.2); {@link #usesBasic(String)} tells it, by the same test this class applies.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1">RFC 6749 2.3.1</a>
 */
public final class ClientAuthenticator {
  private static final String BASIC = "Basic ";
  /** Compared against when the client is unknown, so both failures cost the same work. */
  private static final byte[] NO_SECRET = OpaqueTokens.hash("no such client")
      .getBytes(StandardCharsets.US_ASCII);

  private final ClientService clients;
  private final FailureThrottle throttle;

  /**
   * @param failuresPerSource failed client authentications one address may make in 15 minutes
   *     over all clients before it must wait (0: no such limit), as for sign-ins
   */
  public ClientAuthenticator(ClientService clients, Clock clock, int failuresPerSource) {
    this.clients = clients;
    // no backoff per client id from every address: see FailureThrottle(Clock, int, boolean)
    this.throttle = new FailureThrottle(clock, failuresPerSource, false);
  }

  /** The throttle of failed client authentications (docs/security.md). */
  public FailureThrottle throttle() {
    return throttle;
  }

  /** How the client authenticated. */
  public enum Method { CLIENT_SECRET_BASIC, CLIENT_SECRET_POST, NONE }

  /** An authenticated client and the method it used. */
  public record Authenticated(Client client, Method method) {}

  /** True when the Authorization header uses the Basic scheme (then a 401 carries a challenge). */
  public static boolean usesBasic(String authorization) {
    if (authorization == null) {
      return false;
    }
    String h = authorization.trim();
    return h.equalsIgnoreCase("Basic") || h.regionMatches(true, 0, BASIC, 0, BASIC.length());
  }

  /**
   * Authenticates the client of a request to {@code accountId}'s endpoints.
   *
   * @param authorization the Authorization header, or null
   * @param formClientId the {@code client_id} form field, or null
   * @param formClientSecret the {@code client_secret} form field, or null
   * @param source the caller's address, which failures are counted against with the client id
   * @throws ApiException {@code invalid_client} for every failure, {@code client_auth_throttled}
   *     while failures for this client id must wait
   */
  public Authenticated authenticate(String accountId, String authorization, String formClientId,
      String formClientSecret, String source) {
    if (authorization != null && !authorization.isBlank()) {
      if (!usesBasic(authorization)) {
        throw refused("Only the Basic scheme authenticates a client in the Authorization header.");
      }
      if (formClientSecret != null) {
        throw refused("The client used both HTTP Basic and client_secret; use one method only "
            + "(RFC 6749 2.3).");
      }
      String h = authorization.trim();
      String[] idAndSecret = basic(h.length() > BASIC.length()
          ? h.substring(BASIC.length()).trim() : "");
      if (formClientId != null && !formClientId.equals(idAndSecret[0])) {
        throw refused("The client_id form field differs from the client in HTTP Basic.");
      }
      return throttled(accountId, idAndSecret[0], idAndSecret[1], Method.CLIENT_SECRET_BASIC,
          source);
    }
    if (formClientId == null || formClientId.isEmpty()) {
      throw refused(formClientSecret == null
          ? "No client authentication: send HTTP Basic or the client_id form field."
          : "client_secret was sent without client_id.");
    }
    return throttled(accountId, formClientId, formClientSecret,
        formClientSecret == null ? Method.NONE : Method.CLIENT_SECRET_POST, source);
  }

  /**
   * {@link #check} behind the throttle: a waiting attempt is refused before the secret is
   * compared, and a failure is counted after it, an unknown client id and a wrong secret alike,
   * so the wait reveals nothing about which clients exist. Attempts in flight are not counted:
   * a client's secret carries about 178 random bits, and one client authenticating on many
   * connections at once must not be made to wait by its own concurrent requests
   * (FailureThrottle).
   */
  private Authenticated throttled(String accountId, String clientId, String secret,
      Method method, String source) {
    long wait = throttle.waitSeconds(accountId, clientId, source);
    if (wait > 0) {
      throw ApiException.retryAfter(ErrorCode.CLIENT_AUTH_THROTTLED, "Too many failed "
          + "authentications of this client from this address; wait " + wait + " s.", wait);
    }
    Authenticated a;
    try {
      a = check(accountId, clientId, secret, method);
    } catch (ApiException e) {
      throttle.failed(accountId, clientId, source);
      throw e;
    }
    // an outage (any other exception) is not a wrong secret: nothing is counted
    throttle.cleared(accountId, clientId, source);
    return a;
  }

  /** The id and secret (null when empty) of a Basic credential. */
  private static String[] basic(String encoded) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw refused("The Basic credential is not valid base64.");
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw refused("The Basic credential must be client_id ':' client_secret.");
    }
    String id;
    String secret;
    try {
      id = Form.decode(decoded.substring(0, colon));
      secret = Form.decode(decoded.substring(colon + 1));
    } catch (ApiException e) {
      throw refused("The Basic credential is not form-urlencoded (RFC 6749 2.3.1).");
    }
    // docs/security.md#control-characters: refused before the id reaches a lookup
    String control = Text.controlProblem("The Basic client_id", id);
    if (control == null) {
      control = Text.controlProblem("The Basic client secret", secret);
    }
    if (control != null) {
      throw refused(control);
    }
    return new String[] {id, secret.isEmpty() ? null : secret};
  }

  private Authenticated check(String accountId, String clientId, String secret, Method method) {
    Optional<Client> found = clients.find(accountId, clientId);
    byte[] stored = found.map(Client::secretHash).map(h -> h.getBytes(StandardCharsets.US_ASCII))
        .orElse(NO_SECRET);
    byte[] presented = OpaqueTokens.hash(secret == null ? "" : secret)
        .getBytes(StandardCharsets.US_ASCII);
    boolean matches = MessageDigest.isEqual(stored, presented);
    if (found.isEmpty()) {
      throw refused("Unknown client; client ids are valid only in the account that registered "
          + "them.");
    }
    Client c = found.get();
    if (c.isPublic()) {
      if (secret != null) {
        throw refused("A public client has no secret; send only client_id.");
      }
      return new Authenticated(c, Method.NONE);
    }
    if (secret == null) {
      throw refused("A confidential client must authenticate with its secret.");
    }
    if (!matches) {
      throw refused("The client secret is wrong or has been rotated out.");
    }
    return new Authenticated(c, method);
  }

  private static ApiException refused(String detail) {
    return new ApiException(ErrorCode.INVALID_CLIENT, detail);
  }
}
