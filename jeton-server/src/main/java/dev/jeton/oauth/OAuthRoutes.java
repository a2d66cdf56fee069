package dev.jeton.oauth;

import dev.jeton.account.AccountService;
import dev.jeton.client.ClientAuthenticator;
import dev.jeton.client.ClientService;
import dev.jeton.error.ApiException;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Pages;
import dev.jeton.http.Router;
import dev.jeton.limit.Limits;
import dev.jeton.observe.Metrics;
import dev.jeton.push.Push;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.PatVerifier;
import dev.jeton.session.SessionService;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.AccountIds;
import dev.jeton.token.Issuers;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.user.UserService;
import dev.jeton.web.Csrf;
import dev.jeton.web.Viewers;
import dev.jeton.web.WebSessions;
import io.javalin.http.Handler;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;

/**
 * The OAuth 2.0 endpoints of each issuer: {@code /oauth2/authorize} (RFC 6749 3.1, 4.1.1) with
 * its consent form, {@code /oauth2/token} (RFC 6749 3.2), {@code /oauth2/introspect}
 * (RFC 7662), {@code /oauth2/revoke} (RFC 7009), and the user's list of authorized applications
 * ({@code /api/v1/me/grants}), and the device authorization grant's
 * {@code /oauth2/device_authorization} and {@code /device} (RFC 8628 3.1, 3.3). Token-endpoint
 * errors are RFC 6749 5.2 JSON;
 * authorization errors are redirects or error pages (RFC 6749 4.1.2.1); both are written by
 * {@link ErrorWriter}.
 */
public final class OAuthRoutes {
  private static final String BASE = "/accounts/{account}";

  private final Issuers issuers;
  private final TokenEndpoint token;
  private final IntrospectionEndpoint introspection;
  private final RevocationEndpoint revocation;
  private final AuthorizeEndpoint authorize;
  private final ConsentRoutes consentRoutes;
  private final SignInRoutes signIns;
  private final DeviceAuthorizationEndpoint deviceAuthorization;
  private final DeviceVerification deviceVerification;

  /** What the endpoints need besides the token machinery. */
  public record Web(ClientService clients, UserService users, WebSessions webSessions,
      Csrf csrf, Pages pages, BearerAuth bearer, Jdbi jdbi, WriteQueue writes,
      OpaqueTokens tokens, PatVerifier pats, Limits limits, Push push) {}

  public OAuthRoutes(AccountService accounts, ClientAuthenticator clientAuth,
      AccessTokens accessTokens, SessionService sessions, Issuers issuers, Metrics metrics,
      Clock clock, Web web) {
    this.issuers = issuers;
    ClientRequest.Reader clientRequests = new ClientRequest.Reader(accounts, clientAuth,
        web.limits());
    AuthorizationCodes codes = new AuthorizationCodes(web.jdbi(), web.writes(), web.tokens(),
        clock);
    Consents consents = new Consents(web.jdbi(), web.writes(), clock);
    DeviceCodes devices = new DeviceCodes(web.jdbi(), web.writes(), web.tokens(),
        new UserCodes(new java.security.SecureRandom()), clock);
    this.token = new TokenEndpoint(accounts, clientRequests,
        new ClientCredentialsGrant(accessTokens, metrics),
        new AuthorizationCodeGrant(codes, consents, sessions, web.users(), clock),
        new RefreshTokenGrant(sessions),
        new DeviceCodeGrant(devices, consents, sessions, web.users(), clock),
        new TokenExchangeGrant(accessTokens, sessions, web.pats(), metrics, clock),
        new IdTokens(accessTokens, issuers));
    Viewers viewers = new Viewers(web.webSessions(), web.users());
    this.authorize = new AuthorizeEndpoint(accounts, web.clients(), viewers, web.csrf(),
        web.pages(), issuers, codes, consents, clock);
    this.consentRoutes = new ConsentRoutes(web.bearer(), consents, web.clients(), sessions,
        web.writes(), clock);
    this.signIns = new SignInRoutes(web.bearer(), web.webSessions(), sessions, web.writes(),
        clock);
    // a password change withdraws every authorization not yet exchanged, in its transaction
    web.users().onCredentialChange("pending_authorizations_revoked",
        (h, userId, now) -> PendingAuthorizations.withdraw(h, userId, null, now));
    this.introspection = new IntrospectionEndpoint(accounts, clientRequests, accessTokens, sessions,
        web.clients(), issuers, clock);
    this.revocation = new RevocationEndpoint(accounts, clientRequests, accessTokens, sessions);
    this.deviceAuthorization = new DeviceAuthorizationEndpoint(accounts, clientRequests, devices,
        issuers, web.limits(), web.users(), web.push());
    this.deviceVerification = new DeviceVerification(accounts, web.clients(), viewers,
        web.csrf(), web.pages(), devices, consents, clock);
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.OAUTH, TokenEndpoint.ERRORS)
        .post(BASE + TokenEndpoint.PATH, withRealm(token::handle));
    r.as(ErrorWriter.Format.OAUTH, IntrospectionEndpoint.ERRORS)
        .post(BASE + IntrospectionEndpoint.PATH, withRealm(introspection::handle));
    r.as(ErrorWriter.Format.OAUTH, RevocationEndpoint.ERRORS)
        .post(BASE + RevocationEndpoint.PATH, withRealm(revocation::handle));
    r.as(ErrorWriter.Format.OAUTH, DeviceAuthorizationEndpoint.ERRORS)
        .post(BASE + DeviceAuthorizationEndpoint.PATH, withRealm(deviceAuthorization::handle));
    r.as(ErrorWriter.Format.PAGE, AuthorizeEndpoint.ERRORS)
        .get(BASE + AuthorizeEndpoint.PATH, authorize::authorize)
        .post(BASE + AuthorizeEndpoint.PATH, authorize::decide);
    r.as(ErrorWriter.Format.PAGE, DeviceVerification.ERRORS)
        .get(BASE + DeviceVerification.PATH, deviceVerification::page)
        .post(BASE + DeviceVerification.PATH, deviceVerification::submit);
    r.as(ErrorWriter.Format.PROBLEM, ConsentRoutes.ERRORS)
        .get(BASE + "/api/v1/me/grants", consentRoutes::list)
        .delete(BASE + "/api/v1/me/grants/{client_id}", consentRoutes::revoke);
    r.as(ErrorWriter.Format.PROBLEM, SignInRoutes.ERRORS)
        .get(BASE + "/api/v1/me/browser-sessions", signIns::list)
        .delete(BASE + "/api/v1/me/browser-sessions/{id}", signIns::end)
        .post(BASE + "/api/v1/me/logout-everywhere", signIns::logoutEverywhere);
  }

  /**
   * An OAuth endpoint whose {@code invalid_client} answers name the issuer as the Basic realm
   * (RFC 6749 5.2), when the path names a valid account id.
   */
  private Handler withRealm(Handler h) {
    return ctx -> {
      try {
        h.handle(ctx);
      } catch (ApiException e) {
        // named only when an error is answered: successful requests do not pay for it
        String account = ctx.pathParam("account");
        if (AccountIds.isValid(account)) {
          ctx.attribute(ErrorWriter.REALM, issuers.issuer(account));
        }
        throw e;
      }
    };
  }
}
