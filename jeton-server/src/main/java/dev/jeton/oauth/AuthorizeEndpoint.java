package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.client.ClientService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Audit;
import dev.jeton.token.Issuers;
import dev.jeton.user.User;
import dev.jeton.user.UserService;
import dev.jeton.web.Csrf;
import dev.jeton.web.LoginRoutes;
import dev.jeton.web.Pages;
import dev.jeton.web.WebSessions;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code GET {issuer}/oauth2/authorize} and its consent form post (RFC 6749 4.1.1-4.1.2, RFC 7636,
 * RFC 9207). An untrusted client or redirect URI gets an error page, never a redirect
 * (docs/security.md#untrusted-client-no-redirect); other errors are redirected (RFC 6749
 * 4.1.2.1). A visitor who is not signed in is sent to the sign-in page; a signed-in user sees the
 * consent page unless they already granted these scopes to the client
 * (docs/security.md#consent). OpenID Connect's {@code prompt} and
 * {@code max_age} (OIDC Core 3.1.2.1) can demand a fresh sign-in or the consent page, or forbid
 * both ({@code prompt=none}: {@code login_required}, {@code consent_required}). Every authorization response, success or
 * error, echoes {@code state} byte-for-byte and carries {@code iss} (RFC 9207 2,
 * docs/security.md#state-and-iss). Responses to GET use 302, responses to the consent POST 303
 * (RFC 9700 4.12, docs/security.md#see-other-after-post).
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1">RFC 6749 4.1.1</a>
 */
final class AuthorizeEndpoint {
  private final AccountService accounts;
  private final ClientService clients;
  private final UserService users;
  private final WebSessions webSessions;
  private final Csrf csrf;
  private final Pages pages;
  private final Issuers issuers;
  private final AuthorizationCodes codes;
  private final Grants grants;
  private final Clock clock;

  AuthorizeEndpoint(AccountService accounts, ClientService clients, UserService users,
      WebSessions webSessions, Csrf csrf, Pages pages, Issuers issuers, AuthorizationCodes codes,
      Grants grants, Clock clock) {
    this.accounts = accounts;
    this.clients = clients;
    this.users = users;
    this.webSessions = webSessions;
    this.csrf = csrf;
    this.pages = pages;
    this.issuers = issuers;
    this.codes = codes;
    this.grants = grants;
    this.clock = clock;
  }

  void authorize(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    Map<String, List<String>> query = ctx.queryParamMap();
    String repeated = query.entrySet().stream().filter(e -> e.getValue().size() > 1)
        .map(Map.Entry::getKey).findFirst().orElse(null);
    Function<String, String> param = n -> {
      List<String> v = query.get(n);
      return v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
    };
    AuthorizationRequest req = validate(ctx, account, param, repeated, 302);
    if (req == null) {
      return;
    }
    Optional<Viewer> viewer = signedIn(ctx, account);
    if (viewer.isEmpty() || mustSignInAgain(req, viewer.get())) {
      if (req.prompts("none")) {
        redirectError(ctx, account, 302, new AuthorizationRequest.Redirected(
            ErrorCode.LOGIN_REQUIRED, viewer.isEmpty() ? "The user is not signed in."
                : "The user signed in longer ago than max_age allows.", req.redirectUri(),
            req.state()));
        return;
      }
      toLogin(ctx, account, afterSignIn(ctx, query), req.loginHint());
      return;
    }
    Optional<Set<String>> granted = grants.granted(viewer.get().user().id(),
        req.client().clientId());
    if (granted.isPresent() && granted.get().containsAll(req.scopes())
        && !req.prompts("consent")) {
      issue(ctx, account, viewer.get(), req, 302);
      return;
    }
    if (req.prompts("none")) {
      redirectError(ctx, account, 302, new AuthorizationRequest.Redirected(
          ErrorCode.CONSENT_REQUIRED, "The user has not approved these scopes for the "
              + "application.", req.redirectUri(), req.state()));
      return;
    }
    Map<String, Object> m = new HashMap<>();
    m.put("accountId", account.id());
    m.put("clientName", req.client().spec().name());
    m.put("clientUri", req.client().spec().clientUri());
    m.put("scopes", req.scopes());
    m.put("fields", AuthorizationRequest.echo(param));
    m.put("csrf", csrf.token(ctx));
    m.put("email", viewer.get().user().email());
    pages.render(ctx, 200, "consent.jte", m, req.redirectUri());
  }

  void decide(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    Form form;
    try {
      form = Form.parse(ctx);
    } catch (ApiException e) {
      errorPage(ctx, 400, e.detail());
      return;
    }
    if (!csrf.valid(ctx, form.get(Csrf.FIELD))) {
      errorPage(ctx, 403, "The form has expired or was posted from another site; start again "
          + "from the application.");
      return;
    }
    AuthorizationRequest req = validate(ctx, account, form::get, null, 303);
    if (req == null) {
      return;
    }
    Optional<Viewer> viewer = signedIn(ctx, account);
    if (viewer.isEmpty()) {
      String query = AuthorizationRequest.echo(form::get).entrySet().stream()
          .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
          .reduce((a, b) -> a + "&" + b).orElse("");
      toLogin(ctx, account, "/accounts/" + account.id() + OAuthRoutes.AUTHORIZE + "?" + query,
          null);
      return;
    }
    String decision = form.get("decision");
    if ("allow".equals(decision)) {
      String userId = viewer.get().user().id();
      grants.remember(account.id(), userId, req.client().clientId(), req.scopes());
      Audit.event("consent_granted", "account", account.id(), "user", userId,
          "client_id", req.client().clientId(), "scope", String.join(" ", req.scopes()));
      issue(ctx, account, viewer.get(), req, 303);
    } else if ("deny".equals(decision)) {
      Audit.event("consent_denied", "account", account.id(), "user",
          viewer.get().user().id(),
          "client_id", req.client().clientId());
      redirectError(ctx, account, 303, new AuthorizationRequest.Redirected(
          ErrorCode.ACCESS_DENIED, "The user denied the request.", req.redirectUri(),
          req.state()));
    } else {
      errorPage(ctx, 400, "Choose Allow or Deny.");
    }
  }

  private AuthorizationRequest validate(Context ctx, Account account,
      Function<String, String> param, String repeated, int status) {
    try {
      return AuthorizationRequest.parse(clients, account.id(), param, repeated);
    } catch (AuthorizationRequest.Refused e) {
      errorPage(ctx, 400, e.getMessage());
    } catch (AuthorizationRequest.Redirected e) {
      redirectError(ctx, account, status, e);
    }
    return null;
  }

  /** The signed-in user and when they signed in (ms). */
  private record Viewer(User user, long authTime) {}

  private Optional<Viewer> signedIn(Context ctx, Account account) {
    return webSessions.current(ctx, account.id()).flatMap(s -> {
      try {
        return Optional.of(new Viewer(users.current(account.id(), s.userId()), s.authTime()));
      } catch (ApiException e) {
        return Optional.empty();
      }
    });
  }

  private void issue(Context ctx, Account account, Viewer viewer, AuthorizationRequest req,
      int status) {
    String code = codes.issue(account.id(), viewer.user().id(), viewer.authTime(), req);
    Audit.event("authorization_code_issued", "account", account.id(), "user",
        viewer.user().id(),
        "client_id", req.client().clientId());
    Map<String, String> p = new LinkedHashMap<>();
    p.put("code", code);
    if (req.state() != null) {
      p.put("state", req.state());
    }
    p.put("iss", issuers.issuer(account.id()));
    redirect(ctx, status, req.redirectUri(), p);
  }

  private void redirectError(Context ctx, Account account, int status,
      AuthorizationRequest.Redirected e) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("error", e.code.code());
    p.put("error_description", OAuthErrors.safe(e.getMessage()));
    if (e.state != null) {
      p.put("state", e.state);
    }
    p.put("iss", issuers.issuer(account.id()));
    redirect(ctx, status, e.redirectUri, p);
  }

  private static void redirect(Context ctx, int status, String uri, Map<String, String> p) {
    StringBuilder b = new StringBuilder(uri);
    char sep = uri.indexOf('?') >= 0 ? '&' : '?';
    for (Map.Entry<String, String> e : p.entrySet()) {
      b.append(sep).append(enc(e.getKey())).append('=').append(enc(e.getValue()));
      sep = '&';
    }
    ctx.status(status);
    ctx.header("Location", b.toString());
  }

  /**
   * Whether the signed-in user must authenticate again first (OIDC Core 3.1.2.1):
   * {@code prompt=login} or {@code select_account} (the sign-in page is where another user can
   * be chosen), or a sign-in older than {@code max_age} seconds.
   */
  private boolean mustSignInAgain(AuthorizationRequest req, Viewer viewer) {
    if (req.prompts("login") || req.prompts("select_account")) {
      return true;
    }
    return req.maxAge() != null
        && clock.millis() - viewer.authTime() > req.maxAge() * 1000;
  }

  /**
   * Where the sign-in page sends the user back: this request without the {@code prompt}
   * values and {@code max_age} that sent them there, since the sign-in they asked for is the
   * one that just happened (the ID token's {@code auth_time} says when).
   */
  private static String afterSignIn(Context ctx, Map<String, List<String>> query) {
    StringBuilder b = new StringBuilder(ctx.path());
    char sep = '?';
    for (Map.Entry<String, List<String>> e : query.entrySet()) {
      String value = e.getValue().isEmpty() ? "" : e.getValue().get(0);
      if (e.getKey().equals("max_age")) {
        continue;
      }
      if (e.getKey().equals("prompt")) {
        value = Arrays.stream(value.split(" "))
            .filter(v -> !v.equals("login") && !v.equals("select_account"))
            .collect(Collectors.joining(" "));
        if (value.isBlank()) {
          continue;
        }
      }
      b.append(sep).append(enc(e.getKey())).append('=').append(enc(value));
      sep = '&';
    }
    return b.toString();
  }

  private void toLogin(Context ctx, Account account, String returnTo, String loginHint) {
    ctx.status(303);
    ctx.header("Location", "/accounts/" + account.id() + LoginRoutes.PATH + "?return_to="
        + enc(returnTo) + (loginHint == null ? "" : "&login_hint=" + enc(loginHint)));
  }

  private void errorPage(Context ctx, int status, String detail) {
    pages.render(ctx, status, "message.jte", Map.of("title", "Authorization request refused",
        "detail", detail));
  }

  /** Form-urlencoding with {@code %20} for spaces, which every query parser reads alike. */
  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
