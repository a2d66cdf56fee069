package dev.jeton.admin;

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
import dev.jeton.token.Issuers;
import dev.jeton.user.Emails;
import dev.jeton.user.User;
import dev.jeton.user.UserAdmin;
import dev.jeton.user.UserImport;
import dev.jeton.user.UserService;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The users admin API under {@code {issuer}/api/v1/users}, for the account's admins (a sign-in
 * with the {@code admin} scope, or a personal access token carrying it): list, create, read,
 * update, block, unblock, require a new password, issue a password link, delete, and the bulk
 * import (docs/users.md).
 */
public final class UserRoutes {
  /** The errors of the users API. */
  public static final Set<ErrorCode> ERRORS = errors();
  private static final String BASE = "/accounts/{account}/api/v1/users";
  private static final String IMPORT_SUFFIX = "/api/v1/users/import";
  private static final Set<String> CREATE_FIELDS = Set.of("email", "name", "role", "password");
  private static final Set<String> UPDATE_FIELDS = Set.of("email", "name", "role");
  private static final Set<String> IMPORT_FIELDS = Set.of("users");
  private static final Set<String> RECORD_FIELDS = Set.of("email", "name", "password_hash",
      "role");
  private static final Set<String> ROLES = Set.of(User.USER, User.ADMIN);
  private static final Set<String> STATUSES = Set.of("active", "blocked",
      "password_reset_required", "invited");

  private final UserAdmin admin;
  private final UserImport importer;
  private final BearerAuth bearer;
  private final Issuers issuers;

  public UserRoutes(UserAdmin admin, UserImport importer, BearerAuth bearer, Issuers issuers) {
    this.admin = admin;
    this.importer = importer;
    this.bearer = bearer;
    this.issuers = issuers;
  }

  /** True for the path of the bulk import, whose body may be up to 10 MiB. */
  public static boolean isBulk(String path) {
    return path.startsWith("/accounts/") && path.endsWith(IMPORT_SUFFIX)
        && path.indexOf('/', "/accounts/".length()) == path.length() - IMPORT_SUFFIX.length();
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, ERRORS).get(BASE, this::list)
        .post(BASE, this::create)
        .post(BASE + "/import", this::importUsers)
        .get(BASE + "/{id}", this::get)
        .patch(BASE + "/{id}", this::update)
        .delete(BASE + "/{id}", this::delete)
        .post(BASE + "/{id}/block", this::block)
        .post(BASE + "/{id}/unblock", this::unblock)
        .post(BASE + "/{id}/require-password-reset", this::requireReset)
        .post(BASE + "/{id}/password-link", this::passwordLink);
  }

  private BearerAuth.Principal admin(Context ctx) {
    return bearer.require(ctx, ctx.pathParam("account"), SessionService.SCOPE_ADMIN);
  }

  private void list(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    List<ApiException.FieldError> problems = new ArrayList<>();
    int limit = Pagination.limit(ctx.queryParam("limit"), problems);
    String email = ctx.queryParam("email");
    if (email != null) {
      email = Emails.normalise(email);
    }
    String role = ctx.queryParam("role");
    if (role != null && !ROLES.contains(role)) {
      problems.add(new ApiException.FieldError("role", ErrorCode.FIELD_INVALID,
          "The role filter is 'user' or 'admin'."));
    }
    String status = ctx.queryParam("status");
    if (status != null && !STATUSES.contains(status)) {
      problems.add(new ApiException.FieldError("status", ErrorCode.FIELD_INVALID,
          "The status filter is one of active, blocked, password_reset_required, invited."));
    }
    if (!problems.isEmpty()) {
      throw ApiException.validation(List.copyOf(problems));
    }
    Responses.json(ctx, 200, Pagination.body(admin.list(p.account(),
        new UserAdmin.Filter(email, role, status), ctx.queryParam("cursor"), limit),
        UserRoutes::json));
  }

  private void create(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    JsonBody body = JsonBody.read(ctx, CREATE_FIELDS);
    String email = body.requiredString("email", 320);
    String name = name(body);
    String role = role(body);
    String password = body.optionalString("password", 1024);
    body.validate();
    UserAdmin.Created created = admin.create(p.account(), UserService.validEmail(email), name,
        role == null ? User.USER : role, password, p.subject());
    Map<String, Object> out = json(created.user());
    if (created.link() != null) {
      out.put("password_link", link(p.account(), created.link()));
    }
    ctx.header("Location", issuers.issuer(p.account().id()) + "/api/v1/users/"
        + created.user().id());
    Responses.tokens(ctx, 201, out); // no-store: a link is a secret
  }

  private void get(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    Responses.json(ctx, 200, json(admin.get(p.account(), ctx.pathParam("id"))));
  }

  private void update(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    JsonBody body = JsonBody.read(ctx, UPDATE_FIELDS);
    String email = body.optionalString("email", 320);
    String name = name(body);
    String role = role(body);
    body.validate();
    UserAdmin.Changed changed = admin.update(p.account(), ctx.pathParam("id"),
        email == null ? null : UserService.validEmail(email), name, role, p.subject());
    Responses.json(ctx, 200, json(changed));
  }

  private void delete(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    admin.delete(p.account(), ctx.pathParam("id"), p.subject());
    ctx.status(204);
  }

  private void block(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    Responses.json(ctx, 200, json(admin.block(p.account(), ctx.pathParam("id"), p.subject())));
  }

  private void unblock(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    Responses.json(ctx, 200, json(admin.unblock(p.account(), ctx.pathParam("id"),
        p.subject())));
  }

  private void requireReset(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    UserAdmin.Reset reset = admin.requirePasswordReset(p.account(), ctx.pathParam("id"),
        p.subject());
    Map<String, Object> out = json(reset.changed());
    out.put("password_link", link(p.account(), reset.link()));
    Responses.tokens(ctx, 200, out);
  }

  private void passwordLink(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    Responses.tokens(ctx, 201, link(p.account(),
        admin.newPasswordLink(p.account(), ctx.pathParam("id"), p.subject())));
  }

  private void importUsers(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    JsonBody body = JsonBody.read(ctx, IMPORT_FIELDS);
    List<JsonBody> items = body.requiredObjects("users", UserImport.MAX_RECORDS, RECORD_FIELDS);
    body.validate();
    List<UserImport.Record> records = new ArrayList<>(items.size());
    for (JsonBody item : items) {
      String email = item.requiredString("email", 320);
      String name = name(item);
      String hash = item.optionalString("password_hash", 255);
      String role = role(item);
      records.add(new UserImport.Record(email, name, hash, role, item.problems().stream()
          .map(e -> new UserImport.Reason(e.code(), e.field().isEmpty() ? null : e.field(),
              e.detail()))
          .toList()));
    }
    List<UserImport.Result> results = importer.run(p.account(), records, p.subject());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("data", results.stream().map(UserRoutes::json).toList());
    Map<String, Long> summary = new LinkedHashMap<>();
    for (String s : List.of("created", "skipped", "failed")) {
      summary.put(s, results.stream().filter(r -> r.status().equals(s)).count());
    }
    out.put("summary", summary);
    Responses.json(ctx, 200, out);
  }

  private static String name(JsonBody body) {
    String name = body.optionalString("name", 200);
    if (name != null && name.isBlank()) {
      body.reject("name", ErrorCode.FIELD_INVALID, "The name must not be blank.");
      return null;
    }
    return name == null ? null : name.strip();
  }

  private static String role(JsonBody body) {
    String role = body.optionalString("role", 16);
    if (role != null && !ROLES.contains(role)) {
      body.reject("role", ErrorCode.FIELD_INVALID, "The role is 'user' or 'admin'.");
      return null;
    }
    return role;
  }

  private Map<String, Object> link(Account account, UserAdmin.PasswordLink link) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("url", issuers.issuer(account.id()) + "/set-password?token=" + link.secret());
    m.put("token", link.secret());
    m.put("expires_at", Json.time(link.expiresAt()));
    return m;
  }

  static Map<String, Object> json(User u) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", u.id());
    m.put("email", u.email());
    m.put("name", u.name());
    m.put("role", u.role());
    m.put("status", u.status());
    m.put("created_at", Json.time(u.createdAt()));
    m.put("password_changed_at", u.hasPassword() ? Json.time(u.passwordChangedAt()) : null);
    m.put("blocked_at", Json.time(u.blockedAt()));
    return m;
  }

  private static Map<String, Object> json(UserAdmin.Changed changed) {
    Map<String, Object> m = json(changed.user());
    if (!changed.ended().isEmpty()) {
      m.put("ended", changed.ended());
    }
    return m;
  }

  private static Map<String, Object> json(UserImport.Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("index", r.index());
    m.put("email", r.email());
    m.put("status", r.status());
    m.put("id", r.id());
    if (!r.reasons().isEmpty()) {
      m.put("reasons", r.reasons().stream().map(reason -> {
        Map<String, Object> rm = new LinkedHashMap<>();
        rm.put("code", reason.code().code());
        rm.put("field", reason.field());
        rm.put("message", reason.message());
        return rm;
      }).toList());
    }
    return m;
  }


  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.addAll(JsonBody.ERRORS);
    all.addAll(Set.of(ErrorCode.USER_NOT_FOUND, ErrorCode.USER_ALREADY_EXISTS,
        ErrorCode.LAST_ADMIN, ErrorCode.PASSWORD_POLICY_VIOLATION));
    return Set.copyOf(all);
  }
}
