package dev.jeton.pat;

/**
 * A non-human identity of an account (an integration, a CI system) that holds personal access
 * tokens of its own; {@code createdBy} is the admin who created it. Times are epoch milliseconds.
 */
public record ServicePrincipal(String id, String accountId, String name, long createdAt,
    String createdBy, Long disabledAt) {

  public boolean disabled() {
    return disabledAt != null;
  }

  public Owner owner() {
    return Owner.principal(id);
  }
}
