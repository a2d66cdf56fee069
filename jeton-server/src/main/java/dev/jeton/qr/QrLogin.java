package dev.jeton.qr;

/**
 * One QR login as stored; times in ms. {@code state} is one of the constants here; a login past
 * {@code expiresAt} that was not consumed is {@code expired} whatever its stored state.
 * {@code pushUserId}: the user the desktop named, whose phones were pushed; {@code scannedBy}: how
 * the phone took the login, {@link #BY_QR} (its QR code) or {@link #BY_PUSH} (its id, as that
 * user); {@code desktopLocation}: where the desktop roughly is, as the operator's proxy said.
 */
record QrLogin(String id, String accountId, String clientId, String pollHash,
    String matchingCode, String state, long createdAt, long expiresAt, String desktopIp,
    String desktopAgent, String userId, Long scannedAt, Long decidedAt, Long consumedAt,
    String pushUserId, String scannedBy, String desktopLocation) {
  static final String PENDING = "pending";
  static final String SCANNED = "scanned";
  static final String APPROVED = "approved";
  static final String DENIED = "denied";
  static final String CONSUMED = "consumed";
  static final String EXPIRED = "expired";
  static final String BY_QR = "qr";
  static final String BY_PUSH = "push";

  /** The same login in {@code newState}, its other fields unchanged. */
  QrLogin with(String newState, Long consumed) {
    return new QrLogin(id, accountId, clientId, pollHash, matchingCode, newState, createdAt,
        expiresAt, desktopIp, desktopAgent, userId, scannedAt, decidedAt, consumed, pushUserId,
        scannedBy, desktopLocation);
  }

  /** The state as callers see it at {@code now}: stored states turn {@code expired} in time. */
  String stateAt(long now) {
    return !state.equals(CONSUMED) && !state.equals(DENIED) && now >= expiresAt ? EXPIRED : state;
  }
}
