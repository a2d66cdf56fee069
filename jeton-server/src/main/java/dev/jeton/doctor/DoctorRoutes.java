package dev.jeton.doctor;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.JsonBody;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.observe.Audit;
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
  private static final Set<String> FIELDS = Set.of("token");

  private final TokenDoctor doctor;
  private final AccountService accounts;
  private final BearerAuth bearer;

  public DoctorRoutes(TokenDoctor doctor, AccountService accounts, BearerAuth bearer) {
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
    String token = body.requiredString("token", 8192);
    body.validate();
    TokenDoctor.Diagnosis d = doctor.diagnose(account, token, caller);
    Map<String, Object> out = new LinkedHashMap<>(d.shown());
    if (d.explained() != null) {
      out.put("explained", d.explained());
    } else {
      out.put("explained", null);
      out.put("how_to_learn_more", "Send this request with the bearer credential of the "
          + "token's owner, or of an admin of its account, to learn why it is refused.");
    }
    Audit.event("token_diagnosed", "account", account.id(), "format", d.shown().get("format"),
        "explained", d.explained() != null);
    Responses.tokens(ctx, 200, out); // no-store: it may describe a credential
  }

  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.addAll(JsonBody.ERRORS);
    all.add(ErrorCode.ACCOUNT_NOT_FOUND);
    all.add(ErrorCode.ACCOUNT_DISABLED);
    return Set.copyOf(all);
  }
}
