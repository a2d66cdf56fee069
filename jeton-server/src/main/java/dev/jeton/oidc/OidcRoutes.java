package dev.jeton.oidc;

import dev.jeton.account.AccountService;
import dev.jeton.client.ClientService;
import dev.jeton.http.Router;
import dev.jeton.oauth.OAuthRoutes;
import dev.jeton.session.SessionService;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.Issuers;
import dev.jeton.user.UserService;
import dev.jeton.web.Csrf;
import dev.jeton.web.Pages;
import dev.jeton.web.WebSessions;

/**
 * The OpenID Connect endpoints of each issuer: userinfo (OIDC Core 5.3) and RP-initiated logout
 * (OIDC RP-Initiated Logout 1.0). ID tokens come from the token endpoint ({@link IdTokens});
 * discovery is served with the other metadata ({@code KeyRoutes}, OIDC Discovery 4).
 */
public final class OidcRoutes {
  private static final String BASE = "/accounts/{account}";

  private final UserInfoEndpoint userInfo;
  private final LogoutEndpoint logout;

  public OidcRoutes(AccountService accounts, AccessTokens accessTokens, SessionService sessions,
      UserService users, ClientService clients, WebSessions webSessions, Csrf csrf, Pages pages,
      Issuers issuers) {
    this.userInfo = new UserInfoEndpoint(accounts, accessTokens, sessions, users, issuers);
    this.logout = new LogoutEndpoint(accounts, clients, webSessions, csrf, pages,
        new IdTokens(accessTokens, issuers));
  }

  public void register(Router r) {
    r.get(BASE + OAuthRoutes.USERINFO, userInfo::handle)
        .post(BASE + OAuthRoutes.USERINFO, userInfo::handle)
        .get(BASE + OAuthRoutes.LOGOUT, logout::handle)
        .post(BASE + OAuthRoutes.LOGOUT, logout::handle);
  }
}
