package dev.jeton.admin;

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
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every token of the account for its admins, under {@code {issuer}/api/v1/tokens}
 * (docs/tokens.md#admin): the list with filters, revoking one, and revoking many at once with an
 * answer per id. Managed from an admin's sign-in only, like every credential
 * ({@code session_required} for a personal access token).
 */
public final class TokenRoutes {
  /** The errors of these routes. */
  public static final Set<ErrorCode> ERRORS = errors();
  private static final String BASE = "/accounts/{account}/api/v1/tokens";
  private static final Set<String> KINDS = Set.of(AccountToken.SESSION, AccountToken.OAUTH,
      AccountToken.PAT);
  private static final Set<String> BULK_FIELDS = Set.of("ids");

  private final AccountTokens tokens;
  private final BearerAuth bearer;
  private final java.time.Clock clock;

  public TokenRoutes(org.jdbi.v3.core.Jdbi jdbi, SessionService sessions,
      dev.jeton.pat.PatService pats, BearerAuth bearer, java.time.Clock clock) {
    this.tokens = new AccountTokens(jdbi, sessions, pats, clock);
    this.bearer = bearer;
    this.clock = clock;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, ERRORS).get(BASE, this::list)
        .post(BASE + "/revoke", this::revokeMany)
        .delete(BASE + "/{token_id}", this::revoke);
  }

  private BearerAuth.Principal admin(Context ctx) {
    return bearer.requireSession(ctx, ctx.pathParam("account"), SessionService.SCOPE_ADMIN);
  }

  private void list(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    List<ApiException.FieldError> problems = new ArrayList<>();
    int limit = Pagination.limit(ctx.queryParam("limit"), problems);
    String kind = ctx.queryParam("kind");
    if (kind != null && !KINDS.contains(kind)) {
      problems.add(new ApiException.FieldError("kind", ErrorCode.FIELD_INVALID,
          "The kind filter is session, oauth or pat."));
    }
    String status = ctx.queryParam("status");
    if (status != null && !status.equals("active") && !status.equals("all")) {
      problems.add(new ApiException.FieldError("status", ErrorCode.FIELD_INVALID,
          "The status filter is 'active' (the default) or 'all'."));
    }
    AccountTokens.Cursor after = null;
    String cursor = ctx.queryParam("cursor");
    if (cursor != null) {
      after = AccountTokens.Cursor.decode(cursor);
      if (after == null) {
        problems.add(new ApiException.FieldError("cursor", ErrorCode.FIELD_INVALID,
            "The cursor is not one this list gave; start again without it."));
      }
    }
    AccountTokens.Filter filter = new AccountTokens.Filter(kind, ctx.queryParam("owner"),
        ctx.queryParam("client_id"), !"all".equals(status),
        Pagination.time(ctx, "created_after", problems),
        Pagination.time(ctx, "created_before", problems),
        Pagination.time(ctx, "expires_after", problems),
        Pagination.time(ctx, "expires_before", problems),
        Pagination.time(ctx, "last_used_after", problems),
        Pagination.time(ctx, "last_used_before", problems), after);
    if (!problems.isEmpty()) {
      throw ApiException.validation(List.copyOf(problems));
    }
    long now = clock.millis();
    Responses.json(ctx, 200, Pagination.body(tokens.list(p.account(), filter, limit),
        t -> json(t, now)));
  }

  private void revoke(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    if (!tokens.revoke(p.account(), ctx.pathParam("token_id"), p.subject())) {
      throw new ApiException(ErrorCode.TOKEN_NOT_FOUND,
          "The account has no token with this id that has not ended.");
    }
    ctx.status(204);
  }

  private void revokeMany(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    JsonBody body = JsonBody.read(ctx, BULK_FIELDS);
    List<String> ids = body.optionalStrings("ids", AccountTokens.MAX_BULK, 64);
    if (ids == null && !body.has("ids")) {
      body.reject("ids", ErrorCode.FIELD_MISSING, "The field 'ids' is required.");
    }
    body.validate();
    List<Map<String, Object>> data = new ArrayList<>(ids.size());
    Map<String, Integer> firstIndex = new LinkedHashMap<>();
    int revoked = 0;
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("index", i);
      m.put("id", id);
      Integer first = firstIndex.putIfAbsent(id, i);
      if (first != null) {
        skipped(m, ErrorCode.TOKEN_NOT_FOUND, "The same id is in entry " + first
            + " of this request.");
      } else if (tokens.revoke(p.account(), id, p.subject())) {
        m.put("status", "revoked");
        revoked++;
      } else {
        skipped(m, ErrorCode.TOKEN_NOT_FOUND,
            "The account has no token with this id that has not ended.");
      }
      data.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("data", data);
    out.put("summary", Map.of("revoked", revoked, "skipped", ids.size() - revoked));
    Responses.json(ctx, 200, out);
  }

  private static void skipped(Map<String, Object> m, ErrorCode code, String message) {
    m.put("status", "skipped");
    m.put("reasons", List.of(Map.of("code", code.code(), "message", message)));
  }

  private static Map<String, Object> json(AccountToken t, long now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id());
    m.put("kind", t.kind());
    m.put("owner", Json.fields("kind", t.ownerKind(), "id", t.ownerId()));
    m.put("client_id", t.clientId());
    m.put("comment", t.comment());
    m.put("scopes", t.scopes());
    m.put("created_at", Json.time(t.createdAt()));
    m.put("expires_at", Json.time(t.expiresAt()));
    m.put("last_used_at", Json.time(t.lastUsedAt()));
    m.put("status", t.status(now));
    m.put("revoked_at", Json.time(t.revokedAt()));
    m.put("revoked_reason", t.revokedReason());
    return m;
  }


  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.addAll(JsonBody.ERRORS);
    all.add(ErrorCode.TOKEN_NOT_FOUND);
    return Set.copyOf(all);
  }

}
