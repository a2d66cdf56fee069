package dev.jeton.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jeton.client.ClientService;
import dev.jeton.oauth.OidcFlow;
import dev.jeton.testing.Api;
import dev.jeton.testing.TestServer;
import java.net.URI;
import java.security.Key;
import java.time.Duration;

/**
 * Set-up shared by the interop tests: clients registered over the admin API, users signed in
 * through the pages ({@link OidcFlow}), device approval, the refresh grace.
 */
final class Interop {
  static final String CB = OidcFlow.CB;
  static final String NATIVE_CB = "com.example.app:/cb";
  /**
   * The resource server every client here is registered for (RFC 8707): its access tokens name
   * it in {@code aud} (docs/security.md#audiences).
   */
  static final String API = "https://api.example.com";

  private Interop() {}

  /** A client as the registration API answered it: id and the secret shown once (or null). */
  record Registered(String id, String secret) {}

  /**
   * Registers a confidential client (redirect URI {@link #CB}) through
   * {@code POST {issuer}/api/v1/clients} with the bootstrap admin's token, as an operator would.
   */
  static Registered confidential(TestServer server, String grantTypesJson, String scopesJson) {
    Registered r = register(server, "confidential", CB, grantTypesJson, scopesJson);
    assertThat(r.secret()).startsWith("jeton_cs_");
    return r;
  }

  /** Registers a public client (a native app, redirect URI {@link #NATIVE_CB}): no secret. */
  static Registered publicClient(TestServer server, String grantTypesJson, String scopesJson) {
    Registered r = register(server, "public", NATIVE_CB, grantTypesJson, scopesJson);
    assertThat(r.secret()).isNull();
    return r;
  }

  /**
   * Registers the resource server {@link #API} as a confidential client with that
   * {@code resource_uri}: it may introspect the access tokens meant for it.
   */
  static Registered resourceServer(TestServer server) {
    Api.Response r = server.api().postJson(TestServer.v1("main") + "/clients",
        "{\"name\":\"Interop API\",\"type\":\"confidential\",\"grant_types\":"
            + "[\"client_credentials\"],\"resource_uri\":" + Api.q(API) + "}",
        server.adminToken());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return new Registered(r.text("client_id"), r.text("client_secret"));
  }

  private static Registered register(TestServer server, String type, String redirectUri,
      String grantTypesJson, String scopesJson) {
    Api.Response r = server.api().postJson(TestServer.v1("main") + "/clients",
        "{\"name\":\"Interop " + type + "\",\"type\":\"" + type + "\","
            + "\"redirect_uris\":[" + Api.q(redirectUri) + "],\"resources\":[" + Api.q(API)
            + "],\"grant_types\":" + grantTypesJson + ",\"scopes\":" + scopesJson + "}",
        server.adminToken());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    JsonNode j = r.json();
    assertThat(j.path("client_id").asText()).startsWith("cli_");
    return new Registered(j.path("client_id").asText(),
        j.hasNonNull("client_secret") ? j.path("client_secret").asText() : null);
  }

  /**
   * Registers {@code email} in main and signs a browser in through the sign-in page; its
   * {@link OidcFlow#approve} then answers any authorization request URI a library builds.
   */
  static OidcFlow signedIn(TestServer server, Registered app, String email) {
    return new OidcFlow(server, new ClientService.Registered(
        server.app().clients().get("main", app.id()), app.secret()), email);
  }

  /**
   * Enters {@code userCode} on the device verification page in {@code user}'s signed-in browser
   * and allows it.
   */
  static void approveDevice(OidcFlow user, String userCode) {
    Api.Response result = user.decideDevice(userCode, "allow");
    assertThat(result.body()).as(result.toString()).contains("Device connected");
  }

  /** Main's grace for a lost refresh response: past it, a rotated-out token is reuse. */
  static Duration refreshGrace(TestServer server) {
    return server.app().accounts().lifetimes(server.app().accounts().requireActive("main"))
        .refreshGrace();
  }

  /**
   * Verifies a JWS against the key of the issuer's JWKS that its {@code kid} names, with that
   * key's own {@code alg}: the algorithm is read from the JWKS, never assumed. Answers it.
   */
  static JWSAlgorithm verifyWithJwks(String issuer, SignedJWT jwt) throws Exception {
    JWKSet jwks = JWKSet.load(URI.create(issuer + "/.well-known/jwks.json").toURL());
    JWK key = jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
    assertThat(key).as("kid %s in the JWKS", jwt.getHeader().getKeyID()).isNotNull();
    assertThat(key.getAlgorithm()).as("alg of the JWK").isNotNull();
    JWSAlgorithm alg = JWSAlgorithm.parse(key.getAlgorithm().getName());
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(alg);
    Key publicKey = switch (key.getKeyType().getValue()) {
      case "EC" -> key.toECKey().toPublicKey();
      case "RSA" -> key.toRSAKey().toPublicKey();
      default -> throw new IllegalStateException("unexpected key type " + key.getKeyType());
    };
    JWSVerifier verifier = new DefaultJWSVerifierFactory().createJWSVerifier(jwt.getHeader(),
        publicKey);
    assertThat(jwt.verify(verifier)).as("signature").isTrue();
    return alg;
  }
}
