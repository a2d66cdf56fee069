package dev.jeton.oauth;

import dev.jeton.account.Account;
import dev.jeton.client.Client;
import dev.jeton.config.Config;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Audit;
import dev.jeton.session.SessionService;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.TokenKind;
import dev.jeton.user.User;
import dev.jeton.user.UserService;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The device access token request (RFC 8628 3.4-3.5): the device code must have been issued to
 * this client ({@code invalid_grant} otherwise). While the user has not decided the answer is
 * {@code authorization_pending}; a poll sooner than the interval after the previous one is
 * {@code slow_down} and adds 5 s to the interval (RFC 8628 3.5, docs/security.md#device-response);
 * a denial is {@code access_denied}, an expired code {@code expired_token}. An approved code is
 * exchanged exactly once, by compare-and-set (docs/security.md#device-code-single-use): the session
 * belongs to the client and the approving user and carries the approved scopes; any later poll is
 * {@code invalid_grant}.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8628#section-3.5">RFC 8628 3.5</a>
 */
final class DeviceCodeGrant {
  private final DeviceCodes devices;
  private final Consents consents;
  private final SessionService sessions;
  private final UserService users;
  private final Clock clock;

  DeviceCodeGrant(DeviceCodes devices, Consents consents, SessionService sessions,
      UserService users, Clock clock) {
    this.devices = devices;
    this.consents = consents;
    this.sessions = sessions;
    this.users = users;
    this.clock = clock;
  }

  /**
   * Polls with a device code, for a client registered for the grant; answers the token pair once
   * the user approved, its access token meant for {@code audience} ({@link Audiences}).
   *
   * @throws ApiException {@code invalid_grant}, {@code authorization_pending},
   *     {@code slow_down}, {@code access_denied} or {@code expired_token}
   */
  SessionService.TokenPair redeem(Account account, Client client,
      TokenRequest.DeviceCode request, Config.Lifetimes lifetimes, List<String> audience) {
    String deviceCode = request.deviceCode();
    DeviceCodes.Device d = (OpaqueTokens.kindOf(deviceCode) == TokenKind.DC
        ? devices.byDeviceCode(deviceCode) : Optional.<DeviceCodes.Device>empty())
        .filter(x -> x.accountId().equals(account.id()))
        .orElseThrow(() -> invalidGrant("The device code is unknown."));
    if (!d.clientId().equals(client.clientId())) {
      Audit.event("device_code_wrong_client", "account", account.id(), "client_id",
          client.clientId());
      throw invalidGrant("The device code was issued to another client.");
    }
    if (d.usedAt() != null) {
      throw invalidGrant("The device code was already exchanged for tokens (RFC 8628 3.5).");
    }
    long now = clock.millis();
    if (now >= d.expiresAt()) {
      throw new ApiException(ErrorCode.EXPIRED_TOKEN, "The device code expired; start a new "
          + "device authorization request (RFC 8628 3.5).");
    }
    boolean tooSoon = d.lastPolledAt() != null
        && now - d.lastPolledAt() < d.intervalS() * 1000L;
    boolean recorded = devices.poll(d, now, tooSoon);
    if (!recorded || tooSoon) {
      // the interval grew only if this poll was recorded as too soon; a poll that lost a race
      // to a concurrent one changed nothing
      int interval = recorded ? d.intervalS() + DeviceCodes.INTERVAL_S : d.intervalS();
      throw new ApiException(ErrorCode.SLOW_DOWN, "Poll at most every " + interval
          + " seconds (RFC 8628 3.5).");
    }
    switch (d.status()) {
      case DeviceCodes.DENIED -> throw new ApiException(ErrorCode.ACCESS_DENIED,
          "The user denied the authorization request (RFC 8628 3.5).");
      case DeviceCodes.APPROVED -> {
        return issue(account, client, d, lifetimes, audience);
      }
      default -> throw new ApiException(ErrorCode.AUTHORIZATION_PENDING, "The user has not "
          + "yet entered the user code and approved the request (RFC 8628 3.5).");
    }
  }

  private SessionService.TokenPair issue(Account account, Client client, DeviceCodes.Device d,
      Config.Lifetimes lifetimes, List<String> audience) {
    if (!devices.spend(d.hash())) {
      throw invalidGrant("The device code was already exchanged for tokens (RFC 8628 3.5).");
    }
    User user;
    try {
      user = users.current(account.id(), d.userId());
    } catch (ApiException e) {
      throw invalidGrant("The user who approved the request is blocked or no longer exists.");
    }
    if (!consents.granted(user.id(), client.clientId())
        .map(g -> g.containsAll(d.scopes())).orElse(false)) {
      throw withdrawn();
    }
    SessionService.TokenPair pair;
    try {
      pair = sessions.start(account, user.id(), lifetimes, client.clientId(), d.scopes(),
          audience, d.authTime(), lifetimes.refreshToken(), d.credentialGeneration());
    } catch (SessionService.StaleCredentials e) {
      throw new ApiException(ErrorCode.ACCESS_DENIED,
          AuthorizationCodeGrant.PASSWORD_CHANGED + " Start a new device authorization.");
    }
    if (!devices.attachSession(d.hash(), pair.session().id())) {
      sessions.revoke(pair.session().id(), "grant_revoked");
      throw withdrawn();
    }
    Audit.event("device_code_redeemed", "account", account.id(), "client_id",
        client.clientId(), "user", user.id(), "session", pair.session().id());
    return pair;
  }

  private static ApiException withdrawn() {
    return new ApiException(ErrorCode.ACCESS_DENIED, AuthorizationCodeGrant.WITHDRAWN
        + " Start a new device authorization.");
  }

  private static ApiException invalidGrant(String description) {
    return new ApiException(ErrorCode.INVALID_GRANT, description);
  }
}
