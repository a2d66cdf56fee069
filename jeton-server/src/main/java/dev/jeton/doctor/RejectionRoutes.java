package dev.jeton.doctor;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Json;
import dev.jeton.http.Pagination;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.rejection.Rejection;
import dev.jeton.rejection.RejectionLog;
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
 * {@code GET {issuer}/api/v1/rejections} (docs/diagnose.md#rejection-log): the refused
 * presentations of tokens, newest first. A user reads those of their own tokens; an admin reads
 * the whole account's, and may filter by owner.
 */
public final class RejectionRoutes {
  public static final Set<ErrorCode> ERRORS = errors();
  private static final int MAX_FILTER = 256;

  private final RejectionLog log;
  private final BearerAuth bearer;

  public RejectionRoutes(RejectionLog log, BearerAuth bearer) {
    this.log = log;
    this.bearer = bearer;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, ERRORS)
        .get("/accounts/{account}/api/v1/rejections", this::list);
  }

  private void list(Context ctx) {
    BearerAuth.Principal p = bearer.require(ctx, ctx.pathParam("account"), null);
    boolean admin = p.scopes().contains(SessionService.SCOPE_ADMIN);
    List<ApiException.FieldError> problems = new ArrayList<>();
    int limit = Pagination.limit(ctx.queryParam("limit"), problems);
    String owner = param(ctx, "owner", problems);
    if (!admin) {
      if (owner != null && !owner.equals(p.subject())) {
        ctx.attribute(ErrorWriter.REQUIRED_SCOPE, SessionService.SCOPE_ADMIN);
        throw new ApiException(ErrorCode.INSUFFICIENT_SCOPE, "Only an admin of the account reads "
            + "the rejections of other users' tokens.");
      }
      owner = p.subject();
    }
    RejectionLog.Filter filter = new RejectionLog.Filter(owner, param(ctx, "code", problems),
        param(ctx, "client_id", problems), param(ctx, "fingerprint", problems),
        param(ctx, "token_id", problems), param(ctx, "request_id", problems),
        Pagination.time(ctx, "since", problems), Pagination.time(ctx, "until", problems));
    if (!problems.isEmpty()) {
      throw ApiException.validation(List.copyOf(problems));
    }
    Responses.json(ctx, 200, Pagination.body(log.list(p.account().id(), filter,
        ctx.queryParam("cursor"), limit), RejectionRoutes::json));
  }

  /** One rejection as the API shows it. */
  static Map<String, Object> json(Rejection r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("at", Json.time(r.at()));
    m.put("code", r.code());
    Map<String, Object> token = new LinkedHashMap<>();
    token.put("fingerprint", r.fingerprint());
    token.put("kind", r.tokenKind());
    token.put("id", r.tokenId());
    m.put("token", token);
    m.put("owner", r.ownerId() == null ? null : Json.fields("id", r.ownerId()));
    m.put("client_id", r.clientId());
    m.put("ip", r.ip());
    m.put("user_agent", r.userAgent());
    m.put("route", r.route());
    m.put("request_id", r.requestId());
    return m;
  }

  private static String param(Context ctx, String name, List<ApiException.FieldError> problems) {
    String v = ctx.queryParam(name);
    if (v != null && (v.isEmpty() || v.length() > MAX_FILTER)) {
      problems.add(new ApiException.FieldError(name, ErrorCode.FIELD_INVALID,
          "The filter '" + name + "' must have 1 to " + MAX_FILTER + " characters."));
      return null;
    }
    return v;
  }

  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.add(ErrorCode.VALIDATION_FAILED);
    return Set.copyOf(all);
  }
}
