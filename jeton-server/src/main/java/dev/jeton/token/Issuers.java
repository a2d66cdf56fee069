package dev.jeton.token;

/** Maps account ids to issuer URLs ({@code {base}/accounts/{account}}) and back. */
public final class Issuers {
  private final String accountsPrefix;

  public Issuers(String baseUrl) {
    this.accountsPrefix = baseUrl + "/accounts/";
  }

  public String issuer(String accountId) {
    return accountsPrefix + accountId;
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
