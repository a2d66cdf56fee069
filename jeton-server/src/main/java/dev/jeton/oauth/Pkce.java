package dev.jeton.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * PKCE verification (RFC 7636 4.6) with the only method Jeton accepts, {@code S256}:
 * {@code BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge}, compared in constant time.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7636#section-4.6">RFC 7636 4.6</a>
 */
final class Pkce {
  /** RFC 7636 4.1: 43 to 128 unreserved characters. */
  private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");

  private Pkce() {}

  static boolean wellFormed(String verifier) {
    return verifier != null && VERIFIER.matcher(verifier).matches();
  }

  /** The S256 challenge of a verifier. */
  static String challenge(String verifier) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  static boolean matches(String verifier, String challenge) {
    return wellFormed(verifier) && MessageDigest.isEqual(
        challenge(verifier).getBytes(StandardCharsets.US_ASCII),
        challenge.getBytes(StandardCharsets.US_ASCII));
  }
}
