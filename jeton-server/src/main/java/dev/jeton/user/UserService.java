package dev.jeton.user;

import dev.jeton.account.Account;
import dev.jeton.config.Config;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.limit.FailureThrottle;
import dev.jeton.observe.Audit;
import dev.jeton.session.SessionService;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.Scope;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Registration, sign-in and password changes.
 *
 * <p>Sign-in answers {@code invalid_credentials} alike for an unknown email and a wrong password,
 * and spends one Argon2id verification in both cases so their timing matches. Only after the
 * password is proven does it reveal a blocked user or a required password reset.
 */
public final class UserService {
  private final WriteQueue writes;
  private final UserStore store;
  private final PasswordHasher hasher;
  private final PasswordPolicy policy;
  private final SessionService sessions;
  private final OpaqueTokens ids;
  private final Clock clock;
  private final FailureThrottle throttle;

  /** The sign-in throttle (docs/security.md#sign-in-throttle), which admins can read and clear. */
  public FailureThrottle throttle() {
    return throttle;
  }
  /** Registered while the application is wired; read by every password change. */
  private final List<Runnable> stateHooks = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<Map.Entry<String, CredentialChangeHook>> credentialHooks =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<Map.Entry<String, CredentialChangeHook>> deletionHooks =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final com.github.benmanes.caffeine.cache.Cache<String, User> recent =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
          .maximumSize(50_000)
          .expireAfterWrite(java.time.Duration.ofSeconds(2))
          .build();

  public UserService(Jdbi jdbi, WriteQueue writes, PasswordHasher hasher, PasswordPolicy policy,
      SessionService sessions, OpaqueTokens ids, Clock clock, int signInFailuresPerSource) {
    this.writes = writes;
    writes.caches().register("user", recent::invalidate, recent::invalidateAll);
    this.store = new UserStore(jdbi, writes);
    this.hasher = hasher;
    this.policy = policy;
    this.sessions = sessions;
    this.ids = ids;
    this.clock = clock;
    this.throttle = new FailureThrottle(clock, signInFailuresPerSource);
  }

  public PasswordHasher hasher() {
    return hasher;
  }

  public UserStore store() {
    return store;
  }

  /** The scopes of a first-party sign-in: {@code user}, and {@code admin} for admins. */
  public static Scope firstPartyScopes(boolean admin) {
    return admin ? Scope.of(SessionService.SCOPE_USER, SessionService.SCOPE_ADMIN)
        : Scope.of(SessionService.SCOPE_USER);
  }

  /**
   * Starts a first-party session (Jeton's own sign-in) for a user who just proved who they are:
   * every user gets the {@code user} scope, admins also {@code admin} and the shorter admin
   * session lifetime.
   */
  public SessionService.TokenPair startSession(Account account, User user,
      Config.Lifetimes lifetimes) {
    Scope scopes = firstPartyScopes(user.isAdmin());
    Duration absolute = user.isAdmin() ? lifetimes.adminSession() : lifetimes.refreshToken();
    try {
      return sessions.start(account, user.id(), lifetimes, SessionService.FIRST_PARTY_CLIENT,
          scopes, sessions.firstPartyAudience(account.id()), clock.millis(), absolute,
          user.credentialGeneration());
    } catch (SessionService.StaleCredentials e) {
      throw new ApiException(ErrorCode.INVALID_CREDENTIALS,
          "The password was changed while signing in; sign in with the new password.");
    }
  }

  /**
   * What a feature above this one revokes for a user inside the transaction of a password change
   * (browser sessions, authorizations not yet exchanged), and of a block, a required reset or a
   * deletion; answers how many.
   */
  @FunctionalInterface
  public interface CredentialChangeHook {
    int revoke(Handle h, String userId, long now);
  }

  /**
   * Has {@code hook} run in every password change, block, required reset and deletion; the answer
   * of the change reports its count as {@code field}. Called while the application is wired,
   * before it serves.
   */
  public void onCredentialChange(String field, CredentialChangeHook hook) {
    credentialHooks.add(Map.entry(field, hook));
  }

  /**
   * Has {@code hook} run, besides the {@link #onCredentialChange} hooks, when a user is deleted
   * (the user's personal access tokens are revoked there). Called while the application is wired.
   */
  public void onDeletion(String field, CredentialChangeHook hook) {
    deletionHooks.add(Map.entry(field, hook));
  }

  /**
   * Has {@code hook} run after a user is blocked, unblocked or deleted (caches of what the user
   * holds are dropped there). Called while the application is wired, before it serves.
   */
  public void onStateChange(Runnable hook) {
    stateHooks.add(hook);
  }

  /**
   * Within the caller's transaction, ends everything the user holds: sessions (with
   * {@code reason}), then each hook's share, and with {@code deleting} the deletion hooks' too.
   * Answers the counts by answer field ({@code sessions_ended} first).
   */
  Map<String, Integer> endEverything(Handle h, String userId, String reason, long now,
      boolean deleting) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("sessions_ended", sessions.revokeAllOfUser(h, userId, null, reason).size());
    for (Map.Entry<String, CredentialChangeHook> e : credentialHooks) {
      counts.put(e.getKey(), e.getValue().revoke(h, userId, now));
    }
    if (deleting) {
      for (Map.Entry<String, CredentialChangeHook> e : deletionHooks) {
        counts.put(e.getKey(), e.getValue().revoke(h, userId, now));
      }
    }
    return counts;
  }

  /** Forgets what this node cached about the user and runs the state hooks. */
  void stateChanged(String userId) {
    writes.caches().changed("user", userId);
    stateHooks.forEach(Runnable::run);
  }

  /**
   * Blocks or unblocks a user and sets the reset-required flag. Blocking ends every session,
   * browser session and pending authorization of the user in the same transaction, and the
   * user's personal access tokens are refused from then on.
   */
  public void setState(User u, boolean blocked, boolean resetRequired) {
    writes.submit(h -> {
      long now = clock.millis();
      UserStore.setState(h, u.id(), blocked ? now : null, resetRequired, blocked);
      return blocked ? endEverything(h, u.id(), "user_blocked", now, false) : Map.of();
    });
    stateChanged(u.id());
    Audit.event(blocked ? "user_blocked" : "user_state_changed", "account", u.accountId(),
        "user", u.id());
  }

  /** Validated, normalised credentials. */
  public record Credentials(String email, String password) {}

  /** Normalises and checks an email, throwing {@code validation_failed} on the field. */
  public static String validEmail(String raw) {
    String email = Emails.normalise(raw);
    String problem = Emails.problem(email);
    if (problem != null) {
      throw ApiException.validation(List.of(
          new ApiException.FieldError("email", ErrorCode.FIELD_INVALID, problem)));
    }
    return email;
  }

  /** Creates a user; {@code user_already_exists} when the email is taken in the account. */
  public User register(Account account, Credentials c, String role) {
    User u = newUser(account, c, role);
    writes.submit(h -> {
      insertIn(h, u);
      return null;
    });
    Audit.event("user_registered", "account", account.id(), "user", u.id(), "role", role);
    return u;
  }

  /**
   * A new user's row, validated (password policy) and with its password hashed: slow on purpose,
   * so done before the write transaction, never inside it.
   */
  public User newUser(Account account, Credentials c, String role) {
    return newUser(account, c.email(), c.password(), role, null);
  }

  /**
   * A new user's row as {@link #newUser(Account, Credentials, String)}, with a display name, and
   * without a password when {@code password} is null (the user sets one through a link).
   */
  User newUser(Account account, String email, String password, String role, String name) {
    String hash = password == null ? "" : newPasswordHash(password, email);
    long now = clock.millis();
    return new User(ids.id("usr_"), account.id(), email, hash, role, false, null, now, now, 0,
        name);
  }

  /** A new password checked against the policy and hashed: slow, so never inside a write. */
  String newPasswordHash(String password, String email) {
    policy.check(password, email);
    return hasher.hash(password);
  }

  /**
   * Inserts a user made by {@link #newUser} within the caller's transaction;
   * {@code user_already_exists} when the email is taken in the account.
   */
  public void insertIn(Handle h, User u) {
    if (!UserStore.insert(h, u)) {
      throw new ApiException(ErrorCode.USER_ALREADY_EXISTS,
          "A user with this email already exists in this account.");
    }
  }

  /** Checks credentials; the user on success. */
  public User authenticate(Account account, Credentials c, String ip) {
    long wait = throttle.acquire(account.id(), c.email(), ip);
    if (wait > 0) {
      Audit.event("login_throttled", "account", account.id(), "ip", ip, "wait_s", wait);
      throw ApiException.retryAfter(ErrorCode.SIGN_IN_THROTTLED, "Too many failed sign-ins "
          + "for this email or from this address; try again in " + wait + " s.", wait);
    }
    Optional<User> found;
    try {
      found = store.byEmail(account.id(), c.email());
    } catch (RuntimeException e) {
      throttle.undecided(account.id(), c.email(), ip); // an outage is not a wrong password
      throw e;
    }
    if (found.isEmpty()) {
      hasher.verifyDummy(c.password());
      Audit.event("login_failed", "account", account.id(), "reason", "invalid_credentials",
          "ip", ip);
      throttle.confirmFailure(account.id(), c.email(), ip);
      throw invalidCredentials();
    }
    User u = found.get();
    if (!u.hasPassword()) {
      // invited or imported without a password: refused like an unknown email, at equal cost
      hasher.verifyDummy(c.password());
      Audit.event("login_failed", "account", account.id(), "user", u.id(),
          "reason", "no_password_set", "ip", ip);
      throttle.confirmFailure(account.id(), c.email(), ip);
      throw invalidCredentials();
    }
    if (!hasher.verify(c.password(), u.passwordHash())) {
      Audit.event("login_failed", "account", account.id(), "user", u.id(),
          "reason", "invalid_credentials", "ip", ip);
      throttle.confirmFailure(account.id(), c.email(), ip);
      throw invalidCredentials();
    }
    throttle.succeeded(account.id(), c.email(), ip);
    if (hasher.needsRehash(u.passwordHash())) {
      upgradeHash(u, c.password());
    }
    if (u.blocked()) {
      Audit.event("login_failed", "account", account.id(), "user", u.id(), "reason",
          "user_blocked", "ip", ip);
      throw new ApiException(ErrorCode.USER_BLOCKED, "This user is blocked.");
    }
    if (u.passwordResetRequired()) {
      throw new ApiException(ErrorCode.PASSWORD_RESET_REQUIRED,
          "This user must set a new password before signing in.");
    }
    Audit.event("login", "account", account.id(), "user", u.id(), "ip", ip);
    return u;
  }

  /**
   * Replaces a hash imported from another system, or made with weaker parameters, by Jeton's
   * current Argon2id hash of the password just proven; the sign-in goes on if this fails.
   */
  private void upgradeHash(User u, String password) {
    try {
      String hash = hasher.hash(password);
      writes.submit(h -> {
        UserStore.rehash(h, u.id(), u.passwordHash(), hash);
        return null;
      });
      writes.caches().changed("user", u.id());
      Audit.event("password_rehashed", "account", u.accountId(), "user", u.id());
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(UserService.class)
          .warn("could not store the upgraded password hash of {}", u.id(), e);
    }
  }

  /**
   * The user behind a session, who must exist and not be blocked. Cached for two seconds like
   * session state: changes made through this node are seen at once, other nodes' within 2 s.
   */
  public User current(String accountId, String userId) {
    User u = recent.getIfPresent(userId);
    if (u == null || !u.accountId().equals(accountId)) {
      u = store.byId(accountId, userId).orElseThrow(() -> new ApiException(
          ErrorCode.TOKEN_REVOKED, "The user this token was issued to no longer exists."));
      recent.put(userId, u);
    }
    if (u.blocked()) {
      throw new ApiException(ErrorCode.USER_BLOCKED, "This user is blocked.");
    }
    return u;
  }

  /**
   * Changes the password after checking the current one, and in the same transaction starts the
   * user's next credential generation, revokes every other session of the user (the caller's
   * session, {@code keepSession}, moves to the new generation and stays) and runs every
   * {@link #onCredentialChange} hook. Answers what was ended, by answer field:
   * {@code sessions_ended} and the hooks' fields (docs/security.md#credential-change).
   */
  public Map<String, Integer> changePassword(User u, String current, String next,
      String keepSession) {
    if (!hasher.verify(current, u.passwordHash())) {
      Audit.event("password_change_failed", "account", u.accountId(), "user", u.id());
      throw new ApiException(ErrorCode.INVALID_CREDENTIALS, "The current password is wrong.");
    }
    if (current.equals(next)) {
      throw new ApiException(ErrorCode.PASSWORD_UNCHANGED,
          "The new password must differ from the current one.");
    }
    policy.check(next, u.email());
    String hash = hasher.hash(next);
    Map<String, Integer> ended = writes.submit(h -> {
      long now = clock.millis();
      int generation = UserStore.updatePassword(h, u.id(), hash, now);
      Map<String, Integer> counts = new LinkedHashMap<>();
      counts.put("sessions_ended",
          sessions.revokeAllOfUser(h, u.id(), keepSession, "password_changed").size());
      if (keepSession != null) {
        sessions.keepThroughCredentialChange(h, keepSession, generation);
      }
      for (Map.Entry<String, CredentialChangeHook> e : credentialHooks) {
        counts.put(e.getKey(), e.getValue().revoke(h, u.id(), now));
      }
      PasswordLinkStore.endAll(h, u.id(), now);
      return counts;
    });
    writes.caches().changed("user", u.id());
    Audit.event("password_changed", "account", u.accountId(), "user", u.id(),
        "sessions_revoked", ended.get("sessions_ended"));
    return ended;
  }

  private static ApiException invalidCredentials() {
    return new ApiException(ErrorCode.INVALID_CREDENTIALS,
        "The email address or the password is wrong.");
  }
}
