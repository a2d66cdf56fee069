package dev.jeton.setup;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.account.SetupTokens;
import dev.jeton.config.Config;
import dev.jeton.config.ConfigException;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Audit;
import dev.jeton.store.WriteQueue;
import dev.jeton.user.User;
import dev.jeton.user.UserService;
import dev.jeton.user.UserStore;

/**
 * Creates an account's first admin: from a one-time setup link, or unattended from the bootstrap
 * settings on first start.
 */
public final class SetupService {
  private final WriteQueue writes;
  private final SetupTokens setupTokens;
  private final AccountService accounts;
  private final UserService users;
  private final UserStore userStore;

  public SetupService(WriteQueue writes, SetupTokens setupTokens, AccountService accounts,
      UserService users) {
    this.writes = writes;
    this.setupTokens = setupTokens;
    this.accounts = accounts;
    this.users = users;
    this.userStore = users.store();
  }

  /** True when the account has no admin yet. */
  public boolean needsAdmin(String accountId) {
    return userStore.countAdmins(accountId) == 0;
  }

  /** A new one-time setup secret for the account (earlier ones stop working). */
  public String newSecret(String accountId) {
    return setupTokens.issue(accountId);
  }

  public boolean isValid(String accountId, String secret) {
    return setupTokens.isValid(accountId, secret);
  }

  /** Spends the secret and creates the admin, atomically. */
  public User complete(Account account, String secret, UserService.Credentials c) {
    if (!setupTokens.isValid(account.id(), secret)) {
      throw invalidLink();
    }
    // Hash the password before the transaction: the write lock is not held for Argon2.
    User admin = users.newUser(account, c, User.ADMIN);
    writes.submit(h -> {
      if (setupTokens.consume(h, account.id(), secret).isEmpty()) {
        throw invalidLink();
      }
      users.insertIn(h, admin);
      return null;
    });
    Audit.event("admin_created", "account", account.id(), "user", admin.id(), "via", "setup_link");
    return admin;
  }

  private static ApiException invalidLink() {
    return new ApiException(ErrorCode.SETUP_TOKEN_INVALID,
        "This setup link is unknown, expired or already used.");
  }

  /** Creates the bootstrap admin of {@code main} if it has no admin; answers true if it did. */
  public boolean bootstrap(Config.Bootstrap b) {
    if (!b.enabled() || !needsAdmin(Account.MAIN)) {
      return false;
    }
    Account main = accounts.requireActive(Account.MAIN);
    User admin;
    try {
      UserService.Credentials c = new UserService.Credentials(
          UserService.validEmail(b.adminEmail()), b.adminPassword());
      User created = users.newUser(main, c, User.ADMIN);
      writes.submit(h -> {
        users.insertIn(h, created);
        return null;
      });
      admin = created;
    } catch (ApiException e) {
      String why = e.errors().isEmpty() ? e.detail() : e.errors().get(0).detail();
      throw new ConfigException("JETON_BOOTSTRAP_ADMIN_"
          + (e.errors().isEmpty() || e.errors().get(0).field().equals("email") ? "EMAIL"
              : "PASSWORD") + ": " + why);
    }
    Audit.event("admin_created", "account", main.id(), "user", admin.id(), "via", "bootstrap");
    return true;
  }
}
