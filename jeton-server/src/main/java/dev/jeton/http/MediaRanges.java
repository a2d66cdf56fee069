package dev.jeton.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code Accept} header's media ranges and their weights (RFC 9110 12.5.1): whether a
 * request accepts a media type. The most specific range matching a type decides its weight
 * ({@code type/subtype} over {@code type/*} over {@code *}{@code /*}); a weight of 0 excludes it.
 * An absent or empty header, or one with no well-formed range, accepts everything.
 */
public final class MediaRanges {
  private MediaRanges() {}

  private record Range(String type, String subtype, double q) {
    int specificity() {
      return type.equals("*") ? 0 : subtype.equals("*") ? 1 : 2;
    }

    boolean matches(String t, String s) {
      return (type.equals("*") || type.equals(t)) && (subtype.equals("*") || subtype.equals(s));
    }
  }

  /** True when {@code accept} accepts at least one of {@code mediaTypes} (e.g. "application/json"). */
  public static boolean acceptsAny(String accept, List<String> mediaTypes) {
    List<Range> ranges = parse(accept);
    if (ranges.isEmpty()) {
      return true;
    }
    for (String mediaType : mediaTypes) {
      int slash = mediaType.indexOf('/');
      String t = mediaType.substring(0, slash).toLowerCase(Locale.ROOT);
      String s = mediaType.substring(slash + 1).toLowerCase(Locale.ROOT);
      Range best = null;
      for (Range r : ranges) {
        if (r.matches(t, s) && (best == null || r.specificity() > best.specificity())) {
          best = r;
        }
      }
      if (best != null && best.q() > 0) {
        return true;
      }
    }
    return false;
  }

  private static List<Range> parse(String accept) {
    List<Range> ranges = new ArrayList<>();
    if (accept == null) {
      return ranges;
    }
    for (String element : accept.split(",")) {
      String[] parts = element.split(";");
      String range = parts[0].trim().toLowerCase(Locale.ROOT);
      int slash = range.indexOf('/');
      if (slash <= 0 || slash == range.length() - 1 || range.indexOf('/', slash + 1) >= 0) {
        continue; // not a media range: ignored (RFC 9110 12.5.1 lets a server ignore it)
      }
      String type = range.substring(0, slash);
      String subtype = range.substring(slash + 1);
      if (type.equals("*") && !subtype.equals("*")) {
        continue;
      }
      double q = 1;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim();
        if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
          try {
            q = Double.parseDouble(p.substring(2).trim());
          } catch (NumberFormatException e) {
            q = -1;
          }
        }
      }
      if (q >= 0 && q <= 1) {
        ranges.add(new Range(type, subtype, q));
      }
    }
    return ranges;
  }
}
