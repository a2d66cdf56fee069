package dev.jeton.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Imported password hashes. Two rules are guarded here: an imported hash must verify exactly as
 * the origin system verified it (so the vectors come from other implementations: Python's
 * hashlib, Django and passlib for PBKDF2, libxcrypt's and pyca's bcrypt, the Argon2 reference
 * CLI), and the bounds keep one sign-in attempt cheap (an out-of-bounds hash is refused at import
 * and never computed).
 */
class ForeignHashesTest {
  private static final String NON_ASCII = "pässwörd✓";

  // PBKDF2-HMAC-SHA256 vectors, computed with Python 3.11's hashlib.pbkdf2_hmac('sha256', ...)
  // over the UTF-8 password; the Django ones are also exactly what Django 3.2's
  // PBKDF2PasswordHasher.encode writes, the passlib ones what passlib 1.7.4's pbkdf2_sha256 writes.
  /** Django, salt "a1B2c3D4e5F6g7H8i9J0kL" as text, 20,000 iterations. */
  private static final String DJANGO_NON_ASCII =
      "pbkdf2_sha256$20000$a1B2c3D4e5F6g7H8i9J0kL$V0w7u3DVoXt9GD+bb31kDr6n8gMU4erPix1AcWMCkRs=";
  /** Django 3.2's default 260,000 iterations. */
  private static final String DJANGO_DEFAULT =
      "pbkdf2_sha256$260000$Zq8Wm3Rt6Yp1Lk4Nv7Bx2C$+IEabmNhkBISR3STFoqSh+B2hF5f7RYP7revmE5/EAA=";
  /** passlib, 29,000 rounds (its default); salt and hash both contain '.' (for '+'). */
  private static final String PASSLIB_NON_ASCII = "$pbkdf2-sha256$29000$y6GMdEL.QXgAO5yHrZr0JQ$"
      + "M23zvb08RJd0qiKqiZepI5.FC6vPWJSULelEK068aE0";
  private static final String PASSLIB_ASCII = "$pbkdf2-sha256$1000$SzfdPPBpcQyEUly7FK.uNg$"
      + "6Ij0d9U3Jj/r0shbKBCro6wWcTy9slO7.zK7JUdua/M";
  /** PHC style as Ory Kratos writes it. */
  private static final String PHC_NON_ASCII = "$pbkdf2-sha256$i=10000,l=32$G418U8geW6h5PSiasA+l0g$"
      + "/DTxjX+gZWf31U10A1G4NtilnjgrGxuhngebUP8ueHg";
  /** PHC style with a 64-byte key (two PBKDF2 blocks). */
  private static final String PHC_64_BYTES = "$pbkdf2-sha256$i=1000,l=64$AfVTqgc2tWrsjD56R/tHtw$"
      + "2fCtxoRVXVgEaM/ImxNWARqDbYggBoig58F6gPHW6bYMtum8EVpWUt3oB4aBlnA9/dskpmdVOiFxH/WacpmcTQ";

  // bcrypt vectors. Published: jBCrypt's for the empty password and Openwall crypt_blowfish's for
  // "U*U", both reproduced by libxcrypt. The others were made with libxcrypt's crypt() (Python's
  // crypt module) and checked with pyca/bcrypt 3.2.2.
  private static final String JBCRYPT_EMPTY =
      "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.";
  private static final String OPENWALL_U_STAR_U =
      "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
  private static final String XCRYPT_2A =
      "$2a$05$QRDEhvJ3s.2hQex33CXFzewS8zT5eZPH.IH2n5gAnmwdEZbvhBeF.";
  private static final String XCRYPT_2B =
      "$2b$05$LDyiQjvgLwO3hUVTU7u/LONcoWg8cOnEtr.k97xNQfjlFMIcUpCY.";
  private static final String XCRYPT_2Y =
      "$2y$05$BALmbOhkXYPHstRUFf99h.xq7SGkUphvmzGxlt12d9t9BAM0JZjNa";
  /** "0123456789" repeated to 100 bytes; libxcrypt gives the same hash for its first 72 bytes. */
  private static final String LONG_100 = "0123456789".repeat(10);
  private static final String XCRYPT_LONG_100 =
      "$2b$05$td2uLdACdux.J5FYBWjxaOcoZY6J/dA3jS7Z18J1ejtwu75XBITP6";
  /** "a" and 50 "é": 101 bytes, the 72nd of which is the first half of an "é". */
  private static final String MIXED_101 = "a" + "é".repeat(50);
  private static final String XCRYPT_MIXED_101 =
      "$2y$05$h3n18x.SuXBFzAttcZ12WO.lrAWBUuhiHh89jQ4XvSR8pq41DgMLq";

  // Argon2 vectors from the reference implementation's CLI (argon2 20171227):
  // echo -n password | argon2 somesaltsomesalt -id -t 2 -k 19456 -p 1 -l 32 -e, and so on.
  private static final String ARGON2ID_OWASP = "$argon2id$v=19$m=19456,t=2,p=1$"
      + "c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE";
  /** At the upper bounds for memory (64 MiB) and the lower ones for salt (8) and hash (16). */
  private static final String ARGON2ID_EDGES =
      "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$x8xdXxNM4W4K0TZN4sUirA";
  /** The Argon2 README's own example. */
  private static final String ARGON2I_README =
      "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";
  private static final String ARGON2D = "$argon2d$v=19$m=19456,t=2,p=1$"
      + "c29tZXNhbHRzb21lc2FsdA$f8gkm257MoQwfrhrC6CGHp8l1JUBBHjt1pQXNTyG5OQ";
  private static final String ARGON2ID_V16 = "$argon2id$v=16$m=19456,t=2,p=1$"
      + "c29tZXNhbHRzb21lc2FsdA$E1C1eTwcpnnkZsf6N06hCehEk0IbxvVj0JCTVmy7eK8";

  /** Segments that name an algorithm: problem sentences may name those. */
  private static final List<String> ALGORITHM_TAGS =
      List.of("argon2id", "pbkdf2_sha256", "pbkdf2-sha256", "{bcrypt}");
  private static final String BCRYPT_ALPHABET =
      "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  /** The password with its last character replaced by the next code point. */
  private static String oneCharChanged(String password) {
    char last = password.charAt(password.length() - 1);
    return password.substring(0, password.length() - 1) + (char) (last + 1);
  }

  private static void assertAccepted(String encoded, ForeignHashes.Format format) {
    assertThat(ForeignHashes.problem(encoded)).isNull();
    assertThat(ForeignHashes.format(encoded)).isEqualTo(format);
  }

  /** Refused with one sentence that names the reason and never quotes the hash. */
  private static String assertRefused(String encoded) {
    String problem = ForeignHashes.problem(encoded);
    assertThat(problem).isNotNull().endsWith(".").doesNotContain("\n");
    assertThat(Character.isUpperCase(problem.charAt(0))).isTrue();
    assertThat(ForeignHashes.format(encoded)).isNull();
    assertThat(ForeignHashes.argon2(encoded)).isNull();
    assertThat(ForeignHashes.verify("password", encoded)).isFalse();
    if (encoded != null) {
      for (String segment : encoded.split("[$,]")) {
        // Parameters (numbers, "t=3") are no secret; salts, hashes and plain passwords are.
        if (segment.length() >= 8 && !ALGORITHM_TAGS.contains(segment)
            && !segment.matches("([a-z]=)?[0-9]+")) {
          assertThat(problem).doesNotContain(segment);
        }
      }
    }
    return problem;
  }

  static Stream<Arguments> pbkdf2Vectors() {
    return Stream.of(
        arguments("Django, non-ASCII password", NON_ASCII, DJANGO_NON_ASCII),
        arguments("Django, default iterations", "correct horse battery staple", DJANGO_DEFAULT),
        arguments("passlib, non-ASCII password", NON_ASCII, PASSLIB_NON_ASCII),
        arguments("passlib, ASCII password", "hunter2", PASSLIB_ASCII),
        arguments("PHC, non-ASCII password", NON_ASCII, PHC_NON_ASCII),
        arguments("PHC, 64-byte key", "s3cret!", PHC_64_BYTES));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pbkdf2Vectors")
  @DisplayName("PBKDF2-SHA256 verifies as hashlib, Django and passlib do: right password only")
  void pbkdf2WhenHashlibVectorThenOnlyRightPasswordVerifies(String label, String password,
      String encoded) {
    assertAccepted(encoded, ForeignHashes.Format.PBKDF2_SHA256);
    assertThat(ForeignHashes.verify(password, encoded)).isTrue();
    assertThat(ForeignHashes.verify(oneCharChanged(password), encoded)).isFalse();
    assertThat(ForeignHashes.verify(password + " ", encoded)).isFalse();
    assertThat(ForeignHashes.verify("wrong password", encoded)).isFalse();
    assertThat(ForeignHashes.verify("", encoded)).isFalse();
    assertThat(ForeignHashes.argon2(encoded)).isNull();
  }

  @Test
  @DisplayName("PBKDF2 derives over the password's UTF-8 bytes, exactly as hashlib: no other"
      + " encoding or normalisation verifies")
  void pbkdf2WhenNonAsciiPasswordThenUtf8BytesAndNothingElse() {
    String decomposed = Normalizer.normalize(NON_ASCII, Normalizer.Form.NFD);
    String latin1 = new String(NON_ASCII.getBytes(StandardCharsets.ISO_8859_1),
        StandardCharsets.ISO_8859_1);
    String mojibake = new String(NON_ASCII.getBytes(StandardCharsets.UTF_8),
        StandardCharsets.ISO_8859_1);
    for (String encoded : List.of(DJANGO_NON_ASCII, PASSLIB_NON_ASCII, PHC_NON_ASCII)) {
      assertThat(ForeignHashes.verify(NON_ASCII, encoded)).isTrue();
      assertThat(decomposed).isNotEqualTo(NON_ASCII);
      assertThat(ForeignHashes.verify(decomposed, encoded)).isFalse();
      assertThat(ForeignHashes.verify(latin1, encoded)).isFalse();
      assertThat(ForeignHashes.verify(mojibake, encoded)).isFalse();
    }
  }

  @Test
  @DisplayName("PBKDF2 hashes verify exactly as the origin did: a changed salt, hash or count"
      + " fails")
  void pbkdf2WhenSaltHashOrIterationsChangedThenFalse() {
    assertThat(ForeignHashes.verify(NON_ASCII,
        DJANGO_NON_ASCII.replace("$a1B2c3", "$a1B2c4"))).isFalse();
    assertThat(ForeignHashes.verify(NON_ASCII,
        DJANGO_NON_ASCII.replace("$20000$", "$20001$"))).isFalse();
    assertThat(ForeignHashes.verify(NON_ASCII,
        DJANGO_NON_ASCII.replace("$V0w7", "$V0w8"))).isFalse();
    assertThat(ForeignHashes.verify(NON_ASCII,
        PASSLIB_NON_ASCII.replace("$y6GM", "$y6GN"))).isFalse();
    assertThat(ForeignHashes.verify(NON_ASCII,
        PHC_NON_ASCII.replace("i=10000", "i=10001"))).isFalse();
  }

  @Test
  @DisplayName("PHC PBKDF2: l must equal the decoded hash length, as the PHC format says")
  void pbkdf2WhenPhcLengthDisagreesThenRefused() {
    assertThat(assertRefused(PHC_NON_ASCII.replace("l=32", "l=31"))).contains("l");
    assertRefused(PHC_NON_ASCII.replace("l=32", "l=64"));
    assertRefused(PHC_NON_ASCII.replace("i=10000,l=32", "l=32,i=10000"));
    assertRefused(PHC_NON_ASCII.replace("i=10000,l=32", "i=10000"));
  }

  @Test
  @DisplayName("Bounds keep one sign-in attempt cheap: PBKDF2 iterations 1,000..2,000,000, hash"
      + " 16..64 bytes, salt non-empty")
  void pbkdf2WhenOutOfBoundsThenRefusedWithTheBound() {
    String salt = "$c2FsdHNhbHQ$";
    String hash32 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assertAccepted("$pbkdf2-sha256$i=1000,l=32" + salt + hash32,
        ForeignHashes.Format.PBKDF2_SHA256);
    assertAccepted("$pbkdf2-sha256$i=2000000,l=32" + salt + hash32,
        ForeignHashes.Format.PBKDF2_SHA256);
    assertThat(assertRefused("$pbkdf2-sha256$i=999,l=32" + salt + hash32))
        .contains("999").contains("1000").contains("2000000");
    assertThat(assertRefused("$pbkdf2-sha256$i=2000001,l=32" + salt + hash32))
        .contains("2000000");
    assertThat(assertRefused("$pbkdf2-sha256$2000001" + salt + hash32)).contains("2000000");
    assertThat(assertRefused("pbkdf2_sha256$2000001$salt$" + hash32 + "=")).contains("2000000");
    assertThat(assertRefused("pbkdf2_sha256$999$salt$" + hash32 + "=")).contains("1000");
    // 15 and 65 bytes of hash.
    assertThat(assertRefused("$pbkdf2-sha256$i=1000,l=15" + salt + "AAAAAAAAAAAAAAAAAAAA"))
        .contains("16").contains("64");
    assertThat(assertRefused("$pbkdf2-sha256$i=1000,l=65" + salt + "A".repeat(87)))
        .contains("64");
    assertThat(assertRefused("pbkdf2_sha256$1000$$" + hash32 + "=")).contains("salt");
    assertThat(assertRefused("$pbkdf2-sha256$1000$$" + hash32)).contains("salt");
  }

  @Test
  @DisplayName("bcrypt published vectors (jBCrypt, Openwall) verify as the origin did")
  void bcryptWhenPublishedVectorThenVerifies() {
    assertAccepted(JBCRYPT_EMPTY, ForeignHashes.Format.BCRYPT);
    assertThat(ForeignHashes.verify("", JBCRYPT_EMPTY)).isTrue();
    assertThat(ForeignHashes.verify(" ", JBCRYPT_EMPTY)).isFalse();
    assertThat(ForeignHashes.verify("a", JBCRYPT_EMPTY)).isFalse();
    assertAccepted(OPENWALL_U_STAR_U, ForeignHashes.Format.BCRYPT);
    assertThat(ForeignHashes.verify("U*U", OPENWALL_U_STAR_U)).isTrue();
    assertThat(ForeignHashes.verify("U*V", OPENWALL_U_STAR_U)).isFalse();
    assertThat(ForeignHashes.verify("U*U*", OPENWALL_U_STAR_U)).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {XCRYPT_2A, XCRYPT_2B, XCRYPT_2Y})
  @DisplayName("bcrypt $2a$/$2b$/$2y$ from libxcrypt verify as the origin did, non-ASCII included")
  void bcryptWhenLibxcryptVectorThenOnlyRightPasswordVerifies(String encoded) {
    assertAccepted(encoded, ForeignHashes.Format.BCRYPT);
    assertThat(ForeignHashes.verify(NON_ASCII, encoded)).isTrue();
    assertThat(ForeignHashes.verify(oneCharChanged(NON_ASCII), encoded)).isFalse();
    assertThat(ForeignHashes.verify(Normalizer.normalize(NON_ASCII, Normalizer.Form.NFD),
        encoded)).isFalse();
    assertThat(ForeignHashes.verify("passwörd✓", encoded)).isFalse();
    assertThat(ForeignHashes.argon2(encoded)).isNull();
  }

  @ParameterizedTest(name = "${0}$")
  @ValueSource(strings = {"2a", "2b", "2y"})
  @DisplayName("bcrypt hashes BouncyCastle generates verify; a one-character change does not")
  void bcryptWhenBouncyCastleGeneratedThenVerifies(String version) {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    String password = "Tr0ub4dor&3 ✓";
    String encoded = OpenBSDBCrypt.generate(version, password.getBytes(StandardCharsets.UTF_8),
        salt, 4);
    assertThat(encoded).startsWith("$" + version + "$04$");
    assertAccepted(encoded, ForeignHashes.Format.BCRYPT);
    assertThat(ForeignHashes.verify(password, encoded)).isTrue();
    assertThat(ForeignHashes.verify(oneCharChanged(password), encoded)).isFalse();
    assertThat(ForeignHashes.verify("tr0ub4dor&3 ✓", encoded)).isFalse();
  }

  @Test
  @DisplayName("bcrypt only ever used the first 72 UTF-8 bytes: a 100-byte password verifies as"
      + " libxcrypt did")
  void bcryptWhenPasswordOver72BytesThenFirst72BytesCount() {
    assertThat(LONG_100.getBytes(StandardCharsets.UTF_8)).hasSize(100);
    assertThat(ForeignHashes.verify(LONG_100, XCRYPT_LONG_100)).isTrue();
    assertThat(ForeignHashes.verify(LONG_100.substring(0, 72), XCRYPT_LONG_100)).isTrue();
    assertThat(ForeignHashes.verify(LONG_100.substring(0, 72) + "xyz", XCRYPT_LONG_100)).isTrue();
    assertThat(ForeignHashes.verify(LONG_100.substring(0, 71), XCRYPT_LONG_100)).isFalse();
    assertThat(ForeignHashes.verify(LONG_100.substring(0, 71) + "x", XCRYPT_LONG_100)).isFalse();

    // The cut at byte 72 falls inside a character: the origin hashed that half byte, and so must
    // verification (a 71-byte cut at the character boundary does not match).
    byte[] mixed = MIXED_101.getBytes(StandardCharsets.UTF_8);
    assertThat(mixed).hasSize(101);
    assertThat(mixed[71]).isEqualTo((byte) 0xc3);
    assertThat(ForeignHashes.verify(MIXED_101, XCRYPT_MIXED_101)).isTrue();
    assertThat(ForeignHashes.verify(MIXED_101.substring(0, 36), XCRYPT_MIXED_101)).isFalse();
    assertThat(ForeignHashes.verify(MIXED_101.substring(0, 37), XCRYPT_MIXED_101)).isTrue();
  }

  @Test
  @DisplayName("bcrypt: a 100-byte password verifies against BouncyCastle's hash of its first 72"
      + " bytes, and no long password throws")
  void bcryptWhenHashOfFirst72BytesThenLongPasswordVerifies() {
    String password = "correct horse battery staple, ".repeat(4).substring(0, 100);
    byte[] first72 = Arrays.copyOf(password.getBytes(StandardCharsets.UTF_8), 72);
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    String encoded = OpenBSDBCrypt.generate("2b", first72, salt, 4);
    assertThat(ForeignHashes.verify(password, encoded)).isTrue();
    assertThat(ForeignHashes.verify(password.substring(0, 71), encoded)).isFalse();
    assertThatCode(() -> ForeignHashes.verify("x".repeat(100_000), encoded))
        .doesNotThrowAnyException();
    assertThat(ForeignHashes.verify("é".repeat(10_000), encoded)).isFalse();
  }

  @Test
  @DisplayName("Bounds keep one sign-in attempt cheap: bcrypt cost 4..14, cost 15 refused")
  void bcryptWhenCostOutOfBoundsThenRefusedWithTheBound() {
    String rest = XCRYPT_2B.substring(6);
    assertAccepted("$2b$14" + rest, ForeignHashes.Format.BCRYPT);
    assertAccepted("$2b$04" + rest, ForeignHashes.Format.BCRYPT);
    assertThat(assertRefused("$2b$15" + rest)).contains("15").contains("14").contains("sign-in");
    assertThat(assertRefused("$2a$31" + rest)).contains("14");
    assertThat(assertRefused("$2y$03" + rest)).contains("4");
    assertThat(assertRefused("$2b$00" + rest)).contains("4");
  }

  @Test
  @DisplayName("bcrypt $2x$ (crypt_blowfish's 8-bit bug) and $2$ are refused with a sentence")
  void bcryptWhenBuggyOrOriginalVariantThenRefused() {
    assertThat(assertRefused("$2x" + XCRYPT_2A.substring(3))).contains("$2x$");
    assertThat(assertRefused("$2$05$" + XCRYPT_2A.substring(7))).contains("$2$");
    assertThat(ForeignHashes.verify(NON_ASCII, "$2x" + XCRYPT_2A.substring(3))).isFalse();
  }

  @Test
  @DisplayName("bcrypt strings no bcrypt writes (spare bits set in the last salt or hash"
      + " character) are refused instead of imported to fail every sign-in")
  void bcryptWhenNotCanonicalThenRefused() {
    // Position 28 is the salt's 22nd character (4 spare bits), 59 the hash's 31st (2 spare bits):
    // the next character of the alphabet sets the lowest spare bit.
    for (int position : new int[] {28, 59}) {
      char[] chars = XCRYPT_2A.toCharArray();
      int index = BCRYPT_ALPHABET.indexOf(chars[position]);
      assertThat(index & (position == 28 ? 0x0f : 0x03)).isZero();
      chars[position] = BCRYPT_ALPHABET.charAt(index + 1);
      assertRefused(new String(chars));
      assertThat(ForeignHashes.verify(NON_ASCII, new String(chars))).isFalse();
    }
  }

  @Test
  @DisplayName("Argon2id: argon2() returns the parameters the reference CLI encoded, and they"
      + " reproduce its hash")
  void argon2WhenReferenceVectorThenParsedParametersReproduceHash() {
    assertAccepted(ARGON2ID_OWASP, ForeignHashes.Format.ARGON2ID);
    ForeignHashes.Argon2 a = ForeignHashes.argon2(ARGON2ID_OWASP);
    assertThat(a).isNotNull();
    assertThat(a.memoryKib()).isEqualTo(19_456);
    assertThat(a.iterations()).isEqualTo(2);
    assertThat(a.parallelism()).isEqualTo(1);
    assertThat(a.salt()).isEqualTo("somesaltsomesalt".getBytes(StandardCharsets.US_ASCII));
    assertThat(a.hash()).hasSize(32);

    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(a.memoryKib())
        .withIterations(a.iterations())
        .withParallelism(a.parallelism())
        .withSalt(a.salt())
        .build());
    byte[] out = new byte[a.hash().length];
    generator.generateBytes("password".getBytes(StandardCharsets.UTF_8), out);
    assertThat(out).isEqualTo(a.hash());
    // And Jeton's own Argon2id verifier agrees with the reference CLI.
    PasswordHasher hasher = new PasswordHasher(PasswordHasher.Params.OWASP, new SecureRandom(), 1);
    assertThat(hasher.verify("password", ARGON2ID_OWASP)).isTrue();

    // Argon2id is verified elsewhere: verify() answers false even for the right password.
    assertThat(ForeignHashes.verify("password", ARGON2ID_OWASP)).isFalse();
  }

  @Test
  @DisplayName("Argon2id at the edges of the bounds (64 MiB, 4 lanes, 8-byte salt, 16-byte hash)"
      + " is accepted")
  void argon2WhenAtTheBoundsThenAccepted() {
    assertAccepted(ARGON2ID_EDGES, ForeignHashes.Format.ARGON2ID);
    ForeignHashes.Argon2 a = ForeignHashes.argon2(ARGON2ID_EDGES);
    assertThat(a.memoryKib()).isEqualTo(65_536);
    assertThat(a.iterations()).isEqualTo(3);
    assertThat(a.parallelism()).isEqualTo(4);
    assertThat(a.salt()).isEqualTo("somesalt".getBytes(StandardCharsets.US_ASCII));
    assertThat(a.hash()).hasSize(16);
    String tail = "$c29tZXNhbHQ$x8xdXxNM4W4K0TZN4sUirA";
    assertAccepted("$argon2id$v=19$m=64,t=10,p=8" + tail, ForeignHashes.Format.ARGON2ID);
    assertAccepted("$argon2id$v=19$m=8,t=1,p=1" + tail, ForeignHashes.Format.ARGON2ID);
  }

  static Stream<Arguments> argon2OutOfBounds() {
    String tail = "$c29tZXNhbHQ$x8xdXxNM4W4K0TZN4sUirA";
    return Stream.of(
        arguments("$argon2id$v=19$m=65537,t=2,p=1" + tail, "65536"),
        arguments("$argon2id$v=19$m=99999999999,t=2,p=1" + tail, "65536"),
        arguments("$argon2id$v=19$m=7,t=2,p=1" + tail, "8"),
        arguments("$argon2id$v=19$m=19456,t=11,p=1" + tail, "10"),
        arguments("$argon2id$v=19$m=19456,t=0,p=1" + tail, "1"),
        arguments("$argon2id$v=19$m=19456,t=2,p=9" + tail, "8"),
        arguments("$argon2id$v=19$m=19456,t=2,p=0" + tail, "1"),
        arguments("$argon2id$v=19$m=16,t=2,p=4" + tail, "32"),
        // A 7-byte salt, then a 15- and a 65-byte hash.
        arguments("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbA$x8xdXxNM4W4K0TZN4sUirA", "8"),
        arguments("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$" + "A".repeat(20), "16"),
        arguments("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$" + "A".repeat(87), "64"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("argon2OutOfBounds")
  @DisplayName("Bounds keep one sign-in attempt cheap: Argon2id out of bounds is refused with the"
      + " bound")
  void argon2WhenOutOfBoundsThenRefusedWithTheBound(String encoded, String bound) {
    assertThat(assertRefused(encoded)).contains(bound);
  }

  @Test
  @DisplayName("Only Argon2id version 19 is accepted: argon2i (the README vector), argon2d,"
      + " v=16 and the versionless form are refused")
  void argon2WhenOtherVariantOrVersionThenRefused() {
    assertThat(assertRefused(ARGON2I_README)).contains("Argon2id");
    assertThat(assertRefused(ARGON2D)).contains("Argon2id");
    assertThat(assertRefused(ARGON2ID_V16)).contains("19");
    assertThat(assertRefused(ARGON2ID_V16.replace("$v=16", ""))).contains("19");
    // Padded base64 is not what PHC strings carry.
    assertRefused(ARGON2ID_EDGES.replace("$c29tZXNhbHQ$", "$c29tZXNhbHQ=$"));
    assertRefused(ARGON2ID_EDGES + "==");
    // Fields out of order.
    assertRefused(ARGON2ID_EDGES.replace("m=65536,t=3,p=4", "t=3,m=65536,p=4"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "",
      "Tr0ub4dor&3",
      "5f4dcc3b5aa765d61d8327deb882cf99",
      "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8",
      "{bcrypt}$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
      "{noop}password",
      "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
      "$6$saltsalt$abcdefghijklmnopqrstuvwxyz",
      "$5$rounds=5000$saltsalt$abcdefghijklmnopqrstuvwxyz",
      "pbkdf2_sha1$260000$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
      "$pbkdf2-sha512$25000$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
      "$pbkdf2$1000$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
      "$scrypt$ln=16,r=8,p=1$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
      "sha1$salt$5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8",
      " $2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
      "$ARGON2ID$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$x8xdXxNM4W4K0TZN4sUirA",
      "PBKDF2_SHA256$20000$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="})
  @DisplayName("Anything but the three formats is refused with the unsupported-hash sentence")
  void formatWhenUnsupportedThenNullAndTheSentence(String encoded) {
    assertThat(assertRefused(encoded)).isEqualTo(ForeignHashes.UNSUPPORTED)
        .contains("not a supported password hash (Argon2id, bcrypt or PBKDF2-SHA256 in their"
            + " standard encodings)");
  }

  @Test
  @DisplayName("A null hash is refused with the unsupported-hash sentence, and null inputs never"
      + " throw")
  void formatWhenNullThenRefused() {
    assertThat(assertRefused(null)).isEqualTo(ForeignHashes.UNSUPPORTED);
    assertThat(ForeignHashes.verify(null, null)).isFalse();
    assertThat(ForeignHashes.verify(null, XCRYPT_2B)).isFalse();
    assertThat(ForeignHashes.verify(null, DJANGO_NON_ASCII)).isFalse();
  }

  static Stream<String> garbage() {
    String argon = ARGON2ID_OWASP;
    String bcrypt = XCRYPT_2B;
    return Stream.of(
        // Truncated, at every separator and in the middle of segments.
        argon.substring(0, 10), argon.substring(0, 15), argon.substring(0, 31),
        argon.substring(0, 40), argon.substring(0, argon.length() - 1) + "$",
        argon.substring(0, argon.lastIndexOf('$')), argon.substring(0, argon.length() - 2),
        bcrypt.substring(0, 4), bcrypt.substring(0, 7), bcrypt.substring(0, 29),
        bcrypt.substring(0, 59), bcrypt + ".", bcrypt + "\n",
        PASSLIB_ASCII.substring(0, 15), PASSLIB_ASCII.substring(0, 21),
        PASSLIB_ASCII.substring(0, PASSLIB_ASCII.length() - 1),
        DJANGO_NON_ASCII.substring(0, 14), DJANGO_NON_ASCII.substring(0, 20),
        DJANGO_NON_ASCII.substring(0, DJANGO_NON_ASCII.length() - 1),
        PHC_NON_ASCII.substring(0, 20), PHC_NON_ASCII.substring(0, 27),
        // Wrong separators and empty segments.
        argon.replace(',', ';'), argon.replace("m=", "m:"), argon.replace("$v=19$", "$$"),
        argon.replace("$v=19$", "$v=19,"), "$argon2id$", "$argon2id$$$$$", "$argon2id$v=19$$$$",
        "$argon2id$v=19$m=,t=,p=$$", "$argon2id$v=19$m=19456,t=2,p=1$$",
        "$argon2id$v=19$m=19456,t=2,p=1,x=1$c29tZXNhbHQ$x8xdXxNM4W4K0TZN4sUirA",
        "$argon2id$v=19$m=19456,t=2$c29tZXNhbHQ$x8xdXxNM4W4K0TZN4sUirA",
        argon + "$extra", argon.replace("$", "$$"),
        bcrypt.replace("$05$", "$05."), bcrypt.replace("$05$", "-05-"),
        "$2b$$" + bcrypt.substring(6), "$2b$" + "$".repeat(56), "$2b$05$" + "$".repeat(53),
        "pbkdf2_sha256$$$", "pbkdf2_sha256$", "pbkdf2_sha256$20000$salt$",
        "pbkdf2_sha256$20000$salt$hash$extra", "$pbkdf2-sha256$$$$", "$pbkdf2-sha256$",
        "$pbkdf2-sha256$i=,l=$$", "$pbkdf2-sha256$i=1000,l=$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        "$pbkdf2-sha256$i=1000,l=16,x=1$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        // Non-numeric, signed, spaced, non-ASCII-digit and huge numbers.
        bcrypt.replace("$05$", "$xx$"), bcrypt.replace("$05$", "$-5$"),
        bcrypt.replace("$05$", "$+5$"), bcrypt.replace("$05$", "$ 5$"),
        bcrypt.replace("$05$", "$٠٥$"), bcrypt.replace("$05$", "$5$"),
        bcrypt.replace("$05$", "$005$"),
        argon.replace("m=19456", "m=abc"), argon.replace("m=19456", "m=-19456"),
        argon.replace("m=19456", "m=+19456"), argon.replace("m=19456", "m=19456 "),
        argon.replace("t=2", "t=99999999999"), argon.replace("p=1", "p=99999999999999999999999"),
        argon.replace("m=19456", "m=0x4c00"), argon.replace("v=19", "v=x"),
        argon.replace("v=19", "v=99999999999"), argon.replace("v=19", "v=019x"),
        "pbkdf2_sha256$abc$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2_sha256$99999999999$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2_sha256$-20000$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2_sha256$1e5$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "$pbkdf2-sha256$99999999999999999999999$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        "$pbkdf2-sha256$i=99999999999,l=16$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        "$pbkdf2-sha256$i=1000,l=99999999999$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        "$pbkdf2-sha256$i=1000,l=-16$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        // Bad base64: illegal characters, wrong length, padding where none belongs and none
        // where it does, the other alphabet, spare bits set.
        argon.replace("c29tZXNh", "c29t*XNh"), argon.replace("K13EBUiG", "K13EBUi="),
        argon.substring(0, argon.length() - 1) + "F", argon + "AA", argon + "=",
        argon.replace("+", "-"), argon.replace("c29tZXNhbHRzb21lc2FsdA", "c29tZXNhbHRzb21lc2FsdB"),
        bcrypt.replace("LDyi", "LDy+"), bcrypt.replace("LDyi", "LDy="),
        bcrypt.replace("LDyi", "LDyé"),
        "pbkdf2_sha256$20000$salt$" + "A".repeat(43),
        "pbkdf2_sha256$20000$salt$" + "A".repeat(41) + "B==",
        "pbkdf2_sha256$20000$salt$" + "A".repeat(43) + "==",
        "pbkdf2_sha256$20000$salt$" + "A".repeat(42) + "B=",
        "pbkdf2_sha256$20000$salt$" + "A".repeat(42) + "_=",
        PASSLIB_ASCII.replace('.', '+'), PASSLIB_ASCII + "=", PASSLIB_ASCII + "AA",
        "$pbkdf2-sha256$1000$c2FsdA$AAAAAAAAAAAAAAAAAAAAA", PHC_NON_ASCII.replace('+', '.'),
        PHC_NON_ASCII + "=", PHC_NON_ASCII.replace('/', '_'),
        // Sizes and characters no hash has.
        "$".repeat(5000), "$argon2id$" + "A".repeat(5000), "\u0000", "$2b$05$\u0000",
        "\uD800$2b$", "pbkdf2_sha256$20000$" + "\uD800" + "$AAAA");
  }

  @ParameterizedTest(name = "[{index}]")
  @MethodSource("garbage")
  @DisplayName("Malformed hashes never throw: refused with a sentence, never verified, never"
      + " parsed")
  void everythingWhenMalformedThenRefusedWithoutThrowing(String encoded) {
    assertThatCode(() -> {
      assertRefused(encoded);
      assertThat(ForeignHashes.verify("", encoded)).isFalse();
      assertThat(ForeignHashes.verify(NON_ASCII, encoded)).isFalse();
    }).doesNotThrowAnyException();
  }

  @Test
  @DisplayName("format() names a format exactly when problem() accepts the hash")
  void formatWhenAcceptedThenProblemNullAndOtherwiseNot() {
    for (String encoded : List.of(DJANGO_NON_ASCII, DJANGO_DEFAULT, PASSLIB_NON_ASCII,
        PASSLIB_ASCII, PHC_NON_ASCII, PHC_64_BYTES, JBCRYPT_EMPTY, OPENWALL_U_STAR_U, XCRYPT_2A,
        XCRYPT_2B, XCRYPT_2Y, XCRYPT_LONG_100, XCRYPT_MIXED_101, ARGON2ID_OWASP, ARGON2ID_EDGES,
        ARGON2I_README, ARGON2D, ARGON2ID_V16, "$2b$15" + XCRYPT_2B.substring(6))) {
      assertThat(ForeignHashes.format(encoded) != null)
          .as("format and problem agree on %s", encoded)
          .isEqualTo(ForeignHashes.problem(encoded) == null);
    }
  }

  @Test
  @DisplayName("argon2() hands out fresh arrays: a caller's change cannot alter the next parse")
  void argon2WhenResultChangedThenNextParseUnaffected() {
    ForeignHashes.Argon2 first = ForeignHashes.argon2(ARGON2ID_OWASP);
    Arrays.fill(first.salt(), (byte) 0);
    Arrays.fill(first.hash(), (byte) 0);
    ForeignHashes.Argon2 second = ForeignHashes.argon2(ARGON2ID_OWASP);
    assertThat(second.salt()).isEqualTo("somesaltsomesalt".getBytes(StandardCharsets.US_ASCII));
    assertThat(second.hash()).isNotEqualTo(new byte[32]);
  }
}
