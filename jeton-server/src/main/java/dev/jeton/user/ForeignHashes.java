package dev.jeton.user;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Password hashes imported from other systems: recognises them, says why one cannot be imported,
 * and verifies a password against one, so that users moved into Jeton in bulk sign in with the
 * password they already had (Jeton then rehashes it with its own Argon2id).
 *
 * <p>Accepted, each in the encoding its usual producers write:
 *
 * <ul>
 *   <li>Argon2id as a PHC string, {@code $argon2id$v=19$m=<KiB>,t=<n>,p=<n>$<salt>$<hash>}, salt
 *       and hash in standard base64 without padding; only version 19 (0x13). It is parsed here
 *       ({@link #argon2}) and verified elsewhere.
 *   <li>bcrypt, {@code $2a$}, {@code $2b$} or {@code $2y$}, a two-digit cost, {@code $}, then 53
 *       characters of bcrypt's own base64 (22 of salt, 31 of hash). As every bcrypt did, only the
 *       first 72 bytes of the UTF-8 password count. {@code $2x$} (hashes made by the crypt_blowfish
 *       8-bit bug) and the original {@code $2$} are refused.
 *   <li>PBKDF2-HMAC-SHA256 as Django writes it ({@code pbkdf2_sha256$<iterations>$<salt>$<hash>},
 *       the salt used as its UTF-8 text, the hash in padded base64), as passlib writes it
 *       ({@code $pbkdf2-sha256$<iterations>$<salt>$<hash>}, both in passlib's adapted base64, with
 *       {@code .} for {@code +} and no padding) and in the PHC style Ory Kratos writes
 *       ({@code $pbkdf2-sha256$i=<iterations>,l=<bytes>$<salt>$<hash>}, padding-free base64). The
 *       password is always its UTF-8 bytes.
 * </ul>
 *
 * <p>The bounds exist because a stored hash sets what one sign-in attempt costs: every attempt
 * against an imported account, an attacker's included, pays the hash's memory and iterations
 * before Jeton can answer. The upper bounds keep that within what a sign-in may take (Argon2id at
 * most 64 MiB, 10 passes and 8 lanes; bcrypt at most cost 14; PBKDF2 at most 2,000,000
 * iterations). The lower bounds are each algorithm's own minimum (Argon2's 8 KiB per lane,
 * bcrypt's cost 4), PBKDF2's 1,000 iterations, and a hash of at least 16 bytes so that no guess
 * matches by chance. Encodings are checked strictly (canonical base64, exact field order), so
 * that an import either verifies as the origin system did or is refused with a reason, never
 * stored to fail every sign-in.
 *
 * <p>Nothing here throws for any input string, and no {@link #problem} sentence quotes a hash.
 */
public final class ForeignHashes {
  /** The accepted hash families. */
  public enum Format { ARGON2ID, BCRYPT, PBKDF2_SHA256 }

  /**
   * The parameters of an acceptable Argon2id hash.
   *
   * @param memoryKib memory cost in KiB ({@code m})
   * @param iterations passes over the memory ({@code t})
   * @param parallelism lanes ({@code p})
   * @param salt the decoded salt
   * @param hash the decoded hash; its length is the output length to derive
   */
  public record Argon2(int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {}

  static final int ARGON2_MIN_MEMORY_KIB = 8;
  static final int ARGON2_MAX_MEMORY_KIB = 65_536;
  static final int ARGON2_MAX_ITERATIONS = 10;
  static final int ARGON2_MAX_PARALLELISM = 8;
  static final int ARGON2_MIN_SALT_BYTES = 8;
  static final int BCRYPT_MIN_COST = 4;
  static final int BCRYPT_MAX_COST = 14;
  /** bcrypt's key schedule reads at most this many password bytes; the rest never counted. */
  static final int BCRYPT_MAX_PASSWORD_BYTES = 72;
  static final int PBKDF2_MIN_ITERATIONS = 1_000;
  static final int PBKDF2_MAX_ITERATIONS = 2_000_000;
  static final int MIN_HASH_BYTES = 16;
  static final int MAX_HASH_BYTES = 64;
  /** Longer than any hash of the accepted kinds with sane salts; refused before any parsing. */
  static final int MAX_ENCODED_LENGTH = 1024;

  static final String UNSUPPORTED = "This is not a supported password hash (Argon2id, bcrypt or"
      + " PBKDF2-SHA256 in their standard encodings).";

  private static final String BCRYPT_ALPHABET =
      "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final int BCRYPT_LENGTH = 60;
  private static final String ARGON2_SHAPE =
      "$argon2id$v=19$m=<KiB>,t=<iterations>,p=<lanes>$<salt>$<hash>";

  private ForeignHashes() {}

  /** The format of an encoded hash, or null when it is none of the accepted ones. */
  public static Format format(String encoded) {
    return parse(encoded).format();
  }

  /**
   * Null when the hash is accepted for import; otherwise one plain English sentence saying why
   * not (unknown format, malformed, parameters out of bounds, with the bound). The sentence never
   * contains the hash. {@link #format} is non-null exactly when this is null.
   */
  public static String problem(String encoded) {
    return parse(encoded).problem();
  }

  /**
   * True when password matches a BCRYPT or PBKDF2_SHA256 hash (constant-time comparison of the
   * derived bytes); false for anything malformed, out of bounds, or of another format (ARGON2ID
   * answers false: Argon2id is verified elsewhere). Never throws for any input string.
   */
  public static boolean verify(String password, String encoded) {
    if (password == null) {
      return false;
    }
    Parsed parsed = parse(encoded);
    if (parsed.format() == Format.BCRYPT) {
      return verifyBcrypt(password, encoded);
    }
    if (parsed.format() == Format.PBKDF2_SHA256) {
      return verifyPbkdf2(password, parsed.pbkdf2());
    }
    return false;
  }

  /**
   * For ARGON2ID only: the parsed parameters, or null when it is not an acceptable Argon2id hash.
   * Each call returns fresh arrays.
   */
  public static Argon2 argon2(String encoded) {
    return parse(encoded).argon2();
  }

  private static boolean verifyBcrypt(String password, String encoded) {
    byte[] utf8 = password.getBytes(StandardCharsets.UTF_8);
    // What bcrypt always used: the first 72 bytes, even when that cuts a character in two.
    // BouncyCastle's OpenBSDBCrypt would truncate too, but its BCrypt refuses longer input; cut
    // here so the rule does not depend on which of its entry points or versions runs.
    byte[] key = Arrays.copyOf(utf8, Math.min(utf8.length, BCRYPT_MAX_PASSWORD_BYTES));
    try {
      // Regenerates the 60-character string from the stored salt and cost and compares the two
      // in constant time; both are canonical, so this compares the derived bytes.
      return OpenBSDBCrypt.checkPassword(encoded, key);
    } catch (RuntimeException e) {
      return false;
    } finally {
      Arrays.fill(utf8, (byte) 0);
      Arrays.fill(key, (byte) 0);
    }
  }

  private static boolean verifyPbkdf2(String password, Pbkdf2 stored) {
    byte[] utf8 = password.getBytes(StandardCharsets.UTF_8);
    try {
      // The password's UTF-8 bytes, as hashlib, passlib and Go see them; no char[] conversion.
      PKCS5S2ParametersGenerator generator = new PKCS5S2ParametersGenerator(new SHA256Digest());
      generator.init(utf8, stored.salt(), stored.iterations());
      byte[] derived =
          ((KeyParameter) generator.generateDerivedParameters(stored.hash().length * 8)).getKey();
      return MessageDigest.isEqual(derived, stored.hash());
    } catch (RuntimeException e) {
      return false;
    } finally {
      Arrays.fill(utf8, (byte) 0);
    }
  }

  /** What a string parses to: a format and its parts, or the problem sentence. */
  private record Parsed(Format format, String problem, Argon2 argon2, Pbkdf2 pbkdf2) {
    static Parsed refused(String problem) {
      return new Parsed(null, problem, null, null);
    }
  }

  private record Pbkdf2(int iterations, byte[] salt, byte[] hash) {}

  private static Parsed parse(String encoded) {
    if (encoded == null || encoded.isEmpty()) {
      return Parsed.refused(UNSUPPORTED);
    }
    if (encoded.length() > MAX_ENCODED_LENGTH) {
      return Parsed.refused("This is longer than " + MAX_ENCODED_LENGTH
          + " characters, too long to be a supported password hash.");
    }
    if (encoded.startsWith("$argon2id$")) {
      return parseArgon2(encoded);
    }
    if (encoded.startsWith("$argon2i$") || encoded.startsWith("$argon2d$")) {
      return Parsed.refused("Argon2i and Argon2d hashes are not accepted; only Argon2id is.");
    }
    if (encoded.startsWith("$2a$") || encoded.startsWith("$2b$") || encoded.startsWith("$2y$")) {
      return parseBcrypt(encoded);
    }
    if (encoded.startsWith("$2x$") || encoded.startsWith("$2$")) {
      return Parsed.refused("Only the $2a$, $2b$ and $2y$ bcrypt variants are accepted: $2x$"
          + " marks hashes made with the crypt_blowfish 8-bit bug and $2$ is the original,"
          + " since replaced, variant.");
    }
    if (encoded.startsWith("pbkdf2_sha256$")) {
      return parseDjango(encoded);
    }
    if (encoded.startsWith("$pbkdf2-sha256$")) {
      return parsePbkdf2Dollar(encoded);
    }
    return Parsed.refused(UNSUPPORTED);
  }

  private static Parsed parseArgon2(String encoded) {
    String[] parts = encoded.split("\\$", -1);
    if (parts.length == 5 && parts[2].startsWith("m=")) {
      return Parsed.refused("This Argon2id hash has no version field, which means version 16"
          + " (0x10); only version 19 (0x13) is accepted.");
    }
    if (parts.length != 6) {
      return Parsed.refused("This is a malformed Argon2id hash: the expected form is "
          + ARGON2_SHAPE + ".");
    }
    if (!parts[2].startsWith("v=") || number(parts[2].substring(2)) < 0) {
      return Parsed.refused("This Argon2id hash has a malformed version field; only v=19 is"
          + " accepted.");
    }
    long version = number(parts[2].substring(2));
    if (version != 19) {
      return Parsed.refused("This Argon2id hash is of version " + version
          + "; only version 19 (0x13) is accepted.");
    }
    String[] params = parts[3].split(",", -1);
    if (params.length != 3 || !params[0].startsWith("m=") || !params[1].startsWith("t=")
        || !params[2].startsWith("p=")) {
      return Parsed.refused("This Argon2id hash has malformed parameters: exactly m=<KiB>,"
          + "t=<iterations>,p=<lanes> are expected, in that order.");
    }
    long m = number(params[0].substring(2));
    long t = number(params[1].substring(2));
    long p = number(params[2].substring(2));
    if (m < 0 || t < 0 || p < 0) {
      return Parsed.refused("This Argon2id hash has a parameter that is not a decimal number.");
    }
    if (m < ARGON2_MIN_MEMORY_KIB || m > ARGON2_MAX_MEMORY_KIB) {
      return Parsed.refused("The Argon2id memory cost of " + m + " KiB is outside the accepted "
          + ARGON2_MIN_MEMORY_KIB + " to " + ARGON2_MAX_MEMORY_KIB + " KiB (64 MiB).");
    }
    if (t < 1 || t > ARGON2_MAX_ITERATIONS) {
      return Parsed.refused("The Argon2id iteration count of " + t
          + " is outside the accepted 1 to " + ARGON2_MAX_ITERATIONS + ".");
    }
    if (p < 1 || p > ARGON2_MAX_PARALLELISM) {
      return Parsed.refused("The Argon2id parallelism of " + p + " is outside the accepted 1 to "
          + ARGON2_MAX_PARALLELISM + ".");
    }
    if (m < 8 * p) {
      return Parsed.refused("The Argon2id memory cost of " + m + " KiB is below the 8 KiB per lane"
          + " that Argon2 requires (" + 8 * p + " KiB for " + p + " lanes).");
    }
    byte[] salt = base64(parts[4], false);
    if (salt == null) {
      return Parsed.refused("The Argon2id salt is not canonical standard base64 without padding.");
    }
    if (salt.length < ARGON2_MIN_SALT_BYTES) {
      return Parsed.refused("The Argon2id salt of " + salt.length + " bytes is shorter than the "
          + ARGON2_MIN_SALT_BYTES + " bytes required.");
    }
    byte[] hash = base64(parts[5], false);
    if (hash == null) {
      return Parsed.refused("The Argon2id hash is not canonical standard base64 without padding.");
    }
    String length = hashLength("Argon2id", hash.length);
    if (length != null) {
      return Parsed.refused(length);
    }
    Argon2 argon2 = new Argon2((int) m, (int) t, (int) p, salt, hash);
    return new Parsed(Format.ARGON2ID, null, argon2, null);
  }

  private static Parsed parseBcrypt(String encoded) {
    // $2b$ + two-digit cost + $ + 22 salt + 31 hash = 60 characters.
    if (encoded.length() != BCRYPT_LENGTH || encoded.charAt(6) != '$') {
      return Parsed.refused("This is a malformed bcrypt hash: the expected form is 60 characters,"
          + " $2b$ (or $2a$, $2y$), a two-digit cost, $, then 53 characters of bcrypt base64.");
    }
    long cost = number(encoded.substring(4, 6));
    if (cost < 0) {
      return Parsed.refused("This bcrypt hash's cost is not a two-digit number.");
    }
    for (int i = 7; i < BCRYPT_LENGTH; i++) {
      if (BCRYPT_ALPHABET.indexOf(encoded.charAt(i)) < 0) {
        return Parsed.refused("This bcrypt hash has a character outside bcrypt's base64 alphabet"
            + " (./A-Za-z0-9) in its salt or hash.");
      }
    }
    // 22 characters carry 132 bits for a 16-byte salt, 31 carry 186 for a 23-byte hash: the
    // spare low bits of each last character are zero in every string bcrypt writes.
    if ((BCRYPT_ALPHABET.indexOf(encoded.charAt(28)) & 0x0f) != 0
        || (BCRYPT_ALPHABET.indexOf(encoded.charAt(59)) & 0x03) != 0) {
      return Parsed.refused("This bcrypt hash is not canonical: the last character of its salt"
          + " or hash has bits set that bcrypt never writes.");
    }
    if (cost < BCRYPT_MIN_COST || cost > BCRYPT_MAX_COST) {
      return Parsed.refused("The bcrypt cost of " + cost + " is outside the accepted "
          + BCRYPT_MIN_COST + " to " + BCRYPT_MAX_COST
          + " (a higher cost would make one sign-in attempt take seconds).");
    }
    return new Parsed(Format.BCRYPT, null, null, null);
  }

  private static Parsed parseDjango(String encoded) {
    // pbkdf2_sha256$<iterations>$<salt>$<hash>
    String[] parts = encoded.split("\\$", -1);
    if (parts.length != 4) {
      return Parsed.refused("This is a malformed Django PBKDF2 hash: the expected form is"
          + " pbkdf2_sha256$<iterations>$<salt>$<base64 hash>.");
    }
    if (parts[2].isEmpty()) {
      return Parsed.refused("This PBKDF2 hash has an empty salt.");
    }
    byte[] hash = base64(parts[3], true);
    if (hash == null) {
      return Parsed.refused("This Django PBKDF2 hash's hash is not canonical padded standard"
          + " base64.");
    }
    return pbkdf2(parts[1], parts[2].getBytes(StandardCharsets.UTF_8), hash);
  }

  private static Parsed parsePbkdf2Dollar(String encoded) {
    String[] parts = encoded.split("\\$", -1);
    if (parts.length != 5) {
      return Parsed.refused("This is a malformed PBKDF2-SHA256 hash: the expected form is"
          + " $pbkdf2-sha256$<iterations>$<salt>$<hash> (passlib) or"
          + " $pbkdf2-sha256$i=<iterations>,l=<bytes>$<salt>$<hash> (PHC).");
    }
    if (parts[3].isEmpty()) {
      return Parsed.refused("This PBKDF2 hash has an empty salt.");
    }
    if (!parts[2].startsWith("i=")) {
      // passlib: adapted base64, '.' for '+', no padding.
      byte[] salt = adaptedBase64(parts[3]);
      byte[] hash = adaptedBase64(parts[4]);
      if (salt == null || hash == null) {
        return Parsed.refused("This passlib PBKDF2 hash's salt or hash is not canonical passlib"
            + " adapted base64 (./A-Za-z0-9, no padding).");
      }
      return pbkdf2(parts[2], salt, hash);
    }
    String[] params = parts[2].split(",", -1);
    if (params.length != 2 || !params[1].startsWith("l=")) {
      return Parsed.refused("This PHC PBKDF2 hash has malformed parameters: exactly"
          + " i=<iterations>,l=<bytes> are expected, in that order.");
    }
    byte[] salt = base64(parts[3], false);
    byte[] hash = base64(parts[4], false);
    if (salt == null || hash == null) {
      return Parsed.refused("This PHC PBKDF2 hash's salt or hash is not canonical standard base64"
          + " without padding.");
    }
    long declared = number(params[1].substring(2));
    if (declared != hash.length) {
      return Parsed.refused("This PHC PBKDF2 hash's key length l does not match the "
          + hash.length + " bytes of its hash.");
    }
    return pbkdf2(params[0].substring(2), salt, hash);
  }

  private static Parsed pbkdf2(String iterationsText, byte[] salt, byte[] hash) {
    long iterations = number(iterationsText);
    if (iterations < 0) {
      return Parsed.refused("This PBKDF2 hash's iteration count is not a decimal number.");
    }
    if (iterations < PBKDF2_MIN_ITERATIONS || iterations > PBKDF2_MAX_ITERATIONS) {
      return Parsed.refused("The PBKDF2 iteration count of " + iterations
          + " is outside the accepted " + PBKDF2_MIN_ITERATIONS + " to " + PBKDF2_MAX_ITERATIONS
          + ".");
    }
    if (salt.length == 0) {
      return Parsed.refused("This PBKDF2 hash has an empty salt.");
    }
    String length = hashLength("PBKDF2", hash.length);
    if (length != null) {
      return Parsed.refused(length);
    }
    return new Parsed(Format.PBKDF2_SHA256, null, null,
        new Pbkdf2((int) iterations, salt, hash));
  }

  private static String hashLength(String algorithm, int bytes) {
    if (bytes < MIN_HASH_BYTES || bytes > MAX_HASH_BYTES) {
      return "The " + algorithm + " hash of " + bytes + " bytes is outside the accepted "
          + MIN_HASH_BYTES + " to " + MAX_HASH_BYTES + " bytes.";
    }
    return null;
  }

  /**
   * A non-negative decimal of ASCII digits, or -1 when the text is empty, has anything else
   * (signs, spaces, other scripts' digits) or is too long for a long.
   */
  private static long number(String text) {
    if (text.isEmpty() || text.length() > 18) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /**
   * Standard base64, padded or not as asked, or null unless the text is exactly what the encoder
   * writes for the bytes it decodes to (no stray padding, whitespace or spare bits).
   */
  private static byte[] base64(String text, boolean padded) {
    if (text.isEmpty()) {
      return null;
    }
    try {
      byte[] bytes = Base64.getDecoder().decode(text);
      Base64.Encoder encoder = padded ? Base64.getEncoder() : Base64.getEncoder().withoutPadding();
      return encoder.encodeToString(bytes).equals(text) ? bytes : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** passlib's adapted base64: the standard alphabet with '.' for '+', no padding. */
  private static byte[] adaptedBase64(String text) {
    if (text.indexOf('+') >= 0) {
      return null;
    }
    return base64(text.replace('.', '+'), false);
  }
}
