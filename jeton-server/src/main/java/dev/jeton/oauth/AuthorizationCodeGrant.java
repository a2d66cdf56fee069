package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.client.Client;
import dev.jeton.config.Config;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Audit;
import dev.jeton.session.SessionService;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.TokenKind;
import dev.jeton.user.User;
import dev.jeton.user.UserService;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The authorization code grant's token request (RFC 6749 4.1.3, RFC 7636 4.5-4.6): the code
 * must have been issued to this client (docs/security.md#code-binding), {@code redirect_uri} must
 * equal the one of the authorization request, the PKCE verifier must match the challenge
 * (docs/security.md#pkce-verifier), and the code must be unspent and unexpired
 * (docs/security.md#code-single-use, docs/security.md#code-lifetime). A second redemption is
 * {@code invalid_grant} and revokes the session, and so every token, its first redemption created
 * (RFC 6749 4.1.2). Success starts a session of the client carrying the granted scopes; the answer
 * carries the request's nonce for the ID token (OIDC Core 3.1.3.3, {@link IdTokens}). No HTTP here.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3">RFC 6749 4.1.3</a>
 */
final class AuthorizationCodeGrant {
  private final AuthorizationCodes codes;
  private final Consents consents;
  private final SessionService sessions;
  private final UserService users;
  private final Clock clock;

  /** The tokens of a redeemed code, and the nonce of its authorization request (or null). */
  record Redeemed(SessionService.TokenPair pair, String nonce) {}

  AuthorizationCodeGrant(AuthorizationCodes codes, Consents consents, SessionService sessions,
      UserService users, Clock clock) {
    this.codes = codes;
    this.consents = consents;
    this.sessions = sessions;
    this.users = users;
    this.clock = clock;
  }

  /**
   * Redeems a code for a client registered for the grant; the access token is meant for
   * {@code audience} ({@link Audiences}).
   *
   * @throws ApiException {@code invalid_grant}
   */
  Redeemed redeem(Account account, Client client, TokenRequest.AuthorizationCode request,
      Config.Lifetimes lifetimes, List<String> audience) {
    String code = request.code();
    String redirectUri = request.redirectUri();
    AuthorizationCodes.Code c = (OpaqueTokens.kindOf(code) == TokenKind.AC
        ? codes.find(code) : Optional.<AuthorizationCodes.Code>empty())
        .filter(x -> x.accountId().equals(account.id()))
        .orElseThrow(() -> invalidGrant("The authorization code is unknown."));
    if (!c.clientId().equals(client.clientId())) {
      Audit.event("authorization_code_wrong_client", "account", account.id(),
          "client_id", client.clientId());
      throw invalidGrant("The authorization code was issued to another client.");
    }
    if (c.revokedAt() != null) {
      throw invalidGrant(WITHDRAWN);
    }
    if (c.usedAt() != null) {
      throw replay(account, client, c);
    }
    if (clock.millis() >= c.expiresAt()) {
      throw invalidGrant("The authorization code expired at "
          + java.time.Instant.ofEpochMilli(c.expiresAt()) + "; exchange a code as soon as it "
          + "arrives.");
    }
    String expected = c.redirectUri() != null ? c.redirectUri()
        : client.spec().redirectUris().size() == 1 ? client.spec().redirectUris().get(0) : null;
    if (c.redirectUri() != null ? !c.redirectUri().equals(redirectUri)
        : redirectUri != null && !redirectUri.equals(expected)) {
      throw invalidGrant("redirect_uri differs from the one of the authorization request "
          + "(RFC 6749 4.1.3).");
    }
    if (!Pkce.matches(request.codeVerifier(), c.codeChallenge())) {
      throw invalidGrant("The code_verifier does not match the code_challenge (RFC 7636 4.6).");
    }
    if (!codes.spend(c.hash())) {
      throw replay(account, client, c);
    }
    User user;
    try {
      user = users.current(account.id(), c.userId());
    } catch (ApiException e) {
      throw invalidGrant("The user who approved the request is blocked or no longer exists.");
    }
    if (!consents.granted(user.id(), client.clientId())
        .map(g -> g.containsAll(c.scopes())).orElse(false)) {
      throw invalidGrant(WITHDRAWN);
    }
    SessionService.TokenPair pair;
    try {
      pair = sessions.start(account, user.id(), lifetimes, client.clientId(), c.scopes(),
          audience, c.authTime(), lifetimes.refreshToken(), c.credentialGeneration());
    } catch (SessionService.StaleCredentials e) {
      throw invalidGrant(PASSWORD_CHANGED);
    }
    if (!codes.attachSession(c.hash(), pair.session().id())) {
      sessions.revoke(pair.session().id(), "code_replayed");
      throw invalidGrant("The authorization code was replayed, or its authorization withdrawn, "
          + "during its exchange.");
    }
    Audit.event("authorization_code_redeemed", "account", account.id(), "client_id",
        client.clientId(), "user", user.id(), "session", pair.session().id());
    return new Redeemed(pair, c.nonce());
  }

  private ApiException replay(Account account, Client client, AuthorizationCodes.Code c) {
    String session = codes.replayed(c.hash()).orElse(null);
    if (session != null) {
      sessions.revoke(session, "code_replayed");
    }
    Audit.event("authorization_code_replayed", "account", account.id(), "client_id",
        client.clientId(), "user", c.userId(), "session", session);
    return invalidGrant("The authorization code was already used; the tokens issued for it "
        + "have been revoked (RFC 6749 4.1.2).");
  }

  /** Why a code whose authorization was withdrawn is refused. */
  static final String WITHDRAWN = "The user withdrew this authorization (revoked the "
      + "application's access, changed their password or logged out everywhere).";
  /** Why a code approved before a password change is refused. */
  static final String PASSWORD_CHANGED = "The user's password changed after the request was "
      + "approved; it must be approved again.";

  static ApiException invalidGrant(String detail) {
    return new ApiException(ErrorCode.INVALID_GRANT, detail);
  }
}
