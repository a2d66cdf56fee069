package dev.jeton.oauth;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Responses;
import dev.jeton.observe.Audit;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.SessionService;
import dev.jeton.store.WriteQueue;
import dev.jeton.web.WebSessions;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a user is signed in, under {@code {issuer}/api/v1/me/}, for Jeton's own first-party user
 * tokens only (docs/security.md#credential-change):
 *
 * <ul>
 *   <li>{@code GET browser-sessions}: the live browser sessions (the hosted sign-in pages);
 *   <li>{@code DELETE browser-sessions/{id}}: ends one;
 *   <li>{@code POST logout-everywhere}: ends, in one transaction, every session of the user (the
 *       caller's too), every browser session and every authorization not yet exchanged.
 * </ul>
 */
final class SignInRoutes {
  /** The errors of these routes. */
  static final Set<ErrorCode> ERRORS = errors();

  private final BearerAuth bearer;
  private final WebSessions webSessions;
  private final SessionService sessions;
  private final WriteQueue writes;
  private final Clock clock;

  SignInRoutes(BearerAuth bearer, WebSessions webSessions, SessionService sessions,
      WriteQueue writes, Clock clock) {
    this.bearer = bearer;
    this.webSessions = webSessions;
    this.sessions = sessions;
    this.writes = writes;
    this.clock = clock;
  }

  void list(Context ctx) {
    BearerAuth.Principal p = principal(ctx);
    List<Map<String, Object>> items = webSessions.list(p.subject()).stream().map(s -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", s.id());
      m.put("created_at", Instant.ofEpochMilli(s.createdAt()).toString());
      m.put("last_seen_at", Instant.ofEpochMilli(s.lastSeenAt()).toString());
      m.put("expires_at", Instant.ofEpochMilli(s.expiresAt()).toString());
      return m;
    }).toList();
    Responses.json(ctx, 200, Map.of("items", items));
  }

  void end(Context ctx) {
    BearerAuth.Principal p = principal(ctx);
    if (!webSessions.end(p.subject(), ctx.pathParam("id"))) {
      throw new ApiException(ErrorCode.BROWSER_SESSION_NOT_FOUND,
          "You have no live browser session with this id.");
    }
    ctx.status(204);
  }

  /** What logging out everywhere ended. */
  private record Ended(List<String> sessions, int browserSessions, int pending) {}

  void logoutEverywhere(Context ctx) {
    BearerAuth.Principal p = principal(ctx);
    String userId = p.subject();
    Ended ended = writes.submit(h -> {
      long now = clock.millis();
      int pending = PendingAuthorizations.withdraw(h, userId, null, now);
      int browser = webSessions.revokeAllOfUser(h, userId, now);
      return new Ended(sessions.revokeAllOfUser(h, userId, null, "logout_everywhere"), browser,
          pending);
    });
    sessions.forgetCached(ended.sessions());
    Audit.event("logout_everywhere", "account", p.account().id(), "user", userId,
        "sessions", ended.sessions().size(), "browser_sessions", ended.browserSessions(),
        "pending_authorizations", ended.pending());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sessions_ended", ended.sessions().size());
    m.put("browser_sessions_ended", ended.browserSessions());
    m.put("pending_authorizations_revoked", ended.pending());
    Responses.json(ctx, 200, m);
  }

  /**
   * The caller, by the access token of a first-party sign-in: sessions are not managed with a
   * personal access token ({@link BearerAuth#requireSession}).
   */
  private BearerAuth.Principal principal(Context ctx) {
    return bearer.requireSession(ctx, ctx.pathParam("account"), SessionService.SCOPE_USER);
  }

  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.add(ErrorCode.BROWSER_SESSION_NOT_FOUND);
    return Set.copyOf(all);
  }
}
