package dev.jeton.error;

import java.util.Locale;

/**
 * The error catalog: every error any Jeton endpoint can return, with its stable wire code, HTTP
 * status, a fixed title, the remedy a client or user can apply, and whether retrying the same
 * request can succeed.
 *
 * <p>{@code GET /api/v1/errors} and {@code docs/errors.md} are generated from this enum; a test
 * fails when the document drifts. Codes are part of the public contract: never rename one.
 */
public enum ErrorCode {
  // --- HTTP level -------------------------------------------------------------------------
  ROUTE_NOT_FOUND(404, "Route not found",
      "Check the method and path against the API guide; account-scoped routes live under /accounts/{account}.",
      false),
  METHOD_NOT_ALLOWED(405, "Method not allowed",
      "Use one of the methods listed in the Allow header for this path.", false),
  PAYLOAD_TOO_LARGE(413, "Payload too large",
      "Send a body of at most 1 MiB (10 MiB for a bulk import); split large batches into "
          + "several requests.", false),
  URI_TOO_LONG(414, "URI too long",
      "Keep the request URI under 8 KiB, or send the query as a form body with _method=GET.", false),
  REQUEST_HEADERS_TOO_LARGE(431, "Request headers too large",
      "Send fewer or smaller headers (at most 16 KiB in total).", false),
  UNSUPPORTED_CONTENT_TYPE(415, "Unsupported content type",
      "Send the body as application/json (or application/x-www-form-urlencoded where a form is documented).",
      false),
  NOT_ACCEPTABLE(406, "Not acceptable",
      "Send an Accept header that allows the route's media type (application/json for the API; "
          + "*/* and application/* do), or none; errors come as application/problem+json.",
      false),
  BAD_REQUEST(400, "Bad request",
      "The request is not valid HTTP (bad request line, header or encoding); fix the client.",
      false),
  INVALID_JSON(400, "Malformed JSON",
      "Send a single well-formed JSON object encoded as UTF-8.", false),
  VALIDATION_FAILED(400, "Request validation failed",
      "Fix each field listed in errors[] and send the request again.", false),
  INVALID_PARAMETER(400, "Invalid parameter",
      "Fix the named query or path parameter and send the request again.", false),
  FIELD_MISSING(400, "Required field missing",
      "Provide the field; see the API guide for the request schema.", false),
  FIELD_INVALID(400, "Field value invalid",
      "Send a value of the documented type and format.", false),
  FIELD_UNKNOWN(400, "Unknown field",
      "Remove the field; the endpoint does not accept it (check its spelling).", false),
  INTERNAL_ERROR(500, "Internal server error",
      "Retry later; if it persists, report the request_id to the operator.", true),
  RATE_LIMIT_EXCEEDED(429, "Rate limit exceeded",
      "Wait the number of seconds in Retry-After, then send the request again; the RateLimit "
          + "header of every answer tells how many calls are left before the limit.", true),
  DAILY_QUOTA_EXCEEDED(429, "Daily quota exceeded",
      "The account has made all the calls its daily quota allows; calls are accepted again at "
          + "resets_at (also in Retry-After), or an admin of the account can raise the quota.",
      true),
  CONCURRENCY_LIMIT_REACHED(429, "Too many requests in flight",
      "The account already has as many requests in progress as it may; wait for one to finish "
          + "(Retry-After), or send fewer requests in parallel.", true),
  SERVICE_UNAVAILABLE(503, "Service unavailable",
      "The server cannot reach its database or is shutting down; retry after the Retry-After delay.",
      true),

  // --- bearer token presentation (RFC 6750) ------------------------------------------------
  TOKEN_MISSING(401, "Access token missing",
      "Send the access token in the Authorization header: 'Authorization: Bearer <token>'.", false),
  TOKEN_IN_URL(400, "Token sent in the URL",
      "Never put tokens in URLs (they end up in logs and history); use the Authorization header.",
      false),
  TOKEN_MALFORMED(401, "Token malformed",
      "The token is not a well-formed Jeton token (truncated, mistyped, or with a bad checksum); "
          + "copy it again in full.", false),
  TOKEN_WRONG_TYPE(401, "Wrong kind of token",
      "Present an access token here; refresh tokens go only to the refresh endpoint and ID tokens "
          + "are never bearer credentials.", false),
  TOKEN_SIGNATURE_INVALID(401, "Token signature invalid",
      "The token was altered, signed with an unknown or rotated-out key, or with a disallowed "
          + "algorithm; obtain a new token.", false),
  TOKEN_EXPIRED(401, "Token expired",
      "Obtain a new access token with the refresh token, or sign in again.", false),
  TOKEN_NOT_YET_VALID(401, "Token not yet valid",
      "The token's nbf or iat lies in the future beyond the allowed clock skew; check the clocks.",
      false),
  TOKEN_UNKNOWN(401, "Token unknown",
      "The token was never issued here, or its session ended (expired or was revoked) longer ago "
          + "than the server keeps ended sessions (7 days by default) and it has been purged; "
          + "sign in again.", false),
  TOKEN_REVOKED(401, "Token revoked",
      "The token or its session was revoked (logout, password change, reuse detection or an "
          + "admin); sign in again.", false),
  TOKEN_WRONG_ACCOUNT(401, "Token issued by another account",
      "Use a token issued by this account's issuer ({base}/accounts/{account}).", false),
  TOKEN_WRONG_AUDIENCE(401, "Token not meant for this API",
      "Request a token whose audience includes this API.", false),
  TOKEN_OWNER_DISABLED(401, "Token owner disabled",
      "The user or service principal this personal access token belongs to is blocked or "
          + "disabled; its tokens work again only if an admin enables it again.", false),
  SESSION_REQUIRED(403, "Signed-in session required",
      "Passwords, tokens and sessions are managed with the access token of a sign-in "
          + "(POST /api/v1/auth/login), never with a personal access token.", false),
  INSUFFICIENT_SCOPE(403, "Insufficient scope",
      "Use a token carrying the scope named in the WWW-Authenticate header (for admin endpoints, "
          + "sign in as an account admin).", false),
  REFRESH_TOKEN_REUSED(401, "Refresh token reused",
      "This refresh token was already used; its whole session has been revoked to protect you. "
          + "Sign in again.", false),

  // --- users and sessions --------------------------------------------------------------------
  USER_ALREADY_EXISTS(409, "User already exists",
      "Sign in instead, or register with another email address.", false),
  CLIENT_AUTH_THROTTLED(429, "Too many failed client authentications",
      "Wait the number of seconds in Retry-After, then authenticate again with the client's "
          + "current secret; the wait doubles with every further failure for this client from "
          + "this address.", true),
  SIGN_IN_THROTTLED(429, "Too many failed sign-ins",
      "Wait the number of seconds in Retry-After, then try again; the wait doubles with every "
          + "further failure for this email and grows for a source that fails for many emails.",
      true),
  INVALID_CREDENTIALS(401, "Invalid email or password",
      "Check the email address and password and try again.", false),
  USER_BLOCKED(403, "User blocked",
      "The user is blocked by an administrator; contact the account's administrator.", false),
  PASSWORD_RESET_REQUIRED(412, "Password reset required",
      "Set a new password through the one-time link an admin of the account issues "
          + "(docs/users.md#password-links), then sign in with it.", false),
  PASSWORD_POLICY_VIOLATION(400, "Password does not meet the policy",
      "Choose a password of 8 to 256 characters that is not a commonly used password or a variant "
          + "of one, not a repeated or consecutive sequence, and not based on the email address.",
      false),
  PASSWORD_UNCHANGED(400, "New password equals the current one",
      "Choose a password different from the current one.", false),
  PASSWORD_LINK_INVALID(400, "Password link invalid",
      "The link is unknown, expired, already used or replaced by a newer one; ask an admin of "
          + "the account for a new link.", false),

  // --- users admin API ------------------------------------------------------------------------
  USER_NOT_FOUND(404, "User not found",
      "List the account's users (GET /api/v1/users) and use an id from that list.", false),
  LAST_ADMIN(409, "Last admin",
      "An account keeps at least one admin who can sign in: make another user admin (PATCH "
          + "/api/v1/users/{id} with role admin) before this change.", false),

  // --- personal access tokens -----------------------------------------------------------------
  TOKEN_LIMIT_REACHED(409, "Token limit reached",
      "Revoke the personal access tokens you no longer use (GET /api/v1/me/tokens lists them); "
          + "each owner may hold a limited number of live ones (600 unless the account says "
          + "otherwise).", false),
  SERVICE_PRINCIPAL_NOT_FOUND(404, "Service principal not found",
      "List the account's service principals (GET /api/v1/service-principals) and use an id from "
          + "that list.", false),
  SERVICE_PRINCIPAL_ALREADY_EXISTS(409, "Service principal already exists",
      "Choose another name: names are unique within an account.", false),
  TOKEN_NOT_FOUND(404, "Token not found",
      "List the account's tokens (GET /api/v1/tokens) and use the id of one that has not ended; "
          + "revoking one that already ended changes nothing.", false),
  PAT_NOT_FOUND(404, "Personal access token not found",
      "List your tokens (GET /api/v1/me/tokens) and use an id from that list; a token is visible "
          + "only to its owner.", false),

  REGISTRATION_CLOSED(403, "Registration closed",
      "This account does not let anyone register; ask one of its admins to open registration.",
      false),

  // --- accounts ------------------------------------------------------------------------------
  ACCOUNT_NOT_FOUND(404, "Account not found",
      "Check the account id; an admin sees only its own account and its sub-accounts.", false),
  ACCOUNT_ALREADY_EXISTS(409, "Account already exists",
      "Choose another account id.", false),
  ACCOUNT_DISABLED(403, "Account disabled",
      "The account (or one of its parents) is disabled; contact its administrator.", false),
  ACCOUNT_HAS_SUB_ACCOUNTS(409, "Account has sub-accounts",
      "Delete the sub-accounts first, or delete the whole tree with ?recursive=true.", false),
  ACCOUNT_OPERATION_FORBIDDEN(403, "Operation not allowed on this account",
      "An account cannot disable itself or the default account; ask the parent account's admin.",
      false),

  BROWSER_SESSION_NOT_FOUND(404, "Browser session not found",
      "List your browser sessions (GET /api/v1/me/browser-sessions) and use an id from that list; "
          + "a session that ended or expired is no longer listed.", false),

  // --- OAuth clients (RFC 6749 2) -------------------------------------------------------------
  CLIENT_NOT_FOUND(404, "Client not found",
      "Check the client_id; a client is visible only in the account that registered it.", false),
  CLIENT_HAS_NO_SECRET(409, "Public client has no secret",
      "Public clients (native and browser apps) cannot keep a secret, so they have none to "
          + "rotate; register a confidential client if the app runs on a server.", false),
  INVALID_CLIENT(401, "Client authentication failed",
      "Send the client_id and its current secret either with HTTP Basic (RFC 6749 2.3.1: "
          + "base64 of urlencoded id ':' urlencoded secret) or as client_id and client_secret "
          + "form fields, never both; a public client sends only client_id.", false),

  // --- OAuth 2.0 endpoints (RFC 6749 5.2, RFC 7009 2.2.1) -----------------------------------
  // The wire codes are the RFC's own; the OAuth endpoints render them as RFC 6749 5.2 JSON.
  INVALID_REQUEST(400, "Invalid OAuth request",
      "Send the parameters as an application/x-www-form-urlencoded UTF-8 body, each at most once, "
          + "with every required parameter present (RFC 6749 3.2, 5.2).", false),
  INVALID_GRANT(400, "Invalid grant",
      "The authorization grant or refresh token is invalid, expired, revoked, or was issued to "
          + "another client; start the flow again.", false),
  UNAUTHORIZED_CLIENT(400, "Client not allowed to use this grant",
      "Register the grant type for this client (confidential clients only for "
          + "client_credentials), or use a grant it is registered for.", false),
  UNSUPPORTED_GRANT_TYPE(400, "Unsupported grant type",
      "Use a grant type listed in grant_types_supported of the discovery document; the password "
          + "and implicit grants are never offered.", false),
  ACCESS_DENIED(400, "Access denied",
      "The user or the server refused the authorization request (RFC 6749 4.1.2.1); ask the user "
          + "again or request fewer scopes.", false),
  LOGIN_REQUIRED(400, "Login required",
      "The request said prompt=none but the user must sign in first (OIDC Core 3.1.2.6); send "
          + "the user through the authorization endpoint without prompt=none.", false),
  CONSENT_REQUIRED(400, "Consent required",
      "The request said prompt=none but the user has not yet approved these scopes for the "
          + "application (OIDC Core 3.1.2.6); ask again without prompt=none.", false),
  UNSUPPORTED_RESPONSE_TYPE(400, "Unsupported response type",
      "Use response_type=code with PKCE (S256); the implicit flow (token, id_token token) is "
          + "never offered (RFC 9700 2.1.2).", false),
  INVALID_SCOPE(400, "Invalid scope",
      "Request only scopes registered for the client, as space-separated RFC 6749 3.3 tokens, or "
          + "omit scope to receive all of them.", false),
  INVALID_TARGET(400, "Invalid resource",
      "Name in resource (RFC 8707) only resource servers registered in the client's 'resources', "
          + "each an absolute URI without a fragment, or omit resource for a token meant for all "
          + "of them.", false),
  AUTHORIZATION_PENDING(400, "Authorization pending",
      "The user has not yet approved the device authorization request; keep polling the token "
          + "endpoint no faster than the interval (RFC 8628 3.5).", true),
  SLOW_DOWN(400, "Polling too fast",
      "Poll less often: at the token endpoint add 5 seconds to the interval for this and every "
          + "later request (RFC 8628 3.5); a QR login is polled at most once per poll_interval.",
      true),
  EXPIRED_TOKEN(400, "Device code expired",
      "The device code expired before the user approved it; start a new device authorization "
          + "request (RFC 8628 3.5).", false),
  UNSUPPORTED_TOKEN_TYPE(400, "Unsupported token type",
      "This kind of token cannot be revoked here: self-contained client_credentials access "
          + "tokens expire on their own; revoke refresh tokens and session tokens instead.",
      false),
  CLIENT_TOKEN_NOT_ACCEPTED(401, "Token not accepted by this endpoint",
      "Present the kind of token the endpoint takes: Jeton's own API (/api/v1) takes only tokens "
          + "from signing in to Jeton itself; the userinfo endpoint takes only tokens issued to an "
          + "OAuth client for a user (with the openid scope); client_credentials tokens carry no "
          + "user and are for the client's own APIs.",
      false),

  METRICS_TOKEN_INVALID(401, "Metrics token invalid",
      "Send the server's JETON_METRICS_TOKEN as 'Authorization: Bearer <token>' (in Prometheus: "
          + "the scrape job's authorization credentials).", false),

  // --- QR login (docs/qr-login.md) ------------------------------------------------------------
  QR_LOGIN_NOT_FOUND(404, "QR login not found",
      "Check the login's id. The desktop presents the poll token it got when it started the "
          + "login; the phone must have scanned the login's QR code first. Ended logins are "
          + "forgotten after a while.", false),
  QR_LOGIN_EXPIRED(400, "QR login expired",
      "The login was not completed within its lifetime (expires_at); start a new one on the "
          + "desktop and scan its new QR code.", false),
  QR_CODE_USED(409, "QR code already used",
      "This QR code was already scanned by another phone, or its login was already decided; "
          + "start a new login on the desktop and scan its new QR code.", false),
  QR_LOGIN_PENDING(400, "QR login not approved yet",
      "Keep polling the login (no faster than poll_interval) until its state is approved, then "
          + "exchange it.", true),
  QR_LOGIN_DENIED(403, "QR login denied",
      "The user denied this sign-in on their phone; start a new login if that was a mistake.",
      false),
  QR_LOGIN_CONSUMED(409, "QR login already exchanged",
      "An approved login is exchanged for a session once, and this one was; start a new login "
          + "to get another session.", false),
  QR_MATCHING_CODE_WRONG(403, "Matching code wrong",
      "The code typed on the phone is not the one the computer shows, so the login was denied: "
          + "whoever asked may not be you. If it was you, start a new login on the computer.",
      false),

  // --- push approval --------------------------------------------------------------------------
  DEVICE_NOT_FOUND(404, "Device not found",
      "Check the device id: GET /api/v1/me/devices lists your registered devices. A device FCM "
          + "reported as unregistered is removed.", false),
  DEVICE_LIMIT_REACHED(409, "Device limit reached",
      "Delete a device you no longer use (DELETE /api/v1/me/devices/{id}); each user may register "
          + "a limited number (JETON_PUSH_DEVICES_PER_USER, 10 unless configured).", false),

  // --- hosted pages ---------------------------------------------------------------------------
  FORM_REJECTED(403, "Form rejected",
      "Open the page again and send the form from it: a form expires, and is accepted only when "
          + "posted from this server's own page in the same browser.", false),
  REDIRECT_URI_INVALID(400, "Redirect URI not registered",
      "Send a redirect_uri registered for the client, byte for byte (RFC 9700 2.1), or omit it "
          + "when the client has exactly one; an application's developer registers new ones.",
      false),
  USER_CODE_INVALID(400, "Code not valid",
      "Check the code shown on your device and enter it again; a code works once and only for a "
          + "few minutes, so start again on the device if it has expired.", false),
  USER_CODE_THROTTLED(429, "Too many wrong codes",
      "Wait for the time in Retry-After, then enter the code shown on your device again.", true),

  // --- first-admin setup ---------------------------------------------------------------------
  SETUP_TOKEN_INVALID(400, "Setup link invalid",
      "The setup link is unknown, expired or already used; ask an admin of an account above "
          + "for a new one (POST /api/v1/accounts/{id}/setup-link), or run 'jeton setup-link' "
          + "on the server.", false);

  private final int status;
  private final String title;
  private final String remedy;
  private final boolean retryable;

  ErrorCode(int status, String title, String remedy, boolean retryable) {
    this.status = status;
    this.title = title;
    this.remedy = remedy;
    this.retryable = retryable;
  }

  /** The stable snake_case wire code, e.g. {@code token_expired}. */
  /** The entry whose {@link #code()} is {@code code}, if there is one. */
  public static java.util.Optional<ErrorCode> byCode(String code) {
    for (ErrorCode c : values()) {
      if (c.code().equals(code)) {
        return java.util.Optional.of(c);
      }
    }
    return java.util.Optional.empty();
  }

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  public String remedy() {
    return remedy;
  }

  public boolean retryable() {
    return retryable;
  }

  /** True for the codes that describe a bad bearer credential (RFC 6750 {@code invalid_token}). */
  public boolean isInvalidToken() {
    return switch (this) {
      case TOKEN_MALFORMED, TOKEN_WRONG_TYPE, TOKEN_SIGNATURE_INVALID, TOKEN_EXPIRED,
          TOKEN_NOT_YET_VALID, TOKEN_UNKNOWN, TOKEN_REVOKED, TOKEN_WRONG_ACCOUNT,
          TOKEN_WRONG_AUDIENCE, CLIENT_TOKEN_NOT_ACCEPTED, TOKEN_OWNER_DISABLED -> true;
      default -> false;
    };
  }
}
