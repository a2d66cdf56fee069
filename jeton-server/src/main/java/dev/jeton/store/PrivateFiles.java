package dev.jeton.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Files only their owner may read: the data directory, the SQLite database with its WAL and
 * shared-memory files, the development master key. What Jeton creates it creates owner-only
 * (directories {@code rwx------}, files {@code rw-------}); what already exists, an operator chose,
 * and Jeton does not change it (docs/operations.md#file-permissions). On a file system without
 * POSIX permissions the files are created plainly.
 */
public final class PrivateFiles {
  private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private PrivateFiles() {}

  /** Creates {@code dir} and its missing parents as {@code rwx------}; existing ones stay as they are. */
  public static void createDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      return;
    }
    try {
      Files.createDirectories(absolute, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException e) {
      Files.createDirectories(absolute);
    }
  }

  /** Creates an empty {@code rw-------} file unless one exists; true when it created it. */
  public static boolean createFile(Path file) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
      return true;
    } catch (UnsupportedOperationException e) {
      try {
        Files.createFile(file);
        return true;
      } catch (FileAlreadyExistsException exists) {
        return false;
      }
    } catch (FileAlreadyExistsException e) {
      return false;
    }
  }

  /**
   * The permissions of {@code file} (e.g. {@code rw-r--r--}) when its group or others may access
   * it, else null (also when it does not exist or the file system has no POSIX permissions).
   */
  public static String sharedAccess(Path file) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      return p.stream().anyMatch(OTHERS::contains) ? PosixFilePermissions.toString(p) : null;
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }
}
