package dev.jeton.qr;

/**
 * One QR login as stored; times in ms. {@code state} is one of the constants here; a login past
 * {@code expiresAt} that was not consumed is {@code expired} whatever its stored state.
 */
record QrLogin(String id, String accountId, String clientId, String pollHash,
    String matchingCode, String state, long createdAt, long expiresAt, String desktopIp,
    String desktopAgent, String userId, Long scannedAt, Long decidedAt, Long consumedAt) {
  static final String PENDING = "pending";
  static final String SCANNED = "scanned";
  static final String APPROVED = "approved";
  static final String DENIED = "denied";
  static final String CONSUMED = "consumed";
  static final String EXPIRED = "expired";

  /** The state as callers see it at {@code now}: stored states turn {@code expired} in time. */
  String stateAt(long now) {
    return !state.equals(CONSUMED) && !state.equals(DENIED) && now >= expiresAt ? EXPIRED : state;
  }
}
