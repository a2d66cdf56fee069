package dev.jeton.http;

/** What counts as one client address for throttles and rate limits. */
public final class ClientAddress {
  private ClientAddress() {}

  /**
   * The key of a client address: IPv4 as it is, IPv6 by its /64 prefix, since one subscriber
   * usually holds a whole /64 and could otherwise use a fresh address per request.
   */
  public static String key(String source) {
    if (source == null || source.indexOf(':') < 0) {
      return source == null ? "" : source;
    }
    try {
      byte[] b = java.net.InetAddress.getByName(source).getAddress(); // a literal: no lookup
      if (b.length != 16) {
        return source;
      }
      StringBuilder k = new StringBuilder();
      for (int i = 0; i < 8; i += 2) {
        k.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
      }
      return k.append(":/64").toString();
    } catch (java.net.UnknownHostException e) {
      return source;
    }
  }
}
