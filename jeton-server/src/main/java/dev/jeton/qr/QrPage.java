package dev.jeton.qr;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.client.ClientService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Form;
import dev.jeton.http.Json;
import dev.jeton.http.Pages;
import dev.jeton.http.Router;
import dev.jeton.http.Text;
import dev.jeton.web.Csrf;
import dev.jeton.web.LoginRoutes;
import dev.jeton.web.Viewers;
import io.javalin.http.Context;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The phone's page of a QR login, {@code {issuer}/qr/{secret}}, where the QR code's deep link
 * leads: a user signed in on the phone (others are sent to the sign-in page and back) sees what
 * asks to sign in, from which address and browser, when, and the matching code the computer
 * shows, then approves or denies (RFC 10027, docs/security.md#qr-login). Opening the page scans
 * the login, which binds it to this user; the decision is a CSRF-protected post answered with
 * 303. With {@code JETON_QR_DEMO} on, {@code {issuer}/qr-demo} is a computer's sign-in page to
 * try the flow with.
 */
public final class QrPage {
  /** The errors the page answers as an error page. */
  public static final Set<ErrorCode> ERRORS = Set.of(ErrorCode.INVALID_REQUEST,
      ErrorCode.FORM_REJECTED, ErrorCode.QR_LOGIN_NOT_FOUND, ErrorCode.QR_LOGIN_EXPIRED,
      ErrorCode.QR_CODE_USED);
  private static final String BASE = "/accounts/{account}/qr";

  private final QrLogins logins;
  private final AccountService accounts;
  private final ClientService clients;
  private final Viewers viewers;
  private final Csrf csrf;
  private final Pages pages;
  private final boolean demo;

  public QrPage(QrLogins logins, AccountService accounts, ClientService clients, Viewers viewers,
      Csrf csrf, Pages pages, boolean demo) {
    this.demo = demo;
    this.logins = logins;
    this.accounts = accounts;
    this.clients = clients;
    this.viewers = viewers;
    this.csrf = csrf;
    this.pages = pages;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PAGE, ERRORS)
        .get(BASE, this::result)
        .post(BASE, this::submit)
        .get(BASE + "/{secret}", this::page);
    if (demo) {
      r.as(ErrorWriter.Format.PAGE, Set.of(ErrorCode.INVALID_REQUEST))
          .get("/accounts/{account}/qr-demo", this::demo);
    }
  }

  /**
   * The demo of the computer's side, {@code {issuer}/qr-demo} (docs/qr-login.md#demo): a page
   * whose script starts a login, shows its QR code and exchanges it once approved, through the
   * public API like any application would.
   */
  private void demo(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    pages.renderScripted(ctx, 200, "qr-demo.jte", Map.of("accountId", account.id(),
        "api", "/accounts/" + account.id() + "/api/v1/qr-logins"));
  }

  private void page(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    Optional<Viewers.Viewer> viewer = viewers.current(ctx, account.id());
    if (viewer.isEmpty()) {
      see(ctx, "/accounts/" + account.id() + LoginRoutes.PATH + "?return_to="
          + Text.encode(ctx.path()));
      return;
    }
    QrLogin l = logins.scan(account.id(), viewer.get().user().id(), ctx.pathParam("secret"));
    Map<String, Object> m = new HashMap<>();
    m.put("accountId", account.id());
    m.put("loginId", l.id());
    m.put("clientName", l.clientId() == null ? null
        : clients.find(account.id(), l.clientId()).map(c -> c.spec().name()).orElse(null));
    m.put("desktopIp", String.valueOf(l.desktopIp()));
    m.put("desktopAgent", l.desktopAgent() == null ? "unknown" : l.desktopAgent());
    m.put("desktopLocation", l.desktopLocation());
    m.put("createdAt", Json.time(l.createdAt()));
    m.put("matchingCode", l.matchingCode());
    m.put("csrf", csrf.token(ctx));
    m.put("email", viewer.get().user().email());
    pages.render(ctx, 200, "qr-confirm.jte", m);
  }

  private void submit(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    Form form = Form.parse(ctx);
    csrf.require(ctx, form.get(Csrf.FIELD), "scan the QR code again");
    Optional<Viewers.Viewer> viewer = viewers.current(ctx, account.id());
    if (viewer.isEmpty()) {
      see(ctx, "/accounts/" + account.id() + LoginRoutes.PATH);
      return;
    }
    String decision = form.get("decision");
    String id = form.get("login");
    if (id == null || (!"approve".equals(decision) && !"deny".equals(decision))) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "Choose Approve or Deny.");
    }
    boolean approve = "approve".equals(decision);
    String userId = viewer.get().user().id();
    logins.decide(account.id(), userId, id, approve, null);
    see(ctx, "/accounts/" + account.id() + "/qr?result=" + (approve ? "approved" : "denied"));
  }

  private void result(Context ctx) {
    String result = Form.query(ctx).get("result");
    boolean approved = "approved".equals(result);
    boolean denied = "denied".equals(result);
    pages.render(ctx, 200, "message.jte", Map.of(
        "title", approved ? "Signed in" : denied ? "Sign-in denied" : "Scan a QR code",
        "detail", approved ? "You may return to your computer; it is now signed in."
            : denied ? "The computer was not signed in."
            : "Scan the QR code your computer shows with this phone's camera."));
  }

  private static void see(Context ctx, String location) {
    ctx.status(303);
    ctx.header("Location", location);
  }
}
