package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.client.Client;
import dev.jeton.client.ClientAuthenticator;
import dev.jeton.client.ClientService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Form;
import dev.jeton.http.Responses;
import dev.jeton.limit.Limits;
import dev.jeton.observe.Audit;
import dev.jeton.session.Session;
import dev.jeton.session.SessionService;
import dev.jeton.token.AccessToken;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.Issuers;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.Scope;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code POST {issuer}/oauth2/introspect} (RFC 7662): tells an authenticated confidential client
 * whether a token of this account is active. Callers must authenticate
 * (docs/security.md#introspection-auth: no anonymous token scanning), and a client learns only
 * about the tokens that concern it (RFC 7662 4, docs/security.md#introspection-who): an access
 * token issued to it or meant for it (its {@code aud} names the caller's {@code resource_uri}),
 * a refresh token issued to it. Every other token, first-party sign-in tokens among them, is
 * inactive to it.
 *
 * <p>Active: a JWT access token of this account that verifies (RFC 8725 checks in {@link
 * AccessTokens}), has not expired and whose session, if it names one, is still active (a client
 * credentials token names none: its client must still be registered); or a
 * refresh token of this account that is unspent, unrevoked, unexpired, with an active session.
 * Anything else, whatever the reason, is exactly {@code {"active":false}} (RFC 7662 2.2,
 * docs/security.md#introspection-inactive). {@code token_type_hint} is accepted and not needed: the
 * format tells the kind.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7662#section-2">RFC 7662 2</a>
 */
public final class IntrospectionEndpoint {
  /** The endpoint's path under an issuer (RFC 7662 2). */
  public static final String PATH = "/oauth2/introspect";
  /** The errors of the introspection endpoint (RFC 7662 2.3). */
  public static final Set<ErrorCode> ERRORS = Limits.and(ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_CLIENT, ErrorCode.CLIENT_AUTH_THROTTLED, ErrorCode.UNAUTHORIZED_CLIENT);

  private static final Map<String, Object> INACTIVE = Map.of("active", false);

  private final AccountService accounts;
  private final ClientRequest.Reader clientAuth;
  private final AccessTokens accessTokens;
  private final SessionService sessions;
  private final ClientService clients;
  private final Issuers issuers;
  private final Clock clock;

  IntrospectionEndpoint(AccountService accounts, ClientRequest.Reader clientAuth,
      AccessTokens accessTokens, SessionService sessions, ClientService clients, Issuers issuers,
      Clock clock) {
    this.accounts = accounts;
    this.clients = clients;
    this.clientAuth = clientAuth;
    this.accessTokens = accessTokens;
    this.sessions = sessions;
    this.issuers = issuers;
    this.clock = clock;
  }

  void handle(Context ctx) {
    ClientRequest req = clientAuth.read(ctx);
    Account account = req.account();
    Form form = req.form();
    ClientAuthenticator.Authenticated caller = req.caller();
    if (caller.client().isPublic()) {
      throw new ApiException(ErrorCode.INVALID_CLIENT, "Introspection is only for confidential "
          + "clients (RFC 7662 2.1).");
    }
    String token = form.required("token");
    // token_type_hint (OPTIONAL, RFC 7662 2.1) is not needed: the token's format tells its kind.
    Map<String, Object> answer = OpaqueTokens.kindOf(token) != null
        ? refreshToken(account, caller.client(), token).orElse(INACTIVE)
        : accessToken(account, caller.client(), token).orElse(INACTIVE);
    Responses.tokens(ctx, 200, answer);
  }

  /**
   * Whether the caller may learn about an access token (RFC 7662 4): it was issued to the
   * caller, or it is meant for the resource server the caller is.
   */
  private static boolean concerns(Client caller, AccessToken at) {
    String resourceUri = caller.spec().resourceUri();
    return at.clientId().equals(caller.clientId())
        || (resourceUri != null && at.audience().contains(resourceUri));
  }

  /** A refresh token is for the token endpoint alone: only its own client may look at it. */
  private Optional<Map<String, Object>> refreshToken(Account account, Client caller,
      String token) {
    return sessions.findRefreshToken(token)
        .filter(SessionService.RefreshTokenState::live)
        .filter(r -> r.session().accountId().equals(account.id()))
        .filter(r -> permitted(caller, r.session().clientId().equals(caller.clientId()),
            r.session().clientId()))
        .map(r -> {
          Session s = r.session();
          String issuer = issuers.issuer(account.id());
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("active", true);
          m.put("scope", s.scopes().sorted().render());
          m.put("client_id", s.clientId());
          m.put("sub", s.userId());
          m.put("exp", r.expiresAt() / 1000);
          m.put("iat", r.issuedAt() / 1000);
          m.put("iss", issuer);
          m.put("aud", issuer);
          m.put("token_type", "refresh_token");
          return m;
        });
  }

  /**
   * {@code permitted}, after recording a refusal: a client asked about an active token that is
   * none of its business (a resource server misconfigured, or one probing).
   */
  private static boolean permitted(Client caller, boolean permitted, String tokenClientId) {
    if (!permitted) {
      Audit.event("introspection_not_permitted", "account", caller.accountId(), "client_id",
          caller.clientId(), "token_client_id", tokenClientId);
    }
    return permitted;
  }

  private Optional<Map<String, Object>> accessToken(Account account, Client caller,
      String token) {
    AccessToken at;
    try {
      at = accessTokens.verify(token, account.id());
    } catch (ApiException e) {
      return Optional.empty();
    }
    if (clock.instant().getEpochSecond() >= at.expiresAt()
        || (at.sessionId() != null && !sessions.isActive(at.sessionId()))
        || (at.sessionId() == null && clients.find(account.id(), at.clientId()).isEmpty())) {
      return Optional.empty();
    }
    if (!permitted(caller, concerns(caller, at), at.clientId())) {
      return Optional.empty();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("active", true);
    m.put("scope", Scope.of(at.scopes()).sorted().render());
    m.put("client_id", at.clientId());
    m.put("sub", at.subject());
    m.put("exp", at.expiresAt());
    m.put("iat", at.issuedAt());
    m.put("iss", issuers.issuer(at.accountId()));
    m.put("aud", at.audience().size() == 1 ? at.audience().iterator().next()
        : new TreeSet<>(at.audience()));
    m.put("token_type", "Bearer");
    m.put("jti", at.jti());
    return Optional.of(m);
  }
}
