package dev.jeton.pat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.jeton.account.Account;
import dev.jeton.config.Config;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Audit;
import dev.jeton.session.PatVerifier;
import dev.jeton.session.SessionService;
import dev.jeton.store.Page;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.Scope;
import dev.jeton.token.TokenKind;
import dev.jeton.user.User;
import dev.jeton.user.UserService;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Personal access tokens: long-lived secrets a user creates for scripts and tools, each with a
 * comment, a lifetime within the account's policy and scopes within the owner's rights; shown
 * once, stored only as a SHA-256 hash, listed with when and from where they were last used, and
 * revoked one by one or all at once (docs/tokens.md).
 *
 * <p>Verification reads a cache keyed by the secret's hash, so a token in use costs no query;
 * revoking drops it from the cache at once, and every use re-checks expiry, revocation and the
 * owner's state as cached. Uses are recorded in memory and written in one batch by {@link
 * #flushUses}, never one write per request.
 */
public final class PatService implements PatVerifier {
  /** How long a verified token is trusted without reading it again (other nodes' revocations). */
  static final Duration CACHE_FOR = Duration.ofSeconds(5);
  /** Shortest lifetime a token may be given. */
  static final long MIN_LIFETIME_SECONDS = 60;

  private final PatStore store;
  private final WriteQueue writes;
  private final OpaqueTokens tokens;
  private final Config.Pats defaults;
  private final Clock clock;
  private final Cache<String, PatStore.Found> verified;
  private final ConcurrentHashMap<String, Pat.Use> uses = new ConcurrentHashMap<>();

  public PatService(Jdbi jdbi, WriteQueue writes, OpaqueTokens tokens, Config.Pats defaults,
      Clock clock) {
    this.store = new PatStore(jdbi);
    this.writes = writes;
    this.tokens = tokens;
    this.defaults = defaults;
    this.clock = clock;
    this.verified = Caffeine.newBuilder()
        .maximumSize(100_000)
        .expireAfterWrite(CACHE_FOR)
        .build();
    writes.caches().register("pat", verified::invalidate, verified::invalidateAll);
  }

  /** A token just created, with its secret: the only time the secret is ever seen. */
  public record Created(Pat pat, String secret) {}

  /** The effective policy of an account: its overrides over the server's settings. */
  public Config.Pats policy(Account account) {
    return account.pats().over(defaults);
  }

  /** {@code active}, {@code expired} or {@code revoked}. */
  public String status(Pat p) {
    return p.revokedAt() != null ? "revoked" : p.live(clock.millis()) ? "active" : "expired";
  }

  /** The scopes of a token created without any: {@code user} for users, all a principal has. */
  public static Scope defaultScope(String role) {
    Scope rights = rights(role);
    return rights.contains(SessionService.SCOPE_USER) ? Scope.of(SessionService.SCOPE_USER)
        : rights;
  }

  /**
   * The scopes an owner's tokens may carry: a user's are those of the user's own sign-in; a
   * service principal's are {@code admin} (it acts on the account's administration API, and has
   * no user behind {@code /me}).
   */
  public static Scope rights(String role) {
    if (Owner.PRINCIPAL.equals(role)) {
      return Scope.of(SessionService.SCOPE_ADMIN);
    }
    return UserService.firstPartyScopes(User.ADMIN.equals(role));
  }

  /**
   * Creates a token for {@code owner}, a user of {@code account} holding {@code role}.
   * {@code lifetimeSeconds}: null for the account's default, 0 for no expiry (only where the
   * account allows it), otherwise 60 up to the account's longest.
   *
   * @throws ApiException {@code validation_failed} for a lifetime or scope the policy or the
   *     owner's rights refuse, {@code token_limit_reached} when the owner holds the most live
   *     tokens allowed
   */
  public Created create(Account account, Owner owner, String role, String comment, Scope scope,
      Long lifetimeSeconds) {
    Config.Pats policy = policy(account);
    Long expiresIn = lifetime(policy, lifetimeSeconds);
    Scope rights = rights(role);
    if (!rights.containsAll(scope)) {
      throw ApiException.validation(List.of(new ApiException.FieldError("scopes",
          ErrorCode.FIELD_INVALID, "A token can carry only scopes its owner has ("
          + rights.render() + "); '" + scope.render() + "' asks for more.")));
    }
    long now = clock.millis();
    Pat pat = new Pat(tokens.id("pat_"), account.id(), owner, comment, scope, now,
        expiresIn == null ? null : now + expiresIn * 1000, null, null, null, null);
    String secret = tokens.generate(TokenKind.PAT);
    int limit = policy.maxPerOwner();
    Integer live = writes.submit(h -> {
      if (!PatStore.lockOwner(h, account.id(), owner, writes.postgres())) {
        return -1;
      }
      int n = PatStore.countLive(h, account.id(), owner, now);
      if (n < limit) {
        PatStore.insert(h, pat, OpaqueTokens.hash(secret));
      }
      return n;
    });
    if (live < 0) {
      throw new ApiException(ErrorCode.TOKEN_REVOKED,
          "The owner this token would belong to no longer exists.");
    }
    if (live >= limit) {
      throw new ApiException(ErrorCode.TOKEN_LIMIT_REACHED, "The owner holds " + live + " live "
          + "personal access tokens, the most this account allows (" + limit + "); revoke one "
          + "first.");
    }
    Audit.event("pat_created", "account", account.id(), "owner", owner.id(), "token", pat.id(),
        "scope", scope.render(), "expires_at", pat.expiresAt());
    return new Created(pat, secret);
  }

  /** The lifetime in seconds a request asks for, checked against the policy; null: no expiry. */
  private static Long lifetime(Config.Pats policy, Long requested) {
    long max = policy.maxLifetime().toSeconds();
    if (requested == null) {
      return policy.defaultLifetime().toSeconds();
    }
    if (requested == 0) {
      if (!policy.noExpiry()) {
        throw ApiException.validation(List.of(new ApiException.FieldError("lifetime_seconds",
            ErrorCode.FIELD_INVALID, "This account does not allow tokens without expiry; give "
            + "a lifetime from " + MIN_LIFETIME_SECONDS + " to " + max + " seconds.")));
      }
      return null;
    }
    if (requested < MIN_LIFETIME_SECONDS || requested > max) {
      throw ApiException.validation(List.of(new ApiException.FieldError("lifetime_seconds",
          ErrorCode.FIELD_INVALID, "The lifetime must be from " + MIN_LIFETIME_SECONDS + " to "
          + max + " seconds (the account's longest)" + (policy.noExpiry()
          ? ", or 0 for no expiry." : "."))));
    }
    return requested;
  }

  /**
   * One page of the owner's tokens, newest first: only live ones unless {@code all}.
   *
   * @throws ApiException {@code validation_failed} for a cursor this server did not give
   */
  public Page<Pat> list(Account account, Owner owner, String cursor, int limit, boolean all) {
    Pat after = null;
    if (cursor != null) {
      after = store.byId(account.id(), owner, Page.idOf(cursor))
          .orElseThrow(Page::badCursor);
    }
    List<Pat> rows = store.page(account.id(), owner, after, all ? null : clock.millis(),
        limit + 1).stream().map(p -> p.withUse(uses.get(p.id()))).toList();
    return Page.of(rows, limit, Pat::id);
  }

  /** The answer to a cursor no list gave. */

  /**
   * One of the owner's tokens.
   *
   * @throws ApiException {@code pat_not_found}
   */
  public Pat get(Account account, Owner owner, String id) {
    return store.byId(account.id(), owner, id).map(p -> p.withUse(uses.get(p.id())))
        .orElseThrow(() -> notFound());
  }

  /**
   * Revokes one of the owner's tokens; it is refused from this moment on. Revoking a token that
   * is already revoked changes nothing.
   *
   * @throws ApiException {@code pat_not_found} when the owner has no token with this id
   */
  public void revoke(Account account, Owner owner, String id) {
    Pat pat = get(account, owner, id);
    var hash = writes.submit(h -> PatStore.revoke(h, account.id(), owner, id, clock.millis(),
        "revoked"));
    hash.ifPresent(x -> writes.caches().changed("pat", x));
    if (hash.isPresent()) {
      Audit.event("pat_revoked", "account", account.id(), "owner", owner.id(), "token", pat.id());
    }
  }

  /** Revokes every live token of the owner; answers how many. */
  public int revokeAll(Account account, Owner owner, String reason) {
    int n = writes.submit(h -> PatStore.revokeAll(h, account.id(), owner, clock.millis(),
        reason));
    // the owner's hashes are not kept apart: every node drops every entry
    writes.caches().changedAll("pat");
    Audit.event("pat_revoked_all", "account", account.id(), "owner", owner.id(), "tokens", n,
        "reason", reason);
    return n;
  }

  /**
   * What Jeton knows about a personal access token, read without using it (the token doctor):
   * the stored token, whether its owner still exists, and whether the owner is blocked or
   * disabled. Empty when the text is no token Jeton issued (or it was purged).
   */
  public record Inspection(Pat pat, boolean ownerGone, boolean ownerBlocked) {}

  /** Inspects a personal access token; changes nothing and records no use. */
  public Optional<Inspection> inspect(String secret) {
    if (OpaqueTokens.kindOf(secret) != TokenKind.PAT) {
      return Optional.empty();
    }
    return store.byHash(OpaqueTokens.hash(secret)).map(f -> new Inspection(
        f.pat().withUse(uses.get(f.pat().id())), f.ownerRole() == null, f.ownerBlocked()));
  }

  /** A token reported leaked: whose it was, and whether this report revoked it. */
  public record Leaked(String accountId, Owner owner, String id, boolean revokedNow) {}

  /**
   * Revokes a personal access token reported leaked, whatever its account; empty when the text
   * is no token Jeton issued.
   */
  public Optional<Leaked> revokeLeaked(String secret) {
    if (OpaqueTokens.kindOf(secret) != TokenKind.PAT) {
      return Optional.empty();
    }
    String hash = OpaqueTokens.hash(secret);
    return store.byHash(hash).map(found -> {
      Pat p = found.pat();
      boolean revoked = writes.submit(h -> PatStore.revokeInAccount(h, p.accountId(), p.id(),
          clock.millis(), "leaked")).isPresent();
      writes.caches().changed("pat", hash);
      if (revoked) {
        Audit.event("pat_revoked", "account", p.accountId(), "owner", p.owner().id(), "token",
            p.id(), "reason", "leaked");
      }
      return new Leaked(p.accountId(), p.owner(), p.id(), revoked);
    });
  }

  /**
   * Revokes one live token of the account, whoever owns it (an admin's revocation); answers
   * false when the account has no live token with this id.
   */
  public boolean revokeInAccount(Account account, String id, String actorId) {
    var hash = writes.submit(h -> PatStore.revokeInAccount(h, account.id(), id, clock.millis(),
        "revoked_by_admin"));
    hash.ifPresent(verified::invalidate);
    hash.ifPresent(x -> Audit.event("pat_revoked", "account", account.id(), "token", id,
        "by", actorId));
    return hash.isPresent();
  }

  /**
   * Revokes, within the caller's transaction, every live token of a user who is being deleted;
   * answers how many. The caller drops the verified-token cache once it commits.
   */
  public int revokeAllOfDeletedUser(Handle h, String userId, long now) {
    return PatStore.revokeAllOfUser(h, userId, now, "owner_deleted");
  }

  /**
   * Forgets every verified token, so the next use of each reads its owner again: called when an
   * owner is blocked, unblocked or removed.
   */
  public void forgetCached() {
    writes.caches().changedAll("pat");
  }

  @Override
  public Verified verify(String secret, String accountId, String ip) {
    if (OpaqueTokens.parse(secret) != TokenKind.PAT) {
      throw new ApiException(ErrorCode.TOKEN_MALFORMED,
          "The token is not a well-formed personal access token.");
    }
    String hash = OpaqueTokens.hash(secret);
    PatStore.Found found = verified.getIfPresent(hash);
    if (found == null) {
      found = store.byHash(hash).orElseThrow(() -> new ApiException(ErrorCode.TOKEN_UNKNOWN,
          "This personal access token was never issued here, or was purged after it ended."));
      verified.put(hash, found);
    }
    Pat pat = found.pat();
    if (!pat.accountId().equals(accountId)) {
      throw new ApiException(ErrorCode.TOKEN_WRONG_ACCOUNT,
          "This personal access token belongs to another account.");
    }
    long now = clock.millis();
    if (pat.revokedAt() != null) {
      throw new ApiException(ErrorCode.TOKEN_REVOKED, "This personal access token was revoked.");
    }
    if (pat.expiresAt() != null && pat.expiresAt() <= now) {
      throw new ApiException(ErrorCode.TOKEN_EXPIRED, "This personal access token expired at "
          + java.time.Instant.ofEpochMilli(pat.expiresAt()) + "; create a new one.");
    }
    String whose = Owner.PRINCIPAL.equals(pat.owner().kind()) ? "service principal" : "user";
    if (found.ownerRole() == null) {
      throw new ApiException(ErrorCode.TOKEN_REVOKED,
          "The " + whose + " this personal access token belongs to no longer exists.");
    }
    if (found.ownerBlocked()) {
      throw new ApiException(ErrorCode.TOKEN_OWNER_DISABLED, "The " + whose + " this personal "
          + "access token belongs to is " + (whose.equals("user") ? "blocked." : "disabled."));
    }
    uses.put(pat.id(), new Pat.Use(now, ip));
    // an owner who lost a right since the token was created no longer passes it on
    Scope rights = rights(found.ownerRole());
    Set<String> scopes = Set.copyOf(pat.scope().values().stream().filter(rights::contains)
        .toList());
    return new Verified(pat.owner().id(), scopes, pat.id(), pat.expiresAt());
  }

  /**
   * Writes the uses recorded since the last call (the latest per token) in one batch. Run on a
   * schedule and at shutdown; a use not yet written when the process dies is lost, never a
   * token.
   */
  public int flushUses() {
    if (uses.isEmpty()) {
      return 0;
    }
    Map<String, Pat.Use> batch = new HashMap<>();
    for (var it = uses.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      batch.put(e.getKey(), e.getValue());
      uses.remove(e.getKey(), e.getValue()); // a newer use recorded meanwhile stays queued
    }
    try {
      writes.submit(h -> {
        PatStore.recordUses(h, batch);
        return null;
      });
    } catch (RuntimeException e) {
      // queued again for the next run, unless a newer use of the same token is already queued
      batch.forEach((id, use) -> uses.merge(id, use, (queued, old) ->
          queued.at() >= old.at() ? queued : old));
      throw e;
    }
    return batch.size();
  }

  private static ApiException notFound() {
    return new ApiException(ErrorCode.PAT_NOT_FOUND,
        "You have no personal access token with this id.");
  }
}
