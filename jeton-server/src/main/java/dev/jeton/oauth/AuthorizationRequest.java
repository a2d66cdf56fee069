package dev.jeton.oauth;

import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Text;
import dev.jeton.token.Scope;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A validated authorization request (RFC 6749 4.1.1 with RFC 7636 4.3 PKCE): the client and its
 * redirect URI first, then everything else. Every refusal here is shown to the user on a page and
 * never redirected, also once the redirect URI is known to be registered: a registered URI only
 * says what the client's owner chose, and an erroneous request that bounced the browser there at
 * once would make the issuer an open redirector for whoever can register a client (RFC 9700
 * 4.11.2, docs/security.md#untrusted-client-no-redirect). Only a request that passes all of it
 * may be answered at its redirect URI, and only as {@link AuthorizeEndpoint} allows.
 * Only {@code response_type=code} is offered (docs/security.md#code-flow-only); PKCE with
 * {@code S256} is required of every client, and {@code plain} is refused (RFC 9700 2.1.1,
 * docs/security.md#pkce-s256-required).
 *
 * <p>OpenID Connect's {@code prompt} and {@code max_age} (OIDC Core 3.1.2.1) are read here and
 * applied by {@link AuthorizeEndpoint}; unknown {@code prompt} values are ignored, and
 * {@code none} combined with any other value is {@code invalid_request}.
 *
 * @param redirectUriSent the {@code redirect_uri} parameter as sent, or null when omitted
 * @param redirectUri where to answer: the sent one, or the client's only registered URI
 * @param prompt the {@code prompt} values Jeton acts on ({@code none}, {@code login},
 *     {@code consent}, {@code select_account})
 * @param maxAge the {@code max_age} in seconds, or null
 * @param loginHint the {@code login_hint}, or null
 */
record AuthorizationRequest(Client client, String redirectUriSent, String redirectUri,
    String state, Scope scopes, String codeChallenge, String nonce, Set<String> prompt,
    Long maxAge, String loginHint) {

  /**
   * The parameters the consent form carries again. {@code prompt}, {@code max_age} and
   * {@code login_hint} are not among them: they were applied before the page was shown.
   */
  static final List<String> PARAMS = List.of("response_type", "client_id", "redirect_uri",
      "scope", "state", "code_challenge", "code_challenge_method", "nonce");
  private static final Pattern CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");
  /** The {@code prompt} values Jeton acts on (OIDC Core 3.1.2.1). */
  static final Set<String> PROMPTS = Set.of("none", "login", "consent", "select_account");
  /** The longest {@code max_age} taken: ten years, in seconds. */
  private static final long MAX_AGE_LIMIT = 10L * 366 * 24 * 3600;

  boolean prompts(String value) {
    return prompt.contains(value);
  }

  /**
   * Validates a request; its refusals are for an error page, never for the redirect URI.
   *
   * @param param the value of a parameter, or null when absent or empty
   * @param repeated the name of a parameter sent more than once, or null
   * @param resources the resource indicators sent (RFC 8707 2), which must be registered for the
   *     client; the token request chooses the token's audience among them ({@link Audiences})
   */
  static AuthorizationRequest parse(ClientService clients, String accountId,
      Function<String, String> param, String repeated, List<String> resources) {
    if ("client_id".equals(repeated) || "redirect_uri".equals(repeated)) {
      throw new ApiException(ErrorCode.INVALID_REQUEST,
          "The parameter '" + repeated + "' is repeated (RFC 6749 3.1).");
    }
    String clientId = param.apply("client_id");
    if (clientId == null) {
      throw new ApiException(ErrorCode.INVALID_REQUEST,
          "The request has no client_id (RFC 6749 4.1.1).");
    }
    Client client = clients.find(accountId, clientId).orElseThrow(() ->
        new ApiException(ErrorCode.CLIENT_NOT_FOUND,
            "The application (client_id) is not registered with this issuer."));
    String sent = param.apply("redirect_uri");
    List<String> registered = client.spec().redirectUris();
    String redirect;
    if (sent == null) {
      if (registered.size() != 1) {
        throw new ApiException(ErrorCode.REDIRECT_URI_INVALID,
            "The request has no redirect_uri, and the application has "
                + (registered.isEmpty() ? "none" : "several") + " registered.");
      }
      redirect = registered.get(0);
    } else if (registered.contains(sent)) { // exact string comparison (RFC 9700 2.1)
      redirect = sent;
    } else {
      throw new ApiException(ErrorCode.REDIRECT_URI_INVALID,
          "The redirect_uri is not registered for this application; it must match a "
              + "registered URI exactly.");
    }
    String state = param.apply("state");
    if (repeated != null) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "The parameter '" + Text.clip(repeated)
          + "' is repeated.");
    }
    String responseType = param.apply("response_type");
    if (responseType == null) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "response_type is required.");
    }
    if (!responseType.equals("code")) {
      throw new ApiException(ErrorCode.UNSUPPORTED_RESPONSE_TYPE, "Only response_type=code is "
          + "offered.");
    }
    if (!client.allowsGrant(Client.AUTHORIZATION_CODE)) {
      throw new ApiException(ErrorCode.UNAUTHORIZED_CLIENT, "The application is not registered "
          + "for the authorization_code grant.");
    }
    String challenge = param.apply("code_challenge");
    String method = param.apply("code_challenge_method");
    if (challenge == null) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "PKCE is required: send code_challenge "
          + "and code_challenge_method=S256 (RFC 7636).");
    }
    if (!"S256".equals(method)) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "code_challenge_method must be S256; "
          + "plain is not accepted (RFC 7636 4.2).");
    }
    if (!CHALLENGE.matcher(challenge).matches()) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "code_challenge must be the 43-character "
          + "base64url SHA-256 of the verifier (RFC 7636 4.2).");
    }
    Scope scopes = RequestedScope.allowed(client, RequestedScope.parse(param.apply("scope")));
    Audiences.check(client, resources);
    String nonce = param.apply("nonce");
    if (nonce != null && nonce.length() > 500) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "nonce is too long.");
    }
    Set<String> prompt = new LinkedHashSet<>();
    String promptParam = param.apply("prompt");
    if (promptParam != null) {
      for (String v : promptParam.split(" ")) {
        if (PROMPTS.contains(v)) {
          prompt.add(v);
        }
      }
      if (prompt.contains("none") && promptParam.trim().split(" +").length > 1) {
        throw new ApiException(ErrorCode.INVALID_REQUEST, "prompt=none cannot be combined with "
            + "other prompt values (OIDC Core 3.1.2.1).");
      }
    }
    Long maxAge = null;
    String maxAgeParam = param.apply("max_age");
    if (maxAgeParam != null) {
      if (!maxAgeParam.matches("[0-9]{1,12}")
          || Long.parseLong(maxAgeParam) > MAX_AGE_LIMIT) {
        throw new ApiException(ErrorCode.INVALID_REQUEST, "max_age must be a number of seconds "
            + "(OIDC Core 3.1.2.1).");
      }
      maxAge = Long.parseLong(maxAgeParam);
    }
    String loginHint = param.apply("login_hint");
    if (loginHint != null && loginHint.length() > 320) {
      loginHint = null; // a hint only: one no email can be is dropped, not refused
    }
    return new AuthorizationRequest(client, sent, redirect, state, scopes, challenge, nonce,
        Set.copyOf(prompt), maxAge, loginHint);
  }

  /** The request's parameters, for the consent form's hidden fields (only those sent). */
  static Map<String, String> echo(Function<String, String> param) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String p : PARAMS) {
      String v = param.apply(p);
      if (v != null) {
        m.put(p, v);
      }
    }
    return m;
  }
}
