package dev.jeton.token;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import dev.jeton.config.Setting;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Settings;
import dev.jeton.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Signing keys (docs/security.md#jwks-public-only, docs/security.md#key-rotation-overlap,
 * docs/security.md#keys-sealed): the JWKS publishes only public keys, rotation keeps the old kid
 * verifiable until every token it signed has expired, then retires it, scheduled rotation honours
 * the configured interval, private keys are sealed at rest, and keys survive a restart. On both
 * engines.
 */
@OnBothEngines
class KeyRotationTest {
  private static final String JWKS = "/accounts/main/.well-known/jwks.json";
  private static final String ME = v1("main") + "/me";
  private static final String PASSWORD = "rotation pass phrase 42 zulu";
  /** Every private member a JWK can have (RFC 7518 6.2.2, 6.3.2, 6.4). */
  private static final List<String> PRIVATE_MEMBERS =
      List.of("d", "p", "q", "dp", "dq", "qi", "oth", "k", "r", "t");
  /**
   * Overlap after a rotation: default access-token lifetime plus the default skew, plus the time
   * the promoted key may still wait before it signs.
   */
  private static final Duration OVERLAP = Duration.ofHours(1).plusSeconds(60)
      .plus(KeyRing.PUBLISHED_BEFORE_SIGNING);

  final Engine engine;

  TestServer server;
  Api api;

  KeyRotationTest(Engine engine) {
    this.engine = engine;
  }

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    api = server.api();
  }

  /** For the restart test: closes the server {@link #restart} started. */
  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  /**
   * Lets the time pass that the next key needs in the JWKS before it may sign
   * (docs/security.md#key-rotation-overlap): as for a next key published a whole rotation period
   * earlier, a rotation then switches signing at once.
   */
  private void nextKeyPublishedLongEnough() {
    server.clock().advance(KeyRing.PUBLISHED_BEFORE_SIGNING);
  }

  /** A row of signing_keys, read straight from the database. */
  record KeyRow(String kid, String accountId, String status, String publicJwk,
      String sealedPrivate, long createdAt, Long rotatedAt, Long verifyUntil) {}

  private List<KeyRow> rows(String accountId) {
    return server.app().database().jdbi().withHandle(h -> h.createQuery("""
            SELECT kid, account_id, status, public_jwk, sealed_private, created_at, rotated_at,
                   verify_until
            FROM signing_keys WHERE account_id = :a ORDER BY created_at""")
        .bind("a", accountId)
        .map((rs, ctx) -> {
          long rotated = rs.getLong(7);
          Long rotatedAt = rs.wasNull() ? null : rotated;
          long until = rs.getLong(8);
          Long verifyUntil = rs.wasNull() ? null : until;
          return new KeyRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
              rs.getString(5), rs.getLong(6), rotatedAt, verifyUntil);
        })
        .list());
  }

  /** The kid of the only row with this status. */
  private String kidWithStatus(String accountId, String status) {
    List<String> kids = rows(accountId).stream().filter(r -> r.status().equals(status))
        .map(KeyRow::kid).toList();
    assertThat(kids).as("%s keys of %s", status, accountId).hasSize(1);
    return kids.get(0);
  }

  private Set<String> kidsWithStatus(String accountId, String status) {
    Set<String> kids = new HashSet<>();
    rows(accountId).stream().filter(r -> r.status().equals(status))
        .forEach(r -> kids.add(r.kid()));
    return kids;
  }

  private JsonNode jwks(String account) {
    Api.Response r = api.get("/accounts/" + account + "/.well-known/jwks.json", null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("application/jwk-set+json"));
    JsonNode doc = r.json();
    assertPublicOnly(doc);
    return doc;
  }

  private List<String> jwksKids(String account) {
    List<String> kids = new ArrayList<>();
    jwks(account).path("keys").forEach(k -> kids.add(k.path("kid").asText()));
    return kids;
  }

  /** docs/security.md#jwks-public-only: no private member anywhere in the document, in any key. */
  private static void assertPublicOnly(JsonNode doc) {
    assertThat(doc.isObject()).isTrue();
    Iterator<String> top = doc.fieldNames();
    while (top.hasNext()) {
      assertThat(top.next()).isEqualTo("keys");
    }
    for (JsonNode key : doc.path("keys")) {
      for (String member : PRIVATE_MEMBERS) {
        assertThat(key.has(member)).as("JWK %s has private member %s", key, member).isFalse();
      }
      assertThat(key.path("use").asText()).isEqualTo("sig");
      assertThat(key.path("kid").asText()).isNotBlank();
      assertThat(key.path("alg").asText()).isIn("ES256", "ES384", "RS256", "PS256", "EdDSA");
    }
  }

  private Api.Response login() {
    Api.Response r = server.login("main", TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r;
  }

  private String userToken(String email) {
    Api.Response r = server.register("main", email, PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.text("access_token");
  }

  private static String kidOf(String token) {
    return TokenForge.header(token).getKeyID();
  }

  /** Verifies a token the way an outside resource server would: with the published JWKS. */
  private boolean verifiesWithPublishedJwks(String token, String account) {
    try {
      JWKSet set = JWKSet.parse(
          api.get("/accounts/" + account + "/.well-known/jwks.json", null).body());
      SignedJWT jwt = SignedJWT.parse(token);
      JWK key = set.getKeyByKeyId(jwt.getHeader().getKeyID());
      if (key == null) {
        return false;
      }
      if (key instanceof OctetKeyPair okp) {
        return verifiesEd25519(jwt, okp);
      }
      JWSVerifier v = key instanceof ECKey ec ? new ECDSAVerifier(ec)
          : new RSASSAVerifier((RSAKey) key);
      return jwt.verify(v);
    } catch (ParseException | JOSEException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * RFC 8037 verification as a resource server without Jeton's code would do it: the JDK's
   * Ed25519 over the signing input, with the public key rebuilt from the JWK's {@code x}.
   */
  private static boolean verifiesEd25519(SignedJWT jwt, OctetKeyPair okp) {
    try {
      if (!"EdDSA".equals(jwt.getHeader().getAlgorithm().getName())
          || !"Ed25519".equals(okp.getCurve().getName())) {
        return false;
      }
      byte[] spki = new byte[44];
      byte[] prefix = java.util.HexFormat.of().parseHex("302a300506032b6570032100");
      System.arraycopy(prefix, 0, spki, 0, 12);
      System.arraycopy(okp.getX().decode(), 0, spki, 12, 32);
      java.security.PublicKey pub = java.security.KeyFactory.getInstance("Ed25519")
          .generatePublic(new java.security.spec.X509EncodedKeySpec(spki));
      java.security.Signature sig = java.security.Signature.getInstance("Ed25519");
      sig.initVerify(pub);
      sig.update(jwt.getSigningInput());
      return sig.verify(jwt.getSignature().decode());
    } catch (java.security.SignatureException e) {
      return false; // the JDK throws for a signature that is not even a curve point
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private void assertAccepted(String token) {
    Api.Response r = api.get(ME, token);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }

  private void assertRefused(String token, String code) {
    Api.Response r = api.get(ME, token);
    assertThat(r.status()).as(r.toString()).isEqualTo(401);
    assertThat(r.code()).as(r.toString()).isEqualTo(code);
    assertThat(r.header("WWW-Authenticate")).hasValueSatisfying(
        h -> assertThat(h).contains("error=\"invalid_token\""));
  }

  /** Accepted both from the verification cache and through a full signature check. */
  private void assertAcceptedCachedAndUncached(String token) {
    assertAccepted(token);
    server.app().accessTokens().forgetVerified();
    assertAccepted(token);
  }

  private void assertRefusedCachedAndUncached(String token, String code) {
    assertRefused(token, code);
    server.app().accessTokens().forgetVerified();
    assertRefused(token, code);
  }

  // --- JWKS ------------------------------------------------------------------------------------

  @Test
  void jwksWhenFreshAccountThenExactlyCurrentAndNextPublicKeys() {
    // docs/security.md#jwks-public-only: the current key and the pre-published next key, public
    // parts only.
    String current = kidWithStatus("main", "current");
    String next = kidWithStatus("main", "next");
    assertThat(rows("main")).hasSize(2);
    assertThat(jwksKids("main")).containsExactlyInAnyOrder(current, next);
    for (JsonNode key : jwks("main").path("keys")) {
      assertThat(key.path("kty").asText()).isEqualTo("EC");
      assertThat(key.path("crv").asText()).isEqualTo("P-256");
      assertThat(key.path("alg").asText()).isEqualTo("ES256");
      assertThat(key.has("x")).isTrue();
      assertThat(key.has("y")).isTrue();
    }
    String token = login().text("access_token");
    assertThat(kidOf(token)).isEqualTo(current);
    assertThat(verifiesWithPublishedJwks(token, "main")).isTrue();
    // the stored public JWK never carries a private member either
    for (KeyRow row : rows("main")) {
      for (String member : PRIVATE_MEMBERS) {
        assertThat(row.publicJwk()).doesNotContain("\"" + member + "\"");
      }
    }
  }

  @Test
  @Settings("SIGNING_ALG=RS256")
  void jwksWhenRsaKeysThenNoPrivateRsaMembersAndTokensVerify() {
    // docs/security.md#jwks-public-only with the key type that has the most private members (d, p,
    // q, dp, dq, qi).
    JsonNode doc = jwks("main");
    assertThat(doc.path("keys")).hasSize(2);
    for (JsonNode key : doc.path("keys")) {
      assertThat(key.path("kty").asText()).isEqualTo("RSA");
      assertThat(key.path("alg").asText()).isEqualTo("RS256");
      assertThat(key.has("n")).isTrue();
      assertThat(key.has("e")).isTrue();
    }
    String token = login().text("access_token");
    assertThat(TokenForge.header(token).getAlgorithm().getName()).isEqualTo("RS256");
    assertThat(verifiesWithPublishedJwks(token, "main")).isTrue();
    assertAcceptedCachedAndUncached(token);
  }

  @Test
  @Settings("SIGNING_ALG=EdDSA")
  void jwksWhenEd25519KeysThenOkpPublicOnlyAndTokensVerifyOutsideJeton() {
    // RFC 8037: kty OKP, crv Ed25519, x the 32-byte public key; no d (docs/security.md#jwks-public-only)
    JsonNode doc = jwks("main");
    assertPublicOnly(doc);
    assertThat(doc.path("keys")).hasSize(2);
    for (JsonNode key : doc.path("keys")) {
      assertThat(key.path("kty").asText()).isEqualTo("OKP");
      assertThat(key.path("crv").asText()).isEqualTo("Ed25519");
      assertThat(key.path("alg").asText()).isEqualTo("EdDSA");
      assertThat(Base64.getUrlDecoder().decode(key.path("x").asText())).hasSize(32);
    }
    String token = login().text("access_token");
    assertThat(TokenForge.header(token).getAlgorithm().getName()).isEqualTo("EdDSA");
    assertThat(verifiesWithPublishedJwks(token, "main")).isTrue();
    assertAcceptedCachedAndUncached(token);

    // a changed signature character anywhere in R or S (the last one carries 4 unused bits), and
    // the same signature under another algorithm, are refused
    int dot = token.lastIndexOf('.');
    for (int pos = dot + 1; pos < token.length() - 1; pos += 7) {
      char c = token.charAt(pos);
      String tampered = token.substring(0, pos) + (c == 'A' ? 'B' : 'A')
          + token.substring(pos + 1);
      assertThat(verifiesWithPublishedJwks(tampered, "main")).as(tampered).isFalse();
      assertRefusedCachedAndUncached(tampered, "token_signature_invalid");
    }
    String otherAlg = TokenForge.b64(TokenForge.headerJson(token).replace("\"EdDSA\"",
        "\"ES256\"")) + token.substring(token.indexOf('.'));
    assertRefusedCachedAndUncached(otherAlg, "token_signature_invalid");
  }

  @Test
  @Settings("SIGNING_ALG=EdDSA")
  void rotateWhenEd25519ThenOldTokenStillVerifiesAndNewTokensUseFormerNext() {
    String before = login().text("access_token");
    String next = kidWithStatus("main", "next");
    nextKeyPublishedLongEnough();
    assertThat(server.app().rotateKeys("main")).isTrue();
    String after = login().text("access_token");
    assertThat(kidOf(after)).isEqualTo(next);
    assertAcceptedCachedAndUncached(before);
    assertAcceptedCachedAndUncached(after);
    assertThat(verifiesWithPublishedJwks(before, "main")).isTrue();
    assertThat(verifiesWithPublishedJwks(after, "main")).isTrue();
  }

  @Test
  void verifyWhenEdDsaHeaderNamesAnEcdsaKeyThenRefused() {
    // docs/security.md#jwt-alg-allowlist: a key verifies only with its own algorithm, so an
    // attacker's Ed25519 signature under the ES256 key's kid is refused
    String token = login().text("access_token");
    String kid = kidOf(token);
    java.security.KeyPair attacker;
    try {
      attacker = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
    String header = "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\"" + kid + "\"}";
    String input = TokenForge.b64(header) + "." + TokenForge.b64(TokenForge.payloadJson(token));
    String signature;
    try {
      java.security.Signature sig = java.security.Signature.getInstance("Ed25519");
      sig.initSign(attacker.getPrivate());
      sig.update(input.getBytes(StandardCharsets.US_ASCII));
      signature = Base64.getUrlEncoder().withoutPadding().encodeToString(sig.sign());
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
    assertRefusedCachedAndUncached(input + "." + signature, "token_signature_invalid");
  }

  @Test
  void jwksWhenSubAccountThenItsOwnDisjointKeys() {
    // docs/security.md#jwks-public-only: each issuer publishes only its own keys; rotating one
    // leaves the other alone.
    Api.Response created = api.postJson(v1("main") + "/accounts", "{\"id\":\"acme\"}",
        server.adminToken());
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    List<String> mainKids = jwksKids("main");
    List<String> acmeKids = jwksKids("acme");
    assertThat(acmeKids).hasSize(2).doesNotContainAnyElementsOf(mainKids);
    assertThat(server.app().rotateKeys("main")).isTrue();
    assertThat(jwksKids("acme")).containsExactlyInAnyOrderElementsOf(acmeKids);
    assertThat(rows("acme")).extracting(KeyRow::status)
        .containsExactlyInAnyOrder("current", "next");
  }

  // --- rotation with overlap -------------------------------------------------------------------

  @Test
  void rotateWhenCalledThenOldTokenStillVerifiesAndNewTokensUseFormerNext() {
    // docs/security.md#key-rotation-overlap: publish before use, keep the old kid while its tokens
    // live.
    String oldCurrent = kidWithStatus("main", "current");
    String oldNext = kidWithStatus("main", "next");
    String oldToken = login().text("access_token");
    String userOld = userToken("before@example.com");
    assertThat(kidOf(oldToken)).isEqualTo(oldCurrent);

    nextKeyPublishedLongEnough();
    assertThat(server.app().rotateKeys("main")).isTrue();

    assertThat(kidWithStatus("main", "previous")).isEqualTo(oldCurrent);
    assertThat(kidWithStatus("main", "current")).isEqualTo(oldNext);
    String newNext = kidWithStatus("main", "next");
    assertThat(newNext).isNotIn(oldCurrent, oldNext);
    // overlap = access-token lifetime + clock skew + the wait before signing, from the rotation
    KeyRow previous = rows("main").stream().filter(r -> r.kid().equals(oldCurrent)).findFirst()
        .orElseThrow();
    assertThat(previous.verifyUntil() - previous.rotatedAt()).isEqualTo(OVERLAP.toMillis());
    // the previous key verifies but no longer has its private half in memory
    assertThat(server.app().keyRing().keys("main").verifiable().get(oldCurrent).signer())
        .isNull();

    assertAcceptedCachedAndUncached(oldToken);
    assertAcceptedCachedAndUncached(userOld);
    String newToken = login().text("access_token");
    assertThat(kidOf(newToken)).isEqualTo(oldNext);
    assertAcceptedCachedAndUncached(newToken);
    assertThat(jwksKids("main")).containsExactlyInAnyOrder(oldCurrent, oldNext, newNext);
    assertThat(verifiesWithPublishedJwks(oldToken, "main")).isTrue();
    assertThat(verifiesWithPublishedJwks(newToken, "main")).isTrue();
  }

  @Test
  void rotateTwiceWhenTokensOfBothEarlierKeysLiveThenBothStillVerify() {
    // docs/security.md#key-rotation-overlap: several previous keys can overlap; none is dropped
    // early.
    String first = login().text("access_token");
    nextKeyPublishedLongEnough();
    assertThat(server.app().rotateKeys("main")).isTrue();
    String second = login().text("access_token");
    nextKeyPublishedLongEnough();
    assertThat(server.app().rotateKeys("main")).isTrue();
    String third = login().text("access_token");
    assertThat(List.of(kidOf(first), kidOf(second), kidOf(third))).doesNotHaveDuplicates();
    assertThat(kidsWithStatus("main", "previous")).containsExactlyInAnyOrder(kidOf(first),
        kidOf(second));
    assertThat(jwksKids("main")).hasSize(4).contains(kidOf(first), kidOf(second), kidOf(third));
    assertAcceptedCachedAndUncached(first);
    assertAcceptedCachedAndUncached(second);
    assertAcceptedCachedAndUncached(third);
  }

  /**
   * docs/security.md#key-rotation-overlap, publish before signing: a second rotation right after a
   * first promotes a key that has been in the JWKS for moments only; the key it replaced goes on
   * signing until the new one has been published for {@link KeyRing#PUBLISHED_BEFORE_SIGNING}
   * (every node reloaded, every cached JWKS expired), and switches then without another rotation.
   */
  @Test
  void rotateTwiceInARowThenTheNewKeySignsOnlyOncePublishedLongEnough() {
    nextKeyPublishedLongEnough();
    assertThat(server.app().rotateKeys("main")).isTrue();
    String signing = kidWithStatus("main", "current");
    assertThat(kidOf(login().text("access_token"))).isEqualTo(signing);
    server.clock().advance(Duration.ofSeconds(10));
    assertThat(server.app().rotateKeys("main")).isTrue();
    String promoted = kidWithStatus("main", "current");
    assertThat(jwksKids("main")).contains(promoted, signing);

    String waiting = login().text("access_token");
    assertThat(kidOf(waiting)).as("the promoted key was published 10 s ago").isEqualTo(signing);
    server.clock().advance(KeyRing.PUBLISHED_BEFORE_SIGNING.minusSeconds(11));
    assertThat(kidOf(login().text("access_token"))).as("1 s before").isEqualTo(signing);
    server.clock().advance(Duration.ofSeconds(1));
    String switched = login().text("access_token");
    assertThat(kidOf(switched)).as("published long enough").isEqualTo(promoted);
    assertAcceptedCachedAndUncached(waiting);
    assertAcceptedCachedAndUncached(switched);
    assertThat(verifiesWithPublishedJwks(waiting, "main")).isTrue();
    assertThat(verifiesWithPublishedJwks(switched, "main")).isTrue();
  }

  /**
   * Three rotations ten seconds apart: the key promoted by the second has become a previous key
   * by the third, yet it was published only 20 s earlier; the key that signs is the newest one
   * published for {@link KeyRing#PUBLISHED_BEFORE_SIGNING}, and each later key takes over when its
   * own time comes.
   */
  @Test
  void rotateThreeTimesInARowThenOnlyKeysPublishedLongEnoughEverSign() {
    nextKeyPublishedLongEnough();
    assertThat(server.app().rotateKeys("main")).isTrue();
    String first = kidWithStatus("main", "current"); // published since the server started
    String second = kidWithStatus("main", "next");
    server.clock().advance(Duration.ofSeconds(10));
    assertThat(server.app().rotateKeys("main")).isTrue();
    String third = kidWithStatus("main", "next");
    server.clock().advance(Duration.ofSeconds(10));
    assertThat(server.app().rotateKeys("main")).isTrue();
    assertThat(kidWithStatus("main", "current")).isEqualTo(third);

    assertThat(kidOf(login().text("access_token"))).as("20 s after the first rotation")
        .isEqualTo(first);
    server.clock().advance(KeyRing.PUBLISHED_BEFORE_SIGNING.minusSeconds(20));
    assertThat(kidOf(login().text("access_token"))).as("the second, published 330 s ago")
        .isEqualTo(second);
    server.clock().advance(Duration.ofSeconds(10));
    String last = login().text("access_token");
    assertThat(kidOf(last)).as("the third, published 330 s ago").isEqualTo(third);
    assertAcceptedCachedAndUncached(last);
  }

  @Test
  void rotateWhenOverlapEndsThenOldKidRefusedAndUnpublishedAndWiped() {
    // docs/security.md#key-rotation-overlap: after lifetime + skew the old kid is retired: refused,
    // unpublished, and its sealed private part erased.
    String oldCurrent = kidWithStatus("main", "current");
    String oldToken = login().text("access_token");
    nextKeyPublishedLongEnough();
    assertThat(server.app().rotateKeys("main")).isTrue();
    String current = kidWithStatus("main", "current");
    String next = kidWithStatus("main", "next");

    server.clock().advance(OVERLAP.plusSeconds(2));
    server.app().rotateDueKeys();

    assertThat(kidsWithStatus("main", "retired")).containsExactly(oldCurrent);
    assertThat(kidsWithStatus("main", "previous")).isEmpty();
    KeyRow retired = rows("main").stream().filter(r -> r.kid().equals(oldCurrent)).findFirst()
        .orElseThrow();
    assertThat(retired.sealedPrivate()).isEmpty();
    assertThat(server.app().keyRing().keys("main").retiredKids()).contains(oldCurrent);

    assertRefusedCachedAndUncached(oldToken, "token_signature_invalid");
    assertThat(jwksKids("main")).containsExactlyInAnyOrder(current, next);
    assertThat(verifiesWithPublishedJwks(oldToken, "main")).isFalse();
    // the keys that remain keep working
    String fresh = login().text("access_token");
    assertThat(kidOf(fresh)).isEqualTo(current);
    assertAcceptedCachedAndUncached(fresh);
  }

  @Test
  void rotateDueKeysWhenStillWithinOverlapThenPreviousKeyKept() {
    // docs/security.md#key-rotation-overlap: a token signed just before rotation stays valid to its
    // last second, so its key must too; a resource server validating locally with its own clock
    // may accept it up to the skew later, so the key stays published that long as well, while
    // Jeton itself refuses the token from exp on (docs/security.md#jwt-time-claims).
    String oldCurrent = kidWithStatus("main", "current");
    String oldToken = login().text("access_token");
    assertThat(server.app().rotateKeys("main")).isTrue();

    server.clock().advance(Duration.ofHours(1).minusSeconds(30));
    server.app().rotateDueKeys();
    assertAcceptedCachedAndUncached(oldToken);

    server.clock().advance(Duration.ofSeconds(60));
    server.app().rotateDueKeys();
    assertThat(kidWithStatus("main", "previous")).isEqualTo(oldCurrent);
    assertThat(jwksKids("main")).contains(oldCurrent).hasSize(3);
    assertRefusedCachedAndUncached(oldToken, "token_expired");
  }

  @Test
  void rotateWhenAccountHasLongerAccessTokensThenOverlapFollowsItsLifetime() {
    // docs/security.md#key-rotation-overlap: the overlap covers the account's own (overridden)
    // access-token lifetime.
    String admin = server.adminToken();
    assertThat(api.postJson(v1("main") + "/accounts", "{\"id\":\"acme\"}", admin).status())
        .isEqualTo(201);
    Api.Response patched = api.patchJson(v1("main") + "/accounts/acme",
        "{\"token_lifetimes\":{\"access_token\":7200}}", admin);
    assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    String acmeCurrent = kidWithStatus("acme", "current");
    assertThat(server.app().rotateKeys("acme")).isTrue();
    KeyRow previous = rows("acme").stream().filter(r -> r.kid().equals(acmeCurrent)).findFirst()
        .orElseThrow();
    assertThat(previous.status()).isEqualTo("previous");
    assertThat(previous.verifyUntil() - previous.rotatedAt())
        .isEqualTo(Duration.ofHours(2).plusSeconds(60).plus(KeyRing.PUBLISHED_BEFORE_SIGNING)
            .toMillis());
  }

  // --- keys at rest ----------------------------------------------------------------------------

  @Test
  void signingKeysWhenStoredThenPrivatePartSealedNotPlaintext() {
    // docs/security.md#keys-sealed: the database holds no usable private key.
    String currentKid = kidWithStatus("main", "current");
    JWK privateJwk = TokenForge.of(server.app()).currentPrivateJwk("main");
    String d = ((ECKey) privateJwk).getD().toString();
    String plaintext = privateJwk.toJSONString();
    for (KeyRow row : rows("main")) {
      String sealed = row.sealedPrivate();
      assertThat(sealed).startsWith("v1.").doesNotContain("{").doesNotContain("\"d\"")
          .doesNotContain(d).isNotEqualTo(plaintext).isNotEqualTo(row.publicJwk());
      byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
      String decoded = new String(raw, StandardCharsets.ISO_8859_1);
      // nonce + ciphertext + tag: no JSON, no key material, not even the kid
      assertThat(decoded).doesNotContain("\"kty\"").doesNotContain(d)
          .doesNotContain(row.kid());
      assertThat(raw.length).isGreaterThan(12 + 16 + 50);
      assertThat(row.publicJwk()).doesNotContain(d).doesNotContain("\"d\"");
      JWK pub = parseJwk(row.publicJwk());
      assertThat(pub.isPrivate()).isFalse();
    }
    // two keys sealed under the same master key still look unrelated
    List<KeyRow> rows = rows("main");
    assertThat(rows.get(0).sealedPrivate()).isNotEqualTo(rows.get(1).sealedPrivate());
    assertThat(currentKid).isNotBlank();
  }

  private static JWK parseJwk(String json) {
    try {
      return JWK.parse(json);
    } catch (ParseException e) {
      throw new AssertionError(e);
    }
  }

  // --- scheduled rotation ----------------------------------------------------------------------

  @Test
  @Settings("KEY_ROTATION_INTERVAL=1d")
  void rotateDueKeysWhenCurrentKeyOlderThanIntervalThenRotatesOnceAndNotAgainUntilDue() {
    // docs/security.md#key-rotation-overlap: rotation on schedule, each new key signs for a full
    // interval.
    String c1 = kidWithStatus("main", "current");
    String n1 = kidWithStatus("main", "next");

    server.app().rotateDueKeys();
    assertThat(kidWithStatus("main", "current")).isEqualTo(c1);
    server.clock().advance(Duration.ofHours(23));
    server.app().rotateDueKeys();
    assertThat(kidWithStatus("main", "current")).as("not due after 23 h").isEqualTo(c1);

    server.clock().advance(Duration.ofHours(2));
    server.app().rotateDueKeys();
    assertThat(kidWithStatus("main", "current")).as("due after 25 h").isEqualTo(n1);
    String n2 = kidWithStatus("main", "next");
    assertThat(kidWithStatus("main", "previous")).isEqualTo(c1);

    // n1 has only just started signing: the next runs (hourly in production) leave it alone.
    server.app().rotateDueKeys();
    assertThat(kidWithStatus("main", "current")).as("just rotated").isEqualTo(n1);
    server.clock().advance(Duration.ofHours(1));
    server.app().rotateDueKeys();
    assertThat(kidWithStatus("main", "current")).as("one hour after rotation").isEqualTo(n1);
    assertThat(kidWithStatus("main", "next")).isEqualTo(n2);
    server.clock().advance(Duration.ofHours(21));
    server.app().rotateDueKeys();
    assertThat(kidWithStatus("main", "current")).as("22 h after rotation").isEqualTo(n1);
    // c1's overlap has ended meanwhile
    assertThat(kidsWithStatus("main", "retired")).containsExactly(c1);

    server.clock().advance(Duration.ofHours(3));
    server.app().rotateDueKeys();
    assertThat(kidWithStatus("main", "current")).as("25 h after rotation").isEqualTo(n2);
    assertThat(kidWithStatus("main", "previous")).isEqualTo(n1);
    String token = login().text("access_token");
    assertThat(kidOf(token)).isEqualTo(n2);
    assertAccepted(token);
  }

  @Test
  @Settings("KEY_ROTATION_INTERVAL=0")
  void rotateDueKeysWhenIntervalZeroThenNeverRotates() {
    // docs/security.md#key-rotation-overlap: "0 disables scheduled rotation"; manual rotation still
    // works.
    String c1 = kidWithStatus("main", "current");
    server.clock().advance(Duration.ofDays(400));
    server.app().rotateDueKeys();
    assertThat(kidWithStatus("main", "current")).isEqualTo(c1);
    assertThat(server.app().rotateKeys("main")).isTrue();
    assertThat(kidWithStatus("main", "previous")).isEqualTo(c1);
  }

  // --- restart ---------------------------------------------------------------------------------

  @Test
  void keysWhenServerRestartsThenSameKeysAndEarlierTokensStillVerify() {
    // docs/security.md#keys-sealed: keys are durable (sealed in the database, opened with the same
    // master key); a restart neither changes kids nor invalidates tokens, before or after a
    // rotation.
    int port = server.app().port();
    Map<Setting, String> samePort = Map.of(Setting.HTTP_PORT, Integer.toString(port),
        Setting.BASE_URL, "http://127.0.0.1:" + port);
    List<String> kidsBefore = jwksKids("main");
    String before = login().text("access_token");
    String userBefore = userToken("restart@example.com");

    restart(samePort);
    assertThat(jwksKids("main")).containsExactlyInAnyOrderElementsOf(kidsBefore);
    assertAccepted(before);
    assertAccepted(userBefore);
    String after = login().text("access_token");
    assertThat(kidOf(after)).isEqualTo(kidOf(before));

    assertThat(server.app().rotateKeys("main")).isTrue();
    String rotated = login().text("access_token");
    List<String> kidsRotated = jwksKids("main");
    assertThat(kidsRotated).hasSize(3);

    restart(samePort);
    assertThat(jwksKids("main")).containsExactlyInAnyOrderElementsOf(kidsRotated);
    assertAccepted(before);
    assertAccepted(rotated);
    assertThat(kidOf(login().text("access_token"))).isEqualTo(kidOf(rotated));
  }

  private void restart(Map<Setting, String> overrides) {
    var dir = server.dir();
    var db = server.db();
    server.close();
    server = null;
    server = TestServer.start(engine, new HashMap<>(overrides), dir, db);
    api = server.api();
  }
}
