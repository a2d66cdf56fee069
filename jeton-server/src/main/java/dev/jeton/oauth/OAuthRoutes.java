package dev.jeton.oauth;

import dev.jeton.account.AccountService;
import dev.jeton.client.ClientService;
import dev.jeton.session.BearerAuth;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.user.UserService;
import dev.jeton.web.Csrf;
import dev.jeton.http.Pages;
import dev.jeton.web.WebSessions;
import org.jdbi.v3.core.Jdbi;
import dev.jeton.client.ClientAuthenticator;
import dev.jeton.http.Router;
import dev.jeton.observe.Metrics;
import dev.jeton.oauth.IdTokens;
import dev.jeton.session.SessionService;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.AccountIds;
import dev.jeton.token.Issuers;
import io.javalin.http.Context;
import java.time.Clock;

/**
 * The OAuth 2.0 endpoints of each issuer: {@code /oauth2/authorize} (RFC 6749 3.1, 4.1.1) with
 * its consent form, {@code /oauth2/token} (RFC 6749 3.2), {@code /oauth2/introspect}
 * (RFC 7662), {@code /oauth2/revoke} (RFC 7009), and the user's list of authorized applications
 * ({@code /api/v1/me/grants}), and the device authorization grant's
 * {@code /oauth2/device_authorization} and {@code /device} (RFC 8628 3.1, 3.3). Token-endpoint errors are RFC 6749 5.2 JSON ({@link
 * OAuthErrors}); authorization errors are redirects or error pages (RFC 6749 4.1.2.1).
 */
public final class OAuthRoutes {
  private static final String BASE = "/accounts/{account}";

  private final Issuers issuers;
  private final TokenEndpoint token;
  private final IntrospectionEndpoint introspection;
  private final RevocationEndpoint revocation;
  private final AuthorizeEndpoint authorize;
  private final GrantRoutes grants;
  private final DeviceAuthorizationEndpoint deviceAuthorization;
  private final DeviceVerification deviceVerification;

  /** What the endpoints need besides the token machinery. */
  public record Web(ClientService clients, UserService users, WebSessions webSessions,
      Csrf csrf, Pages pages, BearerAuth bearer, Jdbi jdbi, WriteQueue writes,
      OpaqueTokens tokens) {}

  public OAuthRoutes(AccountService accounts, ClientAuthenticator clientAuth,
      AccessTokens accessTokens, SessionService sessions, Issuers issuers, Metrics metrics,
      Clock clock, Web web) {
    this.issuers = issuers;
    AuthorizationCodes codes = new AuthorizationCodes(web.jdbi(), web.writes(), web.tokens(),
        clock);
    Grants remembered = new Grants(web.jdbi(), web.writes(), clock);
    DeviceCodes devices = new DeviceCodes(web.jdbi(), web.writes(), web.tokens(),
        new UserCodes(new java.security.SecureRandom()), clock);
    this.token = new TokenEndpoint(accounts, clientAuth,
        new ClientCredentialsGrant(accessTokens, metrics),
        new AuthorizationCodeGrant(codes, sessions, web.users(), clock),
        new RefreshTokenGrant(sessions),
        new DeviceCodeGrant(devices, sessions, web.users(), clock),
        new IdTokens(accessTokens, issuers));
    this.authorize = new AuthorizeEndpoint(accounts, web.clients(), web.users(),
        web.webSessions(), web.csrf(), web.pages(), issuers, codes, remembered, clock);
    this.grants = new GrantRoutes(web.bearer(), remembered, web.clients(), sessions);
    this.introspection = new IntrospectionEndpoint(accounts, clientAuth, accessTokens, sessions,
        web.clients(), issuers, clock);
    this.revocation = new RevocationEndpoint(accounts, clientAuth, accessTokens, sessions);
    this.deviceAuthorization = new DeviceAuthorizationEndpoint(accounts, clientAuth, devices,
        issuers);
    this.deviceVerification = new DeviceVerification(accounts, web.clients(), web.users(),
        web.webSessions(), web.csrf(), web.pages(), devices, remembered, clock);
  }

  public void register(Router r) {
    r.post(BASE + TokenEndpoint.PATH, OAuthErrors.guarded(token::handle, this::realm))
        .post(BASE + IntrospectionEndpoint.PATH, OAuthErrors.guarded(introspection::handle, this::realm))
        .post(BASE + RevocationEndpoint.PATH, OAuthErrors.guarded(revocation::handle, this::realm))
        .get(BASE + AuthorizeEndpoint.PATH, authorize::authorize)
        .post(BASE + AuthorizeEndpoint.PATH, authorize::decide)
        .get(BASE + "/api/v1/me/grants", grants::list)
        .delete(BASE + "/api/v1/me/grants/{client_id}", grants::revoke)
        .post(BASE + DeviceAuthorizationEndpoint.PATH,
            OAuthErrors.guarded(deviceAuthorization::handle, this::realm))
        .get(BASE + DeviceVerification.PATH, deviceVerification::page)
        .post(BASE + DeviceVerification.PATH, deviceVerification::submit);
  }

  /** The Basic realm of a request: its issuer, when the path names a valid account id. */
  private String realm(Context ctx) {
    String account = ctx.pathParam("account");
    return AccountIds.isValid(account) ? issuers.issuer(account) : null;
  }
}
