package dev.jeton.admin;

import dev.jeton.account.Account;
import dev.jeton.observe.Audit;
import dev.jeton.pat.PatService;
import dev.jeton.session.SessionService;
import dev.jeton.store.Page;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Every token of an account, for its admins (docs/tokens.md#admin): one list of sessions and
 * personal access tokens, newest first, with filters and a cursor; and revocation of any of them,
 * one at a time or many at once.
 */
final class AccountTokens {
  /** The most ids one bulk revocation may carry. */
  static final int MAX_BULK = 1000;
  static final String SESSION_PREFIX = "ses_";
  static final String PAT_PREFIX = "pat_";

  /**
   * What the list is narrowed to (null: not narrowed); times in ms, bounds exclusive;
   * {@code after} is the last item of the previous page.
   */
  record Filter(String kind, String owner, String clientId, boolean activeOnly,
      Long createdAfter, Long createdBefore, Long expiresAfter, Long expiresBefore,
      Long lastUsedAfter, Long lastUsedBefore, Cursor after) {}

  /** A position in the list: the creation time and id of the last item of a page. */
  record Cursor(long createdAt, String id) {
    String encode() {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          (createdAt + "." + id).getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor a string encodes, or null for anything that is not one. */
    static Cursor decode(String s) {
      try {
        String text = new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
        int dot = text.indexOf('.');
        if (dot < 1 || dot == text.length() - 1) {
          return null;
        }
        return new Cursor(Long.parseLong(text.substring(0, dot)), text.substring(dot + 1));
      } catch (IllegalArgumentException e) { // bad base64, or not a number
        return null;
      }
    }
  }

  private static final Comparator<AccountToken> NEWEST_FIRST = Comparator
      .comparingLong(AccountToken::createdAt).thenComparing(AccountToken::id).reversed();

  private final AccountTokenStore store;
  private final SessionService sessions;
  private final PatService pats;
  private final Clock clock;

  AccountTokens(Jdbi jdbi, SessionService sessions, PatService pats, Clock clock) {
    this.store = new AccountTokenStore(jdbi);
    this.sessions = sessions;
    this.pats = pats;
    this.clock = clock;
  }

  /**
   * One page of the account's tokens: the sessions and the personal access tokens that match,
   * each read up to one more than {@code limit}, merged newest first.
   */
  Page<AccountToken> list(Account account, Filter f, int limit) {
    long now = clock.millis();
    List<AccountToken> merged = new ArrayList<>();
    boolean sessionKinds = f.kind() == null || !f.kind().equals(AccountToken.PAT);
    boolean ownerCanHoldSessions = f.owner() == null || f.owner().startsWith("usr_");
    if (sessionKinds && ownerCanHoldSessions) {
      merged.addAll(store.sessions(account.id(), f, now, limit + 1));
    }
    if ((f.kind() == null || f.kind().equals(AccountToken.PAT)) && f.clientId() == null) {
      merged.addAll(store.pats(account.id(), f, now, limit + 1));
    }
    merged.sort(NEWEST_FIRST);
    boolean more = merged.size() > limit;
    List<AccountToken> items = more ? merged.subList(0, limit) : merged;
    AccountToken last = more ? items.get(limit - 1) : null;
    return new Page<>(List.copyOf(items),
        last == null ? null : new Cursor(last.createdAt(), last.id()).encode());
  }

  /**
   * Revokes one token of the account, a session or a personal access token, on behalf of
   * {@code actorId}; answers false when the account has no such token that has not ended.
   */
  boolean revoke(Account account, String id, String actorId) {
    if (id.startsWith(PAT_PREFIX)) {
      return pats.revokeInAccount(account, id, actorId);
    }
    if (id.startsWith(SESSION_PREFIX)
        && sessions.revokeInAccount(account.id(), id, "revoked_by_admin")) {
      Audit.event("session_revoked", "account", account.id(), "session", id, "by", actorId);
      return true;
    }
    return false;
  }
}
