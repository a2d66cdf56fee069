package dev.jeton.token;

import dev.jeton.account.AccountService;
import dev.jeton.client.Client;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The public key material and metadata of each issuer: {@code /.well-known/jwks.json} (current,
 * next and previous public keys only) and the discovery documents.
 */
public final class KeyRoutes {
  private static final String WELL_KNOWN = "/accounts/{account}/.well-known";
  /** RFC 6749 2.3.1 client authentication, as the token and introspection endpoints take it. */
  private static final List<String> CLIENT_AUTH = List.of("client_secret_basic",
      "client_secret_post");

  private final AccountService accounts;
  private final KeyRing keys;
  private final Issuers issuers;

  public KeyRoutes(AccountService accounts, KeyRing keys, Issuers issuers) {
    this.accounts = accounts;
    this.keys = keys;
    this.issuers = issuers;
  }

  public void register(Router r) {
    r.get(WELL_KNOWN + "/jwks.json", this::jwks)
        .get(WELL_KNOWN + "/openid-configuration", this::discovery)
        .get(WELL_KNOWN + "/oauth-authorization-server", this::discovery)
        // RFC 8414 3.1: the well-known suffix inserted between host and the issuer's path.
        .get("/.well-known/oauth-authorization-server/accounts/{account}", this::discovery);
  }

  private void jwks(Context ctx) {
    String id = accounts.requireActive(ctx.pathParam("account")).id();
    Responses.publicCache(ctx, 300);
    ctx.status(200);
    ctx.contentType("application/jwk-set+json");
    ctx.result(keys.keys(id).jwksJson());
  }

  private void discovery(Context ctx) {
    String id = accounts.requireActive(ctx.pathParam("account")).id();
    String issuer = issuers.issuer(id);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("issuer", issuer);
    doc.put("jwks_uri", issuer + "/.well-known/jwks.json");
    doc.put("authorization_endpoint", issuer + "/oauth2/authorize");
    doc.put("response_types_supported", List.of("code"));
    doc.put("response_modes_supported", List.of("query"));
    doc.put("code_challenge_methods_supported", List.of("S256"));
    doc.put("authorization_response_iss_parameter_supported", true);
    doc.put("subject_types_supported", List.of("public"));
    // Each client's ID tokens use the algorithm it registered, RS256 by default (OIDC
    // Registration 2); OIDC Discovery 3 requires RS256 in this list.
    doc.put("id_token_signing_alg_values_supported", Client.ID_TOKEN_ALGS);
    doc.put("token_endpoint", issuer + "/oauth2/token");
    doc.put("introspection_endpoint", issuer + "/oauth2/introspect");
    doc.put("revocation_endpoint", issuer + "/oauth2/revoke");
    doc.put("device_authorization_endpoint", issuer + "/oauth2/device_authorization");
    doc.put("grant_types_supported", List.of("authorization_code", "refresh_token",
        "client_credentials", "urn:ietf:params:oauth:grant-type:device_code"));
    // "none": public clients redeem their codes and refresh tokens unauthenticated (RFC 6749 2.1)
    doc.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic",
        "client_secret_post", "none"));
    doc.put("introspection_endpoint_auth_methods_supported", CLIENT_AUTH);
    doc.put("revocation_endpoint_auth_methods_supported", List.of("client_secret_basic",
        "client_secret_post", "none"));
    // OIDC Discovery 3: the OpenID Provider members (OIDC Core 5.3, 5.4; RP-Initiated Logout 2).
    doc.put("userinfo_endpoint", issuer + "/oauth2/userinfo");
    doc.put("end_session_endpoint", issuer + "/oauth2/logout");
    doc.put("scopes_supported", List.of("openid", "email"));
    doc.put("prompt_values_supported", List.of("none", "login", "consent", "select_account"));
    doc.put("claims_supported", List.of("iss", "sub", "aud", "exp", "iat", "auth_time", "nonce",
        "at_hash", "azp", "email", "email_verified"));
    doc.put("claim_types_supported", List.of("normal"));
    doc.put("claims_parameter_supported", false);
    doc.put("request_parameter_supported", false);
    doc.put("request_uri_parameter_supported", false);
    doc.put("jeton_api", issuer + "/api/v1");
    Responses.publicCache(ctx, 300);
    Responses.json(ctx, 200, doc);
  }
}
