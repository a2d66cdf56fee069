package dev.jeton.oidc;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Form;
import dev.jeton.http.Pages;
import dev.jeton.http.Text;
import dev.jeton.oauth.IdTokens;
import dev.jeton.web.Csrf;
import dev.jeton.web.WebSessions;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code GET} and {@code POST {issuer}/oauth2/logout} (OIDC RP-Initiated Logout 1.0, 2-3): ends
 * this browser's sign-in session, then sends the browser to {@code post_logout_redirect_uri} with
 * {@code state} only when that URI exactly matches one registered for the client named by
 * {@code client_id} or by the {@code aud} of an {@code id_token_hint} this account signed (both,
 * when given, must agree). Anything else gets a page, never a redirect
 * (docs/security.md#no-open-redirect).
 *
 * <p>Even a registered URI is redirected to at once only when an {@code id_token_hint} names the
 * user whose session this request ends: then the application is plainly signing out its own
 * user. Whoever administers an account can obtain ID tokens of its own users, so a valid hint by
 * itself proves nothing about the person at the browser; without a session it names, the way back
 * is a link the user follows, or the answer to the question below (RFC 9700 4.11.2). An expired
 * hint is accepted (RP-Initiated Logout 2): the session it must name is the proof that counts.
 *
 * <p>The session ends at once only when such a hint names the signed-in user; otherwise the user
 * is asked first (RP-Initiated Logout 2, 6), with a CSRF-protected form, so a link or image on
 * another site cannot sign anyone out. A POST that arrives without the session cookie (a relying
 * party's cross-site form post, which browsers send without {@code SameSite=Lax} cookies) is
 * answered with a 303 to the same request as a GET, which carries the cookie.
 *
 * @see <a href="https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout">
 *     RP-Initiated Logout 2</a>
 */
public final class LogoutEndpoint {
  /** The errors the logout page answers as an error page. */
  public static final Set<ErrorCode> ERRORS = Set.of(ErrorCode.INVALID_REQUEST,
      ErrorCode.FORM_REJECTED, ErrorCode.REDIRECT_URI_INVALID);
  /** The endpoint's path under an issuer (OIDC RP-Initiated Logout 2). */
  public static final String PATH = "/oauth2/logout";

  /** The request parameters the confirmation form carries again. */
  private static final List<String> PARAMS = List.of("id_token_hint", "client_id",
      "post_logout_redirect_uri", "state");

  private final AccountService accounts;
  private final ClientService clients;
  private final WebSessions webSessions;
  private final Csrf csrf;
  private final Pages pages;
  private final IdTokens idTokens;

  LogoutEndpoint(AccountService accounts, ClientService clients, WebSessions webSessions,
      Csrf csrf, Pages pages, IdTokens idTokens) {
    this.accounts = accounts;
    this.clients = clients;
    this.webSessions = webSessions;
    this.csrf = csrf;
    this.pages = pages;
    this.idTokens = idTokens;
  }

  /**
   * Where to send the browser afterwards, with the name of the client it belongs to, or why not
   * (then {@code uri} is null).
   */
  private record Return(String uri, String clientName, ErrorCode refusal, String reason) {}

  void handle(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    boolean post = ctx.method() == HandlerType.POST;
    Form form = post ? Form.parse(ctx) : Form.query(ctx);
    Function<String, String> param = name -> {
      String v = form.get(name);
      return v == null || v.isEmpty() ? null : v;
    };
    Optional<WebSessions.Signed> session = webSessions.current(ctx, account.id());
    if (post && session.isEmpty() && param.apply("decision") == null) {
      // A relying party's cross-site form post carries no SameSite=Lax session cookie, so "not
      // signed in" cannot be told from here. The same request as a top-level GET carries it.
      again(ctx, account, param);
      return;
    }
    Optional<IdTokens.Hint> hint = param.apply("id_token_hint") == null ? Optional.empty()
        : idTokens.hint(account.id(), param.apply("id_token_hint"));
    Return back = back(account, param, hint);
    if (session.isPresent()) {
      boolean named = hint.isPresent() && hint.get().userId().equals(session.get().userId());
      if (!named) {
        if (!post || param.apply("decision") == null) {
          confirm(ctx, account, param, back);
          return;
        }
        csrf.require(ctx, param.apply(Csrf.FIELD), "you are still signed in");
        if (!"sign_out".equals(param.apply("decision"))) {
          page(ctx, 200, "Still signed in", "You are still signed in.");
          return;
        }
      }
      webSessions.signOut(ctx, account.id());
    }
    String done = session.isPresent() ? "You are signed out." : "You were not signed in.";
    if (back.uri() == null) {
      if (back.refusal() != null) {
        // signed out, but the application's return address cannot be trusted: an error page
        // instead of the redirect (RFC 9700 4.11.2)
        throw new ApiException(back.refusal(), done + " " + back.reason());
      }
      page(ctx, 200, "Signed out", done);
      return;
    }
    if (session.isEmpty()) {
      // nobody is signed in here, so nothing shows that the application is sending back its own
      // user: the user follows a link instead of being redirected (RFC 9700 4.11.2)
      Map<String, Object> m = new HashMap<>();
      m.put("title", "Signed out");
      m.put("detail", done);
      m.put("clientName", back.clientName());
      m.put("uri", back.uri());
      m.put("destination", Pages.formTarget(back.uri()));
      pages.render(ctx, 200, "signed-out.jte", m);
      return;
    }
    ctx.status(post ? 303 : 302);
    ctx.header("Location", back.uri());
  }

  private Return back(Account account, Function<String, String> param,
      Optional<IdTokens.Hint> hint) {
    String target = param.apply("post_logout_redirect_uri");
    if (target == null) {
      return new Return(null, null, null, null);
    }
    String clientId = param.apply("client_id");
    if (param.apply("id_token_hint") != null) {
      if (hint.isEmpty() || (clientId != null && !clientId.equals(hint.get().clientId()))) {
        return new Return(null, null, ErrorCode.INVALID_REQUEST, "The application's "
            + "id_token_hint is not valid for this issuer, so you are not sent back to it.");
      }
      clientId = hint.get().clientId();
    }
    Optional<Client> client = clientId == null ? Optional.empty()
        : clients.find(account.id(), clientId);
    if (client.isEmpty() || !client.get().spec().redirectUris().contains(target)) {
      return new Return(null, null, ErrorCode.REDIRECT_URI_INVALID, "The return address the "
          + "application asked for is not registered for it, so you are not sent there.");
    }
    String state = param.apply("state");
    StringBuilder to = new StringBuilder(target);
    if (state != null) {
      to.append(target.indexOf('?') >= 0 ? '&' : '?').append("state=")
          .append(Text.encode(state));
    }
    return new Return(to.toString(), client.get().spec().name(), null, null);
  }

  /** Answers 303 to this logout request as a GET with the same parameters. */
  private static void again(Context ctx, Account account, Function<String, String> param) {
    StringBuilder to = new StringBuilder("/accounts/" + account.id() + "/oauth2/logout");
    char sep = '?';
    for (String p : PARAMS) {
      String v = param.apply(p);
      if (v != null) {
        to.append(sep).append(p).append('=')
            .append(Text.encode(v));
        sep = '&';
      }
    }
    ctx.status(303);
    ctx.header("Location", to.toString());
  }

  private void confirm(Context ctx, Account account, Function<String, String> param,
      Return back) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String p : PARAMS) {
      String v = param.apply(p);
      if (v != null) {
        fields.put(p, v);
      }
    }
    Map<String, Object> m = new HashMap<>();
    m.put("accountId", account.id());
    m.put("fields", fields);
    m.put("csrf", csrf.token(ctx));
    m.put("returnTo", Pages.formTarget(back.uri()));
    // the form's answer may redirect to the application: allow it as a form target (CSP)
    pages.render(ctx, 200, "logout.jte", m, back.uri());
  }

  private void page(Context ctx, int status, String title, String detail) {
    pages.render(ctx, status, "message.jte", Map.of("title", title, "detail", detail));
  }
}
