package dev.jeton.push;

/**
 * A phone a user registered for push approval; times in ms. The FCM registration token is not
 * part of it: it is opened from its sealed column only to send.
 */
public record Device(String id, String accountId, String userId, String platform, String name,
    String appId, long createdAt, long updatedAt, Long lastPushAt) {
  /** The platforms a device may declare. */
  public static final java.util.Set<String> PLATFORMS = java.util.Set.of("android", "ios", "web");
}
