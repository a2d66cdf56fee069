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
import dev.jeton.store.WriteQueue;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET/DELETE {issuer}/api/v1/me/grants[/{client_id}]}: the applications a user authorized
 * (ASVS 7.5.2, 10.7.3; docs/security.md#consent). Revoking one ends, in one transaction, the
 * remembered consent, every authorization of the client not yet exchanged (codes, approved device
 * codes; docs/security.md#grant-revocation) and every session of the user with that client, so
 * its refresh and access tokens stop working (RFC 7009 2.1 semantics) and nothing approved before
 * signs anyone in afterwards. Only Jeton's own first-party user tokens may call these routes.
 */
final class ConsentRoutes {
  /** The errors of the user's list of authorized applications. */
  static final Set<ErrorCode> ERRORS = errors();
  private final BearerAuth bearer;
  private final Consents consents;
  private final ClientService clients;
  private final SessionService sessions;
  private final WriteQueue writes;
  private final Clock clock;

  ConsentRoutes(BearerAuth bearer, Consents consents, ClientService clients,
      SessionService sessions, WriteQueue writes, Clock clock) {
    this.clock = clock;
    this.bearer = bearer;
    this.consents = consents;
    this.clients = clients;
    this.sessions = sessions;
    this.writes = writes;
  }

  /** What revoking a grant ended. */
  private record Revoked(boolean hadGrant, int pending, List<String> sessions) {}

  void list(Context ctx) {
    BearerAuth.Principal p = principal(ctx);
    List<Map<String, Object>> items = consents.list(p.subject()).stream().map(g -> {
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
    String userId = p.subject();
    // pending authorizations before sessions: a code exchanged concurrently either has its
    // session attached already (and it is revoked below) or fails to attach it
    Revoked r = writes.submit(h -> {
      boolean had = consents.revokeIn(h, userId, clientId);
      int pending = PendingAuthorizations.withdraw(h, userId, clientId, clock.millis());
      return new Revoked(had, pending,
          sessions.revokeAllOfUserForClient(h, userId, clientId, "grant_revoked"));
    });
    sessions.forgetCached(r.sessions());
    List<String> ended = r.sessions();
    if (!r.hadGrant() && ended.isEmpty() && r.pending() == 0) {
      throw new ApiException(ErrorCode.CLIENT_NOT_FOUND, "You have not authorized the "
          + "application '" + Text.clip(clientId) + "'.");
    }
    Audit.event("grant_revoked", "account", p.account().id(), "user", userId,
        "client_id", clientId, "sessions", ended.size(), "pending_authorizations", r.pending());
    ctx.status(204);
  }

  /** The caller; {@link BearerAuth#require} admits only Jeton's own first-party user tokens. */
  private BearerAuth.Principal principal(Context ctx) {
    return bearer.require(ctx, ctx.pathParam("account"), SessionService.SCOPE_USER);
  }

  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.add(ErrorCode.CLIENT_NOT_FOUND);
    return Set.copyOf(all);
  }
}
