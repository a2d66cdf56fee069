package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.client.Client;
import dev.jeton.client.ClientAuthenticator;
import dev.jeton.http.Form;
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

  static ClientRequest read(Context ctx, AccountService accounts,
      ClientAuthenticator clientAuth) {
    Account account = accounts.requireActive(ctx.pathParam("account"));
    Form form = Form.parse(ctx, Set.of(Audiences.RESOURCE));
    return new ClientRequest(account, form, clientAuth.authenticate(account.id(),
        ctx.header("Authorization"), form.get("client_id"), form.get("client_secret")));
  }

  Client client() {
    return caller.client();
  }
}
