package dev.jeton.user;

import dev.jeton.account.Account;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Audit;
import dev.jeton.store.Page;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.TokenKind;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * What an account's admins do to its users (docs/users.md): list, create (with a password, or
 * with a one-time link that lets the user set one), update, block, unblock, require a new
 * password, and delete; and what the holder of a password link does with it.
 *
 * <p>Every change that takes a right away (block, required reset, deletion, demotion) ends what
 * the user holds in the transaction that makes it, and an account always keeps an admin who can
 * sign in ({@code last_admin}).
 */
public final class UserAdmin {
  /** How long the link of a user created without a password stays valid. */
  public static final Duration INVITATION_LIFETIME = Duration.ofDays(7);
  /** How long the link of a required password reset stays valid. */
  public static final Duration RESET_LIFETIME = Duration.ofHours(24);
  static final String INVITATION = "invitation";
  static final String RESET = "reset";

  private final UserService users;
  private final UserStore store;
  private final PasswordLinkStore links;
  private final WriteQueue writes;
  private final OpaqueTokens tokens;
  private final Clock clock;

  public UserAdmin(UserService users, Jdbi jdbi, WriteQueue writes, OpaqueTokens tokens,
      Clock clock) {
    this.users = users;
    this.store = users.store();
    this.links = new PasswordLinkStore(jdbi);
    this.writes = writes;
    this.tokens = tokens;
    this.clock = clock;
  }

  /** A one-time password link's secret and when it stops working. */
  public record PasswordLink(String secret, long expiresAt) {}

  /** A created user and, when it was created without a password, its invitation link. */
  public record Created(User user, PasswordLink link) {}

  /** A user and what a change ended, by answer field ({@code sessions_ended} first). */
  public record Changed(User user, Map<String, Integer> ended) {}

  /** A required reset: the user, what it ended, and the link that sets the new password. */
  public record Reset(Changed changed, PasswordLink link) {}

  /** The filters of the users list; null fields do not narrow it. */
  public record Filter(String email, String role, String status) {}

  /** One page of the account's users, newest first. */
  public Page<User> list(Account account, Filter filter, String cursor, int limit) {
    User after = null;
    if (cursor != null) {
      after = store.byId(account.id(), Page.idOf(cursor)).orElseThrow(Page::badCursor);
    }
    return Page.of(store.page(account.id(),
        new UserStore.Filter(filter.email(), filter.role(), filter.status()), after, limit + 1),
        limit, User::id);
  }

  /**
   * One user of the account.
   *
   * @throws ApiException {@code user_not_found}
   */
  public User get(Account account, String id) {
    return store.byId(account.id(), id).orElseThrow(UserAdmin::notFound);
  }

  /**
   * Creates a user. With a password (checked against the policy) the user can sign in at once;
   * without one the answer carries an invitation link through which the user sets it.
   *
   * @throws ApiException {@code user_already_exists}, {@code password_policy_violation}
   */
  public Created create(Account account, String email, String name, String role,
      String password, String actorId) {
    User u = users.newUser(account, email, password, role, name);
    String secret = password == null ? tokens.generate(TokenKind.PW) : null;
    long expires = clock.millis() + INVITATION_LIFETIME.toMillis();
    writes.submit(h -> {
      users.insertIn(h, u);
      if (secret != null) {
        PasswordLinkStore.replace(h, OpaqueTokens.hash(secret), account.id(), u.id(),
            INVITATION, u.createdAt(), expires);
      }
      return null;
    });
    Audit.event("user_created", "account", account.id(), "user", u.id(), "role", role,
        "by", actorId);
    return new Created(u, secret == null ? null : new PasswordLink(secret, expires));
  }

  /**
   * Changes a user's email, name or role (null: unchanged). A role change ends the user's
   * sessions, which carry the old role's scopes; demoting the last admin who can sign in is
   * refused.
   *
   * @throws ApiException {@code user_not_found}, {@code user_already_exists},
   *     {@code last_admin}
   */
  public Changed update(Account account, String id, String email, String name, String role,
      String actorId) {
    User before = get(account, id);
    boolean roleChanges = role != null && !role.equals(before.role());
    Map<String, Integer> ended = writes.submit(h -> {
      User current = locked(h, account, id);
      if (roleChanges && current.isAdmin() && !current.blocked()) {
        keepAnAdmin(h, account, current);
      }
      if (!UserStore.update(h, id, email, name, roleChanges ? role : null)) {
        throw new ApiException(ErrorCode.USER_ALREADY_EXISTS,
            "Another user of this account has this email address.");
      }
      return roleChanges ? users.endEverything(h, id, "role_changed", clock.millis(), false)
          : Map.<String, Integer>of();
    });
    users.stateChanged(id);
    Audit.event("user_updated", "account", account.id(), "user", id, "by", actorId,
        "role_changed", roleChanges);
    return new Changed(get(account, id), ended);
  }

  /**
   * Blocks a user: sign-in answers {@code user_blocked}, and every session, browser session,
   * pending authorization and personal access token of the user stops working at once.
   *
   * @throws ApiException {@code user_not_found}, {@code last_admin}
   */
  public Changed block(Account account, String id, String actorId) {
    Map<String, Integer> ended = writes.submit(h -> {
      User u = locked(h, account, id);
      if (u.blocked()) {
        return Map.<String, Integer>of();
      }
      if (u.isAdmin()) {
        keepAnAdmin(h, account, u);
      }
      long now = clock.millis();
      UserStore.setState(h, id, now, u.passwordResetRequired(), true);
      return users.endEverything(h, id, "user_blocked", now, false);
    });
    users.stateChanged(id);
    Audit.event("user_blocked", "account", account.id(), "user", id, "by", actorId);
    return new Changed(get(account, id), ended);
  }

  /** Unblocks a user, who can sign in again (nothing ended by the block comes back). */
  public User unblock(Account account, String id, String actorId) {
    writes.submit(h -> {
      User u = locked(h, account, id);
      if (u.blocked()) {
        UserStore.setState(h, id, null, u.passwordResetRequired(), false);
      }
      return null;
    });
    users.stateChanged(id);
    Audit.event("user_unblocked", "account", account.id(), "user", id, "by", actorId);
    return get(account, id);
  }

  /**
   * Requires a new password: the current one no longer signs in ({@code
   * password_reset_required}), everything signed in with it ends, and the answer carries the
   * one-time link through which the user sets the new one.
   */
  public Reset requirePasswordReset(Account account, String id, String actorId) {
    String secret = tokens.generate(TokenKind.PW);
    long now = clock.millis();
    PasswordLink link = new PasswordLink(secret, now + RESET_LIFETIME.toMillis());
    Map<String, Integer> ended = writes.submit(h -> {
      User u = locked(h, account, id);
      UserStore.setState(h, id, u.blockedAt(), true, true);
      PasswordLinkStore.replace(h, OpaqueTokens.hash(secret), account.id(), id, RESET, now,
          link.expiresAt());
      return users.endEverything(h, id, "password_reset_required", now, false);
    });
    users.stateChanged(id);
    Audit.event("password_reset_required", "account", account.id(), "user", id, "by", actorId);
    return new Reset(new Changed(get(account, id), ended), link);
  }

  /**
   * A new one-time link for the user to set a password (earlier links stop working): an
   * invitation while the user has none, a reset otherwise. Nothing else changes until the link
   * is used.
   */
  public PasswordLink newPasswordLink(Account account, String id, String actorId) {
    String secret = tokens.generate(TokenKind.PW);
    PasswordLink link = writes.submit(h -> {
      User u = locked(h, account, id);
      long now = clock.millis();
      Duration lifetime = u.hasPassword() ? RESET_LIFETIME : INVITATION_LIFETIME;
      PasswordLinkStore.replace(h, OpaqueTokens.hash(secret), account.id(), id,
          u.hasPassword() ? RESET : INVITATION, now, now + lifetime.toMillis());
      return new PasswordLink(secret, now + lifetime.toMillis());
    });
    Audit.event("password_link_issued", "account", account.id(), "user", id, "by", actorId);
    return link;
  }

  /**
   * Deletes a user: everything the user holds is revoked (sessions, browser sessions, pending
   * authorizations, personal access tokens) and the row becomes a tombstone without email, name
   * or password, in one transaction. Deleting the last admin who can sign in is refused.
   *
   * @throws ApiException {@code user_not_found}, {@code last_admin}
   */
  public Map<String, Integer> delete(Account account, String id, String actorId) {
    Map<String, Integer> ended = writes.submit(h -> {
      User u = locked(h, account, id);
      if (u.isAdmin() && !u.blocked()) {
        keepAnAdmin(h, account, u);
      }
      long now = clock.millis();
      Map<String, Integer> counts = users.endEverything(h, id, "user_deleted", now, true);
      PasswordLinkStore.endAll(h, id, now);
      UserStore.tombstone(h, id, now);
      return counts;
    });
    users.stateChanged(id);
    Audit.event("user_deleted", "account", account.id(), "user", id, "by", actorId);
    return ended;
  }

  /**
   * The user a password link of the account is for, while it works (not used, not expired,
   * not replaced); empty otherwise.
   */
  public Optional<User> linkHolder(Account account, String secret) {
    if (OpaqueTokens.kindOf(secret) != TokenKind.PW) {
      return Optional.empty();
    }
    return links.find(OpaqueTokens.hash(secret))
        .filter(l -> l.accountId().equals(account.id()) && l.usedAt() == null
            && l.expiresAt() > clock.millis())
        .flatMap(l -> store.byId(account.id(), l.userId()));
  }

  /**
   * Sets the password of the link's user and spends the link, atomically: the link works once
   * even when two requests race. Like a password change it starts the next credential
   * generation (nothing signed in before survives) and clears a required reset.
   *
   * @throws ApiException {@code password_link_invalid}, {@code user_blocked},
   *     {@code password_policy_violation}
   */
  public User setPassword(Account account, String secret, String password) {
    User u = linkHolder(account, secret).orElseThrow(UserAdmin::invalidLink);
    if (u.blocked()) {
      throw new ApiException(ErrorCode.USER_BLOCKED, "This user is blocked.");
    }
    String hash = users.newPasswordHash(password, u.email());
    writes.submit(h -> {
      long now = clock.millis();
      if (!PasswordLinkStore.use(h, OpaqueTokens.hash(secret), account.id(), now)) {
        throw invalidLink();
      }
      UserStore.updatePassword(h, u.id(), hash, now);
      users.endEverything(h, u.id(), "password_changed", now, false);
      PasswordLinkStore.endAll(h, u.id(), now);
      return null;
    });
    users.stateChanged(u.id());
    Audit.event("password_set", "account", account.id(), "user", u.id(), "via", "link");
    return get(account, u.id());
  }

  /**
   * Ends every password link of the user whose link was reported leaked; answers that user when
   * the link still worked, empty otherwise.
   */
  public Optional<User> endLeakedLink(String secret) {
    if (OpaqueTokens.kindOf(secret) != TokenKind.PW) {
      return Optional.empty();
    }
    return links.find(OpaqueTokens.hash(secret))
        .filter(l -> l.usedAt() == null && l.expiresAt() > clock.millis())
        .flatMap(l -> {
          writes.submit(h -> PasswordLinkStore.endAll(h, l.userId(), clock.millis()));
          Audit.event("password_link_ended", "account", l.accountId(), "user", l.userId(),
              "reason", "leaked");
          return store.byId(l.accountId(), l.userId());
        });
  }

  /** The user, read again inside the transaction (and locked against concurrent admin changes). */
  private User locked(Handle h, Account account, String id) {
    UserStore.lockAccount(h, account.id(), writes.postgres());
    return UserStore.byId(h, account.id(), id).orElseThrow(UserAdmin::notFound);
  }

  /**
   * Refuses a change that takes {@code u}, an admin who can sign in, away while no other such
   * admin is left.
   */
  private static void keepAnAdmin(Handle h, Account account, User u) {
    if (UserStore.countActiveAdmins(h, account.id()) <= 1) {
      throw new ApiException(ErrorCode.LAST_ADMIN, "The user is the account's last admin who "
          + "can sign in; make another user admin first.");
    }
  }

  private static ApiException notFound() {
    return new ApiException(ErrorCode.USER_NOT_FOUND, "The account has no user with this id.");
  }

  private static ApiException invalidLink() {
    return new ApiException(ErrorCode.PASSWORD_LINK_INVALID,
        "This password link is unknown, expired, already used or replaced by a newer one.");
  }

}
