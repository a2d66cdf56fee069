package dev.jeton.web;

import dev.jeton.observe.Audit;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Browser sign-in sessions (ASVS 7.2-7.3, docs/security.md#session-cookie): a 131-bit CSPRNG id in
 * the {@code __Host-jeton_session} cookie, stored only as its SHA-256 hash in {@code web_sessions},
 * a new id at every sign-in (no fixation), 8 h absolute and 1 h idle timeouts. These sessions only
 * let the user approve authorization requests (RFC 6749 4.1.1); they carry no tokens.
 *
 * <p>A session belongs to the credential generation it was signed in with: a password change
 * revokes every browser session of the user, and one signed in with an older generation is never
 * taken as signed in, however it came to exist (docs/security.md#credential-change). Users list
 * and end their sessions through the API ({@link #list}, {@link #end}); a session's public id is a
 * prefix of its stored hash, which tells nothing about the cookie.
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

  /**
   * A live browser session: who signed in, when (epoch ms), and with which credential generation.
   */
  public record Signed(String accountId, String userId, long authTime, int credentialGeneration) {}

  /** A browser session as its user sees it in the list (times in ms). */
  public record Listed(String id, long createdAt, long lastSeenAt, long expiresAt) {}

  /** Characters of the stored hash that make a session's public id. */
  private static final int ID_CHARS = 20;

  public WebSessions(Jdbi jdbi, WriteQueue writes, OpaqueTokens tokens, Cookies cookies,
      Clock clock) {
    this.store = new WebSessionStore(jdbi);
    this.writes = writes;
    this.tokens = tokens;
    this.cookies = cookies;
    this.clock = clock;
  }

  /**
   * Starts a session with a fresh id, ends the one the browser had, and sets the cookie; false
   * (and no session) when the user's password changed after they proved it, which leaves the
   * credential generation they signed in with behind.
   */
  boolean signIn(Context ctx, String accountId, String userId, int credentialGeneration) {
    String old = cookies.read(ctx, Cookies.SESSION);
    String id = tokens.id("") + tokens.id("");
    long now = clock.millis();
    boolean started = writes.submit(h -> {
      if (old != null) {
        WebSessionStore.revoke(h, OpaqueTokens.hash(old), now);
      }
      return WebSessionStore.insert(h, OpaqueTokens.hash(id), accountId, userId,
          credentialGeneration, now, now + ABSOLUTE.toMillis(), writes.postgres());
    });
    if (!started) {
      return false;
    }
    cookies.set(ctx, Cookies.SESSION, id);
    Audit.event("web_session_started", "account", accountId, "user", userId);
    return true;
  }

  /** The live session of this browser in {@code accountId}, or empty. */
  public Optional<Signed> current(Context ctx, String accountId) {
    String id = cookies.read(ctx, Cookies.SESSION);
    if (id == null || id.length() > 100) {
      return Optional.empty();
    }
    String hash = OpaqueTokens.hash(id);
    long now = clock.millis();
    Optional<WebSessionStore.Row> live = store.find(hash).filter(r -> live(r, now)
        && r.accountId().equals(accountId));
    live.filter(r -> now - r.seen() > TOUCH_MS).ifPresent(r -> writes.submit(h -> {
      WebSessionStore.touch(h, hash, now);
      return null;
    }));
    return live.map(r -> new Signed(r.accountId(), r.userId(), r.created(), r.generation()));
  }

  private static boolean live(WebSessionStore.Row r, long now) {
    return !r.revoked() && !r.blocked() && r.currentCredentials() && now < r.expires()
        && now - r.seen() < IDLE.toMillis();
  }

  /** The user's live browser sessions, oldest first. */
  public List<Listed> list(String userId) {
    long now = clock.millis();
    return store.unexpiredOfUser(userId, now).stream().filter(r -> live(r, now))
        .map(r -> new Listed(publicId(r.hash()), r.created(), r.seen(), r.expires())).toList();
  }

  /** Ends one live browser session of the user by its public id; false when there is none. */
  public boolean end(String userId, String id) {
    long now = clock.millis();
    Optional<WebSessionStore.Row> found = store.unexpiredOfUser(userId, now).stream()
        .filter(r -> live(r, now) && publicId(r.hash()).equals(id)).findFirst();
    if (found.isEmpty()) {
      return false;
    }
    boolean ended = writes.submit(h -> WebSessionStore.revoke(h, found.get().hash(), now));
    if (ended) {
      Audit.event("web_session_ended", "account", found.get().accountId(), "user", userId,
          "reason", "ended_by_user");
    }
    return ended;
  }

  /**
   * Revokes every browser session of the user inside the caller's transaction (a password
   * change, logging out everywhere); answers how many were live or idle.
   */
  public int revokeAllOfUser(Handle h, String userId, long now) {
    return WebSessionStore.revokeAllOfUser(h, userId, now);
  }

  private static String publicId(String hash) {
    return "bs_" + hash.substring(0, ID_CHARS);
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
