package dev.jeton.account;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.jeton.config.Config;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.KeyRing;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Accounts and their tree. An admin acts from its own account's API and may manage that account
 * and its descendants, never its parent or siblings (those answer {@code account_not_found}, so
 * their existence is not revealed).
 */
public final class AccountService {
  private static final int MAX_DEPTH = 32;

  private final WriteQueue writes;
  private final AccountStore store;
  private final KeyRing keys;
  private final SetupTokens setupTokens;
  private final Config.Tokens tokenConfig;
  private final Config.Limits limitDefaults;
  private final Clock clock;
  private final LoadingCache<String, Optional<Account>> cache;

  public AccountService(Jdbi jdbi, WriteQueue writes, KeyRing keys, SetupTokens setupTokens,
      Config.Tokens tokenConfig, Config.Limits limitDefaults, Clock clock) {
    this.limitDefaults = limitDefaults;
    this.writes = writes;
    this.store = new AccountStore(jdbi, writes);
    this.keys = keys;
    this.setupTokens = setupTokens;
    this.tokenConfig = tokenConfig;
    this.clock = clock;
    this.cache = Caffeine.newBuilder()
        .maximumSize(10_000)
        .expireAfterWrite(Duration.ofSeconds(5))
        .build(store::find);
    writes.caches().register("account", cache::invalidate, cache::invalidateAll);
  }

  /** A new account and the one-time secret that creates its first admin. */
  public record Created(Account account, String setupSecret) {}

  /**
   * Creates {@code main} (with its keys) when it does not exist; answers true if it did that. When
   * it exists, opens its signing keys, so that a wrong master key stops the start here instead of
   * failing every token request later.
   */
  public boolean ensureMain() {
    if (store.find(Account.MAIN).isPresent()) {
      keys.reload(Account.MAIN);
      return false;
    }
    Account main = new Account(Account.MAIN, null, "Main", clock.millis(), null,
        Account.Overrides.NONE, Account.PatOverrides.NONE, Account.REGISTRATION_OPEN,
        Account.Overrides.NONE, Account.LimitOverrides.NONE);
    try {
      writes.submit(h -> {
        AccountStore.insert(h, main);
        keys.createInitialKeys(h, main.id(), tokenConfig.signingAlg());
        return null;
      });
    } catch (UnableToExecuteStatementException e) {
      if (store.find(Account.MAIN).isEmpty()) {
        throw e;
      }
      return false;
    }
    writes.caches().changed("account", Account.MAIN);
    return true;
  }

  /** The account, if it exists (cached for up to five seconds). */
  public Optional<Account> find(String id) {
    return cache.get(id);
  }

  /** The account, which must exist and be enabled. */
  public Account requireActive(String id) {
    Account a = find(id).orElseThrow(() -> new ApiException(ErrorCode.ACCOUNT_NOT_FOUND,
        "There is no account '" + id + "'."));
    if (a.disabled()) {
      throw new ApiException(ErrorCode.ACCOUNT_DISABLED, "The account '" + id + "' is disabled.");
    }
    return a;
  }

  /**
   * The effective token lifetimes of an account: its settings (or the server's), each cut to
   * the ceilings set on it and on its ancestors.
   */
  public Config.Lifetimes lifetimes(Account a) {
    return ceilings(a).cap(a.overrides().over(tokenConfig.lifetimes()));
  }

  /**
   * The lifetimes of a client of the account: {@code client} turns the account's effective
   * lifetimes into the client's own, and the result is cut to the same ceilings, read once.
   */
  public Config.Lifetimes lifetimes(Account a,
      java.util.function.UnaryOperator<Config.Lifetimes> client) {
    Account.Overrides c = ceilings(a);
    return c.cap(client.apply(c.cap(a.overrides().over(tokenConfig.lifetimes()))));
  }

  /** The API limits in force for the account: its own settings over the server's defaults. */
  public Config.Limits limits(Account a) {
    Account.LimitOverrides o = a.limits();
    return o.equals(Account.LimitOverrides.NONE) ? limitDefaults : o.over(limitDefaults);
  }

  /**
   * Sets an account's API limits on behalf of an admin of {@code actorId}: limits are set from
   * above, by an admin of an ancestor, so that a tenant cannot lift its own; only {@code main},
   * which has no ancestor, sets its own.
   *
   * @throws ApiException {@code account_operation_forbidden} on the actor's own account
   */
  public Account setLimits(String actorId, String id, Account.LimitOverrides limits) {
    Account a = manageable(actorId, id);
    if (a.id().equals(actorId) && a.parentId() != null) {
      throw new ApiException(ErrorCode.ACCOUNT_OPERATION_FORBIDDEN, "An account's limits are "
          + "set by an admin of an account above it.");
    }
    store.setLimits(id, limits);
    writes.caches().changed("account", id);
    return manageable(actorId, id);
  }

  /** The lowest ceilings set on the account and on each of its ancestors. */
  public Account.Overrides ceilings(Account a) {
    Account.Overrides c = a.ceilings();
    String parent = a.parentId();
    for (int depth = 0; parent != null && depth < 64; depth++) {
      Account p = find(parent).orElse(null);
      if (p == null) {
        break;
      }
      c = c.lower(p.ceilings());
      parent = p.parentId();
    }
    return c;
  }

  /**
   * Sets the ceilings on a strict descendant's lifetimes, on behalf of an admin of
   * {@code actorId}.
   *
   * @throws ApiException {@code account_operation_forbidden} on the actor's own account
   */
  public Account setCeilings(String actorId, String id, Account.Overrides ceilings) {
    Account a = manageable(actorId, id);
    if (a.id().equals(actorId)) {
      throw new ApiException(ErrorCode.ACCOUNT_OPERATION_FORBIDDEN, "An account's ceilings are "
          + "set by an admin of an account above it.");
    }
    store.setCeilings(id, ceilings);
    writes.caches().changed("account", id);
    return manageable(actorId, id);
  }

  /**
   * Creates a sub-account of {@code parentId}. Below {@code main}, a sub-account's id starts with
   * its parent's id and a hyphen ({@code acme-eu} under {@code acme}), so that no tenant can claim
   * an id meant for another's tree (docs/security.md#account-ids).
   *
   * @throws ApiException {@code validation_failed} for an id outside the parent's namespace,
   *     {@code account_already_exists}
   */
  public Created create(String parentId, String id, String name) {
    requireActive(parentId);
    if (!Account.MAIN.equals(parentId) && !id.startsWith(parentId + "-")) {
      throw ApiException.validation(List.of(new ApiException.FieldError("id",
          ErrorCode.FIELD_INVALID, "A sub-account of '" + parentId + "' has an id that starts "
          + "with '" + parentId + "-', e.g. '" + parentId + "-eu'.")));
    }
    Account account = new Account(id, parentId, name, clock.millis(), null,
        Account.Overrides.NONE, Account.PatOverrides.NONE, Account.REGISTRATION_CLOSED,
        Account.Overrides.NONE, Account.LimitOverrides.NONE);
    try {
      String secret = writes.submit(h -> {
        AccountStore.insert(h, account);
        keys.createInitialKeys(h, id, tokenConfig.signingAlg());
        return setupTokens.issue(h, id);
      });
      writes.caches().changed("account", id);
      return new Created(account, secret);
    } catch (UnableToExecuteStatementException e) {
      if (store.idTaken(id)) {
        throw new ApiException(ErrorCode.ACCOUNT_ALREADY_EXISTS, "The id '" + id + "' is taken "
            + "(by an account, or one that was deleted: an issuer is never reused).");
      }
      throw e;
    }
  }

  /**
   * A new one-time setup link for a descendant of the actor (earlier ones stop working); whoever
   * opens it creates an admin of that account. Answers the secret and when it expires (ms).
   *
   * @throws ApiException {@code account_not_found} for an account that is not a descendant
   */
  public Map.Entry<String, Long> newSetupSecret(String actorId, String id) {
    Account a = manageable(actorId, id);
    if (a.id().equals(actorId)) {
      throw new ApiException(ErrorCode.ACCOUNT_OPERATION_FORBIDDEN, "An account's setup link is "
          + "issued by an admin of an account above it; here, invite an admin with POST "
          + "/api/v1/users instead.");
    }
    long expires = clock.millis() + SetupTokens.LIFETIME.toMillis();
    return Map.entry(setupTokens.issue(id), expires);
  }

  /**
   * Deletes a descendant of the actor, and the accounts below it only when {@code recursive}
   * (docs/api.md#deleting-an-account). Answers the ids deleted.
   *
   * @throws ApiException {@code account_operation_forbidden} for the actor's own account,
   *     {@code account_has_sub_accounts} when it has some and {@code recursive} is false
   */
  public List<String> delete(String actorId, String id, boolean recursive) {
    Account a = manageable(actorId, id);
    if (a.id().equals(actorId)) {
      throw new ApiException(ErrorCode.ACCOUNT_OPERATION_FORBIDDEN, "An account is deleted by "
          + "an admin of an account above it.");
    }
    if (!recursive && store.liveChildren(id) > 0) {
      throw new ApiException(ErrorCode.ACCOUNT_HAS_SUB_ACCOUNTS, "The account '" + id + "' has "
          + "sub-accounts; delete them first, or ask for all of them with ?recursive=true.");
    }
    List<String> ids = store.deleteTree(id, clock.millis());
    for (String deleted : ids) {
      writes.caches().changed("account", deleted);
      keys.reload(deleted);
    }
    return ids;
  }

  /** An account the actor may manage: itself or a descendant. */
  public Account manageable(String actorId, String id) {
    Optional<Account> a = store.find(id);
    if (a.isEmpty() || !(id.equals(actorId) || isDescendant(actorId, a.get()))) {
      throw new ApiException(ErrorCode.ACCOUNT_NOT_FOUND,
          "There is no account '" + id + "' under '" + actorId + "'.");
    }
    return a.get();
  }

  /** Every account below the actor. */
  public List<Account> descendants(String actorId) {
    return store.descendants(actorId);
  }

  /**
   * Renames an account or changes its lifetime or personal access token overrides or its
   * registration switch (null: left as they are).
   */
  public Account update(String actorId, String id, String name, Account.Overrides overrides,
      Account.PatOverrides pats, String registration) {
    Account a = manageable(actorId, id);
    store.update(id, name == null ? a.name() : name, overrides == null ? a.overrides() : overrides,
        pats == null ? a.pats() : pats, registration == null ? a.registration() : registration);
    writes.caches().changed("account", id);
    return manageable(actorId, id);
  }

  /**
   * Enables a disabled descendant again, with every account below it that the same disabling
   * switched off (one disabled on its own before stays disabled). Sessions revoked then stay
   * revoked: users sign in again.
   */
  public Account enable(String actorId, String id) {
    Account a = manageable(actorId, id);
    if (id.equals(actorId)) {
      throw new ApiException(ErrorCode.ACCOUNT_OPERATION_FORBIDDEN,
          "An account cannot enable itself; its parent's admin can.");
    }
    if (a.disabled()) {
      store.enableTree(a.id(), a.disabledAt());
      writes.caches().changedAll("account");
    }
    return manageable(actorId, id);
  }

  /** Disables a descendant and everything below it; their sessions are revoked. */
  public Account disable(String actorId, String id) {
    Account a = manageable(actorId, id);
    if (id.equals(actorId) || id.equals(Account.MAIN)) {
      throw new ApiException(ErrorCode.ACCOUNT_OPERATION_FORBIDDEN,
          "An account cannot disable itself; its parent's admin can.");
    }
    store.disableTree(a.id(), clock.millis());
    writes.caches().changedAll("account");
    return manageable(actorId, id);
  }

  private boolean isDescendant(String ancestorId, Account a) {
    String parent = a.parentId();
    for (int depth = 0; parent != null && depth < MAX_DEPTH; depth++) {
      if (parent.equals(ancestorId)) {
        return true;
      }
      parent = find(parent).map(Account::parentId).orElse(null);
    }
    return false;
  }
}
