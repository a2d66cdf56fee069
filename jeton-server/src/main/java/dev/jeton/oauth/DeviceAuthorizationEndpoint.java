package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.client.Client;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Form;
import dev.jeton.http.Responses;
import dev.jeton.limit.Limits;
import dev.jeton.observe.Audit;
import dev.jeton.push.Push;
import dev.jeton.token.Issuers;
import dev.jeton.token.Scope;
import dev.jeton.user.Emails;
import dev.jeton.user.UserService;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST {issuer}/oauth2/device_authorization} (RFC 8628 3.1-3.2): the client authenticates
 * as at the token endpoint (a public client by {@code client_id} alone, RFC 8628 3.1), must be
 * registered for the device code grant ({@code unauthorized_client}) and may request only its
 * registered scopes ({@code invalid_scope}). The answer carries {@code device_code},
 * {@code user_code}, {@code verification_uri}, {@code verification_uri_complete},
 * {@code expires_in} and {@code interval} (docs/security.md#device-response) with
 * {@code Cache-Control: no-store}. With {@code login_hint} the user's phones are pushed
 * (docs/push.md#device).
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8628#section-3.2">RFC 8628 3.2</a>
 */
public final class DeviceAuthorizationEndpoint {
  /** The endpoint's path under an issuer (RFC 8628 3.1). */
  public static final String PATH = "/oauth2/device_authorization";
  /** The errors of the device authorization endpoint (RFC 8628 3.2, RFC 6749 5.2). */
  public static final Set<ErrorCode> ERRORS = Limits.and(ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_CLIENT, ErrorCode.CLIENT_AUTH_THROTTLED, ErrorCode.UNAUTHORIZED_CLIENT,
      ErrorCode.INVALID_SCOPE,
      ErrorCode.INVALID_TARGET);

  /** Device codes one address may open for public clients in 10 minutes. */
  static final int PUBLIC_CODES_PER_SOURCE = 30;

  private final Limits limits;
  private final AccountService accounts;
  private final ClientRequest.Reader clientAuth;
  private final DeviceCodes devices;
  private final Issuers issuers;
  private final UserService users;
  private final Push push;

  DeviceAuthorizationEndpoint(AccountService accounts, ClientRequest.Reader clientAuth,
      DeviceCodes devices, Issuers issuers, Limits limits, UserService users, Push push) {
    this.users = users;
    this.push = push;
    this.limits = limits;
    this.accounts = accounts;
    this.clientAuth = clientAuth;
    this.devices = devices;
    this.issuers = issuers;
  }

  void handle(Context ctx) {
    ClientRequest req = clientAuth.read(ctx);
    Account account = req.account();
    Form form = req.form();
    Client client = req.client();
    if (!client.allowsGrant(Client.DEVICE_CODE)) {
      throw new ApiException(ErrorCode.UNAUTHORIZED_CLIENT, "The client is not registered for "
          + "the device_code grant (RFC 8628 3.1).");
    }
    if (client.isPublic()) {
      // anyone can act as a public client: the codes (rows) one address opens are bounded
      limits.perSource(ctx, "device_authorization", PUBLIC_CODES_PER_SOURCE,
          java.time.Duration.ofMinutes(10));
    }
    Scope scopes = RequestedScope.allowed(client, RequestedScope.parse(form.get("scope")));
    Audiences.check(client, form.all(Audiences.RESOURCE));
    DeviceCodes.Issued issued = devices.issue(account.id(), client.clientId(), scopes);
    String verification = issuers.issuer(account.id()) + DeviceVerification.PATH;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("device_code", issued.deviceCode());
    body.put("user_code", issued.userCode());
    body.put("verification_uri", verification);
    body.put("verification_uri_complete", verification + "?user_code=" + issued.userCode());
    body.put("expires_in", DeviceCodes.LIFETIME.toSeconds());
    body.put("interval", DeviceCodes.INTERVAL_S);
    Audit.event("device_authorization_started", "account", account.id(), "client_id",
        client.clientId(), "scope", scopes.render());
    pushTo(form.get("login_hint"), account, client, verification, issued.expiresAt());
    Responses.tokens(ctx, 200, body);
  }

  /**
   * With {@code login_hint} (an extension: the e-mail of the user expected to approve, as in
   * OpenID Connect), asks that user's registered phones to open the verification page, where
   * the user types the code the device shows (docs/push.md#device). The answer is the same
   * whether or not the hint names a user.
   */
  private void pushTo(String hint, Account account, Client client, String verification,
      long expiresAt) {
    if (hint == null || !push.enabled()) {
      return;
    }
    String email = Emails.normalise(hint);
    if (Emails.problem(email) != null) {
      return;
    }
    users.store().byEmail(account.id(), email).filter(u -> !u.blocked()).ifPresent(u ->
        push.deviceLogin(new Push.DeviceLogin(account.id(), u.id(), issuers.issuer(account.id()),
            verification, client.spec().name(), expiresAt)));
  }
}
