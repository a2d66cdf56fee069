package dev.jeton.oidc;

import dev.jeton.account.AccountService;
import dev.jeton.client.ClientService;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Pages;
import dev.jeton.http.Router;
import dev.jeton.limit.Limits;
import dev.jeton.rejection.RejectionLog;
import dev.jeton.oauth.IdTokens;
import dev.jeton.session.SessionService;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.Issuers;
import dev.jeton.token.KeyRing;
import dev.jeton.user.UserService;
import dev.jeton.web.Csrf;
import dev.jeton.web.WebSessions;
import java.util.Set;

/**
 * The OpenID Connect and metadata endpoints of each issuer: userinfo (OIDC Core 5.3), RP-initiated
 * logout (OIDC RP-Initiated Logout 1.0), the discovery documents (OIDC Discovery 4, RFC 8414 3)
 * and the JWKS. ID tokens themselves come from the token endpoint ({@link IdTokens}).
 */
public final class OidcRoutes {
  private static final String BASE = "/accounts/{account}";

  private final UserInfoEndpoint userInfo;
  private final LogoutEndpoint logout;
  private final DiscoveryEndpoint discovery;
  private final JwksEndpoint jwks;

  public OidcRoutes(AccountService accounts, AccessTokens accessTokens, KeyRing keys,
      SessionService sessions, UserService users, ClientService clients, WebSessions webSessions,
      Csrf csrf, Pages pages, Issuers issuers, Limits limits, RejectionLog rejections) {
    this.userInfo = new UserInfoEndpoint(accounts, accessTokens, sessions, users, issuers,
        limits, rejections);
    this.logout = new LogoutEndpoint(accounts, clients, webSessions, csrf, pages,
        new IdTokens(accessTokens, issuers));
    this.discovery = new DiscoveryEndpoint(accounts, issuers);
    this.jwks = new JwksEndpoint(accounts, keys);
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, UserInfoEndpoint.ERRORS)
        .get(BASE + UserInfoEndpoint.PATH, userInfo::handle)
        .post(BASE + UserInfoEndpoint.PATH, userInfo::handle);
    r.as(ErrorWriter.Format.PAGE, LogoutEndpoint.ERRORS)
        .get(BASE + LogoutEndpoint.PATH, logout::handle)
        .post(BASE + LogoutEndpoint.PATH, logout::handle);
    r.as(ErrorWriter.Format.PROBLEM, Set.of())
        .produces("application/jwk-set+json", "application/json")
        .get(BASE + JwksEndpoint.PATH, jwks::handle);
    r.as(ErrorWriter.Format.PROBLEM, Set.of())
        .get(BASE + DiscoveryEndpoint.OPENID_CONFIGURATION, discovery::handle)
        .get(BASE + DiscoveryEndpoint.AUTHORIZATION_SERVER, discovery::handle)
        // RFC 8414 3.1: the well-known suffix inserted between the host and the issuer's path.
        .get(DiscoveryEndpoint.AUTHORIZATION_SERVER + BASE, discovery::handle);
  }
}
