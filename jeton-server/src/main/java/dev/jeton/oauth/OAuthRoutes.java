package dev.jeton.oauth;

import dev.jeton.account.AccountService;
import dev.jeton.client.ClientAuthenticator;
import dev.jeton.http.Router;
import dev.jeton.observe.Metrics;
import dev.jeton.session.SessionService;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.AccountIds;
import dev.jeton.token.Issuers;
import io.javalin.http.Context;
import java.time.Clock;

/**
 * The OAuth 2.0 endpoints of each issuer: {@code /oauth2/token} (RFC 6749 3.2),
 * {@code /oauth2/introspect} (RFC 7662) and {@code /oauth2/revoke} (RFC 7009). Their errors are
 * RFC 6749 5.2 JSON ({@link OAuthErrors}), not the problem documents of {@code /api/v1}.
 */
public final class OAuthRoutes {
  /** The paths under an issuer, also advertised by the discovery document. */
  public static final String TOKEN = "/oauth2/token";
  public static final String INTROSPECT = "/oauth2/introspect";
  public static final String REVOKE = "/oauth2/revoke";
  private static final String BASE = "/accounts/{account}";

  private final Issuers issuers;
  private final TokenEndpoint token;
  private final IntrospectionEndpoint introspection;
  private final RevocationEndpoint revocation;

  public OAuthRoutes(AccountService accounts, ClientAuthenticator clientAuth,
      AccessTokens accessTokens, SessionService sessions, Issuers issuers, Metrics metrics,
      Clock clock) {
    this.issuers = issuers;
    this.token = new TokenEndpoint(accounts, clientAuth,
        new ClientCredentialsGrant(accessTokens, metrics, clock));
    this.introspection = new IntrospectionEndpoint(accounts, clientAuth, accessTokens, sessions,
        issuers, clock);
    this.revocation = new RevocationEndpoint(accounts, clientAuth, accessTokens, sessions);
  }

  public void register(Router r) {
    r.post(BASE + TOKEN, OAuthErrors.guarded(token::handle, this::realm))
        .post(BASE + INTROSPECT, OAuthErrors.guarded(introspection::handle, this::realm))
        .post(BASE + REVOKE, OAuthErrors.guarded(revocation::handle, this::realm));
  }

  /** The Basic realm of a request: its issuer, when the path names a valid account id. */
  private String realm(Context ctx) {
    String account = ctx.pathParam("account");
    return AccountIds.isValid(account) ? issuers.issuer(account) : null;
  }
}
