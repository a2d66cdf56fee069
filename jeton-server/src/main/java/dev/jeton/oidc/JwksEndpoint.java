package dev.jeton.oidc;

import dev.jeton.account.AccountService;
import dev.jeton.http.Responses;
import dev.jeton.token.KeyRing;
import io.javalin.http.Context;

/**
 * {@code {issuer}/.well-known/jwks.json} (RFC 7517 5, RFC 8414 2 {@code jwks_uri}): the current,
 * next and previous public keys of every key chain of the account, never a private part.
 */
public final class JwksEndpoint {
  public static final String PATH = "/.well-known/jwks.json";

  private final AccountService accounts;
  private final KeyRing keys;

  JwksEndpoint(AccountService accounts, KeyRing keys) {
    this.accounts = accounts;
    this.keys = keys;
  }

  void handle(Context ctx) {
    String id = accounts.requireActive(ctx.pathParam("account")).id();
    Responses.publicCache(ctx, (int) KeyRing.JWKS_MAX_AGE.toSeconds());
    ctx.status(200);
    ctx.contentType("application/jwk-set+json");
    ctx.result(keys.keys(id).jwksJson());
  }
}
