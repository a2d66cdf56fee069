package dev.jeton.web;

import dev.jeton.error.ApiException;
import dev.jeton.user.User;
import dev.jeton.user.UserService;
import io.javalin.http.Context;
import java.util.Optional;

/** Who a browser is signed in as, for the pages that act for that user (consent, devices). */
public final class Viewers {
  private final WebSessions webSessions;
  private final UserService users;

  /**
   * A signed-in user, when they signed in (ms, the ID token's {@code auth_time}) and the
   * credential generation they signed in with, which what they approve carries.
   */
  public record Viewer(User user, long authTime, int credentialGeneration) {}

  public Viewers(WebSessions webSessions, UserService users) {
    this.webSessions = webSessions;
    this.users = users;
  }

  /**
   * The browser's user in {@code accountId}, or empty when it has no valid session there or its
   * user can no longer act (blocked, deleted, reset required).
   */
  public Optional<Viewer> current(Context ctx, String accountId) {
    return webSessions.current(ctx, accountId).flatMap(s -> {
      try {
        return Optional.of(new Viewer(users.current(accountId, s.userId()), s.authTime(),
            s.credentialGeneration()));
      } catch (ApiException e) {
        return Optional.empty();
      }
    });
  }
}
