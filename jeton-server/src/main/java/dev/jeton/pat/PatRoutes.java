package dev.jeton.pat;

import dev.jeton.account.Account;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.JsonBody;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.SessionService;
import dev.jeton.token.Issuers;
import dev.jeton.token.Scope;
import dev.jeton.user.User;
import dev.jeton.user.UserService;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A user's own personal access tokens under {@code {issuer}/api/v1/me/tokens}: create (the secret
 * is in that answer only), list, get, revoke one, revoke all. Managed only with the access token
 * of a sign-in ({@code session_required} for a personal access token).
 */
public final class PatRoutes {
  /** The errors of the personal access token routes. */
  public static final Set<ErrorCode> ERRORS = errors();
  private static final String BASE = "/accounts/{account}/api/v1/me/tokens";
  private static final Set<String> CREATE_FIELDS = Set.of("comment", "lifetime_seconds",
      "scopes");
  static final int DEFAULT_PAGE = 50;
  static final int MAX_PAGE = 200;

  private final PatService pats;
  private final UserService users;
  private final BearerAuth bearer;
  private final Issuers issuers;

  public PatRoutes(PatService pats, UserService users, BearerAuth bearer, Issuers issuers) {
    this.pats = pats;
    this.users = users;
    this.bearer = bearer;
    this.issuers = issuers;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, ERRORS).post(BASE, this::create)
        .get(BASE, this::list)
        .delete(BASE, this::revokeAll)
        .get(BASE + "/{id}", this::get)
        .delete(BASE + "/{id}", this::revoke);
  }

  /** The signed-in caller, who must exist and not be blocked. */
  private record Caller(Account account, User user) {
    Owner owner() {
      return Owner.user(user.id());
    }
  }

  private Caller caller(Context ctx) {
    BearerAuth.Principal p = bearer.requireSession(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_USER);
    return new Caller(p.account(), users.current(p.account().id(), p.subject()));
  }

  private void create(Context ctx) {
    Caller c = caller(ctx);
    JsonBody body = JsonBody.read(ctx, CREATE_FIELDS);
    String comment = body.optionalString("comment", 500);
    Long lifetime = body.optionalLong("lifetime_seconds", 0, Long.MAX_VALUE / 1000);
    List<String> requested = body.optionalStrings("scopes", 10, 64);
    Scope scope = Scope.of(SessionService.SCOPE_USER);
    if (requested != null) {
      if (requested.isEmpty() || !requested.stream().allMatch(Scope::isToken)) {
        body.reject("scopes", ErrorCode.FIELD_INVALID,
            "The scopes must be a non-empty list of scope names such as \"user\" or \"admin\".");
      } else {
        scope = Scope.of(requested);
      }
    }
    body.validate();
    PatService.Created created = pats.create(c.account(), c.owner(), c.user().role(),
        comment == null ? "" : comment.strip(), scope, lifetime);
    Map<String, Object> out = json(created.pat());
    out.put("token", created.secret());
    ctx.header("Location", issuers.issuer(c.account().id()) + "/api/v1/me/tokens/"
        + created.pat().id());
    Responses.tokens(ctx, 201, out); // Cache-Control: no-store: the secret is in it
  }

  private void list(Context ctx) {
    Caller c = caller(ctx);
    String status = ctx.queryParam("status");
    String cursor = ctx.queryParam("cursor");
    List<ApiException.FieldError> problems = new java.util.ArrayList<>();
    int limit = limit(ctx.queryParam("limit"), problems);
    if (status != null && !status.equals("active") && !status.equals("all")) {
      problems.add(new ApiException.FieldError("status", ErrorCode.FIELD_INVALID,
          "The status filter is 'active' (the default) or 'all'."));
    }
    if (!problems.isEmpty()) {
      throw ApiException.validation(List.copyOf(problems));
    }
    PatService.Page page = pats.list(c.account(), c.owner(), cursor, limit,
        "all".equals(status));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("data", page.items().stream().map(this::json).toList());
    out.put("next_cursor", page.nextCursor());
    Responses.json(ctx, 200, out);
  }

  /** The {@code limit} query parameter: 1 to {@link #MAX_PAGE}, {@link #DEFAULT_PAGE} if absent. */
  static int limit(String raw, List<ApiException.FieldError> problems) {
    if (raw == null) {
      return DEFAULT_PAGE;
    }
    try {
      int n = Integer.parseInt(raw);
      if (n >= 1 && n <= MAX_PAGE) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(new ApiException.FieldError("limit", ErrorCode.FIELD_INVALID,
        "The limit must be a whole number from 1 to " + MAX_PAGE + "."));
    return DEFAULT_PAGE;
  }

  private void get(Context ctx) {
    Caller c = caller(ctx);
    Responses.json(ctx, 200, json(pats.get(c.account(), c.owner(), ctx.pathParam("id"))));
  }

  private void revoke(Context ctx) {
    Caller c = caller(ctx);
    pats.revoke(c.account(), c.owner(), ctx.pathParam("id"));
    ctx.status(204);
  }

  private void revokeAll(Context ctx) {
    Caller c = caller(ctx);
    int n = pats.revokeAll(c.account(), c.owner(), "revoked_by_owner");
    Responses.json(ctx, 200, Map.of("revoked", n));
  }

  private Map<String, Object> json(Pat p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", p.id());
    m.put("comment", p.comment());
    m.put("scopes", p.scope().values());
    m.put("created_at", time(p.createdAt()));
    m.put("expires_at", time(p.expiresAt()));
    m.put("last_used_at", time(p.lastUsedAt()));
    m.put("last_used_ip", p.lastUsedIp());
    m.put("revoked_at", time(p.revokedAt()));
    m.put("status", pats.status(p));
    return m;
  }

  private static String time(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis).toString();
  }

  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.addAll(JsonBody.ERRORS);
    all.addAll(Set.of(ErrorCode.TOKEN_LIMIT_REACHED, ErrorCode.PAT_NOT_FOUND,
        ErrorCode.USER_BLOCKED));
    return Set.copyOf(all);
  }
}
