package dev.jeton.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The offline format of opaque Jeton secrets (docs/security.md#secret-entropy): prefix, kind, 30
 * base62 random characters and a 6-character checksum, so a mistyped, truncated or forged secret is
 * refused as {@code token_malformed} without touching any database. Plain unit test: no server, no
 * database exists here at all.
 */
class OpaqueTokensTest {
  private static final String ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final Pattern FORMAT =
      Pattern.compile("jeton_(rt|pat|ac|dc|qr|qp|st|cs|pw)_[0-9A-Za-z]{30}[0-9A-Za-z]{6}");
  /** Replacements tried at every position: base62, base64/url specials, space, non-ASCII. */
  private static final char[] REPLACEMENTS = {'0', '9', 'A', 'Z', 'a', 'z', '_', '-', '+', '/',
      '=', '.', ' ', '\u00e9', '\u0430', '\uff10', '\u0663'};

  private final OpaqueTokens tokens = new OpaqueTokens(new SecureRandom());

  private static void assertMalformed(String candidate) {
    assertThat(OpaqueTokens.kindOf(candidate)).as("kindOf(%s)", candidate).isNull();
    assertThatThrownBy(() -> OpaqueTokens.parse(candidate))
        .as("parse(%s)", candidate)
        .isInstanceOfSatisfying(ApiException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.TOKEN_MALFORMED));
  }

  /** Index of the first character after {@code jeton_<kind>_}. */
  private static int bodyStart(String token) {
    return token.indexOf('_', OpaqueTokens.PREFIX.length()) + 1;
  }

  @ParameterizedTest
  @EnumSource(TokenKind.class)
  void generateWhenAnyKindThenPrefixRandomAndChecksumFormat(TokenKind kind) {
    String t = tokens.generate(kind);
    assertThat(t).matches(FORMAT).startsWith("jeton_" + kind.tag() + "_");
    assertThat(t).hasSize(("jeton_" + kind.tag() + "_").length() + 30 + 6);
    // The checksum is the one computed over everything before it.
    assertThat(t.substring(t.length() - 6))
        .isEqualTo(OpaqueTokens.checksum(t.substring(0, t.length() - 6)));
  }

  @ParameterizedTest
  @EnumSource(TokenKind.class)
  void parseWhenGeneratedThenRoundTripsToItsKind(TokenKind kind) {
    for (int i = 0; i < 200; i++) {
      String t = tokens.generate(kind);
      assertThat(OpaqueTokens.parse(t)).as(t).isEqualTo(kind);
      assertThat(OpaqueTokens.kindOf(t)).isEqualTo(kind);
    }
  }

  @ParameterizedTest
  @EnumSource(TokenKind.class)
  void parseWhenAnySingleCharOfRandomOrChecksumChangedThenMalformed(TokenKind kind) {
    // docs/security.md#secret-entropy: the CRC-32 catches every single-character change; its 6-char
    // base62 rendering (62^6 > 2^32) is injective, so no single change can ever slip through.
    for (int round = 0; round < 20; round++) {
      String t = tokens.generate(kind);
      int start = bodyStart(t);
      int tried = 0;
      for (int pos = start; pos < t.length(); pos++) {
        char original = t.charAt(pos);
        Set<Character> candidates = new HashSet<>();
        for (char c : REPLACEMENTS) {
          candidates.add(c);
        }
        // neighbours in the alphabet and a case flip
        int idx = ALPHABET.indexOf(original);
        candidates.add(ALPHABET.charAt((idx + 1) % 62));
        candidates.add(ALPHABET.charAt((idx + 61) % 62));
        candidates.add(Character.isUpperCase(original) ? Character.toLowerCase(original)
            : Character.toUpperCase(original));
        candidates.remove(original);
        for (char c : candidates) {
          assertMalformed(t.substring(0, pos) + c + t.substring(pos + 1));
          tried++;
        }
      }
      assertThat(tried).isGreaterThan(36 * 15);
    }
  }

  @Test
  void parseWhenEveryBase62ReplacementAtEveryPositionThenMalformed() {
    // Exhaustive over the alphabet for one secret: 36 positions x 61 other characters.
    String t = tokens.generate(TokenKind.PAT);
    int start = bodyStart(t);
    for (int pos = start; pos < t.length(); pos++) {
      for (char c : ALPHABET.toCharArray()) {
        if (c != t.charAt(pos)) {
          assertMalformed(t.substring(0, pos) + c + t.substring(pos + 1));
        }
      }
    }
  }

  @Test
  void parseWhenTwoCharactersSwappedThenMalformed() {
    String t = tokens.generate(TokenKind.RT);
    int start = bodyStart(t);
    for (int pos = start; pos < t.length() - 1; pos++) {
      if (t.charAt(pos) != t.charAt(pos + 1)) {
        assertMalformed(t.substring(0, pos) + t.charAt(pos + 1) + t.charAt(pos)
            + t.substring(pos + 2));
      }
    }
  }

  @Test
  void parseWhenNonAsciiCharacterCollidesInChecksumThenStillMalformed() {
    // CRC32.update(int) only uses the low byte, so 'A' and U+0141 give the same checksum: only
    // the explicit ASCII alphabet check stands between such a look-alike and acceptance.
    String t = tokens.generate(TokenKind.RT);
    int start = bodyStart(t);
    for (int pos = start; pos < t.length() - 6; pos++) {
      String forged = t.substring(0, pos) + (char) (t.charAt(pos) + 0x100)
          + t.substring(pos + 1);
      assertThat(OpaqueTokens.checksum(forged.substring(0, forged.length() - 6)))
          .isEqualTo(t.substring(t.length() - 6));
      assertMalformed(forged);
    }
  }

  @Test
  void parseWhenTruncatedAtAnyLengthThenMalformed() {
    String t = tokens.generate(TokenKind.RT);
    for (int len = 0; len < t.length(); len++) {
      assertMalformed(t.substring(0, len));
    }
    for (int cut = 1; cut < t.length(); cut++) {
      assertMalformed(t.substring(cut));
    }
  }

  @Test
  void parseWhenExtendedThenMalformed() {
    String t = tokens.generate(TokenKind.RT);
    for (char c : (ALPHABET + "_- \n\t=.\u00e9").toCharArray()) {
      assertMalformed(t + c);
      assertMalformed(c + t);
    }
    assertMalformed(t + t);
    assertMalformed(t + OpaqueTokens.checksum(t));
  }

  @Test
  void parseWhenPrefixWrongThenMalformed() {
    String t = tokens.generate(TokenKind.RT);
    String rest = t.substring("jeton_".length());
    for (String prefix : List.of("", "Jeton_", "JETON_", "jeton-", "jeton", "jetons_",
        "xeton_", " jeton_", "ghp_", "jeton__", "\u0135eton_")) {
      assertMalformed(prefix + rest);
      // even with a checksum recomputed for the wrong prefix
      String body = prefix + rest.substring(0, rest.length() - 6);
      assertMalformed(body + OpaqueTokens.checksum(body));
    }
  }

  @Test
  void parseWhenKindUnknownEvenWithValidChecksumThenMalformed() {
    String random = tokens.generate(TokenKind.RT).substring("jeton_rt_".length(),
        "jeton_rt_".length() + 30);
    for (String tag : List.of("xx", "RT", "Rt", "pats", "p", "", "rt_rt", "id", "at", "jwt",
        "r\u0174")) {
      String body = "jeton_" + tag + "_" + random;
      assertMalformed(body + OpaqueTokens.checksum(body));
    }
  }

  @Test
  void parseWhenKindTagSwappedForAnotherOfSameLengthThenMalformed() {
    // A refresh token cannot be relabelled as another kind: the checksum covers the prefix.
    for (TokenKind from : TokenKind.values()) {
      String t = tokens.generate(from);
      String rest = t.substring(bodyStart(t));
      for (TokenKind to : TokenKind.values()) {
        if (to != from && to.tag().length() == from.tag().length()) {
          assertMalformed("jeton_" + to.tag() + "_" + rest);
        }
      }
    }
  }

  @Test
  void parseWhenNonAsciiThenMalformed() {
    String t = tokens.generate(TokenKind.RT);
    int start = bodyStart(t);
    for (String s : List.of("\u00e9", "\u0430", "\uff10", "\u0663", "\ud83d\ude00", "\u0000",
        "\u200b")) {
      assertMalformed(t.substring(0, start) + s + t.substring(start + 1));
      assertMalformed(t.substring(0, t.length() - 1) + s);
    }
    assertMalformed("jeton_rt_" + "\u00e9".repeat(36));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "jeton_", "jeton_rt", "jeton_rt_", "eyJhbGciOiJub25lIn0.e30.",
      "null", "jeton_rt_000000000000000000000000000000000000"})
  void parseWhenNotATokenThenMalformed(String candidate) {
    assertMalformed(candidate);
  }

  @Test
  void parseWhenNullOrHugeThenMalformed() {
    assertMalformed(null);
    assertMalformed("jeton_rt_" + "A".repeat(10_000));
  }

  @Test
  void generateWhenThousandSecretsThenAllDistinctAndAlphabetUniform() {
    Set<String> seen = new HashSet<>();
    Set<String> randomParts = new HashSet<>();
    Map<Character, Integer> counts = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      String t = tokens.generate(TokenKind.values()[i % TokenKind.values().length]);
      seen.add(t);
      String random = t.substring(bodyStart(t), bodyStart(t) + 30);
      randomParts.add(random);
      for (char c : random.toCharArray()) {
        counts.merge(c, 1, Integer::sum);
      }
    }
    assertThat(seen).hasSize(1000);
    assertThat(randomParts).hasSize(1000);
    // 30,000 characters, ~484 expected each: every symbol used, none wildly over-represented
    // (a 2x excess is more than 20 standard deviations).
    assertThat(counts).hasSize(62);
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(200, 968));
  }

  @Test
  void idWhenGeneratedThenPrefixAnd22Base62Distinct() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = tokens.id("ses_");
      assertThat(id).matches("ses_[0-9A-Za-z]{22}");
      ids.add(id);
    }
    assertThat(ids).hasSize(1000);
  }

  @Test
  void hashWhenComputedThenStableBase64UrlSha256AndNotTheSecret() {
    assertThat(OpaqueTokens.hash("abc")).isEqualTo("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    List<String> hashes = new ArrayList<>();
    for (TokenKind kind : TokenKind.values()) {
      String t = tokens.generate(kind);
      String h = OpaqueTokens.hash(t);
      assertThat(h).hasSize(43).matches("[A-Za-z0-9_-]{43}").isEqualTo(OpaqueTokens.hash(t))
          .isNotEqualTo(t).doesNotContain(t.substring(bodyStart(t)));
      assertThat(OpaqueTokens.fingerprint(t)).hasSize(12).isEqualTo(h.substring(0, 12));
      hashes.add(h);
    }
    assertThat(new HashSet<>(hashes)).hasSize(hashes.size());
    String t = tokens.generate(TokenKind.RT);
    String oneOff = t.substring(0, t.length() - 1) + (t.endsWith("a") ? "b" : "a");
    assertThat(OpaqueTokens.hash(oneOff)).isNotEqualTo(OpaqueTokens.hash(t));
  }
}
