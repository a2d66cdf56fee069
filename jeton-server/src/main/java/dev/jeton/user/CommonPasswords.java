package dev.jeton.user;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * The passwords the policy refuses as commonly used, lower-cased: the published list in
 * {@code common-passwords.txt.gz} (about 50,000 entries; where it comes from, its licence and how
 * to regenerate it: NOTICE, scripts/common-passwords.sh and docs/security.md#password-policy) and
 * Jeton's own additions in {@code common-passwords.txt}.
 *
 * <p>The published list is loaded once per process as it is stored, lower-cased, sorted by byte
 * value and one entry a line: the uncompressed bytes are kept whole, with an array of where each
 * line starts, about 0.59 MB where a {@code Set<String>} of the same entries takes about 2.8 MB.
 * A lookup is a binary search (16 comparisons). A file that is not stored that way stops the
 * load, so a hand-edited list fails every test instead of silently missing entries.
 */
final class CommonPasswords {
  static final String PUBLISHED = "common-passwords.txt.gz";
  static final String OWN = "common-passwords.txt";

  private static final class Loaded {
    static final CommonPasswords LIST = load();
  }

  /** The published list's lines, each ended by {@code '\n'}. */
  private final byte[] data;
  /** Line {@code i} is {@code data[starts[i]..starts[i + 1] - 1)}; one more offset than lines. */
  private final int[] starts;
  /** Jeton's own entries that the published list lacks. */
  private final Set<String> own;

  private CommonPasswords(byte[] data, int[] starts, Set<String> own) {
    this.data = data;
    this.starts = starts;
    this.own = own;
  }

  /** The list, loaded on first use (at start: the server builds its password policy). */
  static CommonPasswords get() {
    return Loaded.LIST;
  }

  /** Distinct entries (after lower-casing). */
  int size() {
    return starts.length - 1 + own.size();
  }

  /** Bytes held by the published list's two arrays, without object headers. */
  long footprintBytes() {
    return data.length + 4L * starts.length;
  }

  /** True when {@code lowerCase} (already lower-cased with {@link Locale#ROOT}) is listed. */
  boolean contains(String lowerCase) {
    return published(lowerCase.getBytes(StandardCharsets.UTF_8)) || own.contains(lowerCase);
  }

  private boolean published(byte[] key) {
    int lo = 0;
    int hi = starts.length - 2;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = compare(mid, key);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return true;
      }
    }
    return false;
  }

  private int compare(int line, byte[] key) {
    return Arrays.compareUnsigned(data, starts[line], starts[line + 1] - 1, key, 0, key.length);
  }

  static CommonPasswords load() {
    byte[] data;
    try (InputStream raw = resource(PUBLISHED);
        InputStream in = new GZIPInputStream(raw, 64 * 1024)) {
      data = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int lines = 0;
    for (byte b : data) {
      if (b == '\n') {
        lines++;
      }
    }
    int[] starts = new int[lines + 1];
    int line = 0;
    for (int i = 0; i < data.length; i++) {
      if (data[i] == '\n') {
        starts[++line] = i + 1;
      }
    }
    if (data.length == 0 || data[data.length - 1] != '\n') {
      throw badlyStored("does not end with a line break");
    }
    for (int i = 0; i < lines; i++) {
      int from = starts[i];
      int to = starts[i + 1] - 1;
      if (from == to) {
        throw badlyStored("has an empty line");
      }
      for (int j = from; j < to; j++) {
        if (data[j] >= 'A' && data[j] <= 'Z') {
          throw badlyStored("is not lower-cased");
        }
      }
      if (i > 0 && Arrays.compareUnsigned(data, starts[i - 1], from - 1, data, from, to) >= 0) {
        throw badlyStored("is not sorted by byte value without duplicates");
      }
    }
    CommonPasswords published = new CommonPasswords(data, starts, Set.of());
    Set<String> own = new HashSet<>();
    for (String entry : readOwn()) {
      if (!published.contains(entry)) {
        own.add(entry);
      }
    }
    return new CommonPasswords(data, starts, Set.copyOf(own));
  }

  private static IllegalStateException badlyStored(String why) {
    return new IllegalStateException(PUBLISHED + " " + why
        + "; regenerate it with scripts/common-passwords.sh");
  }

  /** Jeton's own list: lower-cased, without {@code #} comments and blank lines. */
  private static List<String> readOwn() {
    List<String> entries = new ArrayList<>();
    try (InputStream in = resource(OWN)) {
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        String p = line.strip();
        if (!p.isEmpty() && !p.startsWith("#")) {
          entries.add(p.toLowerCase(Locale.ROOT));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }

  private static InputStream resource(String name) {
    InputStream in = CommonPasswords.class.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(name + " missing from the jar");
    }
    return in;
  }
}
