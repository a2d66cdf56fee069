package dev.jeton.oidc;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.web.Pages;
import dev.jeton.web.WebSessions;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET {issuer}/oauth2/logout} (OIDC RP-Initiated Logout 1.0, 2-3): ends this browser's
 * sign-in session, then redirects to {@code post_logout_redirect_uri} with {@code state} only
 * when that URI exactly matches one registered for the client named by {@code client_id} or by
 * the {@code aud} of an {@code id_token_hint} this account signed (both, when given, must
 * agree). Anything else gets a page, never a redirect: no open redirector (SECURITY 3,
 * RFC 9700 4.11).
 *
 * @see <a href="https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout">
 *     RP-Initiated Logout 2</a>
 */
final class LogoutEndpoint {
  private final AccountService accounts;
  private final ClientService clients;
  private final WebSessions webSessions;
  private final Pages pages;
  private final IdTokens idTokens;

  LogoutEndpoint(AccountService accounts, ClientService clients, WebSessions webSessions,
      Pages pages, IdTokens idTokens) {
    this.accounts = accounts;
    this.clients = clients;
    this.webSessions = webSessions;
    this.pages = pages;
    this.idTokens = idTokens;
  }

  void handle(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    String hint = param(ctx, "id_token_hint");
    String clientId = param(ctx, "client_id");
    String target = param(ctx, "post_logout_redirect_uri");
    String state = param(ctx, "state");
    boolean ended = webSessions.signOut(ctx, account.id());
    String done = ended ? "You are signed out." : "You were not signed in.";
    if (target == null) {
      page(ctx, 200, "Signed out", done);
      return;
    }
    if (hint != null) {
      Optional<String> aud = idTokens.hintAudience(account.id(), hint);
      if (aud.isEmpty() || (clientId != null && !clientId.equals(aud.get()))) {
        page(ctx, 400, "Signed out", done + " The application's id_token_hint is not valid "
            + "for this issuer, so you are not sent back to it.");
        return;
      }
      clientId = aud.get();
    }
    Optional<Client> client = clientId == null ? Optional.empty()
        : clients.find(account.id(), clientId);
    if (client.isEmpty() || !client.get().spec().redirectUris().contains(target)) {
      page(ctx, 400, "Signed out", done + " The return address the application asked for is "
          + "not registered for it, so you are not sent there.");
      return;
    }
    StringBuilder to = new StringBuilder(target);
    if (state != null) {
      to.append(target.indexOf('?') >= 0 ? '&' : '?').append("state=")
          .append(URLEncoder.encode(state, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    ctx.status(302);
    ctx.header("Location", to.toString());
  }

  private static String param(Context ctx, String name) {
    String v = ctx.queryParam(name);
    return v == null || v.isEmpty() ? null : v;
  }

  private void page(Context ctx, int status, String title, String detail) {
    pages.render(ctx, status, "message.jte", Map.of("title", title, "detail", detail));
  }
}
