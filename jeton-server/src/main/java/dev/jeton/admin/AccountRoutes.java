package dev.jeton.admin;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.config.Config;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.JsonBody;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.observe.Audit;
import dev.jeton.pat.PatService;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.SessionService;
import dev.jeton.token.AccountIds;
import dev.jeton.token.Issuers;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sub-account API under {@code {issuer}/api/v1/accounts}, for the admins of that account:
 * create, list, get, update (name and token lifetimes) and disable.
 */
public final class AccountRoutes {
  /** The errors of the accounts API. */
  public static final Set<ErrorCode> ERRORS = errors();
  private static final String BASE = "/accounts/{account}/api/v1/accounts";
  private static final Set<String> CREATE_FIELDS = Set.of("id", "name");
  private static final Set<String> UPDATE_FIELDS = Set.of("name", "token_lifetimes",
      "personal_access_tokens", "registration", "disabled", "ceilings", "limits");
  private static final Set<String> LIMIT_FIELDS = Set.of("rate_calls", "rate_period",
      "rate_keys", "concurrency", "daily_quota", "time_zone");
  private static final Set<String> PAT_FIELDS = Set.of("default_lifetime", "max_lifetime",
      "no_expiry", "max_per_owner");
  private static final Set<String> LIFETIME_FIELDS = Set.of("access_token", "refresh_token",
      "refresh_token_idle", "admin_session", "refresh_grace", "authorization_code");
  private static final long YEAR_SECONDS = 10L * 366 * 24 * 3600;

  private final AccountService accounts;
  private final BearerAuth bearer;
  private final Issuers issuers;
  private final SessionService sessions;
  private final PatService pats;

  public AccountRoutes(AccountService accounts, BearerAuth bearer, Issuers issuers,
      SessionService sessions, PatService pats) {
    this.pats = pats;
    this.accounts = accounts;
    this.bearer = bearer;
    this.issuers = issuers;
    this.sessions = sessions;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, ERRORS).post(BASE, this::create)
        .get(BASE, this::list)
        .get(BASE + "/{id}", this::get)
        .patch(BASE + "/{id}", this::update)
        .post(BASE + "/{id}/disable", this::disable)
        .post(BASE + "/{id}/setup-link", this::setupLink)
        .delete(BASE + "/{id}", this::delete);
  }

  private BearerAuth.Principal admin(Context ctx) {
    return bearer.require(ctx, ctx.pathParam("account"), SessionService.SCOPE_ADMIN);
  }

  private void create(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    JsonBody body = JsonBody.read(ctx, CREATE_FIELDS);
    String id = body.requiredString("id", 63);
    String name = body.optionalString("name", 200);
    if (id != null && !AccountIds.isValid(id)) {
      body.reject("id", ErrorCode.FIELD_INVALID, "The id must have 2 to 63 lower-case letters, "
          + "digits or inner hyphens, e.g. 'acme-eu'.");
    }
    body.validate();
    AccountService.Created created = accounts.create(p.account().id(), id,
        name == null || name.isBlank() ? id : name.trim());
    Audit.event("account_created", "account", id, "parent", p.account().id(),
        "by", p.subject());
    Map<String, Object> out = json(created.account());
    out.put("setup_url", issuers.issuer(id) + "/setup?token=" + created.setupSecret());
    ctx.header("Location", issuers.issuer(p.account().id()) + "/api/v1/accounts/" + id);
    Responses.json(ctx, 201, out);
  }

  private void delete(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    String recursive = ctx.queryParam("recursive");
    if (recursive != null && !recursive.equals("true") && !recursive.equals("false")) {
      throw ApiException.validation(List.of(new ApiException.FieldError("recursive",
          ErrorCode.FIELD_INVALID, "recursive is true or false.")));
    }
    List<String> ids = accounts.delete(p.account().id(), ctx.pathParam("id"),
        "true".equals(recursive));
    Audit.event("account_deleted", "account", ctx.pathParam("id"), "accounts", ids.size(),
        "by", p.subject());
    ctx.status(204);
  }

  private void setupLink(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    String id = ctx.pathParam("id");
    Map.Entry<String, Long> link = accounts.newSetupSecret(p.account().id(), id);
    Audit.event("setup_link_issued", "account", id, "by", p.subject());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("setup_url", issuers.issuer(id) + "/setup?token=" + link.getKey());
    out.put("expires_at", dev.jeton.http.Json.time(link.getValue()));
    Responses.tokens(ctx, 201, out); // no-store: the link is a secret
  }

  private void list(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    List<Map<String, Object>> items = accounts.descendants(p.account().id()).stream()
        .map(this::json).toList();
    Responses.json(ctx, 200, Map.of("accounts", items));
  }

  private void get(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    Responses.json(ctx, 200, json(accounts.manageable(p.account().id(), ctx.pathParam("id"))));
  }

  private void update(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    Account current = accounts.manageable(p.account().id(), ctx.pathParam("id"));
    JsonBody body = JsonBody.read(ctx, UPDATE_FIELDS);
    String name = body.optionalString("name", 200);
    if (name != null && name.isBlank()) {
      body.reject("name", ErrorCode.FIELD_INVALID, "The name must not be blank.");
    }
    Account.Overrides overrides = lifetimes(body, "token_lifetimes", current.overrides());
    Account.Overrides ceilings = lifetimes(body, "ceilings", current.ceilings());
    if (ceilings != null && current.id().equals(p.account().id())) {
      throw new ApiException(ErrorCode.ACCOUNT_OPERATION_FORBIDDEN, "An account's ceilings "
          + "are set by an admin of an account above it.");
    }
    if (overrides != null) {
      // what this account may choose: within its ancestors' ceilings and its own
      Account.Overrides limit = accounts.ceilings(current);
      if (ceilings != null) {
        limit = limit.lower(ceilings);
      }
      aboveCeiling(body, "access_token", overrides.accessToken(), limit.accessToken());
      aboveCeiling(body, "refresh_token", overrides.refreshToken(), limit.refreshToken());
      aboveCeiling(body, "refresh_token_idle", overrides.refreshTokenIdle(),
          limit.refreshTokenIdle());
      aboveCeiling(body, "admin_session", overrides.adminSession(), limit.adminSession());
      aboveCeiling(body, "refresh_grace", overrides.refreshGrace(), limit.refreshGrace());
      aboveCeiling(body, "authorization_code", overrides.authorizationCode(),
          limit.authorizationCode());
    }
    Account.PatOverrides patOverrides = null;
    JsonBody pt = body.optionalObject("personal_access_tokens", PAT_FIELDS);
    if (pt != null) {
      Account.PatOverrides o = current.pats();
      Boolean noExpiry = o.noExpiry();
      if (pt.has("no_expiry")) {
        noExpiry = pt.optionalBoolean("no_expiry");
      }
      Long perOwner = pick(pt, "max_per_owner",
          o.maxPerOwner() == null ? null : o.maxPerOwner().longValue(), 1, 100_000);
      patOverrides = new Account.PatOverrides(
          pick(pt, "default_lifetime", o.defaultLifetime(), 60, YEAR_SECONDS),
          pick(pt, "max_lifetime", o.maxLifetime(), 60, YEAR_SECONDS),
          noExpiry, perOwner == null ? null : perOwner.intValue());
      body.absorb(pt, "personal_access_tokens");
    }
    String registration = body.optionalString("registration", 16);
    if (registration != null && !registration.equals(Account.REGISTRATION_OPEN)
        && !registration.equals(Account.REGISTRATION_CLOSED)) {
      body.reject("registration", ErrorCode.FIELD_INVALID,
          "Registration is 'open' (anyone may register) or 'closed' (nobody may).");
    }
    Account.LimitOverrides limits = limits(body, current.limits());
    if (limits != null && current.id().equals(p.account().id()) && current.parentId() != null) {
      throw new ApiException(ErrorCode.ACCOUNT_OPERATION_FORBIDDEN, "An account's limits are "
          + "set by an admin of an account above it.");
    }
    Boolean disabled = body.optionalBoolean("disabled");
    body.validate();
    if (Boolean.TRUE.equals(disabled) && !current.disabled()) {
      disable(p, current.id());
    }
    if (ceilings != null) {
      accounts.setCeilings(p.account().id(), current.id(), ceilings);
    }
    if (limits != null) {
      accounts.setLimits(p.account().id(), current.id(), limits);
    }
    Account updated = accounts.update(p.account().id(), current.id(),
        name == null ? null : name.trim(), overrides, patOverrides, registration);
    if (Boolean.FALSE.equals(disabled) && current.disabled()) {
      updated = accounts.enable(p.account().id(), current.id());
      Audit.event("account_enabled", "account", current.id(), "by", p.subject());
    }
    Audit.event("account_updated", "account", current.id(), "by", p.subject());
    Responses.json(ctx, 200, json(updated));
  }

  /**
   * The lifetimes object {@code field} of the body (token lifetimes or ceilings, in seconds),
   * each member absent keeping its value in {@code old}; null when the body has no such object.
   */
  private static Account.Overrides lifetimes(JsonBody body, String field, Account.Overrides old) {
    JsonBody lt = body.optionalObject(field, LIFETIME_FIELDS);
    if (lt == null) {
      return null;
    }
    Account.Overrides o = new Account.Overrides(
        pick(lt, "access_token", old.accessToken(), 60, 24 * 3600),
        pick(lt, "refresh_token", old.refreshToken(), 60, YEAR_SECONDS),
        pick(lt, "refresh_token_idle", old.refreshTokenIdle(), 60, YEAR_SECONDS),
        pick(lt, "admin_session", old.adminSession(), 60, YEAR_SECONDS),
        pick(lt, "refresh_grace", old.refreshGrace(), 0, 60),
        pick(lt, "authorization_code", old.authorizationCode(), 30, 600));
    body.absorb(lt, field);
    return o;
  }

  /**
   * The {@code limits} object of the body (docs/limits.md#per-account), each member absent
   * keeping its value and each null going back to the server's default; null without the object.
   */
  private static Account.LimitOverrides limits(JsonBody body, Account.LimitOverrides old) {
    JsonBody lb = body.optionalObject("limits", LIMIT_FIELDS);
    if (lb == null) {
      return null;
    }
    String keys = old.keys();
    if (lb.has("rate_keys")) {
      List<String> list = lb.optionalStrings("rate_keys", 3, 16);
      if (list != null && !Config.Limits.KEYS.containsAll(list)) {
        lb.reject("rate_keys", ErrorCode.FIELD_INVALID,
            "The rate-limit keys are token, client and ip.");
      }
      keys = list == null ? null : String.join(",", new java.util.LinkedHashSet<>(list));
    }
    String zone = old.timeZone();
    if (lb.has("time_zone")) {
      zone = lb.optionalString("time_zone", 64);
      if (zone != null) {
        try {
          zone = java.time.ZoneId.of(zone).getId();
        } catch (java.time.DateTimeException e) {
          lb.reject("time_zone", ErrorCode.FIELD_INVALID,
              "Not a time zone; use an IANA name such as UTC or Europe/Paris.");
        }
      }
    }
    Account.LimitOverrides l = new Account.LimitOverrides(
        pick(lb, "rate_calls", old.calls(), 0, 1_000_000),
        pick(lb, "rate_period", old.periodSeconds(), 1, 86_400), keys,
        pick(lb, "concurrency", old.concurrency(), 0, 100_000),
        pick(lb, "daily_quota", old.dailyQuota(), 0, 1_000_000_000_000L), zone);
    body.absorb(lb, "limits");
    return l;
  }

  private static void aboveCeiling(JsonBody body, String field, Long seconds, Long ceiling) {
    if (seconds != null && ceiling != null && seconds > ceiling) {
      body.reject("token_lifetimes." + field, ErrorCode.FIELD_INVALID, "At most " + ceiling
          + " s: the ceiling an account above this one set.");
    }
  }

  private static Long pick(JsonBody lt, String field, Long old, long min, long max) {
    if (!lt.has(field)) {
      return old;
    }
    return lt.optionalLong(field, min, max);
  }

  private void disable(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    Responses.json(ctx, 200, json(disable(p, ctx.pathParam("id"))));
  }

  private Account disable(BearerAuth.Principal p, String id) {
    Account a = accounts.disable(p.account().id(), id);
    sessions.forgetCached();
    pats.forgetCached();
    Audit.event("account_disabled", "account", a.id(), "by", p.subject());
    return a;
  }

  private Map<String, Object> json(Account a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", a.id());
    m.put("parent", a.parentId());
    m.put("name", a.name());
    m.put("issuer", issuers.issuer(a.id()));
    m.put("created_at", Instant.ofEpochMilli(a.createdAt()).toString());
    m.put("disabled_at", a.disabledAt() == null ? null
        : Instant.ofEpochMilli(a.disabledAt()).toString());
    m.put("registration", a.registration());
    Config.Lifetimes l = accounts.lifetimes(a);
    Map<String, Object> lifetimes = new LinkedHashMap<>();
    lifetimes.put("access_token", l.accessToken().toSeconds());
    lifetimes.put("refresh_token", l.refreshToken().toSeconds());
    lifetimes.put("refresh_token_idle", l.refreshTokenIdle().toSeconds());
    lifetimes.put("admin_session", l.adminSession().toSeconds());
    lifetimes.put("refresh_grace", l.refreshGrace().toSeconds());
    lifetimes.put("authorization_code", l.authorizationCode().toSeconds());
    m.put("token_lifetimes", lifetimes);
    Account.Overrides c = a.ceilings();
    Map<String, Object> ceilings = new LinkedHashMap<>();
    ceilings.put("access_token", c.accessToken());
    ceilings.put("refresh_token", c.refreshToken());
    ceilings.put("refresh_token_idle", c.refreshTokenIdle());
    ceilings.put("admin_session", c.adminSession());
    ceilings.put("refresh_grace", c.refreshGrace());
    ceilings.put("authorization_code", c.authorizationCode());
    m.put("ceilings", ceilings);
    Config.Pats policy = pats.policy(a);
    Map<String, Object> pat = new LinkedHashMap<>();
    pat.put("default_lifetime", policy.defaultLifetime().toSeconds());
    pat.put("max_lifetime", policy.maxLifetime().toSeconds());
    pat.put("no_expiry", policy.noExpiry());
    pat.put("max_per_owner", policy.maxPerOwner());
    m.put("personal_access_tokens", pat);
    Config.Limits lim = accounts.limits(a);
    Map<String, Object> limits = new LinkedHashMap<>();
    limits.put("rate_calls", lim.calls());
    limits.put("rate_period", lim.period().toSeconds());
    limits.put("rate_keys", Config.Limits.KEYS.stream().filter(lim.keys()::contains).toList());
    limits.put("concurrency", lim.concurrency());
    limits.put("daily_quota", lim.dailyQuota());
    limits.put("time_zone", lim.zone().getId());
    m.put("limits", limits);
    return m;
  }

  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.addAll(JsonBody.ERRORS);
    all.addAll(Set.of(ErrorCode.ACCOUNT_ALREADY_EXISTS, ErrorCode.ACCOUNT_OPERATION_FORBIDDEN,
        ErrorCode.ACCOUNT_HAS_SUB_ACCOUNTS));
    return Set.copyOf(all);
  }
}
