package dev.jeton.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.testing.FuzzApp;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz test of JWT access token verification ({@link AccessTokens#verify} and {@link
 * AccessTokens#signedByAccount}) against the real signing keys of a prepared Jeton ({@link
 * FuzzApp}). The first byte of the input chooses what is verified:
 *
 * <ul>
 *   <li>{@code S}: the rest is a header JSON and, after a newline, a payload JSON, signed here
 *       with the account's real current key ({@code $KID} in the header becomes its kid), so that
 *       the fuzzer reaches everything behind the signature check;
 *   <li>{@code A}: the same, signed with an attacker's key the account never had;
 *   <li>anything else: the whole input is the token text.
 * </ul>
 *
 * <p>A token is accepted only when it really is an {@code at+jwt} of this account signed by the
 * account's key under that key's algorithm (checked here with an independent verifier), issued
 * for this issuer and audience and valid now (docs/security.md#jwt-alg-allowlist,
 * #jwt-key-headers, #jwt-signature-first, #jwt-time-claims, #jwt-iss-aud, #jwt-explicit-type).
 * A refusal is an {@link ApiException} with a {@code token_*} code; a token that does not carry
 * the account's signature is refused before any claim is trusted, so it is never {@code
 * token_expired}, {@code token_not_yet_valid} or {@code token_wrong_audience}. {@code
 * signedByAccount} never throws and answers only tokens that verify. Inputs in {@code
 * src/test/resources/dev/jeton/token/AccessTokensFuzzTestInputs/verify/}; docs/fuzzing.md.
 */
class AccessTokensFuzzTest {
  private static final String ACCOUNT = "main";
  private static final Set<ErrorCode> REFUSALS = Set.of(ErrorCode.TOKEN_MALFORMED,
      ErrorCode.TOKEN_WRONG_TYPE, ErrorCode.TOKEN_SIGNATURE_INVALID, ErrorCode.TOKEN_EXPIRED,
      ErrorCode.TOKEN_NOT_YET_VALID, ErrorCode.TOKEN_WRONG_ACCOUNT,
      ErrorCode.TOKEN_WRONG_AUDIENCE);
  /** What a token without the account's signature may be refused as. */
  private static final Set<ErrorCode> UNSIGNED_REFUSALS = Set.of(ErrorCode.TOKEN_MALFORMED,
      ErrorCode.TOKEN_WRONG_TYPE, ErrorCode.TOKEN_SIGNATURE_INVALID);
  private static final long SKEW = 60;

  private static AccessTokens tokens;
  private static TokenForge forge;
  private static ECKey accountKey;
  private static ECKey attacker;

  @BeforeAll
  static void keys() throws Exception {
    tokens = FuzzApp.app().accessTokens();
    forge = TokenForge.of(FuzzApp.app());
    accountKey = forge.currentPublicJwk(ACCOUNT).toECKey();
    attacker = TokenForge.attackerEcKey(forge.currentKid(ACCOUNT));
  }

  @FuzzTest(maxDuration = "5m")
  void verify(byte[] data) throws Exception {
    String token;
    boolean attackerSigned = false;
    if (data.length > 0 && (data[0] == 'S' || data[0] == 'A')) {
      String text = new String(data, 1, data.length - 1, StandardCharsets.UTF_8);
      int nl = text.indexOf('\n');
      String header = (nl < 0 ? text : text.substring(0, nl))
          .replace("$KID", forge.currentKid(ACCOUNT));
      String payload = nl < 0 ? "" : text.substring(nl + 1);
      attackerSigned = data[0] == 'A';
      token = attackerSigned
          ? TokenForge.signRawWith(attacker, JWSAlgorithm.ES256, header, payload)
          : forge.signRaw(ACCOUNT, header, payload);
    } else {
      token = new String(data, StandardCharsets.UTF_8);
    }
    boolean genuine = !attackerSigned && signedByTheAccount(token);

    Optional<JWTClaimsSet> hint = tokens.signedByAccount(ACCOUNT, token);
    if (hint.isPresent()) {
      assertThat(genuine).as("signedByAccount answered a token the key did not sign").isTrue();
    }

    AccessToken at;
    try {
      at = tokens.verify(token, ACCOUNT);
    } catch (ApiException e) {
      assertThat(REFUSALS).as("refusal code").contains(e.code());
      if (!genuine) {
        assertThat(UNSIGNED_REFUSALS).as("a token without the account's signature was refused "
            + "for a claim (%s)", e.getMessage()).contains(e.code());
      }
      return;
    }
    assertThat(genuine).as("accepted a token the account's key did not sign: %s", token)
        .isTrue();
    SignedJWT jwt = SignedJWT.parse(token);
    JWSHeader h = jwt.getHeader();
    assertThat(h.getAlgorithm()).isEqualTo(forge.currentAlg(ACCOUNT));
    assertThat(h.getKeyID()).isEqualTo(forge.currentKid(ACCOUNT));
    assertThat(h.getType()).isNotNull();
    assertThat(h.getType().getType()).matches("(?i)(application/)?at\\+jwt");
    assertThat(h.getJWK()).isNull();
    assertThat(h.getJWKURL()).isNull();
    assertThat(h.getX509CertURL()).isNull();
    assertThat(h.getX509CertChain()).isNull();
    JWTClaimsSet c = jwt.getJWTClaimsSet();
    long now = FuzzApp.NOW.getEpochSecond();
    assertThat(c.getIssuer()).isEqualTo(FuzzApp.ISSUER);
    assertThat(c.getAudience()).contains(FuzzApp.ISSUER);
    assertThat(seconds(c.getExpirationTime())).isGreaterThan(now - SKEW);
    assertThat(seconds(c.getIssueTime())).isLessThanOrEqualTo(now + SKEW);
    if (c.getNotBeforeTime() != null) {
      assertThat(seconds(c.getNotBeforeTime())).isLessThanOrEqualTo(now + SKEW);
    }
    assertThat(at.accountId()).isEqualTo(ACCOUNT);
    assertThat(at.subject()).isEqualTo(c.getSubject());
    assertThat(at.clientId()).isEqualTo(c.getStringClaim("client_id"));
    assertThat(at.kid()).isEqualTo(h.getKeyID());
    String scope = c.getStringClaim("scope");
    assertThat(scope == null ? Scope.EMPTY : Scope.parse(scope))
        .isEqualTo(Scope.of(at.scopes()));
    assertThat(hint).as("signedByAccount refused a token verify accepted").isPresent();
  }

  /** Independently: a compact JWS whose signature verifies with the account's public key. */
  private static boolean signedByTheAccount(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      return jwt.getHeader().getAlgorithm().equals(JWSAlgorithm.ES256)
          && jwt.verify(new ECDSAVerifier(accountKey.toECPublicKey()));
    } catch (Exception e) {
      return false;
    }
  }

  private static long seconds(Date d) {
    return d.getTime() / 1000;
  }
}
