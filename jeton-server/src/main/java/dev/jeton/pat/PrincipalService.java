package dev.jeton.pat;

import dev.jeton.account.Account;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Audit;
import dev.jeton.store.Page;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Service principals: non-human identities of an account, created and managed by its admins, each
 * holding personal access tokens of its own (docs/tokens.md#service-principals). Disabling one
 * makes its tokens answer {@code token_owner_disabled} at once; deleting one revokes them.
 */
public final class PrincipalService {
  private final PrincipalStore store;
  private final WriteQueue writes;
  private final OpaqueTokens tokens;
  private final PatService pats;
  private final Clock clock;

  public PrincipalService(Jdbi jdbi, WriteQueue writes, OpaqueTokens tokens, PatService pats,
      Clock clock) {
    this.store = new PrincipalStore(jdbi);
    this.writes = writes;
    this.tokens = tokens;
    this.pats = pats;
    this.clock = clock;
  }

  /**
   * Creates a principal named {@code name} (unique in the account) on behalf of {@code actorId}.
   *
   * @throws ApiException {@code service_principal_already_exists}
   */
  public ServicePrincipal create(Account account, String name, String actorId) {
    ServicePrincipal p = new ServicePrincipal(tokens.id("spn_"), account.id(), name,
        clock.millis(), actorId, null);
    try {
      writes.submit(h -> {
        PrincipalStore.insert(h, p);
        return null;
      });
    } catch (UnableToExecuteStatementException e) {
      throw duplicateOr(account, name, e);
    }
    Audit.event("service_principal_created", "account", account.id(), "principal", p.id(),
        "by", actorId);
    return p;
  }

  private RuntimeException duplicateOr(Account account, String name, RuntimeException e) {
    if (store.nameTaken(account.id(), name)) {
      return new ApiException(ErrorCode.SERVICE_PRINCIPAL_ALREADY_EXISTS,
          "The account already has a service principal named '" + name + "'.");
    }
    return e;
  }

  /** One page of the account's principals, newest first. */
  public Page<ServicePrincipal> list(Account account, String cursor, int limit) {
    ServicePrincipal after = null;
    if (cursor != null) {
      after = store.byId(account.id(), Page.idOf(cursor)).orElseThrow(Page::badCursor);
    }
    return Page.of(store.page(account.id(), after, limit + 1), limit, ServicePrincipal::id);
  }

  /**
   * One principal of the account.
   *
   * @throws ApiException {@code service_principal_not_found}
   */
  public ServicePrincipal get(Account account, String id) {
    return store.byId(account.id(), id).orElseThrow(() -> new ApiException(
        ErrorCode.SERVICE_PRINCIPAL_NOT_FOUND,
        "The account has no service principal with this id."));
  }

  /**
   * Renames ({@code name} non-null), disables or enables ({@code disabled} non-null) a principal.
   * A disabled principal's tokens are refused from the next request on.
   */
  public ServicePrincipal update(Account account, String id, String name, Boolean disabled,
      String actorId) {
    ServicePrincipal p = get(account, id);
    try {
      writes.submit(h -> {
        if (name != null) {
          PrincipalStore.rename(h, account.id(), id, name);
        }
        if (disabled != null && disabled != p.disabled()) {
          PrincipalStore.setDisabled(h, account.id(), id, disabled ? clock.millis() : null);
        }
        return null;
      });
    } catch (UnableToExecuteStatementException e) {
      throw duplicateOr(account, name, e);
    }
    if (disabled != null && disabled != p.disabled()) {
      pats.forgetCached();
      Audit.event(disabled ? "service_principal_disabled" : "service_principal_enabled",
          "account", account.id(), "principal", id, "by", actorId);
    }
    return get(account, id);
  }

  /** Deletes a principal and revokes every token it holds, in one transaction. */
  public void delete(Account account, String id, String actorId) {
    ServicePrincipal p = get(account, id);
    int revoked = writes.submit(h -> {
      int n = PatStore.revokeAll(h, account.id(), p.owner(), clock.millis(), "owner_deleted");
      PrincipalStore.delete(h, account.id(), id);
      return n;
    });
    pats.forgetCached();
    Audit.event("service_principal_deleted", "account", account.id(), "principal", id,
        "tokens_revoked", revoked, "by", actorId);
  }
}
