package dev.jeton.admin;

import dev.jeton.account.Account;
import dev.jeton.client.ClientAuthenticator;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.limit.FailureThrottle;
import dev.jeton.observe.Audit;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.SessionService;
import dev.jeton.user.Emails;
import dev.jeton.user.UserService;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET} and {@code DELETE {issuer}/api/v1/throttles} (docs/api.md#throttles): what the
 * sign-in throttle holds for an email and what the client-authentication throttle holds for a
 * client id, each optionally from one address, and clearing it, for admins of the account. The
 * count of one address over every account can be cleared only by an admin of {@code main}.
 */
public final class ThrottleRoutes {
  public static final Set<ErrorCode> ERRORS = errors();
  private static final String PATH = "/accounts/{account}/api/v1/throttles";

  private final UserService users;
  private final ClientAuthenticator clients;
  private final BearerAuth bearer;

  public ThrottleRoutes(UserService users, ClientAuthenticator clients, BearerAuth bearer) {
    this.users = users;
    this.clients = clients;
    this.bearer = bearer;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, ERRORS).get(PATH, this::read).delete(PATH, this::clear);
  }

  private record Query(String email, String clientId, String ip) {}

  private Query query(Context ctx) {
    String email = ctx.queryParam("email");
    String clientId = ctx.queryParam("client_id");
    String ip = ctx.queryParam("ip");
    List<ApiException.FieldError> problems = new ArrayList<>();
    if (email == null && clientId == null && ip == null) {
      problems.add(new ApiException.FieldError("email", ErrorCode.FIELD_MISSING,
          "Name an email, a client_id or an ip (or several)."));
    }
    for (String[] p : new String[][] {{"email", email}, {"client_id", clientId}, {"ip", ip}}) {
      if (p[1] != null && (p[1].isEmpty() || p[1].length() > 320)) {
        problems.add(new ApiException.FieldError(p[0], ErrorCode.FIELD_INVALID,
            "The parameter '" + p[0] + "' must have 1 to 320 characters."));
      }
    }
    if (!problems.isEmpty()) {
      throw ApiException.validation(problems);
    }
    return new Query(email == null ? null : Emails.normalise(email), clientId, ip);
  }

  private void read(Context ctx) {
    BearerAuth.Principal p = bearer.requireSession(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_ADMIN);
    Query q = query(ctx);
    String account = p.account().id();
    Map<String, Object> out = new LinkedHashMap<>();
    if (q.email() != null || q.ip() != null) {
      out.put("sign_in", json(users.throttle().status(account, q.email(), q.ip())));
    }
    if (q.clientId() != null || q.ip() != null) {
      out.put("client_authentication",
          json(clients.throttle().status(account, q.clientId(), q.ip())));
    }
    Responses.json(ctx, 200, out);
  }

  private void clear(Context ctx) {
    BearerAuth.Principal p = bearer.requireSession(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_ADMIN);
    Query q = query(ctx);
    String account = p.account().id();
    // one address's count over all accounts is the server's, not one tenant's
    boolean everywhere = Account.MAIN.equals(account);
    if (q.email() != null || (q.clientId() == null && q.ip() != null)) {
      users.throttle().clear(account, q.email(), q.ip(), everywhere);
    }
    if (q.clientId() != null || (q.email() == null && q.ip() != null)) {
      clients.throttle().clear(account, q.clientId(), q.ip(), everywhere);
    }
    Audit.event("throttle_cleared", "account", account, "by", p.subject(),
        "email", q.email() != null, "client_id", q.clientId(), "ip", q.ip());
    ctx.status(204);
  }

  private static Map<String, Object> json(Map<String, FailureThrottle.Status> status) {
    Map<String, Object> out = new LinkedHashMap<>();
    status.forEach((key, s) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("failures", s.failures());
      m.put("wait_seconds", s.waitSeconds());
      out.put(key, m);
    });
    return out;
  }

  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.add(ErrorCode.VALIDATION_FAILED);
    return Set.copyOf(all);
  }
}
