package dev.jeton.token;

import java.util.Set;

/**
 * The verified content of a Jeton access token (RFC 9068). Built only after the signature has been
 * checked; times are epoch seconds.
 */
public record AccessToken(
    String accountId,
    String subject,
    String clientId,
    String sessionId,
    Set<String> scopes,
    String jti,
    String kid,
    long issuedAt,
    long notBefore,
    long expiresAt,
    Set<String> audience) {

  public boolean hasScope(String scope) {
    return scopes.contains(scope);
  }
}
