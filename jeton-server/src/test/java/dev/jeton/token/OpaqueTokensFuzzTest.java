package dev.jeton.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Fuzz test of the opaque secret format ({@link OpaqueTokens}, docs/security.md#secret-entropy):
 * {@code jeton_<kind>_<30 base62><6 base62 CRC-32>}. A text is accepted with its kind exactly when
 * an independent check here (pattern, known kind, CRC-32 of the ASCII bytes before the checksum)
 * accepts it, and refused with {@code token_malformed} otherwise. When the input starts with
 * {@code G}, the harness builds a well-formed secret from the input and then changes one character
 * as the input says: a secret with one character changed is always refused. Inputs in
 * {@code src/test/resources/dev/jeton/token/OpaqueTokensFuzzTestInputs/parse/}; docs/fuzzing.md.
 */
class OpaqueTokensFuzzTest {
  private static final String ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final Pattern FORMAT = Pattern.compile("jeton_([a-z]+)_[0-9A-Za-z]{36}");

  @FuzzTest(maxDuration = "5m")
  void parse(byte[] data) {
    String token;
    boolean changed = false;
    if (data.length >= 34 && data[0] == 'G') {
      TokenKind kind = TokenKind.values()[(data[1] & 0xFF) % TokenKind.values().length];
      StringBuilder b = new StringBuilder("jeton_").append(kind.tag()).append('_');
      for (int i = 2; i < 32; i++) {
        b.append(ALPHABET.charAt((data[i] & 0xFF) % 62));
      }
      b.append(checksum(b.toString()));
      assertThat(OpaqueTokens.kindOf(b.toString())).as("well-formed %s", b).isEqualTo(kind);
      int at = (data[32] & 0xFF) % b.length();
      char c = (char) (data[33] & 0xFF);
      changed = b.charAt(at) != c;
      b.setCharAt(at, c);
      token = b.toString();
    } else {
      token = new String(data, StandardCharsets.UTF_8);
    }
    TokenKind expected = expectedKind(token);
    if (changed) {
      assertThat(expected).as("reference accepted a changed secret %s", token).isNull();
    }
    assertThat(OpaqueTokens.kindOf(token)).as("kind of %s", token).isEqualTo(expected);
    try {
      assertThat(OpaqueTokens.parse(token)).isEqualTo(expected);
      assertThat(expected).isNotNull();
    } catch (ApiException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.TOKEN_MALFORMED);
      assertThat(expected).as("refused the well-formed %s", token).isNull();
    }
    String hash = OpaqueTokens.hash(token);
    assertThat(hash).matches("[A-Za-z0-9_-]{43}");
    assertThat(OpaqueTokens.fingerprint(token)).isEqualTo(hash.substring(0, 12));
  }

  /** The kind of a well-formed secret, by an independent reading of the format; else null. */
  private static TokenKind expectedKind(String token) {
    Matcher m = FORMAT.matcher(token);
    if (!m.matches()) {
      return null;
    }
    TokenKind kind = null;
    for (TokenKind k : TokenKind.values()) {
      if (k.tag().equals(m.group(1))) {
        kind = k;
      }
    }
    int split = token.length() - 6;
    return kind != null && checksum(token.substring(0, split)).equals(token.substring(split))
        ? kind : null;
  }

  /** CRC-32 of the ASCII bytes, as 6 base62 digits, most significant first. */
  private static String checksum(String body) {
    CRC32 crc = new CRC32();
    crc.update(body.getBytes(StandardCharsets.US_ASCII));
    long v = crc.getValue();
    char[] out = new char[6];
    for (int i = 5; i >= 0; i--) {
      out[i] = ALPHABET.charAt((int) (v % 62));
      v /= 62;
    }
    return new String(out);
  }
}
