package dev.jeton.token;

import dev.jeton.store.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's master key, which seals signing keys at rest with AES-256-GCM (the key id is the
 * additional authenticated data, so a sealed key cannot be swapped onto another row).
 *
 * <p>In production it comes from {@code JETON_MASTER_KEY}. Without it, a key file is generated in
 * the data directory with owner-only permissions and a warning is logged at every start.
 */
public final class MasterKey {
  private static final Logger LOG = LoggerFactory.getLogger(MasterKey.class);
  private static final String VERSION = "v1.";
  private static final int NONCE_BYTES = 12;

  private final SecretKey key;
  private final SecureRandom random;

  public MasterKey(byte[] raw, SecureRandom random) {
    this.key = new SecretKeySpec(raw, "AES");
    this.random = random;
  }

  /** The configured key, or the development key file under {@code dataDir}. */
  public static MasterKey load(String configured, Path dataDir, SecureRandom random) {
    if (!configured.isEmpty()) {
      return new MasterKey(Base64.getDecoder().decode(configured), random);
    }
    Path file = dataDir.resolve("master.key").toAbsolutePath().normalize();
    try {
      PrivateFiles.createDirectories(dataDir);
      if (!Files.exists(file)) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        writeOwnerOnly(file, Base64.getEncoder().encodeToString(raw));
      }
      byte[] raw = Base64.getDecoder()
          .decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
      if (raw.length != 32) {
        throw new IllegalStateException(file + " does not hold a 32-byte base64 key");
      }
      LOG.warn("JETON_MASTER_KEY is not set: signing keys are sealed with the development key file"
          + " {}. Anyone who can read that file and the database can sign tokens. Set"
          + " JETON_MASTER_KEY in production.", file.toAbsolutePath());
      String shared = PrivateFiles.sharedAccess(file);
      if (shared != null) {
        LOG.warn("The key file {} is {}: other users of this machine may read it. Run 'chmod 600 "
            + "{}'.", file, shared, file);
      }
      return new MasterKey(raw, random);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }

  private static void writeOwnerOnly(Path file, String content) throws IOException {
    Set<PosixFilePermission> perms = PosixFilePermissions.fromString("rw-------");
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(perms));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    } catch (FileAlreadyExistsException e) {
      return;
    }
    Files.writeString(file, content, StandardCharsets.US_ASCII);
  }

  /** Seals {@code plaintext}, binding it to {@code context}. */
  public String seal(byte[] plaintext, String context) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] ct = c.doFinal(plaintext);
      byte[] out = new byte[nonce.length + ct.length];
      System.arraycopy(nonce, 0, out, 0, nonce.length);
      System.arraycopy(ct, 0, out, nonce.length, ct.length);
      return VERSION + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** Opens a signing key {@link #seal} sealed for the same context; fails on any tampering. */
  public byte[] open(String sealed, String context) {
    return open(sealed, context, "signing key");
  }

  /**
   * Opens what {@link #seal} produced for the same context; fails on any tampering, naming
   * {@code what} was sealed.
   */
  public byte[] open(String sealed, String context, String what) {
    if (!sealed.startsWith(VERSION)) {
      throw new IllegalStateException("unknown sealed format for " + context);
    }
    byte[] in = Base64.getDecoder().decode(sealed.substring(VERSION.length()));
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, NONCE_BYTES));
      c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(what + " " + context
          + " cannot be opened: wrong master key or tampered row", e);
    }
  }
}
