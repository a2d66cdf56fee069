package dev.jeton.token;

/** Maps account ids to issuer URLs ({@code {base}/accounts/{account}}) and back. */
public final class Issuers {
  private final String baseUrl;
  private final String accountsPrefix;

  public Issuers(String baseUrl) {
    this.baseUrl = baseUrl;
    this.accountsPrefix = baseUrl + "/accounts/";
  }

  public String issuer(String accountId) {
    return accountsPrefix + accountId;
  }

  /**
   * The audience of tokens for Jeton's own API under the issuer ({@code {issuer}/api}): what
   * first-party sign-in tokens are meant for, and nothing else's (docs/security.md#audiences).
   */
  public String api(String accountId) {
    return issuer(accountId) + "/api";
  }

  /**
   * Whether a URI lies on this server (starts with its base URL, letter case aside): such URIs
   * name Jeton's own endpoints and may not be registered as a client's resource server.
   */
  public boolean isOwn(String uri) {
    int n = baseUrl.length();
    return uri.regionMatches(true, 0, baseUrl, 0, n)
        && (uri.length() == n || "/?#".indexOf(uri.charAt(n)) >= 0);
  }

  /** The account id of an issuer of this server, or null for any other string. */
  public String accountOf(String issuer) {
    if (issuer == null || !issuer.startsWith(accountsPrefix)) {
      return null;
    }
    String id = issuer.substring(accountsPrefix.length());
    return AccountIds.isValid(id) ? id : null;
  }
}
