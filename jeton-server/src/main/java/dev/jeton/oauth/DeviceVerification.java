package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Form;
import dev.jeton.http.Pages;
import dev.jeton.http.Text;
import dev.jeton.observe.Audit;
import dev.jeton.web.Csrf;
import dev.jeton.web.LoginRoutes;
import dev.jeton.web.Viewers;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The device verification page {@code GET/POST {issuer}/device} (RFC 8628 3.3): a signed-in user
 * (others are sent to the sign-in page and back) enters the user code, case-insensitive and with
 * or without its dash (RFC 8628 6.1), or arrives with it from {@code verification_uri_complete}
 * (RFC 8628 3.3.1). Wrong codes are rate limited per user and per IP (RFC 8628 5.1,
 * docs/security.md#user-code-guessing). A valid code leads to a confirmation page naming the
 * requesting client and the scopes, with Allow and Deny (remote phishing, RFC 8628 5.4,
 * docs/security.md#device-confirmation); its post is CSRF-protected like the consent form and
 * answered with 303 (RFC 9700 4.12). Pages carry the framing headers.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8628#section-3.3">RFC 8628 3.3</a>
 */
public final class DeviceVerification {
  /** The errors the device page answers as an error page (a wrong code stays on the form). */
  public static final Set<ErrorCode> ERRORS = Set.of(ErrorCode.INVALID_REQUEST,
      ErrorCode.FORM_REJECTED, ErrorCode.USER_CODE_INVALID, ErrorCode.USER_CODE_THROTTLED);
  /** The path of the page under an issuer ({@code verification_uri}). */
  static final String PATH = "/device";
  static final int MAX_WRONG_PER_USER = 5;
  static final int MAX_WRONG_PER_IP = 20;
  static final Duration WINDOW = Duration.ofMinutes(5);

  private final AccountService accounts;
  private final ClientService clients;
  private final Viewers viewers;
  private final Csrf csrf;
  private final Pages pages;
  private final DeviceCodes devices;
  private final Consents consents;
  private final Clock clock;
  private final EntryLimiter perUser;
  private final EntryLimiter perIp;

  DeviceVerification(AccountService accounts, ClientService clients, Viewers viewers, Csrf csrf,
      Pages pages, DeviceCodes devices, Consents consents,
      Clock clock) {
    this.accounts = accounts;
    this.clients = clients;
    this.viewers = viewers;
    this.csrf = csrf;
    this.pages = pages;
    this.devices = devices;
    this.consents = consents;
    this.clock = clock;
    this.perUser = new EntryLimiter(MAX_WRONG_PER_USER, WINDOW, clock);
    this.perIp = new EntryLimiter(MAX_WRONG_PER_IP, WINDOW, clock);
  }


  void page(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    Optional<Viewers.Viewer> viewer = viewers.current(ctx, account.id());
    if (viewer.isEmpty()) {
      toLogin(ctx, account, ctx.path() + (ctx.queryString() == null ? ""
          : "?" + ctx.queryString()));
      return;
    }
    Form query = Form.query(ctx);
    String result = query.get("result");
    if ("approved".equals(result) || "denied".equals(result)) {
      message(ctx, 200, "approved".equals(result) ? "Device connected"
          : "Request denied", "approved".equals(result)
          ? "You may return to your device; it is now signed in."
          : "The device was not given access.");
      return;
    }
    String entered = query.get("user_code");
    if (entered == null) {
      entry(ctx, account, viewer.get(), 200, "", null);
      return;
    }
    lookup(ctx, account, viewer.get(), entered).ifPresent(d -> confirm(ctx, account,
        viewer.get(), d, entered));
  }

  void submit(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    Form form = Form.parse(ctx);
    csrf.require(ctx, form.get(Csrf.FIELD), "open the device page again");
    Optional<Viewers.Viewer> viewer = viewers.current(ctx, account.id());
    if (viewer.isEmpty()) {
      toLogin(ctx, account, "/accounts/" + account.id() + PATH);
      return;
    }
    String decision = form.get("decision");
    Optional<DeviceCodes.Device> d = lookup(ctx, account, viewer.get(), form.get("user_code"));
    if (d.isEmpty()) {
      return;
    }
    String code = UserCodes.display(UserCodes.normalise(form.get("user_code")));
    if (decision == null) {
      see(ctx, "/accounts/" + account.id() + PATH + "?user_code=" + code);
      return;
    }
    if (!"allow".equals(decision) && !"deny".equals(decision)) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "Choose Allow or Deny.");
    }
    boolean allow = "allow".equals(decision);
    String userId = viewer.get().user().id();
    // the approval is consent like the consent page's (listed and revocable under /me/grants),
    // remembered in the decision's transaction: a poll never finds an approval without its grant
    if (!devices.decide(d.get().hash(), allow, userId, viewer.get().authTime(),
        viewer.get().credentialGeneration(),
        h -> consents.rememberIn(h, account.id(), userId, d.get().clientId(), d.get().scopes()))) {
      throw new ApiException(ErrorCode.USER_CODE_INVALID,
          "This code was already used or has expired; start again on your device.");
    }
    Audit.event(allow ? "device_approved" : "device_denied", "account", account.id(), "user",
        userId, "client_id", d.get().clientId());
    see(ctx, "/accounts/" + account.id() + PATH + "?result=" + (allow ? "approved" : "denied"));
  }

  /**
   * The pending authorization of an entered code; otherwise renders the entry page with an error
   * (a wrong code counts against the limits) or the rate-limit page, and answers empty.
   */
  private Optional<DeviceCodes.Device> lookup(Context ctx, Account account, Viewers.Viewer viewer,
      String entered) {
    String userKey = "u:" + viewer.user().id();
    String ipKey = "ip:" + ctx.ip();
    if (!perUser.allowed(userKey) || !perIp.allowed(ipKey)) {
      Audit.event("device_user_code_rate_limited", "account", account.id(), "user",
          viewer.user().id());
      throw ApiException.retryAfter(ErrorCode.USER_CODE_THROTTLED, "Too many wrong codes were "
          + "entered. Wait " + WINDOW.toMinutes() + " minutes, then try again with the code shown "
          + "on your device.", WINDOW.toSeconds());
    }
    String normalised = UserCodes.normalise(entered);
    long now = clock.millis();
    Optional<DeviceCodes.Device> d = normalised == null ? Optional.empty()
        : devices.byUserCode(normalised).filter(x -> x.accountId().equals(account.id())
            && DeviceCodes.PENDING.equals(x.status()) && now < x.expiresAt());
    if (d.isEmpty()) {
      perUser.fail(userKey);
      perIp.fail(ipKey);
      Audit.event("device_user_code_wrong", "account", account.id(), "user",
          viewer.user().id());
      entry(ctx, account, viewer, 400, entered == null ? "" : Text.clip(entered),
          "That code is unknown, expired or already used. Check the code on your device.");
    }
    return d;
  }

  private void confirm(Context ctx, Account account, Viewers.Viewer viewer, DeviceCodes.Device d,
      String entered) {
    Optional<Client> client = clients.find(account.id(), d.clientId());
    Map<String, Object> m = new HashMap<>();
    m.put("accountId", account.id());
    m.put("clientName", client.map(c -> c.spec().name()).orElse(d.clientId()));
    m.put("clientUri", client.map(c -> c.spec().clientUri()).orElse(null));
    m.put("scopes", d.scopes().values());
    m.put("userCode", UserCodes.display(UserCodes.normalise(entered)));
    m.put("csrf", csrf.token(ctx));
    m.put("email", viewer.user().email());
    pages.render(ctx, 200, "device-confirm.jte", m);
  }

  private void entry(Context ctx, Account account, Viewers.Viewer viewer, int status,
      String userCode,
      String error) {
    Map<String, Object> m = new HashMap<>();
    m.put("accountId", account.id());
    m.put("csrf", csrf.token(ctx));
    m.put("email", viewer.user().email());
    m.put("userCode", userCode);
    m.put("error", error);
    pages.render(ctx, status, "device.jte", m);
  }


  private static void toLogin(Context ctx, Account account, String returnTo) {
    see(ctx, "/accounts/" + account.id() + LoginRoutes.PATH + "?return_to="
        + Text.encode(returnTo));
  }

  private static void see(Context ctx, String location) {
    ctx.status(303);
    ctx.header("Location", location);
  }

  private void message(Context ctx, int status, String title, String detail) {
    pages.render(ctx, status, "message.jte", Map.of("title", title, "detail", detail));
  }
}
