package dev.jeton.admin;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.limit.Limits;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.SessionService;
import io.javalin.http.Context;
import java.util.HashSet;
import java.util.Set;

/**
 * An account's usage against its limits, for its admins (docs/limits.md#usage): today's calls and
 * the daily quota, requests in flight, the rate limit, and the last 30 days;
 * {@code GET {issuer}/api/v1/usage} for the admin's own account and
 * {@code GET {issuer}/api/v1/accounts/{id}/usage} for an account below it.
 */
public final class UsageRoutes {
  public static final Set<ErrorCode> ERRORS = errors();
  private static final String BASE = "/accounts/{account}/api/v1";

  private final AccountService accounts;
  private final Limits limits;
  private final BearerAuth bearer;

  public UsageRoutes(AccountService accounts, Limits limits, BearerAuth bearer) {
    this.accounts = accounts;
    this.limits = limits;
    this.bearer = bearer;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, ERRORS).get(BASE + "/usage", this::own)
        .get(BASE + "/accounts/{id}/usage", this::descendant);
  }

  private void own(Context ctx) {
    BearerAuth.Principal p = bearer.require(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_ADMIN);
    answer(ctx, p.account());
  }

  private void descendant(Context ctx) {
    BearerAuth.Principal p = bearer.require(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_ADMIN);
    answer(ctx, accounts.manageable(p.account().id(), ctx.pathParam("id")));
  }

  private void answer(Context ctx, Account a) {
    Responses.json(ctx, 200, limits.usage(a.id(), accounts.limits(a)));
  }

  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.addAll(Set.of(ErrorCode.ACCOUNT_NOT_FOUND, ErrorCode.ACCOUNT_OPERATION_FORBIDDEN));
    return Set.copyOf(all);
  }
}
