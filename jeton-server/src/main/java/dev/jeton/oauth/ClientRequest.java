package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.client.Client;
import dev.jeton.client.ClientAuthenticator;
import dev.jeton.http.ClientAddress;
import dev.jeton.http.Form;
import dev.jeton.limit.Limits;
import io.javalin.http.Context;
import java.util.Set;

/**
 * A request to an OAuth endpoint that clients authenticate to (token, introspection, revocation,
 * device authorization): the issuer's active account, the form parsed once (RFC 8707's
 * {@code resource} may repeat, every other parameter appears at most once), and the client that
 * authenticated with HTTP Basic or the form's {@code client_id} and {@code client_secret}
 * (RFC 6749 2.3.1, 3.2.1).
 */
record ClientRequest(Account account, Form form, ClientAuthenticator.Authenticated caller) {

  /**
   * Reads client requests: the account, the form, the client's authentication, then the
   * account's limits on the call (docs/limits.md), counted against the client: a confidential
   * client by its credential, a public one, which has none, by its id and the caller's address,
   * so that nobody can spend a public client's calls for everyone else.
   */
  record Reader(AccountService accounts, ClientAuthenticator clientAuth, Limits limits) {
    ClientRequest read(Context ctx) {
      Account account = accounts.requireActive(ctx.pathParam("account"));
      Form form = Form.parse(ctx, Set.of(Audiences.RESOURCE));
      ClientAuthenticator.Authenticated caller = clientAuth.authenticate(account.id(),
          ctx.header("Authorization"), form.get("client_id"), form.get("client_secret"),
          ctx.ip());
      Client client = caller.client();
      String credential = client.isPublic()
          ? "c:" + client.clientId() + "@" + ClientAddress.key(ctx.ip()) : "c:" + client.clientId();
      limits.admit(ctx, account.id(), accounts.limits(account),
          new Limits.Caller(credential, client.clientId()));
      return new ClientRequest(account, form, caller);
    }
  }

  Client client() {
    return caller.client();
  }
}
