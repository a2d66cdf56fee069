package dev.jeton.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jeton.App;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.text.ParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds arbitrary JWTs for attack tests: signed with an account's real current key (so any header
 * or claim can be set and only the property under test is wrong), signed with an attacker's own
 * keys, unsecured ({@code alg: none} in any spelling), HMAC-signed with the account's public key
 * as secret (RS/ES-to-HS key confusion), and with hand-written headers that Nimbus's builders
 * refuse to produce.
 *
 * <p>Lives in {@code dev.jeton.token} to reach the package-private {@link SigningKey} of the
 * account's {@link KeyRing}; it never touches the database or the master key.
 */
public final class TokenForge {
  private final KeyRing ring;

  public TokenForge(KeyRing ring) {
    this.ring = ring;
  }

  public static TokenForge of(App app) {
    return new TokenForge(app.keyRing());
  }

  // --- the account's real key ------------------------------------------------------------------

  private SigningKey current(String accountId) {
    SigningKey key = ring.keys(accountId).signing();
    if (key == null || key.signer() == null) {
      throw new IllegalStateException("account " + accountId + " has no current signing key");
    }
    return key;
  }

  /** The kid of the account's current signing key. */
  public String currentKid(String accountId) {
    return current(accountId).kid();
  }

  /** The algorithm the account's current key is bound to. */
  public JWSAlgorithm currentAlg(String accountId) {
    return current(accountId).alg();
  }

  /** The public JWK of the account's current key, exactly as the server holds it. */
  public JWK currentPublicJwk(String accountId) {
    return current(accountId).publicJwk();
  }

  /** The private JWK of the account's current key (to prove it is not stored in clear). */
  public JWK currentPrivateJwk(String accountId) {
    SigningKey key = current(accountId);
    try {
      if (key.signer() instanceof EcdsaSigner ec) {
        return new ECKey.Builder(key.publicJwk().toECKey()).privateKey(ec.privateKey())
            .build();
      }
      RSASSASigner rsa = (RSASSASigner) key.signer();
      return new RSAKey.Builder(key.publicJwk().toRSAKey()).privateKey(rsa.getPrivateKey())
          .build();
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot rebuild the private JWK", e);
    }
  }

  /** A header builder preset like the server's: alg of the current key, typ at+jwt, its kid. */
  public JWSHeader.Builder defaultHeader(String accountId) {
    SigningKey key = current(accountId);
    return new JWSHeader.Builder(key.alg()).type(AccessTokens.AT_JWT).keyID(key.kid());
  }

  /** Signs {@code claims} with the account's real current key under a customised header. */
  public String sign(String accountId, UnaryOperator<JWSHeader.Builder> header,
      JWTClaimsSet claims) {
    return sign(header.apply(defaultHeader(accountId)).build(), claims,
        current(accountId).signer());
  }

  /** Re-signs a real token's claims, edited, with the account's real key and the default header. */
  public String resign(String accountId, String token,
      UnaryOperator<JWTClaimsSet.Builder> claims) {
    return resign(accountId, token, h -> h, claims);
  }

  /** Re-signs a real token's claims with the account's real key; header and claims edited. */
  public String resign(String accountId, String token, UnaryOperator<JWSHeader.Builder> header,
      UnaryOperator<JWTClaimsSet.Builder> claims) {
    return sign(accountId, header, claims.apply(new JWTClaimsSet.Builder(claims(token))).build());
  }

  /**
   * Signs hand-written header and payload JSON with the account's real current key: for headers
   * the builder refuses (odd kid types, duplicate members, ...).
   */
  public String signRaw(String accountId, String headerJson, String payloadJson) {
    SigningKey key = current(accountId);
    return signRaw(key.signer(), key.alg(), headerJson, payloadJson);
  }

  // --- attacker keys ---------------------------------------------------------------------------

  /** A fresh P-256 key pair the server has never seen. */
  public static ECKey attackerEcKey(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).algorithm(JWSAlgorithm.ES256)
          .keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A fresh RSA-2048 key pair the server has never seen. */
  public static RSAKey attackerRsaKey(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).algorithm(JWSAlgorithm.RS256)
          .keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Signs with an attacker's private key under the given header. */
  public static String signWith(JWK attackerKey, JWSHeader header, JWTClaimsSet claims) {
    try {
      JWSSigner signer = attackerKey instanceof ECKey ec ? new ECDSASigner(ec)
          : new RSASSASigner((RSAKey) attackerKey);
      return sign(header, claims, signer);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Signs hand-written JSON with an attacker's private key. */
  public static String signRawWith(JWK attackerKey, JWSAlgorithm alg, String headerJson,
      String payloadJson) {
    try {
      JWSSigner signer = attackerKey instanceof ECKey ec ? new ECDSASigner(ec)
          : new RSASSASigner((RSAKey) attackerKey);
      return signRaw(signer, alg, headerJson, payloadJson);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- unsecured and symmetric forgeries -------------------------------------------------------

  /**
   * An unsecured JWT: header {@code {"alg": <alg>, "typ": "at+jwt", "kid": <kid>}} (kid omitted
   * when null), the claims, and {@code signature} as third part (usually empty).
   */
  public static String unsecured(String alg, String kid, JWTClaimsSet claims, String signature) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("alg", alg);
    h.put("typ", "at+jwt");
    if (kid != null) {
      h.put("kid", kid);
    }
    return b64(JSONObjectUtils.toJSONString(h)) + "." + b64(claims.toString()) + "." + signature;
  }

  /** The account's current public key as the JSON bytes a confused verifier might use. */
  public byte[] publicJwkJsonBytes(String accountId) {
    return currentPublicJwk(accountId).toJSONString().getBytes(StandardCharsets.UTF_8);
  }

  /** The account's current public key as DER (SubjectPublicKeyInfo) bytes. */
  public byte[] publicKeyDer(String accountId) {
    try {
      JWK jwk = currentPublicJwk(accountId);
      PublicKey pk = jwk instanceof ECKey ec ? ec.toPublicKey() : ((RSAKey) jwk).toPublicKey();
      return pk.getEncoded();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The account's current public key as PEM text bytes. */
  public byte[] publicKeyPem(String accountId) {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(publicKeyDer(accountId));
    return ("-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * An HMAC-signed JWT ({@code alg} one of HS256/HS384/HS512) whose secret is {@code secret},
   * computed with the JDK so that any secret length works. Header gets typ at+jwt and the kid.
   */
  public static String hmac(String alg, byte[] secret, String kid, JWTClaimsSet claims) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("alg", alg);
    h.put("typ", "at+jwt");
    if (kid != null) {
      h.put("kid", kid);
    }
    return hmacRaw(alg, secret, JSONObjectUtils.toJSONString(h), claims.toString());
  }

  /** HMAC over hand-written header and payload JSON. */
  public static String hmacRaw(String alg, byte[] secret, String headerJson, String payloadJson) {
    String input = b64(headerJson) + "." + b64(payloadJson);
    String jdk = switch (alg.toUpperCase(java.util.Locale.ROOT)) {
      case "HS384" -> "HmacSHA384";
      case "HS512" -> "HmacSHA512";
      default -> "HmacSHA256";
    };
    try {
      Mac mac = Mac.getInstance(jdk);
      mac.init(new SecretKeySpec(secret.length == 0 ? new byte[1] : secret, jdk));
      byte[] sig = mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + Base64URL.encode(sig);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- reading and tampering -------------------------------------------------------------------

  /** The (unverified) claims of a compact JWS. */
  public static JWTClaimsSet claims(String token) {
    try {
      return SignedJWT.parse(token).getJWTClaimsSet();
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a JWS: " + token, e);
    }
  }

  /** The header of a compact JWS. */
  public static JWSHeader header(String token) {
    try {
      return SignedJWT.parse(token).getHeader();
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a JWS: " + token, e);
    }
  }

  /** The same token with its payload replaced by {@code claims}, keeping header and signature. */
  public static String swapPayload(String token, JWTClaimsSet claims) {
    String[] parts = token.split("\\.", -1);
    return parts[0] + "." + b64(claims.toString()) + "." + parts[2];
  }

  /** The token's header JSON, decoded. */
  public static String headerJson(String token) {
    return new Base64URL(token.split("\\.", -1)[0]).decodeToString();
  }

  /** The token's payload JSON, decoded. */
  public static String payloadJson(String token) {
    return new Base64URL(token.split("\\.", -1)[1]).decodeToString();
  }

  public static String b64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** A header type other than at+jwt (e.g. {@code JWT} of an ID token). */
  public static JOSEObjectType type(String typ) {
    return new JOSEObjectType(typ);
  }

  private static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) {
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed", e);
    }
    return jwt.serialize();
  }

  private static String signRaw(JWSSigner signer, JWSAlgorithm alg, String headerJson,
      String payloadJson) {
    String input = b64(headerJson) + "." + b64(payloadJson);
    try {
      Base64URL sig = signer.sign(new JWSHeader(alg), input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + sig;
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed", e);
    }
  }
}
