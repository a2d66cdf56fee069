package dev.jeton.oidc;

import dev.jeton.account.AccountService;
import dev.jeton.client.Client;
import dev.jeton.http.Responses;
import dev.jeton.oauth.AuthorizeEndpoint;
import dev.jeton.oauth.DeviceAuthorizationEndpoint;
import dev.jeton.oauth.IntrospectionEndpoint;
import dev.jeton.oauth.RevocationEndpoint;
import dev.jeton.oauth.TokenEndpoint;
import dev.jeton.token.Issuers;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metadata of each issuer: OpenID Provider configuration (OIDC Discovery 3, 4) and
 * authorization server metadata (RFC 8414 2, 3), one document served at both well-known
 * locations. Every endpoint URL is built from the endpoint's own {@code PATH}, so the document
 * cannot name a path nobody serves.
 */
public final class DiscoveryEndpoint {
  /** OIDC Discovery 4: {@code {issuer}/.well-known/openid-configuration}. */
  public static final String OPENID_CONFIGURATION = "/.well-known/openid-configuration";
  /** RFC 8414 3: the issuer-relative form kept for clients that append it to the issuer. */
  public static final String AUTHORIZATION_SERVER = "/.well-known/oauth-authorization-server";
  /** RFC 6749 2.3.1 client authentication, as the token and introspection endpoints take it. */
  private static final List<String> CLIENT_AUTH = List.of("client_secret_basic",
      "client_secret_post");
  /** Public clients redeem codes, refresh and revoke unauthenticated (RFC 6749 2.1). */
  private static final List<String> CLIENT_AUTH_OR_NONE = List.of("client_secret_basic",
      "client_secret_post", "none");

  private final AccountService accounts;
  private final Issuers issuers;

  DiscoveryEndpoint(AccountService accounts, Issuers issuers) {
    this.accounts = accounts;
    this.issuers = issuers;
  }

  void handle(Context ctx) {
    String id = accounts.requireActive(ctx.pathParam("account")).id();
    Responses.publicCache(ctx, 300);
    Responses.json(ctx, 200, document(issuers.issuer(id)));
  }

  static Map<String, Object> document(String issuer) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("issuer", issuer);
    doc.put("jwks_uri", issuer + JwksEndpoint.PATH);
    doc.put("authorization_endpoint", issuer + AuthorizeEndpoint.PATH);
    doc.put("response_types_supported", List.of("code"));
    doc.put("response_modes_supported", List.of("query"));
    doc.put("code_challenge_methods_supported", List.of("S256"));
    doc.put("authorization_response_iss_parameter_supported", true);
    doc.put("subject_types_supported", List.of("public"));
    // Each client's ID tokens use the algorithm it registered, RS256 by default (OIDC
    // Registration 2); OIDC Discovery 3 requires RS256 in this list.
    doc.put("id_token_signing_alg_values_supported", Client.ID_TOKEN_ALGS);
    doc.put("token_endpoint", issuer + TokenEndpoint.PATH);
    doc.put("introspection_endpoint", issuer + IntrospectionEndpoint.PATH);
    doc.put("revocation_endpoint", issuer + RevocationEndpoint.PATH);
    doc.put("device_authorization_endpoint", issuer + DeviceAuthorizationEndpoint.PATH);
    doc.put("grant_types_supported", Client.GRANT_TYPES);
    doc.put("token_endpoint_auth_methods_supported", CLIENT_AUTH_OR_NONE);
    doc.put("introspection_endpoint_auth_methods_supported", CLIENT_AUTH);
    doc.put("revocation_endpoint_auth_methods_supported", CLIENT_AUTH_OR_NONE);
    // OIDC Discovery 3: the OpenID Provider members (OIDC Core 5.3, 5.4; RP-Initiated Logout 2).
    doc.put("userinfo_endpoint", issuer + UserInfoEndpoint.PATH);
    doc.put("end_session_endpoint", issuer + LogoutEndpoint.PATH);
    doc.put("scopes_supported", List.of("openid", "email"));
    doc.put("prompt_values_supported", List.of("none", "login", "consent", "select_account"));
    doc.put("claims_supported", List.of("iss", "sub", "aud", "exp", "iat", "auth_time", "nonce",
        "at_hash", "azp", "email", "email_verified"));
    doc.put("claim_types_supported", List.of("normal"));
    doc.put("claims_parameter_supported", false);
    doc.put("request_parameter_supported", false);
    doc.put("request_uri_parameter_supported", false);
    doc.put("jeton_api", issuer + "/api/v1");
    return doc;
  }
}
