package dev.jeton.leak;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Json;
import dev.jeton.http.JsonBody;
import dev.jeton.http.Pagination;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.limit.Limits;
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
 * Leaked-token reporting and notices (docs/leaks.md): {@code POST {base}/api/v1/leaks} (public,
 * limited per source) takes strings found in the wild; the owner of a token that was ended reads
 * the notice at {@code {issuer}/api/v1/me/notices}, and the account's admins read every notice
 * of the account at {@code {issuer}/api/v1/notices}.
 */
public final class LeakRoutes {
  /** The errors of the report route. */
  public static final Set<ErrorCode> REPORT_ERRORS = JsonBody.errorsWith(
      ErrorCode.RATE_LIMIT_EXCEEDED, ErrorCode.SERVICE_UNAVAILABLE);
  /** The errors of the notice lists. */
  public static final Set<ErrorCode> NOTICE_ERRORS = noticeErrors();
  private static final Set<String> REPORT_FIELDS = Set.of("tokens");

  private final LeakReports reports;
  private final BearerAuth bearer;

  private final Limits limits;

  public LeakRoutes(LeakReports reports, BearerAuth bearer, Limits limits) {
    this.reports = reports;
    this.bearer = bearer;
    this.limits = limits;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, REPORT_ERRORS).post("/api/v1/leaks", this::report);
    r.as(ErrorWriter.Format.PROBLEM, NOTICE_ERRORS)
        .get("/accounts/{account}/api/v1/me/notices", this::mine)
        .get("/accounts/{account}/api/v1/notices", this::account);
  }

  private void report(Context ctx) {
    JsonBody body = JsonBody.read(ctx, REPORT_FIELDS);
    List<String> tokens = body.optionalStrings("tokens", LeakReports.MAX_TOKENS,
        LeakReports.MAX_TOKEN_CHARS);
    if (tokens == null && !body.has("tokens")) {
      body.reject("tokens", ErrorCode.FIELD_MISSING, "The field 'tokens' is required.");
    }
    body.validate();
    limits.perSource(ctx, "leak_report", LeakReports.REPORTS_PER_WINDOW, LeakReports.WINDOW);
    reports.accept(tokens);
    // the same answer whatever the strings were: it is given before any of them is examined
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("received", tokens.size());
    out.put("detail", "Every string that is a live Jeton credential will be ended and its "
        + "owner notified.");
    Responses.json(ctx, 202, out);
  }

  private void mine(Context ctx) {
    BearerAuth.Principal p = bearer.require(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_USER);
    list(ctx, p.account().id(), p.subject());
  }

  private void account(Context ctx) {
    BearerAuth.Principal p = bearer.require(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_ADMIN);
    list(ctx, p.account().id(), null);
  }

  private void list(Context ctx, String accountId, String ownerId) {
    List<ApiException.FieldError> problems = new ArrayList<>();
    int limit = Pagination.limit(ctx.queryParam("limit"), problems);
    if (!problems.isEmpty()) {
      throw ApiException.validation(List.copyOf(problems));
    }
    Responses.json(ctx, 200, Pagination.body(reports.list(accountId, ownerId,
        ctx.queryParam("cursor"), limit), LeakRoutes::json));
  }

  private static Map<String, Object> json(Notice n) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", n.id());
    m.put("kind", n.kind());
    Map<String, Object> token = new LinkedHashMap<>();
    token.put("kind", n.tokenKind());
    token.put("id", n.tokenId());
    m.put("token", token);
    if (n.ownerId() != null) {
      m.put("owner", Json.fields("kind", n.ownerKind(), "id", n.ownerId()));
    }
    m.put("action", n.action());
    m.put("detail", n.detail());
    m.put("created_at", Json.time(n.createdAt()));
    return m;
  }

  private static Set<ErrorCode> noticeErrors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.addAll(JsonBody.ERRORS);
    return Set.copyOf(all);
  }

}
