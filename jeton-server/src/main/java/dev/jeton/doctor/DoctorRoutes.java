package dev.jeton.doctor;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.JsonBody;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.observe.Audit;
import dev.jeton.rejection.Rejection;
import dev.jeton.rejection.RejectionLog;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.SessionService;
import io.javalin.http.Context;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST {issuer}/api/v1/tokens/diagnose} (docs/diagnose.md): the token doctor. Without a
 * credential it says what the token shows; with the bearer credential of the token's owner or of
 * an admin of its account, also why Jeton refuses it. The token sent is never stored or logged.
 */
public final class DoctorRoutes {
  /** The errors of the doctor (its own caller's credential may be refused). */
  public static final Set<ErrorCode> ERRORS = errors();
  private static final Set<String> FIELDS = Set.of("token", "request_id");
  /** Rejections of the token shown to those entitled to the explanation. */
  static final int LAST_REJECTIONS = 10;

  private final TokenDoctor doctor;
  private final AccountService accounts;
  private final BearerAuth bearer;
  private final RejectionLog rejections;

  public DoctorRoutes(TokenDoctor doctor, AccountService accounts, BearerAuth bearer,
      RejectionLog rejections) {
    this.rejections = rejections;
    this.doctor = doctor;
    this.accounts = accounts;
    this.bearer = bearer;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, ERRORS)
        .post("/accounts/{account}/api/v1/tokens/diagnose", this::diagnose);
  }

  private void diagnose(Context ctx) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    TokenDoctor.Caller caller = null;
    if (ctx.header("Authorization") != null) {
      // a caller who names itself must prove it; a refused credential is answered as such
      BearerAuth.Principal p = bearer.require(ctx, account.id(), null);
      caller = new TokenDoctor.Caller(p.subject(), p.scopes().contains(SessionService.SCOPE_ADMIN));
    }
    JsonBody body = JsonBody.read(ctx, FIELDS);
    if (body.has("request_id") && !body.has("token")) {
      String requestId = body.requiredString("request_id", 128);
      body.validate();
      request(ctx, account, requestId, caller);
      return;
    }
    String token = body.requiredString("token", 8192);
    if (body.has("request_id")) {
      body.reject("request_id", ErrorCode.FIELD_INVALID, "Send either a token or a request_id.");
    }
    body.validate();
    TokenDoctor.Diagnosis d = doctor.diagnose(account, token, caller);
    Map<String, Object> out = new LinkedHashMap<>(d.shown());
    if (d.explained() != null) {
      Map<String, Object> explained = new LinkedHashMap<>(d.explained());
      explained.put("last_rejections", rejections.ofToken(account.id(), token.strip(),
          LAST_REJECTIONS).stream().map(RejectionRoutes::json).toList());
      out.put("explained", explained);
    } else {
      out.put("explained", null);
      out.put("how_to_learn_more", "Send this request with the bearer credential of the "
          + "token's owner, or of an admin of its account, to learn why it is refused.");
    }
    Audit.event("token_diagnosed", "account", account.id(), "format", d.shown().get("format"),
        "explained", d.explained() != null);
    Responses.tokens(ctx, 200, out); // no-store: it may describe a credential
  }

  /**
   * "Why did request X fail?": the rejection answered to that request, for the owner of the token
   * it refused or an admin of the account. Anyone else, and a request that was not a rejection,
   * get the same answer: nothing found.
   */
  private void request(Context ctx, Account account, String requestId,
      TokenDoctor.Caller caller) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("request_id", requestId);
    Rejection r = caller == null ? null : rejections.byRequest(account.id(), requestId)
        .filter(x -> caller.admin() || caller.subject().equals(x.ownerId())).orElse(null);
    if (r == null) {
      out.put("found", false);
      out.put("detail", "No refused token presentation of this request is recorded that you may "
          + "see: it was not refused for its token, it is older than the log keeps, or the token "
          + "was not yours. Send the bearer credential of the token's owner or of an admin.");
    } else {
      ErrorCode code = ErrorCode.byCode(r.code()).orElse(null);
      out.put("found", true);
      out.put("rejection", RejectionRoutes.json(r));
      if (code != null) {
        out.put("title", code.title());
        out.put("remedy", code.remedy());
        out.put("retryable", code.retryable());
      }
    }
    Audit.event("request_diagnosed", "account", account.id(), "found", r != null);
    Responses.tokens(ctx, 200, out);
  }

  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.addAll(JsonBody.ERRORS);
    all.add(ErrorCode.ACCOUNT_NOT_FOUND);
    all.add(ErrorCode.ACCOUNT_DISABLED);
    return Set.copyOf(all);
  }
}
