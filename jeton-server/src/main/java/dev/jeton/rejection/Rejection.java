package dev.jeton.rejection;

/**
 * One refused presentation of a token: the catalog code it was refused with, a fingerprint of the
 * token (never the token), what is known of the token (its kind, id, owner and client; null when
 * the token is not one this account issued), and the request (address, user agent, route
 * template, request id, time in ms).
 */
public record Rejection(String id, String accountId, long at, String code, String fingerprint,
    String tokenKind, String tokenId, String ownerId, String clientId, String ip,
    String userAgent, String route, String requestId) {}
