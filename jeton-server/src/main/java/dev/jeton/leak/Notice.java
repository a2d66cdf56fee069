package dev.jeton.leak;

/**
 * A notice to a token's owner and the account's admins (docs/leaks.md#notices). {@code ownerKind}
 * is {@code user} (the user sees it at {@code /me/notices}), {@code principal} or {@code account}
 * (only admins see those); {@code action} is {@code revoked} or {@code none} (already ended, or a
 * client secret, which only its admins can replace). Times in ms.
 */
record Notice(String id, String accountId, String ownerKind, String ownerId, String kind,
    String tokenKind, String tokenId, String action, String detail, long createdAt) {
  static final String TOKEN_LEAKED = "token_leaked";
}
