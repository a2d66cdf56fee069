package dev.jeton.user;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashing with OWASP's recommended parameters (19 MiB memory, 2 iterations,
 * 1 lane), stored in the PHC string format
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} so parameters can be raised later without
 * invalidating stored hashes.
 */
public final class PasswordHasher {
  /** Parameters: memory in KiB, iterations, parallelism. */
  public record Params(int memoryKib, int iterations, int parallelism) {
    /** OWASP Password Storage Cheat Sheet, Argon2id option 2. */
    public static final Params OWASP = new Params(19_456, 2, 1);
  }

  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final Params params;
  private final SecureRandom random;
  private final String dummyHash;
  private final java.util.concurrent.atomic.LongAdder verifications =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.BlockingQueue<Lane> lanes;
  private final java.util.concurrent.atomic.AtomicInteger running =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger peak =
      new java.util.concurrent.atomic.AtomicInteger();

  public PasswordHasher(Params params, SecureRandom random) {
    this(params, random, Math.max(2, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * A hasher that runs at most {@code lanes} Argon2 computations at once: further sign-ins wait
   * their turn instead of exhausting memory. Each lane keeps its Argon2 memory (19 MiB with the
   * OWASP parameters) and reuses it for every hash, so sign-ins do not churn the heap.
   */
  public PasswordHasher(Params params, SecureRandom random, int lanes) {
    this.params = params;
    this.random = random;
    this.lanes = new java.util.concurrent.ArrayBlockingQueue<>(lanes, true);
    for (int i = 0; i < lanes; i++) {
      this.lanes.add(new Lane());
    }
    // Verifying against it costs exactly what verifying against a real hash costs, and no
    // password matches it; a random value in place of a derived one spares every start an Argon2
    // computation.
    byte[] unmatchable = new byte[HASH_BYTES];
    random.nextBytes(unmatchable);
    this.dummyHash = phc(randomSalt(), unmatchable);
  }

  /** A PHC-format Argon2id hash of the password with a fresh random salt. */
  public String hash(String password) {
    byte[] salt = randomSalt();
    return phc(salt, derive(password, salt, params, HASH_BYTES));
  }

  private byte[] randomSalt() {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    return salt;
  }

  private String phc(byte[] salt, byte[] hash) {
    return "$argon2id$v=19$m=" + params.memoryKib() + ",t=" + params.iterations() + ",p="
        + params.parallelism() + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
  }

  /**
   * True when the password matches the stored hash (constant-time comparison): Jeton's own
   * Argon2id, or a bcrypt or PBKDF2-SHA256 hash imported from another system
   * ({@link ForeignHashes}), each verification taking a hashing lane.
   */
  public boolean verify(String password, String stored) {
    if (!stored.startsWith("$argon2id$")) {
      ForeignHashes.Format format = ForeignHashes.format(stored);
      if (format != ForeignHashes.Format.BCRYPT && format != ForeignHashes.Format.PBKDF2_SHA256) {
        return false;
      }
      Lane lane = take();
      try {
        verifications.increment();
        return ForeignHashes.verify(password, stored);
      } finally {
        release(lane);
      }
    }
    String[] parts = stored.split("\\$");
    // ["", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash]
    if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
      return false;
    }
    Params p;
    byte[] salt;
    byte[] expected;
    try {
      p = parseParams(parts[3]);
      salt = B64D.decode(parts[4]);
      expected = B64D.decode(parts[5]);
    } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      return false;
    }
    if (p.memoryKib() < 8 || p.iterations() < 1 || p.parallelism() < 1 || expected.length < 16
        || p.memoryKib() > 4 * 1024 * 1024 || p.iterations() > 100 || p.parallelism() > 64) {
      return false;
    }
    byte[] actual = derive(password, salt, p, expected.length);
    verifications.increment();
    return MessageDigest.isEqual(expected, actual);
  }

  /**
   * True when {@code stored} is not an Argon2id hash with this hasher's parameters (imported from
   * another system, or made before the parameters were raised): after a successful sign-in it is
   * replaced by a fresh hash of the same password.
   */
  public boolean needsRehash(String stored) {
    return !stored.startsWith("$argon2id$v=19$m=" + params.memoryKib() + ",t="
        + params.iterations() + ",p=" + params.parallelism() + "$");
  }

  /**
   * Spends the same work as {@link #verify} against a fixed hash: called when the user does not
   * exist, so that an unknown email and a wrong password take the same time.
   */
  public void verifyDummy(String password) {
    verify(password, dummyHash);
  }

  /** The most Argon2 computations that ever ran at the same time. */
  int peakConcurrency() {
    return peak.get();
  }

  /** How many verifications ran (real and dummy): lets tests prove both paths do equal work. */
  public long verifications() {
    return verifications.sum();
  }

  private static Params parseParams(String s) {
    int m = 0;
    int t = 0;
    int p = 0;
    for (String kv : s.split(",")) {
      String[] pair = kv.split("=");
      int v = Integer.parseInt(pair[1]);
      switch (pair[0]) {
        case "m" -> m = v;
        case "t" -> t = v;
        case "p" -> p = v;
        default -> throw new IllegalArgumentException("unknown Argon2 parameter " + pair[0]);
      }
    }
    return new Params(m, t, p);
  }

  private byte[] derive(String password, byte[] salt, Params p, int length) {
    Lane lane = take();
    try {
      // only this hasher's own parameters keep their memory between hashes: an imported hash
      // with other parameters must not leave a pool of its size in every lane
      return argon2(password, salt, p, length, p.equals(params) ? lane.pool(p) : null);
    } finally {
      release(lane);
    }
  }

  private Lane take() {
    Lane lane;
    try {
      lane = lanes.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a hashing lane", e);
    }
    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
    return lane;
  }

  private void release(Lane lane) {
    running.decrementAndGet();
    lanes.add(lane);
  }

  /** One hashing slot with its reusable Argon2 memory, per parameter set. */
  private static final class Lane {
    private final java.util.Map<Integer, Argon2BytesGenerator.BlockPool> pools =
        new java.util.HashMap<>();

    Argon2BytesGenerator.BlockPool pool(Params p) {
      return pools.computeIfAbsent(
          Argon2BytesGenerator.getBlockCount(p.memoryKib(), p.parallelism()),
          Argon2BytesGenerator.FixedBlockPool::new);
    }
  }

  private static byte[] argon2(String password, byte[] salt, Params p, int length,
      Argon2BytesGenerator.BlockPool pool) {
    Argon2Parameters.Builder builder = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id);
    if (pool != null) {
      builder.withBlockPool(pool);
    }
    Argon2Parameters parameters = builder
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(p.memoryKib())
        .withIterations(p.iterations())
        .withParallelism(p.parallelism())
        .withSalt(salt)
        .build();
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(parameters);
    byte[] out = new byte[length];
    gen.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
