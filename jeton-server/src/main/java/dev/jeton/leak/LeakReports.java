package dev.jeton.leak;

import dev.jeton.account.SetupTokens;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Audit;
import dev.jeton.pat.Owner;
import dev.jeton.pat.PatService;
import dev.jeton.session.Session;
import dev.jeton.session.SessionService;
import dev.jeton.store.Page;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.AccessToken;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.Issuers;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.TokenKind;
import dev.jeton.user.UserAdmin;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports of leaked tokens (docs/leaks.md): anyone, typically a secret scanner, sends strings
 * found in the wild; every one that is a live Jeton credential is ended and its owner and the
 * account's admins get a notice. The report is answered before it is examined, always in the
 * same way, so that the answer (its content and its timing) says nothing about which strings
 * were valid. Reports are examined one at a time on one background thread, from a bounded queue;
 * each source may send {@value #REPORTS_PER_WINDOW} per minute ({@link LeakRoutes}).
 */
public final class LeakReports implements AutoCloseable {
  /** The most strings one report may carry. */
  public static final int MAX_TOKENS = 1000;
  /** The longest string examined (a JWT access token of Jeton is far shorter). */
  public static final int MAX_TOKEN_CHARS = 4096;
  /** Reports one source may send per {@link #WINDOW}, in a token bucket (limit.Limits). */
  static final int REPORTS_PER_WINDOW = 10;
  static final Duration WINDOW = Duration.ofMinutes(1);
  static final int QUEUED_REPORTS = 100;
  private static final Logger LOG = LoggerFactory.getLogger(LeakReports.class);

  private final PatService pats;
  private final SessionService sessions;
  private final AccessTokens accessTokens;
  private final Issuers issuers;
  private final UserAdmin users;
  private final SetupTokens setupTokens;
  private final ClientService clients;
  private final NoticeStore notices;
  private final WriteQueue writes;
  private final OpaqueTokens ids;
  private final Clock clock;
  private final ThreadPoolExecutor worker;
  /** What reports may touch: the features whose credentials can be reported. */
  public record Features(PatService pats, SessionService sessions, AccessTokens accessTokens,
      Issuers issuers, UserAdmin users, SetupTokens setupTokens, ClientService clients) {}

  public LeakReports(Features f, Jdbi jdbi, WriteQueue writes, OpaqueTokens ids, Clock clock) {
    this.pats = f.pats();
    this.sessions = f.sessions();
    this.accessTokens = f.accessTokens();
    this.issuers = f.issuers();
    this.users = f.users();
    this.setupTokens = f.setupTokens();
    this.clients = f.clients();
    this.notices = new NoticeStore(jdbi);
    this.writes = writes;
    this.ids = ids;
    this.clock = clock;
    this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(QUEUED_REPORTS), r -> {
          Thread t = new Thread(r, "jeton-leak-reports");
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Takes a report for examination. Answers at once, before anything is examined.
   *
   * @throws ApiException {@code service_unavailable} when the queue of reports is full
   */
  public void accept(List<String> candidates) {
    List<String> copy = List.copyOf(candidates);
    try {
      worker.execute(() -> examineAll(copy));
    } catch (RejectedExecutionException e) {
      throw ApiException.retryAfter(ErrorCode.SERVICE_UNAVAILABLE,
          "Too many leak reports are waiting to be examined; send this one again later.", 10);
    }
  }

  private void examineAll(List<String> candidates) {
    Set<String> distinct = new LinkedHashSet<>();
    for (String c : candidates) {
      distinct.add(c.strip());
    }
    int ended = 0;
    for (String c : distinct) {
      try {
        ended += examine(c) ? 1 : 0;
      } catch (RuntimeException e) {
        // one string that cannot be examined now (a database outage) must not stop the others
        LOG.warn("a reported string could not be examined: {}", e.toString());
      }
    }
    Audit.event("leak_report_examined", "strings", distinct.size(), "ended", ended);
  }

  /** Ends the credential a string is, if it is a live one; true when something was ended. */
  boolean examine(String c) {
    TokenKind kind = OpaqueTokens.kindOf(c);
    if (kind == null) {
      return c.startsWith("eyJ") && accessToken(c);
    }
    switch (kind) {
      case PAT -> {
        return pats.revokeLeaked(c).map(l -> {
          if (l.revokedNow()) {
            boolean user = Owner.USER.equals(l.owner().kind());
            notice(l.accountId(), user ? "user" : "principal", l.owner().id(), "pat", l.id(),
                "revoked", "The personal access token " + l.id() + " was reported leaked and "
                    + "has been revoked; create a new one where it was used.");
          }
          return l.revokedNow();
        }).orElse(false);
      }
      case RT -> {
        return sessions.revokeLeakedRefreshToken(c).map(e -> sessionNotice(e, "A refresh "
            + "token")).orElse(false);
      }
      case PW -> {
        return users.endLeakedLink(c).map(u -> {
          notice(u.accountId(), "user", u.id(), "password_link", null, "revoked", "A password "
              + "link for " + u.email() + " was reported leaked and no longer works; an admin "
              + "can issue a new one.");
          return true;
        }).orElse(false);
      }
      case ST -> {
        return setupTokens.endLeaked(c).map(account -> {
          notice(account, "account", null, "setup_link", null, "revoked", "A setup link of "
              + "this account was reported leaked and no longer works.");
          return true;
        }).orElse(false);
      }
      case CS -> {
        clients.bySecret(c).ifPresent(this::clientSecretNotice);
        return false;
      }
      default -> {
        // authorization and device codes and QR logins live minutes, and codes need the client
        return false;
      }
    }
  }

  private boolean sessionNotice(Map.Entry<Session, Boolean> e, String what) {
    Session s = e.getKey();
    if (e.getValue()) {
      notice(s.accountId(), "user", s.userId(), "session", s.id(), "revoked", what + " of the "
          + "session " + s.id() + (SessionService.FIRST_PARTY_CLIENT.equals(s.clientId()) ? ""
          : " (client " + s.clientId() + ")") + " was reported leaked; the session has been "
          + "revoked: sign in again.");
    }
    return e.getValue();
  }

  /** A JWT access token: its session is revoked; a client's own token only noticed. */
  private boolean accessToken(String c) {
    String accountId;
    try {
      accountId = issuers.accountOf(com.nimbusds.jwt.JWTParser.parse(c).getJWTClaimsSet()
          .getIssuer());
    } catch (java.text.ParseException | RuntimeException e) {
      return false;
    }
    if (accountId == null) {
      return false;
    }
    AccessToken at;
    try {
      at = accessTokens.verify(c, accountId);
    } catch (ApiException e) {
      return false; // not Jeton's, altered, or expired: nothing left to end
    }
    if (at.sessionId() != null) {
      return sessions.find(at.sessionId()).map(s -> sessionNotice(Map.entry(s,
          sessions.revoke(s.id(), "leaked")), "An access token")).orElse(false);
    }
    if (!recentlyNoticed(accountId, "access_token", at.clientId())) {
      notice(accountId, "account", null, "access_token", at.clientId(), "none", "An access "
          + "token issued to the client " + at.clientId() + " by the client_credentials grant "
          + "was reported leaked; it works until it expires at "
          + Instant.ofEpochSecond(at.expiresAt()) + ". If the client's secret may be exposed "
          + "too, rotate it.");
    }
    return false;
  }

  private void clientSecretNotice(Client client) {
    if (!recentlyNoticed(client.accountId(), "client_secret", client.clientId())) {
      notice(client.accountId(), "account", null, "client_secret", client.clientId(), "none",
          "The secret of the client " + client.clientId() + " was reported leaked. It still "
              + "works: rotate it now (POST /api/v1/clients/" + client.clientId()
              + "/secret) and give the client its new secret.");
    }
  }

  /** True when the account already has this notice from the last day (reports repeat). */
  private boolean recentlyNoticed(String accountId, String tokenKind, String tokenId) {
    return notices.existsSince(accountId, tokenKind, tokenId,
        clock.millis() - Duration.ofDays(1).toMillis());
  }

  private void notice(String accountId, String ownerKind, String ownerId, String tokenKind,
      String tokenId, String action, String detail) {
    Notice n = new Notice(ids.id("ntc_"), accountId, ownerKind, ownerId, Notice.TOKEN_LEAKED,
        tokenKind, tokenId, action, detail, clock.millis());
    writes.submit(h -> {
      NoticeStore.insert(h, n);
      return null;
    });
    Audit.event("token_leak_reported", "account", accountId, "token_kind", tokenKind,
        "token", tokenId, "action", action);
  }

  /** One page of the account's notices, or of one owner's ({@code ownerId} non-null). */
  Page<Notice> list(String accountId, String ownerId, String cursor, int limit) {
    Notice after = null;
    if (cursor != null) {
      after = notices.byId(accountId, Page.idOf(cursor))
          .filter(n -> ownerId == null || ownerId.equals(n.ownerId()))
          .orElseThrow(Page::badCursor);
    }
    return Page.of(notices.page(accountId, ownerId, after, limit + 1), limit, Notice::id);
  }

  /** Waits until every report taken so far has been examined (shutdown, tests). */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (worker.getCompletedTaskCount() < worker.getTaskCount()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /** Examines what is queued (for at most five seconds), then stops. */
  @Override
  public void close() {
    worker.shutdown();
    try {
      if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      worker.shutdownNow();
    }
  }
}
