package dev.jeton.session;

import java.util.Set;

/**
 * Verifies personal access tokens, which Jeton's API accepts beside the access tokens of a
 * sign-in ({@link BearerAuth}). Implemented where the tokens are kept; the API asks it only for
 * a bearer credential of the {@code jeton_pat_} kind.
 */
public interface PatVerifier {
  /**
   * What a valid personal access token stands for: its owner, its scopes, its id, and when it
   * expires (ms; null when it does not).
   */
  record Verified(String subject, Set<String> scopes, String tokenId, Long expiresAt) {}

  /**
   * The owner and scopes of a personal access token presented to {@code accountId}'s API from
   * {@code ip}.
   *
   * @throws dev.jeton.error.ApiException a {@code token_*} code saying why it is refused
   */
  Verified verify(String secret, String accountId, String ip);

  /** Accepts no personal access token: for servers wired without them. */
  PatVerifier NONE = (secret, accountId, ip) -> {
    throw new dev.jeton.error.ApiException(dev.jeton.error.ErrorCode.TOKEN_UNKNOWN,
        "Personal access tokens are not accepted here.");
  };
}
