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
  private final Clock clock;
  private final LoadingCache<String, Optional<Account>> cache;

  public AccountService(Jdbi jdbi, WriteQueue writes, KeyRing keys, SetupTokens setupTokens,
      Config.Tokens tokenConfig, Clock clock) {
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
        Account.Overrides.NONE, Account.PatOverrides.NONE, Account.REGISTRATION_OPEN);
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
    cache.invalidate(Account.MAIN);
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

  /** The effective token lifetimes of an account. */
  public Config.Lifetimes lifetimes(Account a) {
    return a.overrides().over(tokenConfig.lifetimes());
  }

  /** Creates a sub-account of {@code parentId}. */
  public Created create(String parentId, String id, String name) {
    requireActive(parentId);
    Account account = new Account(id, parentId, name, clock.millis(), null,
        Account.Overrides.NONE, Account.PatOverrides.NONE, Account.REGISTRATION_CLOSED);
    try {
      String secret = writes.submit(h -> {
        AccountStore.insert(h, account);
        keys.createInitialKeys(h, id, tokenConfig.signingAlg());
        return setupTokens.issue(h, id);
      });
      cache.invalidate(id);
      return new Created(account, secret);
    } catch (UnableToExecuteStatementException e) {
      if (store.find(id).isPresent()) {
        throw new ApiException(ErrorCode.ACCOUNT_ALREADY_EXISTS,
            "An account with the id '" + id + "' already exists.");
      }
      throw e;
    }
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
    cache.invalidate(id);
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
      cache.invalidateAll();
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
    cache.invalidateAll();
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
