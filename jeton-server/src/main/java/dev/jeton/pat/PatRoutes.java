package dev.jeton.pat;

import dev.jeton.account.Account;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Json;
import dev.jeton.http.JsonBody;
import dev.jeton.http.Pagination;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.SessionService;
import dev.jeton.store.Page;
import dev.jeton.token.Issuers;
import dev.jeton.token.Scope;
import dev.jeton.user.User;
import dev.jeton.user.UserService;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Personal access tokens and service principals under {@code {issuer}/api/v1}: a user's own tokens
 * at {@code /me/tokens}; the account's service principals at {@code /service-principals} (admins)
 * and each one's tokens at {@code /service-principals/{id}/tokens}, in the same shape. Tokens are
 * created (the secret is in that answer only), listed, read and revoked; all of it only with the
 * access token of a sign-in ({@code session_required} for a personal access token).
 */
public final class PatRoutes {
  /** The errors of these routes. */
  public static final Set<ErrorCode> ERRORS = errors();
  private static final String V1 = "/accounts/{account}/api/v1";
  private static final String PRINCIPALS = V1 + "/service-principals";
  private static final Set<String> CREATE_FIELDS = Set.of("comment", "lifetime_seconds",
      "scopes");
  private static final Set<String> PRINCIPAL_CREATE_FIELDS = Set.of("name");
  private static final Set<String> PRINCIPAL_UPDATE_FIELDS = Set.of("name", "disabled");

  private final PatService pats;
  private final PrincipalService principals;
  private final UserService users;
  private final BearerAuth bearer;
  private final Issuers issuers;

  public PatRoutes(PatService pats, PrincipalService principals, UserService users,
      BearerAuth bearer, Issuers issuers) {
    this.pats = pats;
    this.principals = principals;
    this.users = users;
    this.bearer = bearer;
    this.issuers = issuers;
  }

  public void register(Router r) {
    Router api = r.as(ErrorWriter.Format.PROBLEM, ERRORS);
    tokenRoutes(api, V1 + "/me/tokens", this::me);
    api.post(PRINCIPALS, this::createPrincipal)
        .get(PRINCIPALS, this::listPrincipals)
        .get(PRINCIPALS + "/{id}", this::getPrincipal)
        .patch(PRINCIPALS + "/{id}", this::updatePrincipal)
        .delete(PRINCIPALS + "/{id}", this::deletePrincipal);
    tokenRoutes(api, PRINCIPALS + "/{id}/tokens", this::principal);
  }

  /**
   * Whose tokens a request manages: the account, the owner, the owner's role (which bounds the
   * tokens' scopes) and the path of the owner's token list.
   */
  private record Holder(Account account, Owner owner, String role, String path) {}

  private void tokenRoutes(Router api, String base, Function<Context, Holder> holder) {
    api.post(base, ctx -> create(ctx, holder.apply(ctx)))
        .get(base, ctx -> list(ctx, holder.apply(ctx)))
        .delete(base, ctx -> revokeAll(ctx, holder.apply(ctx)))
        .get(base + "/{token_id}", ctx -> get(ctx, holder.apply(ctx)))
        .delete(base + "/{token_id}", ctx -> revoke(ctx, holder.apply(ctx)));
  }

  /** The signed-in user, who must exist and not be blocked. */
  private Holder me(Context ctx) {
    BearerAuth.Principal p = bearer.requireSession(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_USER);
    User u = users.current(p.account().id(), p.subject());
    return new Holder(p.account(), Owner.user(u.id()), u.role(), "/api/v1/me/tokens");
  }

  /** A service principal of the account, managed by a signed-in admin. */
  private Holder principal(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    ServicePrincipal sp = principals.get(p.account(), ctx.pathParam("id"));
    return new Holder(p.account(), sp.owner(), Owner.PRINCIPAL,
        "/api/v1/service-principals/" + sp.id() + "/tokens");
  }

  private BearerAuth.Principal admin(Context ctx) {
    return bearer.requireSession(ctx, ctx.pathParam("account"), SessionService.SCOPE_ADMIN);
  }

  private void create(Context ctx, Holder h) {
    JsonBody body = JsonBody.read(ctx, CREATE_FIELDS);
    String comment = body.optionalString("comment", 500);
    Long lifetime = body.optionalLong("lifetime_seconds", 0, Long.MAX_VALUE / 1000);
    List<String> requested = body.optionalStrings("scopes", 10, 64);
    Scope scope = PatService.defaultScope(h.role());
    if (requested != null) {
      if (requested.isEmpty() || !requested.stream().allMatch(Scope::isToken)) {
        body.reject("scopes", ErrorCode.FIELD_INVALID,
            "The scopes must be a non-empty list of scope names such as \"user\" or \"admin\".");
      } else {
        scope = Scope.of(requested);
      }
    }
    body.validate();
    PatService.Created created = pats.create(h.account(), h.owner(), h.role(),
        comment == null ? "" : comment.strip(), scope, lifetime);
    Map<String, Object> out = json(created.pat());
    out.put("token", created.secret());
    ctx.header("Location", issuers.issuer(h.account().id()) + h.path() + "/"
        + created.pat().id());
    Responses.tokens(ctx, 201, out); // Cache-Control: no-store: the secret is in it
  }

  private void list(Context ctx, Holder h) {
    String status = ctx.queryParam("status");
    List<ApiException.FieldError> problems = new ArrayList<>();
    int limit = Pagination.limit(ctx.queryParam("limit"), problems);
    if (status != null && !status.equals("active") && !status.equals("all")) {
      problems.add(new ApiException.FieldError("status", ErrorCode.FIELD_INVALID,
          "The status filter is 'active' (the default) or 'all'."));
    }
    if (!problems.isEmpty()) {
      throw ApiException.validation(List.copyOf(problems));
    }
    Page<Pat> page = pats.list(h.account(), h.owner(), ctx.queryParam("cursor"), limit,
        "all".equals(status));
    Responses.json(ctx, 200, Pagination.body(page, this::json));
  }

  private void get(Context ctx, Holder h) {
    Responses.json(ctx, 200, json(pats.get(h.account(), h.owner(),
        ctx.pathParam("token_id"))));
  }

  private void revoke(Context ctx, Holder h) {
    pats.revoke(h.account(), h.owner(), ctx.pathParam("token_id"));
    ctx.status(204);
  }

  private void revokeAll(Context ctx, Holder h) {
    int n = pats.revokeAll(h.account(), h.owner(), "revoked_by_owner");
    Responses.json(ctx, 200, Map.of("revoked", n));
  }

  private void createPrincipal(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    JsonBody body = JsonBody.read(ctx, PRINCIPAL_CREATE_FIELDS);
    String name = principalName(body);
    body.validate();
    ServicePrincipal sp = principals.create(p.account(), name, p.subject());
    ctx.header("Location", issuers.issuer(p.account().id()) + "/api/v1/service-principals/"
        + sp.id());
    Responses.json(ctx, 201, json(sp));
  }

  private static String principalName(JsonBody body) {
    String name = body.requiredString("name", 200);
    if (name != null && name.isBlank()) {
      body.reject("name", ErrorCode.FIELD_INVALID, "The name must not be blank.");
    }
    return name == null ? null : name.strip();
  }

  private void listPrincipals(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    List<ApiException.FieldError> problems = new ArrayList<>();
    int limit = Pagination.limit(ctx.queryParam("limit"), problems);
    if (!problems.isEmpty()) {
      throw ApiException.validation(List.copyOf(problems));
    }
    Responses.json(ctx, 200, Pagination.body(principals.list(p.account(), ctx.queryParam("cursor"), limit),
        PatRoutes::json));
  }

  private void getPrincipal(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    Responses.json(ctx, 200, json(principals.get(p.account(), ctx.pathParam("id"))));
  }

  private void updatePrincipal(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    JsonBody body = JsonBody.read(ctx, PRINCIPAL_UPDATE_FIELDS);
    String name = body.has("name") ? principalName(body) : null;
    Boolean disabled = body.optionalBoolean("disabled");
    body.validate();
    Responses.json(ctx, 200, json(principals.update(p.account(), ctx.pathParam("id"), name,
        disabled, p.subject())));
  }

  private void deletePrincipal(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    principals.delete(p.account(), ctx.pathParam("id"), p.subject());
    ctx.status(204);
  }



  private Map<String, Object> json(Pat p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", p.id());
    m.put("comment", p.comment());
    m.put("scopes", p.scope().values());
    m.put("created_at", Json.time(p.createdAt()));
    m.put("expires_at", Json.time(p.expiresAt()));
    m.put("last_used_at", Json.time(p.lastUsedAt()));
    m.put("last_used_ip", p.lastUsedIp());
    m.put("revoked_at", Json.time(p.revokedAt()));
    m.put("status", pats.status(p));
    return m;
  }

  private static Map<String, Object> json(ServicePrincipal p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", p.id());
    m.put("name", p.name());
    m.put("created_at", Json.time(p.createdAt()));
    m.put("created_by", p.createdBy());
    m.put("disabled_at", Json.time(p.disabledAt()));
    m.put("status", p.disabled() ? "disabled" : "active");
    return m;
  }


  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.addAll(JsonBody.ERRORS);
    all.addAll(Set.of(ErrorCode.TOKEN_LIMIT_REACHED, ErrorCode.PAT_NOT_FOUND,
        ErrorCode.USER_BLOCKED, ErrorCode.SERVICE_PRINCIPAL_NOT_FOUND,
        ErrorCode.SERVICE_PRINCIPAL_ALREADY_EXISTS));
    return Set.copyOf(all);
  }
}
