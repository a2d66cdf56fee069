package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.client.ClientService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Form;
import dev.jeton.http.Pages;
import dev.jeton.http.Text;
import dev.jeton.observe.Audit;
import dev.jeton.token.Issuers;
import dev.jeton.token.Scope;
import dev.jeton.web.Csrf;
import dev.jeton.web.LoginRoutes;
import dev.jeton.web.Viewers;
import io.javalin.http.Context;
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
 * RFC 9207). A visitor who is not signed in is sent to the sign-in page; a signed-in user sees the
 * consent page unless they already granted these scopes to the client
 * (docs/security.md#consent). OpenID Connect's {@code prompt} and
 * {@code max_age} (OIDC Core 3.1.2.1) can demand a fresh sign-in or the consent page, or forbid
 * both ({@code prompt=none}: {@code login_required}, {@code consent_required}).
 *
 * <p>Whoever administers an account registers its clients' redirect URIs, so a registered URI is
 * not by itself a place Jeton may send a browser to (RFC 9700 4.11.2,
 * docs/security.md#untrusted-client-no-redirect). An invalid request, whatever its client, gets an
 * error page. A valid request is answered at its redirect URI only once the user has taken part:
 * signed in (then a remembered grant answers at once), or chosen Allow or Deny on the consent
 * page. The one answer given before a sign-in is {@code prompt=none}'s {@code login_required}:
 * silent authentication asks for no page by definition (OIDC Core 3.1.2.1), and RFC 9700 4.11.2
 * excepts it.
 *
 * <p>Every authorization response, success or error, echoes {@code state} byte-for-byte and
 * carries {@code iss} (RFC 9207 2, docs/security.md#state-and-iss). Responses to GET use 302,
 * responses to the consent POST 303 (RFC 9700 4.12, docs/security.md#see-other-after-post).
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1">RFC 6749 4.1.1</a>
 */
public final class AuthorizeEndpoint {
  /** The endpoint's path under an issuer (RFC 6749 3.1). */
  public static final String PATH = "/oauth2/authorize";
  /**
   * The errors of the authorization endpoint and its consent form (RFC 6749 4.1.2.1, OIDC Core
   * 3.1.2.6).
   */
  public static final Set<ErrorCode> ERRORS = Set.of(ErrorCode.INVALID_REQUEST,
      ErrorCode.CLIENT_NOT_FOUND, ErrorCode.REDIRECT_URI_INVALID, ErrorCode.UNAUTHORIZED_CLIENT,
      ErrorCode.UNSUPPORTED_RESPONSE_TYPE, ErrorCode.INVALID_SCOPE, ErrorCode.INVALID_TARGET,
      ErrorCode.ACCESS_DENIED,
      ErrorCode.LOGIN_REQUIRED, ErrorCode.CONSENT_REQUIRED, ErrorCode.FORM_REJECTED);

  private final AccountService accounts;
  private final ClientService clients;
  private final Viewers viewers;
  private final Csrf csrf;
  private final Pages pages;
  private final Issuers issuers;
  private final AuthorizationCodes codes;
  private final Consents consents;
  private final Clock clock;

  AuthorizeEndpoint(AccountService accounts, ClientService clients, Viewers viewers, Csrf csrf,
      Pages pages, Issuers issuers, AuthorizationCodes codes,
      Consents consents, Clock clock) {
    this.accounts = accounts;
    this.clients = clients;
    this.viewers = viewers;
    this.csrf = csrf;
    this.pages = pages;
    this.issuers = issuers;
    this.codes = codes;
    this.consents = consents;
    this.clock = clock;
  }

  void authorize(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    String raw = ctx.queryString();
    Map<String, List<String>> query = raw == null ? Map.of()
        : Form.parseAll(raw.getBytes(StandardCharsets.UTF_8), "The query is not valid UTF-8.");
    String repeated = query.entrySet().stream()
        .filter(e -> e.getValue().size() > 1 && !e.getKey().equals(Audiences.RESOURCE))
        .map(Map.Entry::getKey).findFirst().orElse(null);
    Function<String, String> param = n -> {
      List<String> v = query.get(n);
      return v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
    };
    List<String> resources = query.getOrDefault(Audiences.RESOURCE, List.of()).stream()
        .filter(v -> !v.isEmpty()).toList();
    AuthorizationRequest req = AuthorizationRequest.parse(clients, account.id(), param, repeated,
        resources);
    Optional<Viewers.Viewer> viewer = viewers.current(ctx, account.id());
    if (viewer.isEmpty() || mustSignInAgain(req, viewer.get())) {
      if (req.prompts("none")) {
        answerAtRedirectUri(ctx, account, req, 302); // silent authentication (OIDC Core 3.1.2.1)
        throw new ApiException(ErrorCode.LOGIN_REQUIRED, viewer.isEmpty()
            ? "The user is not signed in." : "The user signed in longer ago than max_age allows.");
      }
      toLogin(ctx, account, afterSignIn(ctx, query), req.loginHint());
      return;
    }
    answerAtRedirectUri(ctx, account, req, 302);
    Optional<Scope> granted = consents.granted(viewer.get().user().id(),
        req.client().clientId());
    if (granted.isPresent() && granted.get().containsAll(req.scopes())
        && !req.prompts("consent")) {
      issue(ctx, account, viewer.get(), req, 302);
      return;
    }
    if (req.prompts("none")) {
      throw new ApiException(ErrorCode.CONSENT_REQUIRED,
          "The user has not approved these scopes for the application.");
    }
    Map<String, Object> m = new HashMap<>();
    m.put("accountId", account.id());
    m.put("clientName", req.client().spec().name());
    m.put("clientUri", req.client().spec().clientUri());
    m.put("scopes", req.scopes().values());
    m.put("fields", AuthorizationRequest.echo(param));
    m.put("csrf", csrf.token(ctx));
    m.put("email", viewer.get().user().email());
    m.put("returnTo", Pages.formTarget(req.redirectUri()));
    pages.render(ctx, 200, "consent.jte", m, req.redirectUri());
  }

  void decide(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    Form form = Form.parse(ctx);
    csrf.require(ctx, form.get(Csrf.FIELD), "start again from the application");
    // resources were checked when the request was shown; the token request picks the audience
    AuthorizationRequest req = AuthorizationRequest.parse(clients, account.id(), form::get, null,
        List.of());
    Optional<Viewers.Viewer> viewer = viewers.current(ctx, account.id());
    if (viewer.isEmpty()) {
      String query = AuthorizationRequest.echo(form::get).entrySet().stream()
          .map(e -> Text.encode(e.getKey()) + "=" + Text.encode(e.getValue()))
          .reduce((a, b) -> a + "&" + b).orElse("");
      toLogin(ctx, account, "/accounts/" + account.id() + PATH + "?" + query,
          null);
      return;
    }
    String decision = form.get("decision");
    if (!"allow".equals(decision) && !"deny".equals(decision)) {
      // a form that lost its decision is the page's fault, not the client's: no redirect
      throw new ApiException(ErrorCode.INVALID_REQUEST, "Choose Allow or Deny.");
    }
    answerAtRedirectUri(ctx, account, req, 303); // the user chose
    if ("allow".equals(decision)) {
      String userId = viewer.get().user().id();
      consents.remember(account.id(), userId, req.client().clientId(), req.scopes());
      Audit.event("consent_granted", "account", account.id(), "user", userId,
          "client_id", req.client().clientId(), "scope", req.scopes().render());
      issue(ctx, account, viewer.get(), req, 303);
    } else {
      Audit.event("consent_denied", "account", account.id(), "user",
          viewer.get().user().id(),
          "client_id", req.client().clientId());
      throw new ApiException(ErrorCode.ACCESS_DENIED, "The user denied the request.");
    }
  }

  /**
   * From here on, errors of this valid request go back to its redirect URI with {@code status}
   * (RFC 6749 4.1.2.1) instead of an error page. Called only once the user has signed in or
   * answered the consent page, and for {@code prompt=none}
   * (docs/security.md#untrusted-client-no-redirect).
   */
  private void answerAtRedirectUri(Context ctx, Account account, AuthorizationRequest req,
      int status) {
    ctx.attribute(ErrorWriter.REDIRECT, new ErrorWriter.Redirect(req.redirectUri(), req.state(),
        issuers.issuer(account.id()), status));
  }

  private void issue(Context ctx, Account account, Viewers.Viewer viewer, AuthorizationRequest req,
      int status) {
    String code = codes.issue(account.id(), viewer.user().id(), viewer.authTime(),
        viewer.credentialGeneration(), req, accounts.lifetimes(account).authorizationCode());
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

  private static void redirect(Context ctx, int status, String uri, Map<String, String> p) {
    ctx.status(status);
    ctx.header("Location", Text.withQuery(uri, p));
  }

  /**
   * Whether the signed-in user must authenticate again first (OIDC Core 3.1.2.1):
   * {@code prompt=login} or {@code select_account} (the sign-in page is where another user can
   * be chosen), or a sign-in older than {@code max_age} seconds.
   */
  private boolean mustSignInAgain(AuthorizationRequest req, Viewers.Viewer viewer) {
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
      b.append(sep).append(Text.encode(e.getKey())).append('=').append(Text.encode(value));
      sep = '&';
    }
    return b.toString();
  }

  private void toLogin(Context ctx, Account account, String returnTo, String loginHint) {
    ctx.status(303);
    ctx.header("Location", "/accounts/" + account.id() + LoginRoutes.PATH + "?return_to="
        + Text.encode(returnTo) + (loginHint == null ? "" : "&login_hint=" + Text.encode(
            loginHint)));
  }
}
