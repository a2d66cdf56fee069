package dev.jeton.qr;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.config.Config;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Json;
import dev.jeton.http.JsonBody;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.limit.Limits;
import dev.jeton.push.Push;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.SessionService;
import dev.jeton.token.Issuers;
import dev.jeton.user.AuthRoutes;
import dev.jeton.user.Emails;
import dev.jeton.user.User;
import dev.jeton.user.UserService;
import io.javalin.http.Context;
import io.javalin.http.sse.SseHandler;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The QR login API under {@code {issuer}/api/v1/qr-logins} (docs/qr-login.md). The desktop
 * starts a login without credentials, follows it and exchanges it with its poll token; the phone
 * scans, approves and denies with the access token of its user's sign-in.
 */
public final class QrRoutes {
  /** The errors of the QR login routes. */
  public static final Set<ErrorCode> ERRORS = errors();
  private static final String BASE = "/accounts/{account}/api/v1/qr-logins";

  private final QrLogins logins;
  private final AccountService accounts;
  private final UserService users;
  private final ClientService clients;
  private final BearerAuth bearer;
  private final Issuers issuers;
  private final Limits limits;
  private final Push push;
  private final QrStreams streams;
  /** Logins one address may start: each is a row. */
  private final Config.Qr policy;

  public QrRoutes(QrLogins logins, AccountService accounts, UserService users,
      ClientService clients, BearerAuth bearer, Issuers issuers, Limits limits,
      Config.Qr policy, Push push, QrStreams streams) {
    this.push = push;
    this.streams = streams;
    this.policy = policy;
    this.logins = logins;
    this.accounts = accounts;
    this.users = users;
    this.clients = clients;
    this.bearer = bearer;
    this.issuers = issuers;
    this.limits = limits;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, ERRORS)
        .post(BASE, this::start)
        .post(BASE + "/scan", this::scan)
        .get(BASE + "/{id}", this::poll)
        .post(BASE + "/{id}/exchange", this::exchange)
        .post(BASE + "/{id}/approve", ctx -> decide(ctx, true))
        .post(BASE + "/{id}/deny", ctx -> decide(ctx, false));
    r.as(ErrorWriter.Format.PROBLEM, ERRORS).produces("text/event-stream")
        .get(BASE + "/{id}/events", this::events);
  }

  private void events(Context ctx) {
    QrLogin l = logins.watch(ctx.pathParam("account"), ctx.pathParam("id"),
        BearerAuth.token(ctx.header("Authorization")));
    if (streams.full()) {
      throw ApiException.retryAfter(ErrorCode.SERVICE_UNAVAILABLE, "This server follows as many "
          + "QR login streams as it may; poll the login instead.", QrLogins.POLL_INTERVAL
          .toSeconds());
    }
    // the stream outlives the login by a little, to send its expiry
    long timeout = Math.max(1_000, l.expiresAt() - logins.now() + 5_000);
    new SseHandler(timeout, client -> streams.follow(client, l))
        .handle(ctx);
  }

  private void start(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    String clientId = null;
    String hint = null;
    // the body is optional: none at all (curl -X POST sends no Content-Length) is no fields
    if (hasBody(ctx)) {
      JsonBody body = JsonBody.read(ctx, Set.of("client_id", "login_hint"));
      clientId = body.optionalString("client_id", 128);
      hint = body.optionalString("login_hint", 320);
      if (hint != null && Emails.problem(Emails.normalise(hint)) != null) {
        body.reject("login_hint", ErrorCode.FIELD_INVALID, "The login_hint is the e-mail address "
            + "of the user who signs in.");
      }
      body.validate();
    }
    Client client = null;
    if (clientId != null) {
      client = clients.find(account.id(), clientId).orElseThrow(() -> new ApiException(
          ErrorCode.CLIENT_NOT_FOUND, "This account has no client with this client_id."));
    }
    if (policy.starts() > 0) {
      limits.perSource(ctx, "qr_login", policy.starts(), policy.startsPeriod());
    }
    // the user named by login_hint, if there is such an active user: the answer is the same
    // either way, so that it does not tell whether an address has an account
    String pushUserId = hint == null ? null : users.store().byEmail(account.id(),
        Emails.normalise(hint)).filter(u -> !u.blocked()).map(User::id).orElse(null);
    QrLogins.Started s = logins.start(account.id(), clientId, ctx.ip(), ctx.userAgent(),
        location(ctx), pushUserId);
    String issuer = issuers.issuer(account.id());
    if (pushUserId != null) {
      push.qrLogin(new Push.QrLogin(account.id(), pushUserId, s.login().id(), issuer,
          client == null ? null : client.spec().name(), s.login().matchingCode(),
          s.login().expiresAt()));
    }
    Map<String, Object> out = desktopView(s.login(), logins.now());
    out.put("secret", s.secret());
    out.put("poll_token", s.pollToken());
    String link = issuer + "/qr/" + s.secret();
    out.put("deep_link", link);
    // the images go with the answer, as data URLs: the secret is stored only hashed, so no later
    // request could draw them, and a URL carrying the secret would reach logs
    var modules = QrImages.modules(link);
    out.put("qr_png_url", "data:image/png;base64,"
        + Base64.getEncoder().encodeToString(QrImages.png(modules)));
    out.put("qr_svg_url", "data:image/svg+xml;base64," + Base64.getEncoder().encodeToString(
        QrImages.svg(modules).getBytes(StandardCharsets.UTF_8)));
    out.put("client", client == null ? null : clientJson(client));
    Responses.json(ctx, 201, out);
  }

  /**
   * The desktop's rough location from the header the operator's proxy sets, if configured: at
   * most 64 characters, and none when it holds a control character.
   */
  private String location(Context ctx) {
    String v = policy.locationHeader() == null ? null : ctx.header(policy.locationHeader());
    if (v == null || v.isBlank() || v.chars().anyMatch(Character::isISOControl)) {
      return null;
    }
    String t = v.strip();
    return t.substring(0, Math.min(t.length(), 64));
  }

  /** Whether a request whose body is optional has one (curl -X POST sends no Content-Length). */
  private static boolean hasBody(Context ctx) {
    long length = ctx.req().getContentLengthLong();
    return ctx.header("Content-Type") != null || length > 0
        || (length < 0 && ctx.header("Transfer-Encoding") != null);
  }

  private void poll(Context ctx) {
    QrLogin l = logins.poll(ctx.pathParam("account"), ctx.pathParam("id"),
        BearerAuth.token(ctx.header("Authorization")));
    Responses.json(ctx, 200, desktopView(l, logins.now()));
  }

  private void exchange(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    QrLogin l = logins.consume(account.id(), ctx.pathParam("id"),
        BearerAuth.token(ctx.header("Authorization")));
    User u = users.current(account.id(), l.userId());
    SessionService.TokenPair pair = users.startSession(account, u, accounts.lifetimes(account));
    logins.attachSession(l.id(), pair.session().id());
    Responses.tokens(ctx, 200, AuthRoutes.tokenBody(u, pair));
  }

  private void scan(Context ctx) {
    BearerAuth.Principal p = bearer.requireSession(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_USER);
    JsonBody body = JsonBody.read(ctx, Set.of("secret", "id"));
    String secret = body.optionalString("secret", 128);
    String id = body.optionalString("id", 64);
    if ((secret == null) == (id == null)) {
      body.reject(secret == null ? "secret" : "id", secret == null ? ErrorCode.FIELD_MISSING
          : ErrorCode.FIELD_INVALID, "Send either the QR code's secret or, for a login pushed to "
          + "you, its id.");
    }
    body.validate();
    QrLogin l = secret != null ? logins.scan(p.account().id(), p.subject(), secret)
        : logins.scanPushed(p.account().id(), p.subject(), id);
    Responses.json(ctx, 200, phoneView(l));
  }

  private void decide(Context ctx, boolean approve) {
    BearerAuth.Principal p = bearer.requireSession(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_USER);
    String code = null;
    if (approve && hasBody(ctx)) {
      JsonBody body = JsonBody.read(ctx, Set.of("matching_code"));
      code = body.optionalString("matching_code", 16);
      body.validate();
    }
    QrLogin l = logins.decide(p.account().id(), p.subject(), ctx.pathParam("id"), approve,
        code);
    Responses.json(ctx, 200, phoneView(l));
  }

  /** What the desktop sees: never who approved, never the secret again. */
  static Map<String, Object> desktopView(QrLogin l, long now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", l.id());
    m.put("state", l.stateAt(now));
    m.put("matching_code", l.matchingCode());
    m.put("expires_at", Json.time(l.expiresAt()));
    m.put("poll_interval", QrLogins.POLL_INTERVAL.toSeconds());
    return m;
  }

  /** What the phone sees before deciding: what is asking, from where, when (RFC 10027). */
  private Map<String, Object> phoneView(QrLogin l) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", l.id());
    m.put("state", l.stateAt(logins.now()));
    // a login taken by push is approved with the code typed from the computer's screen: the
    // phone is not told it
    boolean typed = logins.codeRequired(l);
    m.put("matching_code", typed ? null : l.matchingCode());
    m.put("matching_code_required", typed);
    m.put("client", l.clientId() == null ? null
        : clients.find(l.accountId(), l.clientId()).map(QrRoutes::clientJson).orElse(null));
    Map<String, Object> desktop = new LinkedHashMap<>();
    desktop.put("ip", String.valueOf(l.desktopIp()));
    desktop.put("user_agent", l.desktopAgent() == null ? "" : l.desktopAgent());
    desktop.put("location", l.desktopLocation());
    m.put("desktop", desktop);
    m.put("created_at", Json.time(l.createdAt()));
    m.put("expires_at", Json.time(l.expiresAt()));
    return m;
  }

  private static Map<String, Object> clientJson(Client c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("client_id", c.clientId());
    m.put("name", c.spec().name());
    return m;
  }

  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.addAll(JsonBody.ERRORS);
    all.addAll(Set.of(ErrorCode.QR_LOGIN_NOT_FOUND, ErrorCode.QR_LOGIN_EXPIRED,
        ErrorCode.QR_CODE_USED, ErrorCode.QR_LOGIN_PENDING, ErrorCode.QR_LOGIN_DENIED,
        ErrorCode.QR_LOGIN_CONSUMED, ErrorCode.QR_MATCHING_CODE_WRONG, ErrorCode.SLOW_DOWN, ErrorCode.CLIENT_NOT_FOUND,
        ErrorCode.RATE_LIMIT_EXCEEDED, ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.NOT_ACCEPTABLE,
        ErrorCode.USER_BLOCKED, ErrorCode.SESSION_REQUIRED));
    return Set.copyOf(all);
  }
}
