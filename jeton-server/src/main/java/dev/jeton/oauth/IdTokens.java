package dev.jeton.oauth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.jeton.client.Client;
import dev.jeton.session.Session;
import dev.jeton.session.SessionService;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.Issuers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;

/**
 * ID tokens (OIDC Core 2, 3.1.3.6): JWTs with header {@code typ: JWT}, signed in the algorithm
 * the client registered (RS256 unless it chose another, OIDC Registration 2), carrying
 * {@code iss, sub, aud, azp, exp, iat, auth_time}, the authorization request's {@code nonce}
 * echoed exactly (OIDC Core 3.1.2.1) and {@code at_hash}. They expire with the access token
 * issued beside them. On refresh the new ID token keeps {@code sub}, {@code aud} and
 * {@code auth_time} and has no {@code nonce} (OIDC Core 12.2). Their {@code typ} differs from
 * {@code at+jwt}, so
 * {@link AccessTokens#verify} never accepts one as an access token (RFC 8725 3.11,
 * docs/security.md#jwt-explicit-type).
 *
 * @see <a href="https://openid.net/specs/openid-connect-core-1_0.html#IDToken">OIDC Core 2</a>
 */
public final class IdTokens {
  /** The scope that makes an authorization request an OpenID Connect one (OIDC Core 3.1.2.1). */
  public static final String OPENID = "openid";
  static final JOSEObjectType JWT = JOSEObjectType.JWT;

  private final AccessTokens accessTokens;
  private final Issuers issuers;

  public IdTokens(AccessTokens accessTokens, Issuers issuers) {
    this.accessTokens = accessTokens;
    this.issuers = issuers;
  }

  /**
   * What an ID token states; times in epoch seconds.
   *
   * @param alg the client's ID token algorithm ({@code id_token_signed_response_alg})
   * @param nonce the authorization request's nonce, null when it sent none or on refresh
   */
  public record Claims(String accountId, String clientId, String alg, String userId,
      long authTime, String nonce, String accessToken, long issuedAt, long expiresAt) {}

  /** Signs an ID token. */
  public String issue(Claims c) {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
        .issuer(issuers.issuer(c.accountId()))
        .subject(c.userId())
        .audience(c.clientId())
        .issueTime(new Date(c.issuedAt() * 1000))
        .expirationTime(new Date(c.expiresAt() * 1000))
        .claim("auth_time", c.authTime())
        .claim("azp", c.clientId());
    if (c.nonce() != null) {
      b.claim("nonce", c.nonce());
    }
    AccessTokens.SignedToken t = accessTokens.sign(c.accountId(), JWSAlgorithm.parse(c.alg()),
        JWT,
        alg -> b.claim("at_hash", atHash(c.accessToken(), alg)).build());
    return t.token();
  }

  /**
   * The ID token to answer beside a user's token pair (OIDC Core 3.1.3.3, 12.2): one when the
   * pair's access token carries {@code openid}, null otherwise.
   *
   * @param nonce the authorization request's nonce; null for refreshes and device grants
   */
  public String forPair(Client client, SessionService.TokenPair pair, String nonce) {
    if (!pair.scope().contains(OPENID)) {
      return null;
    }
    Session s = pair.session();
    return issue(new Claims(s.accountId(), client.clientId(), client.spec().idTokenAlgOrDefault(),
        s.userId(), s.authTime() / 1000, nonce, pair.access().token(),
        pair.access().claims().issuedAt(), pair.access().claims().expiresAt()));
  }

  /** What an {@code id_token_hint} says: the client it was issued to and the user. */
  public record Hint(String clientId, String userId) {}

  /**
   * The client and user of an ID token this account signed (expired ones included, OIDC
   * RP-Initiated Logout 2), or empty when it is not one: the signature must verify with one of
   * the account's keys, {@code typ} be {@code JWT}, {@code iss} this issuer, and {@code aud} a
   * single client equal to {@code azp}.
   */
  public Optional<Hint> hint(String accountId, String idTokenHint) {
    return accessTokens.signedByAccount(accountId, idTokenHint)
        .filter(c -> JWT.equals(headerType(idTokenHint)))
        .filter(c -> issuers.issuer(accountId).equals(c.getIssuer()))
        .filter(c -> c.getAudience() != null && c.getAudience().size() == 1)
        // only ID tokens carry azp = aud; an access token's aud is the issuer itself
        .filter(c -> c.getAudience().get(0).equals(c.getClaim("azp")))
        .filter(c -> c.getSubject() != null)
        .map(c -> new Hint(c.getAudience().get(0), c.getSubject()));
  }

  /** The {@code typ} of a JWS's header, or null. */
  private static JOSEObjectType headerType(String jws) {
    try {
      return JWSObject.parse(jws).getHeader().getType();
    } catch (ParseException e) {
      return null;
    }
  }

  /**
   * {@code at_hash} (OIDC Core 3.1.3.6): the left half of the hash of the access token's ASCII
   * octets, with the hash of the JWS algorithm (SHA-384 for ES384, SHA-256 otherwise), base64url.
   */
  public static String atHash(String accessToken, JWSAlgorithm alg) {
    try {
      byte[] h = MessageDigest.getInstance(hashFamily(alg))
          .digest(accessToken.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(Arrays.copyOf(h, h.length / 2));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hashFamily(JWSAlgorithm alg) {
    return JWSAlgorithm.ES384.equals(alg) || JWSAlgorithm.RS384.equals(alg)
        || JWSAlgorithm.PS384.equals(alg) ? "SHA-384" : "SHA-256";
  }
}
