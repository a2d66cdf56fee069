package dev.jeton.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Issues and verifies JWT access tokens ({@code typ: at+jwt}, RFC 9068) signed with the account's
 * current key.
 *
 * <p>Verification follows RFC 8725: only the asymmetric algorithms Jeton signs with are accepted,
 * each key verifies only with the one algorithm it is bound to, {@code jwk}/{@code jku}/{@code
 * x5u}/{@code x5c} headers are refused outright, keys are looked up only among the issuing
 * account's own keys, and the signature is checked before any claim is trusted. Tokens that
 * verified are remembered (by their exact text) for a few minutes, so a client presenting the
 * same token again costs a map lookup instead of a signature check; expiry, account and key
 * validity are still checked on every use.
 */
public final class AccessTokens {
  /** The media type of access tokens (RFC 9068 2.1). */
  public static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");
  static final int MAX_LENGTH = 8192;
  private static final Set<JWSAlgorithm> ALLOWED = Set.of(JWSAlgorithm.ES256,
      JWSAlgorithm.ES384, JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.EdDSA);
  /**
   * A JWS in compact serialization: three base64url parts without padding (RFC 7515 2, 7.1).
   * Checked before parsing because Nimbus's base64url decoding skips characters outside the
   * alphabet, so that {@code <token>&} would otherwise verify as {@code <token>}.
   */
  private static final Pattern COMPACT_JWS =
      Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

  private final KeyRing keys;
  private final Issuers issuers;
  private final OpaqueTokens ids;
  private final Clock clock;
  private final long skewSeconds;
  private final Cache<String, AccessToken> verified;

  public AccessTokens(KeyRing keys, Issuers issuers, OpaqueTokens ids, Clock clock,
      Duration clockSkew) {
    this.keys = keys;
    this.issuers = issuers;
    this.ids = ids;
    this.clock = clock;
    this.skewSeconds = clockSkew.toSeconds();
    this.verified = Caffeine.newBuilder()
        .maximumSize(20_000)
        .expireAfterWrite(Duration.ofMinutes(5))
        .build();
  }

  /**
   * What to put in a new access token.
   *
   * @param authTime when the user signed in (epoch seconds), null when no user did (RFC 9068 2.2.1)
   * @param audience who the token is meant for ({@code aud}, RFC 9068 2.2): resource indicators
   *     (RFC 8707), a client id, or the issuer's own API; at least one
   */
  public record Contents(String accountId, String subject, String clientId, String sessionId,
      Scope scopes, Long authTime, List<String> audience) {
    public Contents {
      audience = List.copyOf(audience);
      if (audience.isEmpty()) {
        throw new IllegalArgumentException("an access token needs an audience");
      }
    }
  }

  /** A signed access token and its lifetime. */
  public record Issued(String token, AccessToken claims) {}

  /** Signs a new access token valid for {@code ttl}. */
  public Issued issue(Contents c, Duration ttl) {
    KeyRing.AccountKeys accountKeys = keys.keys(c.accountId());
    SigningKey key = accountKeys.signing();
    if (key == null) {
      throw new IllegalStateException("account " + c.accountId() + " has no signing key");
    }
    long now = clock.instant().getEpochSecond();
    long exp = now + ttl.toSeconds();
    String issuer = issuers.issuer(c.accountId());
    String jti = ids.id("");
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject(c.subject())
        .audience(c.audience())
        .issueTime(new Date(now * 1000))
        .expirationTime(new Date(exp * 1000))
        .jwtID(jti)
        .claim("client_id", c.clientId())
        .claim("scope", c.scopes().render())
        .claim("sid", c.sessionId())
        .claim("auth_time", c.authTime()) // a null claim is left out
        .build();
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(key.alg()).type(AT_JWT).keyID(key.kid()).build(), claims);
    try {
      jwt.sign(key.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed with key " + key.kid(), e);
    }
    String token = jwt.serialize();
    AccessToken at = new AccessToken(c.accountId(), c.subject(), c.clientId(), c.sessionId(),
        Set.copyOf(c.scopes().values()), jti, key.kid(), now, now, exp,
        Set.copyOf(c.audience()));
    verified.put(token, at);
    return new Issued(token, at);
  }

  /** A JWT signed with an account's current key, and the algorithm it was signed with. */
  public record SignedToken(String token, JWSAlgorithm alg) {}

  /**
   * Signs other JWTs of the account (ID tokens, OIDC Core 2) in {@code alg} under the given
   * {@code typ}, with the key {@link KeyRing#signerFor} picks; the claims are built knowing the
   * algorithm (for {@code at_hash}). Access tokens always use {@link #issue}.
   */
  public SignedToken sign(String accountId, JWSAlgorithm alg, JOSEObjectType typ,
      java.util.function.Function<JWSAlgorithm, JWTClaimsSet> claims) {
    SigningKey key = keys.signerFor(accountId, alg);
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(key.alg()).type(typ).keyID(key.kid()).build(),
        claims.apply(key.alg()));
    try {
      jwt.sign(key.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed with key " + key.kid(), e);
    }
    return new SignedToken(jwt.serialize(), key.alg());
  }

  /**
   * The claims of a JWT whose signature verifies with one of {@code accountId}'s keys under the
   * algorithm bound to that key (RFC 8725 3.1), whatever its expiry; empty otherwise. For hints
   * such as OIDC's {@code id_token_hint}, never for authorization.
   */
  public java.util.Optional<JWTClaimsSet> signedByAccount(String accountId, String token) {
    if (token == null || token.length() > MAX_LENGTH || !COMPACT_JWS.matcher(token).matches()) {
      return java.util.Optional.empty();
    }
    try {
      if (!(JWTParser.parse(token) instanceof SignedJWT signed)) {
        return java.util.Optional.empty();
      }
      String kid = signed.getHeader().getKeyID();
      SigningKey key = kid == null ? null : keys.keys(accountId).verifierFor(kid);
      if (key == null || !key.alg().equals(signed.getHeader().getAlgorithm())
          || signed.getHeader().getJWK() != null || !signed.verify(key.verifier())) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(signed.getJWTClaimsSet());
    } catch (ParseException | JOSEException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  /**
   * Verifies an access token presented to {@code accountId}: its signature (RFC 8725), its
   * issuing account and its times. Whether the token is meant for the caller ({@code aud}) the
   * caller decides: Jeton's API by {@link Issuers#api}, introspection by the rules of RFC 7662 4
   * (docs/security.md#audiences).
   *
   * @throws ApiException with the precise {@code token_*} code when the token is not acceptable
   */
  public AccessToken verify(String token, String accountId) {
    AccessToken at = verified.getIfPresent(token);
    if (at == null) {
      at = verifyUncached(token);
      verified.put(token, at);
    } else if (!keys.keys(at.accountId()).verifiable().containsKey(at.kid())) {
      verified.invalidate(token);
      throw new ApiException(ErrorCode.TOKEN_SIGNATURE_INVALID,
          "The key that signed this token has been rotated out.");
    }
    checkUse(at, accountId);
    return at;
  }

  /** Drops every remembered verification (after a key was rotated out early). */
  public void forgetVerified() {
    verified.invalidateAll();
  }

  private void checkUse(AccessToken at, String accountId) {
    if (!at.accountId().equals(accountId)) {
      throw new ApiException(ErrorCode.TOKEN_WRONG_ACCOUNT,
          "The token was issued by account '" + at.accountId() + "', not by '" + accountId + "'.");
    }
    long now = clock.instant().getEpochSecond();
    // Jeton signed this token with its own clock, which every node shares (docs/operations.md,
    // "Clocks"): exp gets no leeway. The skew only tolerates iat and nbf a little ahead, the
    // direction in which accepting is harmless.
    if (now >= at.expiresAt()) {
      throw new ApiException(ErrorCode.TOKEN_EXPIRED,
          "The token expired at " + Instant.ofEpochSecond(at.expiresAt()) + ".");
    }
    if (at.notBefore() > now + skewSeconds || at.issuedAt() > now + skewSeconds) {
      throw new ApiException(ErrorCode.TOKEN_NOT_YET_VALID,
          "The token is valid from " + Instant.ofEpochSecond(Math.max(at.notBefore(),
              at.issuedAt())) + "; check the clock of the machine that issued it.");
    }
  }

  AccessToken verifyUncached(String token) {
    if (token.length() > MAX_LENGTH) {
      throw malformed("The token is longer than " + MAX_LENGTH + " characters.");
    }
    if (token.startsWith(OpaqueTokens.PREFIX)) {
      TokenKind kind = OpaqueTokens.parse(token);
      throw new ApiException(ErrorCode.TOKEN_WRONG_TYPE,
          "A Jeton '" + kind.tag() + "' token was presented where an access token is expected.");
    }
    if (!COMPACT_JWS.matcher(token).matches()) {
      throw malformed("The token is neither a Jeton token nor a well-formed JWT.");
    }
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException | RuntimeException e) {
      // Nimbus throws unchecked exceptions for some hostile inputs (e.g. a header that is the
      // JSON literal null); they are client errors, never a 500.
      throw malformed("The token is neither a Jeton token nor a well-formed JWT.");
    }
    if (jwt instanceof PlainJWT) {
      throw new ApiException(ErrorCode.TOKEN_SIGNATURE_INVALID,
          "Unsigned tokens (alg 'none') are never accepted.");
    }
    if (jwt instanceof EncryptedJWT || !(jwt instanceof SignedJWT signed)) {
      throw malformed("Encrypted tokens are not accepted here.");
    }
    JWSHeader header = signed.getHeader();
    if (header.getJWK() != null || header.getJWKURL() != null || header.getX509CertURL() != null
        || header.getX509CertChain() != null) {
      throw new ApiException(ErrorCode.TOKEN_SIGNATURE_INVALID,
          "Tokens that carry their own key or key URL (jwk, jku, x5u, x5c) are never accepted.");
    }
    if (!ALLOWED.contains(header.getAlgorithm())) {
      throw new ApiException(ErrorCode.TOKEN_SIGNATURE_INVALID,
          "The algorithm '" + header.getAlgorithm() + "' is not accepted.");
    }
    if (!isAccessTokenType(header.getType())) {
      throw new ApiException(ErrorCode.TOKEN_WRONG_TYPE,
          "The token's type is '" + header.getType() + "', not 'at+jwt' (is it an ID token?).");
    }
    JWTClaimsSet unverified;
    try {
      unverified = signed.getJWTClaimsSet();
    } catch (ParseException e) {
      throw malformed("The token's claims are not a JSON object.");
    }
    String accountId = issuers.accountOf(unverified.getIssuer());
    if (accountId == null) {
      throw new ApiException(ErrorCode.TOKEN_SIGNATURE_INVALID,
          "The token was not issued by an account of this server.");
    }
    String kid = header.getKeyID();
    if (kid == null) {
      throw new ApiException(ErrorCode.TOKEN_SIGNATURE_INVALID, "The token names no key (kid).");
    }
    SigningKey key = findKey(accountId, kid);
    if (!key.alg().equals(header.getAlgorithm())) {
      throw new ApiException(ErrorCode.TOKEN_SIGNATURE_INVALID,
          "The token's algorithm does not match its key.");
    }
    try {
      if (!signed.verify(key.verifier())) {
        throw new ApiException(ErrorCode.TOKEN_SIGNATURE_INVALID,
            "The token's signature does not match its content.");
      }
    } catch (JOSEException e) {
      throw new ApiException(ErrorCode.TOKEN_SIGNATURE_INVALID,
          "The token's signature cannot be checked.");
    }
    return claimsOf(unverified, accountId, kid);
  }

  private SigningKey findKey(String accountId, String kid) {
    KeyRing.AccountKeys ak = keys.keys(accountId);
    if (ak == KeyRing.NONE) {
      throw new ApiException(ErrorCode.TOKEN_SIGNATURE_INVALID,
          "The token was not issued by an account of this server.");
    }
    SigningKey key = ak.verifierFor(kid);
    if (key == null && !ak.retiredKids().contains(kid)
        && clock.millis() - ak.loadedAt() > 2_000) {
      ak = keys.reload(accountId);
      key = ak.verifierFor(kid);
    }
    if (key == null) {
      throw new ApiException(ErrorCode.TOKEN_SIGNATURE_INVALID, ak.retiredKids().contains(kid)
          ? "The key that signed this token has been rotated out."
          : "The token was signed with a key this account does not have.");
    }
    return key;
  }

  private AccessToken claimsOf(JWTClaimsSet c, String accountId, String kid) {
    try {
      String sub = c.getSubject();
      String clientId = c.getStringClaim("client_id");
      String jti = c.getJWTID();
      Date iat = c.getIssueTime();
      Date exp = c.getExpirationTime();
      List<String> aud = c.getAudience();
      if (sub == null || clientId == null || jti == null || iat == null || exp == null
          || aud == null || aud.isEmpty()) {
        throw malformed("The token lacks a required claim (sub, client_id, jti, iat, exp, aud).");
      }
      String scope = c.getStringClaim("scope");
      Scope scopes;
      try {
        scopes = scope == null ? Scope.EMPTY : Scope.parse(scope);
      } catch (Scope.MalformedScopeException e) {
        throw malformed("The token's scope claim is malformed (RFC 6749 3.3).");
      }
      Date nbf = c.getNotBeforeTime();
      long iatS = iat.getTime() / 1000;
      return new AccessToken(accountId, sub, clientId, c.getStringClaim("sid"),
          Set.copyOf(scopes.values()), jti, kid, iatS,
          nbf == null ? iatS : nbf.getTime() / 1000, exp.getTime() / 1000, Set.copyOf(aud));
    } catch (ParseException e) {
      throw malformed("A claim of the token has the wrong type.");
    }
  }

  private static boolean isAccessTokenType(JOSEObjectType typ) {
    if (typ == null) {
      return false;
    }
    String t = typ.getType().toLowerCase(Locale.ROOT);
    return t.equals("at+jwt") || t.equals("application/at+jwt");
  }

  private static ApiException malformed(String detail) {
    return new ApiException(ErrorCode.TOKEN_MALFORMED, detail);
  }
}
