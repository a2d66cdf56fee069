package dev.jeton.token;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * The format of every opaque Jeton secret: {@code jeton_<kind>_<random><checksum>}.
 *
 * <p>{@code <random>} is 30 base62 characters from a CSPRNG (178 bits, above RFC 6749 10.10's
 * 160-bit recommendation); {@code <checksum>} is the CRC-32 of everything before it as 6 base62
 * characters. Secret scanners recognise the prefix, and a mistyped or truncated secret is
 * rejected as {@code token_malformed} without any database lookup. Secrets are stored only as
 * {@link #hash(String) SHA-256 hashes}.
 */
public final class OpaqueTokens {
  static final String PREFIX = "jeton_";
  static final int RANDOM_CHARS = 30;
  static final int CHECKSUM_CHARS = 6;
  private static final char[] ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private final SecureRandom random;

  public OpaqueTokens(SecureRandom random) {
    this.random = random;
  }

  /** A new secret of the given kind. */
  public String generate(TokenKind kind) {
    StringBuilder sb = new StringBuilder(PREFIX.length() + 5 + RANDOM_CHARS + CHECKSUM_CHARS);
    sb.append(PREFIX).append(kind.tag()).append('_');
    for (int i = 0; i < RANDOM_CHARS; i++) {
      sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
    }
    sb.append(checksum(sb));
    return sb.toString();
  }

  /** A random identifier with the given prefix and 128 bits of entropy (22 base62 chars). */
  public String id(String prefix) {
    StringBuilder sb = new StringBuilder(prefix.length() + 22);
    sb.append(prefix);
    for (int i = 0; i < 22; i++) {
      sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
    }
    return sb.toString();
  }

  /**
   * The kind of a well-formed secret, checked offline (prefix, length, alphabet, checksum).
   *
   * @throws ApiException {@code token_malformed} when the secret is not well formed
   */
  public static TokenKind parse(String token) {
    TokenKind kind = kindOf(token);
    if (kind == null) {
      throw new ApiException(ErrorCode.TOKEN_MALFORMED,
          "The token is not a well-formed Jeton token or its checksum does not match.");
    }
    return kind;
  }

  /** Like {@link #parse} but answers null instead of throwing. */
  public static TokenKind kindOf(String token) {
    if (token == null || !token.startsWith(PREFIX) || token.length() > 64) {
      return null;
    }
    int sep = token.indexOf('_', PREFIX.length());
    if (sep < 0) {
      return null;
    }
    TokenKind kind = TokenKind.fromTag(token.substring(PREFIX.length(), sep));
    if (kind == null || token.length() != sep + 1 + RANDOM_CHARS + CHECKSUM_CHARS) {
      return null;
    }
    for (int i = sep + 1; i < token.length(); i++) {
      char c = token.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        return null;
      }
    }
    int split = token.length() - CHECKSUM_CHARS;
    String expected = checksum(token.subSequence(0, split));
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        token.substring(split).getBytes(StandardCharsets.US_ASCII)) ? kind : null;
  }

  /** The storage form of a secret: base64url (no padding) of its SHA-256. */
  public static String hash(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** A short, non-reversible fingerprint safe for logs: the first 12 chars of the hash. */
  public static String fingerprint(String token) {
    return hash(token).substring(0, 12);
  }

  static String checksum(CharSequence body) {
    CRC32 crc = new CRC32();
    for (int i = 0; i < body.length(); i++) {
      crc.update(body.charAt(i));
    }
    long v = crc.getValue();
    char[] out = new char[CHECKSUM_CHARS];
    for (int i = CHECKSUM_CHARS - 1; i >= 0; i--) {
      out[i] = ALPHABET[(int) (v % 62)];
      v /= 62;
    }
    return new String(out);
  }
}
