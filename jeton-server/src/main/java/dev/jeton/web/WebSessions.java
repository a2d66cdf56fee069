package dev.jeton.web;

import dev.jeton.observe.Audit;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Browser sign-in sessions (ASVS 7.2-7.3, docs/security.md#session-cookie): a 131-bit CSPRNG id in
 * the {@code __Host-jeton_session} cookie, stored only as its SHA-256 hash in {@code web_sessions},
 * a new id at every sign-in (no fixation), 8 h absolute and 1 h idle timeouts. These sessions only
 * let the user approve authorization requests (RFC 6749 4.1.1); they carry no tokens.
 */
public final class WebSessions {
  static final Duration ABSOLUTE = Duration.ofHours(8);
  static final Duration IDLE = Duration.ofHours(1);
  /** Activity within this window does not rewrite last_seen_at (fewer writes). */
  private static final long TOUCH_MS = 60_000;

  private final WebSessionStore store;
  private final WriteQueue writes;
  private final OpaqueTokens tokens;
  private final Cookies cookies;
  private final Clock clock;

  /** A live browser session: who signed in, and when (epoch ms). */
  public record Signed(String accountId, String userId, long authTime) {}

  public WebSessions(Jdbi jdbi, WriteQueue writes, OpaqueTokens tokens, Cookies cookies,
      Clock clock) {
    this.store = new WebSessionStore(jdbi);
    this.writes = writes;
    this.tokens = tokens;
    this.cookies = cookies;
    this.clock = clock;
  }

  /** Starts a session with a fresh id, ends the one the browser had, and sets the cookie. */
  void signIn(Context ctx, String accountId, String userId) {
    String old = cookies.read(ctx, Cookies.SESSION);
    String id = tokens.id("") + tokens.id("");
    long now = clock.millis();
    writes.submit(h -> {
      if (old != null) {
        WebSessionStore.revoke(h, OpaqueTokens.hash(old), now);
      }
      WebSessionStore.insert(h, OpaqueTokens.hash(id), accountId, userId, now,
          now + ABSOLUTE.toMillis());
      return null;
    });
    cookies.set(ctx, Cookies.SESSION, id);
    Audit.event("web_session_started", "account", accountId, "user", userId);
  }

  /** The live session of this browser in {@code accountId}, or empty. */
  public Optional<Signed> current(Context ctx, String accountId) {
    String id = cookies.read(ctx, Cookies.SESSION);
    if (id == null || id.length() > 100) {
      return Optional.empty();
    }
    String hash = OpaqueTokens.hash(id);
    long now = clock.millis();
    Optional<WebSessionStore.Row> live = store.find(hash)
        .filter(r -> r.accountId().equals(accountId) && !r.revoked() && !r.blocked()
            && now < r.expires() && now - r.seen() < IDLE.toMillis());
    live.filter(r -> now - r.seen() > TOUCH_MS).ifPresent(r -> writes.submit(h -> {
      WebSessionStore.touch(h, hash, now);
      return null;
    }));
    return live.map(r -> new Signed(r.accountId(), r.userId(), r.created()));
  }

  /**
   * Ends this browser's session, if any, and deletes its cookie (OIDC RP-Initiated Logout 2);
   * answers whether a live session of {@code accountId} was ended.
   */
  public boolean signOut(Context ctx, String accountId) {
    Optional<Signed> live = current(ctx, accountId);
    String id = cookies.read(ctx, Cookies.SESSION);
    if (live.isPresent() && id != null) {
      long now = clock.millis();
      writes.submit(h -> {
        WebSessionStore.revoke(h, OpaqueTokens.hash(id), now);
        return null;
      });
      cookies.clear(ctx, Cookies.SESSION);
      Audit.event("web_session_ended", "account", accountId, "user", live.get().userId());
      return true;
    }
    return false;
  }
}
