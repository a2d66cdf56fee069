package dev.jeton.token;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks on bearer authentication (the access token rules of docs/security.md) against
 * {@code GET {issuer}/api/v1/me} of a real server, on both engines: every refusal must carry the
 * exact catalog code, the RFC 6750 challenge, and no internals. Forged tokens keep everything of a
 * genuine token except the one property under test, and a control test proves a faithful re-signing
 * is accepted, so each refusal is due to that property alone.
 */
@OnBothEngines
class BearerSecurityTest {
  private static final String ME = v1("main") + "/me";
  private static final String PASSWORD = "bearer pass phrase 42 zulu";
  /** Stack frames, exception class names, and package names that betray internals. */
  private static final Pattern LEAK = Pattern.compile(
      "(?i)(exception|\\bat [a-z0-9_$.]+\\(|\\.java:\\d+|java\\.[a-z]+\\.|javax\\.|jakarta\\.|"
          + "com\\.nimbusds|dev\\.jeton|org\\.jdbi|org\\.eclipse|io\\.javalin|sqlite|postgres"
          + "|caused by|stacktrace|\\bsql\\b)");

  TestServer server;
  Api api;
  TokenForge forge;
  /** A normal user of main: access token, refresh token, id. */
  String userAt;
  String userRt;
  String userId;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    api = server.api();
    forge = TokenForge.of(server.app());
    Api.Response r = server.register("main", "user@example.com", PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    userAt = r.text("access_token");
    userRt = r.text("refresh_token");
    userId = r.json().path("user").path("id").asText();
  }

  // --- helpers ---------------------------------------------------------------------------------

  private String issuer(String account) {
    return api.base() + "/accounts/" + account;
  }

  private Api.Response me(String token) {
    return api.get(ME, token);
  }

  private long now() {
    return server.clock().millis() / 1000;
  }

  private static Date at(long epochSeconds) {
    return new Date(epochSeconds * 1000);
  }

  private static void assertNoLeak(Api.Response r) {
    assertThat(r.body()).as("body of %s", r).doesNotContainPattern(LEAK);
    r.headers().forEach((name, values) -> values.forEach(v ->
        assertThat(v).as("header %s", name).doesNotContainPattern(LEAK)));
  }

  /** 401, the exact code, a problem document and {@code error="invalid_token"} for main. */
  private void assertInvalidToken(Api.Response r, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(401);
    assertThat(r.code()).as(r.toString()).isEqualTo(code);
    assertThat(r.header("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("application/problem+json"));
    assertThat(r.header("WWW-Authenticate")).as(r.toString()).hasValueSatisfying(h -> {
      assertThat(h).startsWith("Bearer realm=\"" + issuer("main") + "\"");
      assertThat(h).contains("error=\"invalid_token\"").doesNotContain("insufficient_scope");
    });
    assertNoLeak(r);
  }

  private void assertAccepted(Api.Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.text("id")).isEqualTo(userId);
    assertNoLeak(r);
  }

  /** Creates a sub-account of main and its first admin; answers that admin's token response. */
  private Api.Response createSubAccount(String id) {
    Api.Response created = api.postJson(v1("main") + "/accounts",
        "{\"id\":" + Api.q(id) + ",\"name\":\"Acme\"}", server.adminToken());
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String query = URI.create(created.text("setup_url")).getRawQuery();
    assertThat(query).startsWith("token=");
    String setupToken = URLDecoder.decode(query.substring("token=".length()),
        StandardCharsets.UTF_8);
    Api.Response setup = api.postJson(v1(id) + "/setup", "{\"setup_token\":" + Api.q(setupToken)
        + ",\"email\":\"boss@acme.example\",\"password\":\"seven quiet violet lanterns 77\"}");
    assertThat(setup.status()).as(setup.toString()).isEqualTo(201);
    return setup;
  }

  // --- control ---------------------------------------------------------------------------------

  @Test
  void meWhenGenuineOrFaithfullyReSignedTokenThenAccepted() {
    // docs/security.md#jwt-signature-first control for every forged-token test below: the forge
    // reproduces an acceptable token, so each refusal elsewhere is due to the one property changed.
    assertAccepted(me(userAt));
    assertThat(TokenForge.header(userAt).getType().toString()).isEqualTo("at+jwt");
    String resigned = forge.resign("main", userAt, c -> c);
    assertThat(resigned).isNotEqualTo(userAt);
    assertAccepted(me(resigned));
    // RFC 9068 2.1: the media type may be written in full and compared case-insensitively.
    assertAccepted(me(forge.resign("main", userAt,
        h -> h.type(TokenForge.type("application/at+jwt")), c -> c)));
    assertAccepted(me(forge.resign("main", userAt, h -> h.type(TokenForge.type("AT+JWT")),
        c -> c)));
  }

  @Test
  void accessTokenWhenIssuedThenRfc9068HeaderAndClaims() {
    // docs/security.md#at-jwt-format, docs/security.md#at-lifetime: typ at+jwt, asymmetric alg,
    // kid; iss exp aud sub client_id iat jti; lifetime at most one hour.
    JWSHeader h = TokenForge.header(userAt);
    assertThat(h.getType().toString()).isEqualTo("at+jwt");
    assertThat(h.getAlgorithm()).isIn(JWSAlgorithm.ES256, JWSAlgorithm.ES384,
        JWSAlgorithm.RS256, JWSAlgorithm.PS256);
    assertThat(h.getKeyID()).isEqualTo(forge.currentKid("main"));
    assertThat(h.getJWK()).isNull();
    assertThat(h.getJWKURL()).isNull();
    JWTClaimsSet c = TokenForge.claims(userAt);
    assertThat(c.getIssuer()).isEqualTo(issuer("main"));
    assertThat(c.getAudience()).containsExactly(issuer("main") + "/api");
    assertThat(c.getSubject()).isEqualTo(userId);
    assertThat(c.getClaim("client_id")).isEqualTo("jeton");
    assertThat(c.getJWTID()).isNotBlank();
    assertThat(c.getIssueTime()).isNotNull();
    long lifetime = (c.getExpirationTime().getTime() - c.getIssueTime().getTime()) / 1000;
    assertThat(lifetime).isPositive().isLessThanOrEqualTo(3600);
  }

  // --- presentation (RFC 6750) -----------------------------------------------------------------

  @Test
  void meWhenNoAuthorizationHeaderThen401ChallengeWithoutErrorAttribute() {
    // docs/security.md#bearer-errors: no credentials => challenge without an error code
    // (RFC 6750 3.1).
    Api.Response r = api.get(ME, null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("token_missing");
    assertThat(r.header("WWW-Authenticate")).contains("Bearer realm=\"" + issuer("main") + "\"");
    assertNoLeak(r);
  }

  @Test
  void meWhenNonBearerSchemeOrEmptyCredentialThenTokenMissingWithoutErrorAttribute() {
    // docs/security.md#bearer-errors: an unsupported scheme counts as no credentials
    // (RFC 6750 3.1).
    for (String value : List.of("Basic dXNlcjpwYXNz", "Token " + userAt, "Bearer", "Bearer   ",
        "Digest username=\"x\"", userAt, "Bearer" + userAt)) {
      Api.Response r = api.send("GET", ME, null, Map.of("Authorization", value));
      assertThat(r.status()).as(value).isEqualTo(401);
      assertThat(r.code()).as(value).isEqualTo("token_missing");
      assertThat(r.header("WWW-Authenticate")).as(value)
          .contains("Bearer realm=\"" + issuer("main") + "\"");
      assertNoLeak(r);
    }
  }

  @Test
  void meWhenSchemeInOtherCaseThenAccepted() {
    // docs/security.md#bearer-errors: the auth scheme is case-insensitive (RFC 9110 11.1).
    assertAccepted(api.send("GET", ME, null, Map.of("Authorization", "bearer " + userAt)));
    assertAccepted(api.send("GET", ME, null, Map.of("Authorization", "BEARER " + userAt)));
  }

  @Test
  void meWhenTokenInQueryThenTokenInUrl400EvenWithValidHeader() {
    // docs/security.md#no-tokens-in-urls: ?access_token= is refused (RFC 6750 5.3), never used.
    String q = "?access_token=" + URLEncoder.encode(userAt, StandardCharsets.UTF_8);
    for (Api.Response r : List.of(api.get(ME + q, null), api.get(ME + q, userAt),
        api.get(ME + "?access_token=", null), api.get(ME + "?x=1&access_token=abc", userAt))) {
      assertThat(r.status()).as(r.toString()).isEqualTo(400);
      assertThat(r.code()).isEqualTo("token_in_url");
      assertThat(r.header("WWW-Authenticate")).hasValueSatisfying(h ->
          assertThat(h).startsWith("Bearer realm=").contains("error=\"invalid_request\""));
      assertThat(r.body()).doesNotContain(userAt);
      assertNoLeak(r);
    }
  }

  @Test
  void meWhenTokenInFormBodyOverriddenToGetThenTokenInUrl() {
    // docs/security.md#no-tokens-in-urls: the _method=GET form override turns body fields into the
    // query; a token smuggled that way is refused like one in the URL.
    Api.Response r = api.send("POST", ME, "_method=GET&access_token="
            + URLEncoder.encode(userAt, StandardCharsets.UTF_8),
        Map.of("Content-Type", "application/x-www-form-urlencoded"));
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.code()).isEqualTo("token_in_url");
    assertNoLeak(r);
  }

  @Test
  void accountsWhenNormalUserThen403InsufficientScopeNamingAdmin() {
    // docs/security.md#bearer-errors: a valid token without the needed scope => 403
    // insufficient_scope + scope.
    Api.Response r = api.get(v1("main") + "/accounts", userAt);
    assertThat(r.status()).as(r.toString()).isEqualTo(403);
    assertThat(r.code()).isEqualTo("insufficient_scope");
    assertThat(r.header("WWW-Authenticate")).hasValueSatisfying(h -> {
      assertThat(h).startsWith("Bearer realm=\"" + issuer("main") + "\"");
      assertThat(h).contains("error=\"insufficient_scope\"").contains("scope=\"admin\"")
          .doesNotContain("invalid_token");
    });
    assertNoLeak(r);
    // control: the admin passes
    assertThat(api.get(v1("main") + "/accounts", server.adminToken()).status()).isEqualTo(200);
  }

  @Test
  void accountsWhenUserTokenReSignedWithAttackerKeyClaimingAdminThenSignatureInvalid() {
    // docs/security.md#jwt-signature-first: scope escalation needs the server's key.
    ECKey attacker = TokenForge.attackerEcKey(forge.currentKid("main"));
    String forged = TokenForge.signWith(attacker, forge.defaultHeader("main").build(),
        new JWTClaimsSet.Builder(TokenForge.claims(userAt)).claim("scope", "user admin").build());
    Api.Response r = api.get(v1("main") + "/accounts", forged);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("token_signature_invalid");
    assertNoLeak(r);
  }

  // --- tampering (rule 38) ---------------------------------------------------------------------

  @Test
  void meWhenPayloadTamperedThenSignatureInvalid() {
    // docs/security.md#jwt-signature-first: flip sub to another user's id, keep header and
    // signature.
    String adminId = api.get(ME, server.adminToken()).text("id");
    assertThat(adminId).isNotEqualTo(userId);
    JWTClaimsSet c = TokenForge.claims(userAt);
    assertInvalidToken(me(TokenForge.swapPayload(userAt,
        new JWTClaimsSet.Builder(c).subject(adminId).build())), "token_signature_invalid");
    assertInvalidToken(me(TokenForge.swapPayload(userAt,
        new JWTClaimsSet.Builder(c).claim("scope", "user admin").build())),
        "token_signature_invalid");
    assertInvalidToken(me(TokenForge.swapPayload(userAt,
        new JWTClaimsSet.Builder(c).expirationTime(at(now() + 86_400)).build())),
        "token_signature_invalid");
    // the untouched token still works: nothing above revoked it
    assertAccepted(me(userAt));
  }

  @Test
  void meWhenSignatureTamperedThenSignatureInvalid() {
    // docs/security.md#jwt-signature-first: one character flipped in the middle of the signature,
    // or the signature of another genuine token, or none at all.
    String[] parts = userAt.split("\\.");
    String sig = parts[2];
    int mid = sig.length() / 2;
    char flipped = sig.charAt(mid) == 'A' ? 'B' : 'A';
    String tampered = parts[0] + "." + parts[1] + "." + sig.substring(0, mid) + flipped
        + sig.substring(mid + 1);
    assertInvalidToken(me(tampered), "token_signature_invalid");
    String other = server.login("main", "user@example.com", PASSWORD).text("access_token");
    assertInvalidToken(me(parts[0] + "." + parts[1] + "." + other.split("\\.")[2]),
        "token_signature_invalid");
    // no signature at all: not a well-formed JWS
    assertInvalidToken(me(parts[0] + "." + parts[1] + "."), "token_malformed");
    // a DER-style signature of the wrong length
    assertInvalidToken(me(parts[0] + "." + parts[1] + "." + sig.substring(0, 40)),
        "token_signature_invalid");
  }

  // --- algorithms (rules 34, 35, 36) -----------------------------------------------------------

  @Test
  void meWhenAlgNoneInAnySpellingThenRefused() {
    // docs/security.md#jwt-alg-none: unsecured JWTs are never accepted, whatever the case of
    // "none".
    JWTClaimsSet c = TokenForge.claims(userAt);
    String kid = forge.currentKid("main");
    String originalSig = userAt.split("\\.")[2];
    for (String alg : List.of("none", "None", "NONE", "nOnE")) {
      for (String sig : List.of("", originalSig)) {
        Api.Response r = me(TokenForge.unsecured(alg, kid, c, sig));
        assertThat(r.status()).as(alg + " sig=" + !sig.isEmpty() + " " + r).isEqualTo(401);
        assertThat(r.code()).as(alg + " " + r).isIn("token_signature_invalid", "token_malformed");
        assertInvalidToken(r, r.code());
      }
      // without kid too
      assertThat(me(TokenForge.unsecured(alg, null, c, "")).status()).isEqualTo(401);
    }
    // the canonical attack (alg "none", empty signature) is named as a signature problem
    assertInvalidToken(me(TokenForge.unsecured("none", kid, c, "")), "token_signature_invalid");
  }

  @Test
  void meWhenHs256WithPublicKeyAsSecretThenSignatureInvalid() {
    // docs/security.md#jwt-key-confusion: RS/ES-to-HS key confusion with every plausible encoding
    // of the public key.
    JWTClaimsSet c = TokenForge.claims(userAt);
    String kid = forge.currentKid("main");
    String jwks = api.get("/accounts/main/.well-known/jwks.json", null).body();
    List<byte[]> secrets = List.of(forge.publicJwkJsonBytes("main"), forge.publicKeyDer("main"),
        forge.publicKeyPem("main"), jwks.getBytes(StandardCharsets.UTF_8));
    for (byte[] secret : secrets) {
      for (String alg : List.of("HS256", "HS384", "HS512", "hs256")) {
        assertInvalidToken(me(TokenForge.hmac(alg, secret, kid, c)), "token_signature_invalid");
      }
    }
  }

  @Test
  void meWhenAlgDoesNotMatchTheKeyThenSignatureInvalid() {
    // docs/security.md#jwt-alg-allowlist: each key verifies with its one algorithm only; attacker
    // keys under the real kid, with each accepted algorithm, never verify.
    JWTClaimsSet c = TokenForge.claims(userAt);
    String kid = forge.currentKid("main");
    ECKey ec = TokenForge.attackerEcKey(kid);
    RSAKey rsa = TokenForge.attackerRsaKey(kid);
    assertInvalidToken(me(TokenForge.signWith(ec, new JWSHeader.Builder(JWSAlgorithm.ES256)
        .type(AccessTokens.AT_JWT).keyID(kid).build(), c)), "token_signature_invalid");
    for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.RS512)) {
      assertInvalidToken(me(TokenForge.signWith(rsa, new JWSHeader.Builder(alg)
          .type(AccessTokens.AT_JWT).keyID(kid).build(), c)), "token_signature_invalid");
    }
    // The real signature, relabelled with another alg of the same family.
    String header = TokenForge.headerJson(userAt).replace("\"ES256\"", "\"ES384\"");
    String[] parts = userAt.split("\\.");
    assertInvalidToken(me(TokenForge.b64(header) + "." + parts[1] + "." + parts[2]),
        "token_signature_invalid");
    // Algorithms outside the allowlist.
    for (String alg : List.of("ES256K", "EdDSA", "RS1", "ES512", "PS512")) {
      String h = TokenForge.headerJson(userAt).replace("\"ES256\"", "\"" + alg + "\"");
      assertInvalidToken(me(TokenForge.b64(h) + "." + parts[1] + "." + parts[2]),
          "token_signature_invalid");
    }
  }

  // --- untrusted key headers (rule 37) ---------------------------------------------------------

  @Test
  void meWhenAttackerSignsAndEmbedsJwkHeaderThenSignatureInvalid() {
    // docs/security.md#jwt-key-headers: a key carried by the token itself is never trusted.
    JWTClaimsSet c = TokenForge.claims(userAt);
    ECKey attacker = TokenForge.attackerEcKey("attacker-1");
    assertInvalidToken(me(TokenForge.signWith(attacker, new JWSHeader.Builder(JWSAlgorithm.ES256)
        .type(AccessTokens.AT_JWT).keyID("attacker-1").jwk(attacker.toPublicJWK()).build(), c)),
        "token_signature_invalid");
    // ... also when it borrows the real kid
    ECKey borrowing = TokenForge.attackerEcKey(forge.currentKid("main"));
    assertInvalidToken(me(TokenForge.signWith(borrowing, forge.defaultHeader("main")
        .jwk(borrowing.toPublicJWK()).build(), c)), "token_signature_invalid");
    RSAKey rsa = TokenForge.attackerRsaKey("attacker-rsa");
    assertInvalidToken(me(TokenForge.signWith(rsa, new JWSHeader.Builder(JWSAlgorithm.RS256)
        .type(AccessTokens.AT_JWT).keyID("attacker-rsa").jwk(rsa.toPublicJWK()).build(), c)),
        "token_signature_invalid");
  }

  @Test
  void meWhenRealKeySignsButTokenCarriesKeyHeadersThenStillRefused() {
    // docs/security.md#jwt-key-headers: jwk/jku/x5u/x5c are refused outright, even on an otherwise
    // valid token.
    JWTClaimsSet c = TokenForge.claims(userAt);
    ECKey attacker = TokenForge.attackerEcKey("attacker-2");
    URI evil = URI.create("https://attacker.example/jwks.json");
    assertInvalidToken(me(forge.sign("main", h -> h.jwk(attacker.toPublicJWK()), c)),
        "token_signature_invalid");
    assertInvalidToken(me(forge.sign("main", h -> h.jwkURL(evil), c)),
        "token_signature_invalid");
    assertInvalidToken(me(forge.sign("main", h -> h.x509CertURL(evil), c)),
        "token_signature_invalid");
    String x5c = TokenForge.headerJson(userAt).replace("}",
        ",\"x5c\":[\"" + java.util.Base64.getEncoder().encodeToString(new byte[64]) + "\"]}");
    assertInvalidToken(me(forge.signRaw("main", x5c, TokenForge.payloadJson(userAt))),
        "token_signature_invalid");
  }

  @Test
  void meWhenAttackerSignsWithJkuOrX5uHeaderThenSignatureInvalid() {
    // docs/security.md#jwt-key-headers: key URLs are never fetched nor used.
    JWTClaimsSet c = TokenForge.claims(userAt);
    ECKey attacker = TokenForge.attackerEcKey("attacker-3");
    for (URI url : List.of(URI.create("https://attacker.example/jwks.json"),
        URI.create(issuer("main") + "/.well-known/jwks.json"),
        URI.create("http://127.0.0.1:1/keys"))) {
      assertInvalidToken(me(TokenForge.signWith(attacker, new JWSHeader.Builder(
          JWSAlgorithm.ES256).type(AccessTokens.AT_JWT).keyID("attacker-3").jwkURL(url).build(),
          c)), "token_signature_invalid");
      assertInvalidToken(me(TokenForge.signWith(attacker, new JWSHeader.Builder(
          JWSAlgorithm.ES256).type(AccessTokens.AT_JWT).keyID(forge.currentKid("main"))
          .x509CertURL(url).build(), c)), "token_signature_invalid");
    }
  }

  @Test
  void meWhenKidIsPathTraversalOrInjectionThenSignatureInvalid() {
    // docs/security.md#jwt-key-headers: kid is only ever an exact lookup among the account's own
    // keys.
    JWTClaimsSet c = TokenForge.claims(userAt);
    String kid = forge.currentKid("main");
    List<String> kids = new ArrayList<>(List.of("../../../../../../dev/null",
        "../../../../etc/passwd", "/dev/null", "..\\..\\windows\\win.ini", "../main/" + kid,
        kid + "/../" + kid, "./" + kid, kid + "/.", "%2e%2e%2f%2e%2e%2fdev%2fnull",
        "' OR '1'='1", kid + "' OR '1'='1", "\" OR 1=1 --", "*", "%", kid + "%", "_".repeat(22),
        kid.toLowerCase(java.util.Locale.ROOT).equals(kid) ? kid.toUpperCase(java.util.Locale.ROOT)
            : kid.toLowerCase(java.util.Locale.ROOT),
        kid + " ", " " + kid, "file:///dev/null", "http://attacker.example/key", ""));
    ECKey attacker = TokenForge.attackerEcKey("x");
    for (String k : kids) {
      // HS256 with an empty/zero key (what /dev/null would yield), attacker ES256, and the
      // server's own key: none may verify under a kid that is not exactly the key's.
      assertInvalidToken(me(TokenForge.hmac("HS256", new byte[0], k, c)),
          "token_signature_invalid");
      assertInvalidToken(me(TokenForge.signWith(attacker, new JWSHeader.Builder(JWSAlgorithm.ES256)
          .type(AccessTokens.AT_JWT).keyID(k).build(), c)), "token_signature_invalid");
      assertInvalidToken(me(forge.sign("main", h -> h.keyID(k), c)), "token_signature_invalid");
    }
    // kid with a wrong JSON type, or missing altogether
    String payload = TokenForge.payloadJson(userAt);
    Api.Response numeric = me(forge.signRaw("main",
        "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":12345}", payload));
    assertThat(numeric.status()).isEqualTo(401);
    assertInvalidToken(numeric, numeric.code());
    assertInvalidToken(me(forge.signRaw("main", "{\"alg\":\"ES256\",\"typ\":\"at+jwt\"}",
        payload)), "token_signature_invalid");
  }

  @Test
  void meWhenCritHeaderNamesExtensionNotUnderstoodThenRefused() {
    // docs/security.md#jwt-alg-allowlist (RFC 7515 4.1.11): a critical header the verifier does not
    // understand, including the unencoded-payload option b64=false (RFC 7797), makes the token
    // unacceptable even with a genuine signature.
    JWTClaimsSet c = TokenForge.claims(userAt);
    assertInvalidToken(me(forge.sign("main",
        h -> h.criticalParams(java.util.Set.of("jeton-ext")).customParam("jeton-ext", "x"), c)),
        "token_signature_invalid");
    Api.Response b64 = me(forge.sign("main", h -> h.base64URLEncodePayload(false), c));
    assertThat(b64.status()).isEqualTo(401);
    assertThat(b64.code()).isIn("token_signature_invalid", "token_malformed");
    assertInvalidToken(b64, b64.code());
  }

  @Test
  void meWhenKidUnknownThenSignatureInvalid() {
    // docs/security.md#jwt-key-headers: an unknown kid is a refusal, not a fallback to "any key".
    JWTClaimsSet c = TokenForge.claims(userAt);
    String unknown = new OpaqueTokens(new java.security.SecureRandom()).id("");
    assertInvalidToken(me(forge.sign("main", h -> h.keyID(unknown), c)),
        "token_signature_invalid");
    ECKey attacker = TokenForge.attackerEcKey(unknown);
    assertInvalidToken(me(TokenForge.signWith(attacker, new JWSHeader.Builder(JWSAlgorithm.ES256)
        .type(AccessTokens.AT_JWT).keyID(unknown).build(), c)), "token_signature_invalid");
    // Asking again (a reload of the key ring may happen in between) still refuses.
    server.clock().advance(Duration.ofSeconds(5));
    assertInvalidToken(me(forge.sign("main", h -> h.keyID(unknown), c)),
        "token_signature_invalid");
  }

  // --- accounts, issuer, audience (rule 40) ----------------------------------------------------

  @Test
  void meWhenTokenOfSubAccountPresentedToMainAndViceVersaThenWrongAccount() {
    // docs/security.md#jwt-iss-aud: tokens are bound to the issuing account.
    String subAt = createSubAccount("acme").text("access_token");
    assertThat(api.get(v1("acme") + "/me", subAt).status()).isEqualTo(200);
    assertInvalidToken(me(subAt), "token_wrong_account");
    Api.Response r = api.get(v1("acme") + "/me", userAt);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("token_wrong_account");
    assertThat(r.header("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h)
        .startsWith("Bearer realm=\"" + issuer("acme") + "\"")
        .contains("error=\"invalid_token\""));
    assertNoLeak(r);
    // the parent's admin has no power through the child's API either
    assertThat(api.get(v1("acme") + "/accounts", server.adminToken()).code())
        .isEqualTo("token_wrong_account");
  }

  @Test
  void meWhenSubAccountKeySignsTokenClaimingMainIssuerThenSignatureInvalid() {
    // docs/security.md#jwt-key-headers: keys are looked up only among the issuer's own keys; a
    // sub-account's key cannot mint tokens for main.
    createSubAccount("acme");
    JWTClaimsSet c = TokenForge.claims(userAt);
    String acmeKid = forge.currentKid("acme");
    assertThat(acmeKid).isNotEqualTo(forge.currentKid("main"));
    assertInvalidToken(me(forge.sign("acme", h -> h, c)), "token_signature_invalid");
    assertInvalidToken(me(forge.sign("acme", h -> h.keyID(forge.currentKid("main")), c)),
        "token_signature_invalid");
  }

  @Test
  void meWhenIssuerForeignOrMissingThenSignatureInvalid() {
    // docs/security.md#jwt-iss-aud: only issuers of this server are accepted.
    for (String iss : List.of("https://evil.example/accounts/main", issuer("main") + "/",
        issuer("main").replace("127.0.0.1", "localhost"), issuer("Main"),
        issuer("main") + "/../main", issuer("nope-no-such-account"), "main")) {
      assertInvalidToken(me(forge.resign("main", userAt, c -> c.issuer(iss))),
          "token_signature_invalid");
    }
    assertInvalidToken(me(forge.resign("main", userAt, c -> c.issuer(null))),
        "token_signature_invalid");
  }

  @Test
  void meWhenAudienceIsAnotherThenWrongAudience() {
    // docs/security.md#jwt-iss-aud, #audiences: Jeton's API takes only tokens meant for
    // {issuer}/api, signed with the real key; the issuer itself is no longer an audience.
    createSubAccount("acme");
    for (List<String> aud : List.of(List.of("https://api.other.example"),
        List.of(issuer("acme")), List.of(issuer("acme") + "/api"), List.of(issuer("main")),
        List.of(issuer("main") + "/api/"), List.of(""))) {
      assertInvalidToken(me(forge.resign("main", userAt, c -> c.audience(aud))),
          "token_wrong_audience");
    }
    // one audience among several is enough (RFC 7519 4.1.3)
    assertAccepted(me(forge.resign("main", userAt,
        c -> c.audience(List.of("https://api.other.example", issuer("main") + "/api")))));
  }

  // --- time (rule 39) --------------------------------------------------------------------------

  @Test
  void meWhenLifetimePassedThenExpiredAtOnceWithoutLeeway() {
    // docs/security.md#jwt-time-claims: Jeton's own tokens get no exp leeway; an attacker holding
    // an expired token gains nothing from the configured skew.
    server.clock().advance(Duration.ofHours(1).minusSeconds(2));
    assertAccepted(me(userAt));
    server.clock().advance(Duration.ofSeconds(2));
    assertInvalidToken(me(userAt), "token_expired");
  }

  @Test
  void meWhenExpJustPassedOrNowThenExpiredOnTheUncachedPathToo() {
    // docs/security.md#jwt-time-claims on the uncached verification path: exp 1 s ago or exactly
    // now is expired, whatever the skew; exp 5 s ahead is valid.
    long now = now();
    assertAccepted(me(forge.resign("main", userAt,
        c -> c.issueTime(at(now - 3600)).expirationTime(at(now + 5)))));
    assertInvalidToken(me(forge.resign("main", userAt,
        c -> c.issueTime(at(now - 3600)).expirationTime(at(now - 1)))), "token_expired");
    assertInvalidToken(me(forge.resign("main", userAt,
        c -> c.issueTime(at(now - 3600)).expirationTime(at(now)))), "token_expired");
    assertInvalidToken(me(forge.resign("main", userAt,
        c -> c.issueTime(at(now - 90_000)).expirationTime(at(now - 86_400)))), "token_expired");
  }

  @Test
  void meWhenIatOrNbfInFutureBeyondSkewThenNotYetValidWithinSkewAccepted() {
    // docs/security.md#jwt-time-claims: iat and nbf may lie at most 60 s in the future.
    long now = now();
    long exp = now + 3600;
    assertAccepted(me(forge.resign("main", userAt,
        c -> c.issueTime(at(now + 60)).expirationTime(at(exp)))));
    assertAccepted(me(forge.resign("main", userAt,
        c -> c.notBeforeTime(at(now + 60)).expirationTime(at(exp)))));
    assertInvalidToken(me(forge.resign("main", userAt,
        c -> c.issueTime(at(now + 120)).expirationTime(at(exp)))), "token_not_yet_valid");
    assertInvalidToken(me(forge.resign("main", userAt,
        c -> c.notBeforeTime(at(now + 120)).expirationTime(at(exp)))), "token_not_yet_valid");
    assertInvalidToken(me(forge.resign("main", userAt,
        c -> c.issueTime(at(now + 86_400)).notBeforeTime(at(now + 86_400))
            .expirationTime(at(now + 90_000)))), "token_not_yet_valid");
    // A token minted "in the future" becomes valid once the clock catches up.
    String early = forge.resign("main", userAt,
        c -> c.notBeforeTime(at(now + 300)).expirationTime(at(exp)));
    assertInvalidToken(me(early), "token_not_yet_valid");
    server.clock().advance(Duration.ofSeconds(300));
    assertAccepted(me(early));
  }

  // --- token types (rule 41) -------------------------------------------------------------------

  @Test
  void meWhenIdTokenLikeTypOrNoTypThenWrongType() {
    // docs/security.md#jwt-explicit-type: only typ at+jwt is an access token; an ID token (typ JWT)
    // signed with the very same key is refused.
    for (String typ : List.of("JWT", "jwt", "id_token+jwt", "at+jwt2", "application/jwt",
        "logout+jwt", "secevent+jwt", "at jwt", "")) {
      assertInvalidToken(me(forge.resign("main", userAt, h -> h.type(TokenForge.type(typ)),
          c -> c)), "token_wrong_type");
    }
    assertInvalidToken(me(forge.resign("main", userAt, h -> h.type(null), c -> c)),
        "token_wrong_type");
    // An ID-token-shaped token: typ JWT, aud = a client, nonce, azp.
    assertInvalidToken(me(forge.resign("main", userAt, h -> h.type(TokenForge.type("JWT")),
        c -> c.claim("nonce", "n-0S6_WzA2Mj").claim("azp", "jeton"))), "token_wrong_type");
  }

  @Test
  void meWhenRefreshTokenPresentedAsBearerThenWrongType() {
    // docs/security.md#jwt-explicit-type: refresh tokens go only to the refresh endpoint.
    assertInvalidToken(me(userRt), "token_wrong_type");
    // ... and stays usable where it belongs (the attempt did not burn it)
    assertThat(server.refresh("main", userRt).status()).isEqualTo(200);
  }

  @Test
  void meWhenRefreshTokenHasOneCharacterTypoThenMalformed() {
    // docs/security.md#secret-entropy: the checksum catches typos offline.
    int pos = userRt.length() - 10;
    char c = userRt.charAt(pos) == 'x' ? 'y' : 'x';
    assertInvalidToken(me(userRt.substring(0, pos) + c + userRt.substring(pos + 1)),
        "token_malformed");
    assertInvalidToken(me(userRt.substring(0, userRt.length() - 1)), "token_malformed");
    assertInvalidToken(me("jeton_xx_" + userRt.substring("jeton_rt_".length())),
        "token_malformed");
  }

  @Test
  void meWhenGarbageThenMalformed() {
    // docs/security.md#errors-no-internals: anything that is not a well-formed JWS is
    // token_malformed, never a 500 (a header of JSON null used to crash the parser into an
    // internal_error).
    String payload = TokenForge.b64(TokenForge.payloadJson(userAt));
    List<String> garbage = new ArrayList<>(List.of("garbage", "a.b.c", "a.b", "....", ".", "..",
        "eyJ", "eyJhbGciOiJFUzI1NiJ9", "eyJhbGciOiJFUzI1NiJ9.", "null", "{}", "%00",
        "a.b.c.d.e", "a.b.c.d", "x".repeat(9000),
        // a genuine token with a character outside base64url added: Nimbus's decoder skips it,
        // so without the syntax check this verified as the genuine token (found by fuzzing)
        userAt + "&", userAt.replace(".", ".!"),
        "!!!." + payload + ".sig",
        TokenForge.b64("null") + "." + payload + ".AA",
        TokenForge.b64("[]") + "." + payload + ".AA",
        TokenForge.b64("\"ES256\"") + "." + payload + ".AA",
        TokenForge.b64("{}") + "." + payload + ".AA",
        TokenForge.b64("{\"alg\":null}") + "." + payload + ".AA",
        TokenForge.b64("{\"alg\":123}") + "." + payload + ".AA",
        TokenForge.b64("{\"alg\":\"ES256\",\"typ\":123}") + "." + payload + ".AA",
        TokenForge.b64("{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":[1]}") + "." + payload
            + ".AA",
        TokenForge.b64("{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"crit\":\"exp\"}") + "." + payload
            + ".AA",
        TokenForge.b64("{\"alg\":\"ES256\",\"typ\":\"at+jwt\"") + "." + payload + ".AA",
        TokenForge.b64("{\"alg\":\"ES256\",\"typ\":\"at+jwt\"}") + ".e30x!." + "AA",
        TokenForge.b64("{\"alg\":\"ES256\",\"typ\":\"at+jwt\"}") + "." + TokenForge.b64("null")
            + ".AA",
        TokenForge.b64("{\"alg\":\"ES256\",\"typ\":\"at+jwt\"}") + "."
            + TokenForge.b64("{\"exp\":\"soon\"}") + ".AA",
        // a JWE (five parts, encryption header)
        TokenForge.b64("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"typ\":\"at+jwt\"}")
            + ".AAAA.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA",
        TokenForge.b64("{\"alg\":\"dir\",\"enc\":\"A128GCM\"}") + "..AAAAAAAAAAAAAAAA.AAAA."
            + "AAAAAAAAAAAAAAAAAAAAAA"));
    // deep nesting inside the header, within the length limit
    garbage.add(TokenForge.b64("{\"alg\":\"ES256\",\"x\":" + "[".repeat(2500) + "]".repeat(2500)
        + "}") + "." + payload + ".AA");
    for (String g : garbage) {
      Api.Response r = me(g);
      assertThat(r.status()).as("%s -> %s", g.length() > 80 ? g.substring(0, 80) : g, r)
          .isNotEqualTo(500);
      assertThat(r.status()).as("%s -> %s", g.length() > 80 ? g.substring(0, 80) : g, r)
          .isEqualTo(401);
      assertThat(r.code()).as("%s -> %s", g.length() > 80 ? g.substring(0, 80) : g, r)
          .isEqualTo("token_malformed");
      assertInvalidToken(r, "token_malformed");
    }
  }

  @Test
  void meWhenValidTokenFollowedByMoreThenMalformedNotSignatureInvalid() {
    // RFC 6750 2.1: the credential is one b64token; anything after it makes the header
    // malformed, whatever the token before it (it used to be read as a bad signature).
    for (String credential : List.of(userAt + " extra", userAt + " " + userAt, userAt + ",x",
        userAt + "\textra", "x " + userAt, userAt + "=a", userAt + "%")) {
      Api.Response r = api.send("GET", v1("main") + "/me", null,
          Map.of("Authorization", "Bearer " + credential));
      assertInvalidToken(r, "token_malformed");
      assertThat(r.text("detail")).contains("RFC 6750 2.1");
    }
    // the grammar's own characters, and more than one space after the scheme, are fine
    assertAccepted(api.send("GET", v1("main") + "/me", null,
        Map.of("Authorization", "Bearer   " + userAt)));
  }

  @Test
  void meWhenHeaderIsHostileThenRefusedNever500() {
    // docs/security.md#errors-no-internals: odd but parseable headers naming the real kid, signed
    // by an attacker, are refused with an invalid_token code; nothing in header handling may fail
    // with a 500.
    String kid = forge.currentKid("main");
    String payload = TokenForge.payloadJson(userAt);
    ECKey attacker = TokenForge.attackerEcKey(kid);
    String base = "\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":" + Api.q(kid);
    for (String extra : List.of("", ",\"crit\":[]", ",\"crit\":[null]", ",\"crit\":[\"kid\"]",
        ",\"crit\":[\"exp\"]", ",\"jwk\":null", ",\"jku\":null", ",\"x5u\":null",
        ",\"x5c\":[]", ",\"cty\":\"JWT\"", ",\"zip\":\"DEF\"", ",\"kid\":" + Api.q(kid + "x"),
        ",\"alg\":\"none\"", ",\"typ\":\"JWT\"", ",\"b64\":false")) {
      String header = "{" + base + extra + "}";
      for (String token : List.of(
          TokenForge.signRawWith(attacker, JWSAlgorithm.ES256, header, payload),
          TokenForge.b64(header) + "." + TokenForge.b64(payload) + ".AA")) {
        Api.Response r = me(token);
        assertThat(r.status()).as("%s -> %s", header, r).isEqualTo(401);
        assertThat(r.code()).as("%s -> %s", header, r).isIn("token_signature_invalid",
            "token_malformed", "token_wrong_type");
        assertInvalidToken(r, r.code());
      }
    }
    assertAccepted(me(userAt));
  }

  @Test
  void meWhenClaimsAreAJsonArrayThenRefused() {
    // docs/security.md#jwt-signature-first: Nimbus reads a payload of "[]" as an empty claims set;
    // whatever the code, it must be a refusal (no issuer => no key), never a 500 or an acceptance.
    String t = TokenForge.b64("{\"alg\":\"ES256\",\"typ\":\"at+jwt\"}") + "."
        + TokenForge.b64("[]") + ".AA";
    Api.Response r = me(t);
    assertThat(r.code()).isIn("token_malformed", "token_signature_invalid");
    assertInvalidToken(r, r.code());
    // even when really signed with the account's key
    Api.Response signed = me(forge.signRaw("main", TokenForge.headerJson(userAt), "[]"));
    assertThat(signed.code()).isIn("token_malformed", "token_signature_invalid");
    assertInvalidToken(signed, signed.code());
  }

  @Test
  void meWhenRequiredClaimMissingThenMalformed() {
    // docs/security.md#at-jwt-format: sub, jti, client_id, iat, exp and aud are required, even when
    // signed with the real key.
    for (String claim : List.of("sub", "jti", "client_id", "exp", "iat", "aud")) {
      assertInvalidToken(me(forge.resign("main", userAt, c -> c.claim(claim, null))),
          "token_malformed");
    }
    // claims of the wrong JSON type
    for (Map.Entry<String, Object> e : List.<Map.Entry<String, Object>>of(
        Map.entry("sub", List.of("x")), Map.entry("client_id", List.of("jeton")),
        Map.entry("exp", "soon"), Map.entry("iat", true), Map.entry("jti", Map.of("a", 1)), Map.entry("scope", 7))) {
      String payload = TokenForge.payloadJson(forge.resign("main", userAt,
          c -> c.claim(e.getKey(), null)));
      String withBad = payload.substring(0, payload.length() - 1) + ",\"" + e.getKey() + "\":"
          + json(e.getValue()) + "}";
      Api.Response r = me(forge.signRaw("main", TokenForge.headerJson(userAt), withBad));
      assertThat(r.status()).as(e + " " + r).isEqualTo(401);
      assertThat(r.code()).as(e + " " + r).isEqualTo("token_malformed");
      assertInvalidToken(r, "token_malformed");
    }
  }

  private static String json(Object o) {
    return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(Map.of("v", o))
        .replaceFirst("^\\{\"v\":", "").replaceFirst("}$", "");
  }

  // --- revocation ------------------------------------------------------------------------------

  @Test
  void meWhenSessionLoggedOutThenRevoked() {
    // docs/security.md#revocation-immediate: revocation takes effect at once for the access token.
    assertAccepted(me(userAt));
    Api.Response out = api.postJson(v1("main") + "/auth/logout",
        "{\"refresh_token\":" + Api.q(userRt) + "}");
    assertThat(out.status()).isEqualTo(204);
    assertInvalidToken(me(userAt), "token_revoked");
    // a faithful re-signing of the same claims belongs to the same (dead) session
    assertInvalidToken(me(forge.resign("main", userAt, c -> c)), "token_revoked");
  }

  @Test
  void meWhenTokenNamesNoOrUnknownSessionThenRevoked() {
    // docs/security.md#revocation-immediate: a token is only as good as its live session, even when
    // correctly signed.
    assertInvalidToken(me(forge.resign("main", userAt, c -> c.claim("sid", null))),
        "token_revoked");
    assertInvalidToken(me(forge.resign("main", userAt,
        c -> c.claim("sid", "ses_0000000000000000000000"))), "token_revoked");
    assertAccepted(me(userAt));
  }

  @Test
  void meWhenTokenTooLongThenMalformedWithoutWork() {
    // docs/security.md#jwt-signature-first: an 8 KiB+ token that is otherwise a JWT (real header
    // and payload) is refused on length before any parsing.
    String[] parts = userAt.split("\\.");
    String big = parts[0] + "." + parts[1] + "." + Base64URL.encode(new byte[7000]);
    assertInvalidToken(me(big), "token_malformed");
  }
}
