package dev.jeton.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Argon2id hashing in PHC format with the OWASP parameters. */
class PasswordHasherTest {
  private static final String PASSWORD = "tangerine submarine 1987";
  private static PasswordHasher owasp;
  private static String hash;

  @BeforeAll
  static void hashOnce() {
    owasp = new PasswordHasher(PasswordHasher.Params.OWASP, new SecureRandom());
    hash = owasp.hash(PASSWORD);
  }

  /** The hash with one character of segment {@code index} replaced by another base64 digit. */
  private static String tamper(String phc, int index) {
    String[] parts = phc.split("\\$");
    char c = parts[index].charAt(0);
    parts[index] = (c == 'A' ? 'B' : 'A') + parts[index].substring(1);
    return String.join("$", parts);
  }

  @Test
  void owaspParamsWhenReadThenOwaspCheatSheetValues() {
    assertThat(PasswordHasher.Params.OWASP.memoryKib()).isEqualTo(19_456);
    assertThat(PasswordHasher.Params.OWASP.iterations()).isEqualTo(2);
    assertThat(PasswordHasher.Params.OWASP.parallelism()).isEqualTo(1);
  }

  @Test
  void hashWhenOwaspParamsThenPhcArgon2idString() {
    assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    String[] parts = hash.split("\\$");
    assertThat(parts).hasSize(6);
    assertThat(Base64.getDecoder().decode(parts[4])).hasSize(16);
    assertThat(Base64.getDecoder().decode(parts[5])).hasSize(32);
    assertThat(parts[4]).doesNotContain("=");
    assertThat(hash).doesNotContain(PASSWORD);
  }

  @Test
  void verifyWhenRightPasswordThenTrue() {
    assertThat(owasp.verify(PASSWORD, hash)).isTrue();
  }

  @Test
  void verifyWhenWrongPasswordThenFalse() {
    assertThat(owasp.verify("tangerine submarine 1988", hash)).isFalse();
    assertThat(owasp.verify("Tangerine submarine 1987", hash)).isFalse();
    assertThat(owasp.verify("", hash)).isFalse();
  }

  @Test
  void verifyWhenHashOrSaltTamperedThenFalse() {
    assertThat(owasp.verify(PASSWORD, tamper(hash, 5))).isFalse();
    assertThat(owasp.verify(PASSWORD, tamper(hash, 4))).isFalse();
    assertThat(owasp.verify(PASSWORD, hash.replace("t=2", "t=3"))).isFalse();
  }

  @Test
  void verifyWhenNotArgon2idPhcThenFalse() {
    assertThat(owasp.verify(PASSWORD, hash.replace("$argon2id$", "$argon2i$"))).isFalse();
    assertThat(owasp.verify(PASSWORD, hash.replace("$v=19$", "$v=16$"))).isFalse();
    assertThat(owasp.verify(PASSWORD, "")).isFalse();
    assertThat(owasp.verify(PASSWORD, "$2a$10$abcdefghijklmnopqrstuv")).isFalse();
  }

  @Test
  void hashWhenSamePasswordTwiceThenDifferentSaltAndHash() {
    String again = owasp.hash(PASSWORD);
    assertThat(again).isNotEqualTo(hash);
    assertThat(again.split("\\$")[4]).isNotEqualTo(hash.split("\\$")[4]);
    assertThat(owasp.verify(PASSWORD, again)).isTrue();
  }

  @Test
  void verifyWhenHashMadeWithOtherParamsThenParamsReadFromString() {
    PasswordHasher cheap = new PasswordHasher(new PasswordHasher.Params(1024, 1, 1),
        new SecureRandom());
    String old = cheap.hash(PASSWORD);
    assertThat(old).startsWith("$argon2id$v=19$m=1024,t=1,p=1$");
    assertThat(owasp.verify(PASSWORD, old)).isTrue();
    assertThat(owasp.verify("not " + PASSWORD, old)).isFalse();
    assertThat(cheap.verify(PASSWORD, hash)).isTrue();
    PasswordHasher parallel = new PasswordHasher(new PasswordHasher.Params(2048, 1, 2),
        new SecureRandom());
    assertThat(owasp.verify(PASSWORD, parallel.hash(PASSWORD))).isTrue();
  }

  @Test
  void verifyWhenCalledThenCountedIncludingDummy() {
    PasswordHasher h = new PasswordHasher(new PasswordHasher.Params(1024, 1, 1),
        new SecureRandom());
    long before = h.verifications();
    h.verify(PASSWORD, h.hash(PASSWORD));
    h.verifyDummy(PASSWORD);
    assertThat(h.verifications() - before).isEqualTo(2);
  }

  @Test
  void hashWhenUnicodePasswordThenVerifiesOnlyTheSameCodePoints() {
    PasswordHasher h = new PasswordHasher(new PasswordHasher.Params(1024, 1, 1),
        new SecureRandom());
    String p = "mot de passe \u00e9t\u00e9 \uD83D\uDD11";
    String stored = h.hash(p);
    assertThat(h.verify(p, stored)).isTrue();
    assertThat(h.verify("mot de passe ete \uD83D\uDD11", stored)).isFalse();
  }

  @Test
  void verifyWhenManyAtOnceThenAtMostLanesRunTogether() throws Exception {
    PasswordHasher hasher = new PasswordHasher(new PasswordHasher.Params(4096, 1, 1),
        new java.security.SecureRandom(), 2);
    String hash = hasher.hash("lane test pass phrase");
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
    for (int i = 0; i < 32; i++) {
      results.add(pool.submit(() -> hasher.verify("lane test pass phrase", hash)));
    }
    for (java.util.concurrent.Future<Boolean> f : results) {
      assertThat(f.get()).isTrue();
    }
    pool.shutdown();
    // Each Argon2 run holds memoryKib of heap: concurrency is capped so sign-in floods cannot
    // exhaust memory.
    assertThat(hasher.peakConcurrency()).isBetween(1, 2);
  }

  @Test
  void hashWhenLaneMemoryReusedThenEqualsAFreshArgon2Computation() {
    // Lanes reuse Argon2 memory between hashes; every result must still be exactly what a
    // fresh Bouncy Castle computation (own memory, no pool) gives for the same salt.
    PasswordHasher hasher = new PasswordHasher(new PasswordHasher.Params(2048, 2, 1),
        new java.security.SecureRandom(), 1);
    for (String password : new String[] {"first pass phrase", "second pass phrase", "ünïcödé ok"}) {
      String phc = hasher.hash(password);
      String[] parts = phc.split("\\$");
      byte[] salt = Base64.getDecoder().decode(parts[4]);
      byte[] expected = new byte[32];
      org.bouncycastle.crypto.generators.Argon2BytesGenerator gen =
          new org.bouncycastle.crypto.generators.Argon2BytesGenerator();
      gen.init(new org.bouncycastle.crypto.params.Argon2Parameters.Builder(
              org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_id)
          .withVersion(org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_VERSION_13)
          .withMemoryAsKB(2048).withIterations(2).withParallelism(1).withSalt(salt).build());
      gen.generateBytes(password.getBytes(java.nio.charset.StandardCharsets.UTF_8), expected);
      assertThat(Base64.getDecoder().decode(parts[5])).isEqualTo(expected);
      assertThat(hasher.verify(password, phc)).isTrue();
    }
  }
}
