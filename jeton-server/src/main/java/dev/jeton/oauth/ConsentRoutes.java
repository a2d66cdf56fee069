package dev.jeton.oauth;

import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Responses;
import dev.jeton.http.Text;
import dev.jeton.observe.Audit;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.SessionService;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET/DELETE {issuer}/api/v1/me/grants[/{client_id}]}: the applications a user authorized
 * (ASVS 7.5.2, 10.7.3; docs/security.md#consent). Revoking one ends the remembered consent and
 * every session of the user with that client at once, so its refresh and access tokens stop working
 * (RFC 7009 2.1 semantics). Only Jeton's own first-party user tokens may call these routes.
 */
final class ConsentRoutes {
  /** The errors of the user's list of authorized applications. */
  static final Set<ErrorCode> ERRORS = errors();
  private final BearerAuth bearer;
  private final Consents consents;
  private final ClientService clients;
  private final SessionService sessions;

  ConsentRoutes(BearerAuth bearer, Consents consents, ClientService clients,
      SessionService sessions) {
    this.bearer = bearer;
    this.consents = consents;
    this.clients = clients;
    this.sessions = sessions;
  }

  void list(Context ctx) {
    BearerAuth.Principal p = principal(ctx);
    List<Map<String, Object>> items = consents.list(p.token().subject()).stream().map(g -> {
      Map<String, Object> m = new LinkedHashMap<>();
      Optional<Client> c = clients.find(p.account().id(), g.clientId());
      m.put("client_id", g.clientId());
      m.put("client_name", c.map(x -> x.spec().name()).orElse(null));
      m.put("client_uri", c.map(x -> x.spec().clientUri()).orElse(null));
      m.put("scopes", g.scopes().sorted().values());
      m.put("granted_at", Instant.ofEpochMilli(g.createdAt()).toString());
      return m;
    }).toList();
    Responses.json(ctx, 200, Map.of("items", items));
  }

  void revoke(Context ctx) {
    BearerAuth.Principal p = principal(ctx);
    String clientId = ctx.pathParam("client_id");
    String userId = p.token().subject();
    boolean had = consents.revoke(userId, clientId);
    List<String> ended = sessions.revokeAllOfUserForClient(userId, clientId, "grant_revoked");
    if (!had && ended.isEmpty()) {
      throw new ApiException(ErrorCode.CLIENT_NOT_FOUND, "You have not authorized the "
          + "application '" + Text.clip(clientId) + "'.");
    }
    Audit.event("grant_revoked", "account", p.account().id(), "user", userId,
        "client_id", clientId, "sessions", ended.size());
    ctx.status(204);
  }

  private BearerAuth.Principal principal(Context ctx) {
    BearerAuth.Principal p = bearer.require(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_USER);
    if (!SessionService.FIRST_PARTY_CLIENT.equals(p.token().clientId())) {
      throw new ApiException(ErrorCode.INSUFFICIENT_SCOPE, "Only Jeton's own sign-in tokens "
          + "manage authorized applications; a third-party application's token cannot.");
    }
    return p;
  }

  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.add(ErrorCode.CLIENT_NOT_FOUND);
    return Set.copyOf(all);
  }
}
