package dev.jeton.client;

import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.JsonBody;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.observe.Audit;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.SessionService;
import dev.jeton.token.Issuers;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The client registration API under {@code {issuer}/api/v1/clients}, for the admins of that
 * account: register, list, get, update, delete, and rotate a confidential client's secret. The
 * secret appears only in the answers to create and rotate.
 */
public final class ClientRoutes {
  /** The errors of the clients API. */
  public static final Set<ErrorCode> ERRORS = errors();
  private static final String BASE = "/accounts/{account}/api/v1/clients";
  private static final Set<String> FIELDS = Set.of("name", "type", "redirect_uris",
      "grant_types", "scopes", "token_lifetimes", "logo_uri", "client_uri",
      "id_token_signed_response_alg", "resources", "resource_uri");
  private static final String ID_TOKEN_ALG = "id_token_signed_response_alg";
  private static final Set<String> LIFETIME_FIELDS = Set.of("access_token", "refresh_token",
      "refresh_grace");
  /** The longest refresh grace window a client may opt in to (docs/security.md#refresh-reuse). */
  private static final long MAX_GRACE_SECONDS = 60;
  private static final long YEAR_SECONDS = 10L * 366 * 24 * 3600;
  /** Sanity caps while parsing; {@link ClientRules} applies the real limits with clear errors. */
  private static final int MAX_ITEMS = 1000;
  private static final int MAX_CHARS = 10_000;

  private final ClientService clients;
  private final BearerAuth bearer;
  private final Issuers issuers;

  public ClientRoutes(ClientService clients, BearerAuth bearer, Issuers issuers) {
    this.clients = clients;
    this.bearer = bearer;
    this.issuers = issuers;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, ERRORS).post(BASE, this::create)
        .get(BASE, this::list)
        .get(BASE + "/{client_id}", this::get)
        .patch(BASE + "/{client_id}", this::update)
        .delete(BASE + "/{client_id}", this::delete)
        .post(BASE + "/{client_id}/secret", this::rotate);
  }

  private BearerAuth.Principal admin(Context ctx) {
    return bearer.require(ctx, ctx.pathParam("account"), SessionService.SCOPE_ADMIN);
  }

  private void create(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    JsonBody body = JsonBody.read(ctx, FIELDS);
    String name = body.requiredString("name", ClientRules.MAX_NAME);
    String typeText = body.requiredString("type", 20);
    Client.Type type = type(body, typeText);
    List<String> redirects = body.optionalStrings("redirect_uris", MAX_ITEMS, MAX_CHARS);
    List<String> grants = body.optionalStrings("grant_types", MAX_ITEMS, MAX_CHARS);
    List<String> scopes = body.optionalStrings("scopes", MAX_ITEMS, MAX_CHARS);
    String logo = body.optionalString("logo_uri", MAX_CHARS);
    String uri = body.optionalString("client_uri", MAX_CHARS);
    Client.Lifetimes lifetimes = lifetimes(body, Client.Lifetimes.NONE);
    String idTokenAlg = body.optionalString(ID_TOKEN_ALG, 20);
    List<String> resources = body.optionalStrings("resources", MAX_ITEMS, MAX_CHARS);
    String resourceUri = body.optionalString("resource_uri", MAX_CHARS);
    body.validate();
    Client.Spec spec = new Client.Spec(name, type, redirects,
        body.has("grant_types") ? grants : List.of(Client.AUTHORIZATION_CODE), scopes, logo, uri,
        lifetimes, idTokenAlg, resources, resourceUri);
    ClientService.Registered reg = clients.create(p.account().id(), spec);
    Audit.event("client_created", "account", p.account().id(), "client_id",
        reg.client().clientId(), "type", type.value(), "by", p.subject());
    Map<String, Object> out = json(reg.client());
    if (reg.secret() != null) {
      out.put("client_secret", reg.secret());
    }
    ctx.header("Location", issuers.issuer(p.account().id()) + "/api/v1/clients/"
        + reg.client().clientId());
    Responses.tokens(ctx, 201, out);
  }

  private void list(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    List<Map<String, Object>> items = clients.list(p.account().id()).stream()
        .map(ClientRoutes::json).toList();
    Responses.json(ctx, 200, Map.of("clients", items));
  }

  private void get(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    Responses.json(ctx, 200, json(clients.get(p.account().id(), ctx.pathParam("client_id"))));
  }

  private void update(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    Client current = clients.get(p.account().id(), ctx.pathParam("client_id"));
    Client.Spec c = current.spec();
    JsonBody body = JsonBody.read(ctx, FIELDS);
    String name = body.has("name") ? body.requiredString("name", ClientRules.MAX_NAME) : c.name();
    Client.Type type = body.has("type") ? type(body, body.requiredString("type", 20)) : c.type();
    List<String> redirects = strings(body, "redirect_uris", c.redirectUris());
    List<String> grants = strings(body, "grant_types", c.grantTypes());
    List<String> scopes = strings(body, "scopes", c.scopes());
    String logo = body.has("logo_uri") ? body.optionalString("logo_uri", MAX_CHARS) : c.logoUri();
    String uri = body.has("client_uri") ? body.optionalString("client_uri", MAX_CHARS)
        : c.clientUri();
    Client.Lifetimes lifetimes = lifetimes(body, c.lifetimes());
    String idTokenAlg = body.has(ID_TOKEN_ALG) ? body.optionalString(ID_TOKEN_ALG, 20)
        : c.idTokenAlg();
    List<String> resources = strings(body, "resources", c.resources());
    String resourceUri = body.has("resource_uri") ? body.optionalString("resource_uri", MAX_CHARS)
        : c.resourceUri();
    body.validate();
    Client updated = clients.update(p.account().id(), current.clientId(),
        new Client.Spec(name, type, redirects, grants, scopes, logo, uri, lifetimes, idTokenAlg,
            resources, resourceUri));
    Audit.event("client_updated", "account", p.account().id(), "client_id", current.clientId(),
        "by", p.subject());
    Responses.json(ctx, 200, json(updated));
  }

  private void delete(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    String id = ctx.pathParam("client_id");
    clients.delete(p.account().id(), id);
    Audit.event("client_deleted", "account", p.account().id(), "client_id", id,
        "by", p.subject());
    ctx.status(204);
  }

  private void rotate(Context ctx) {
    BearerAuth.Principal p = admin(ctx);
    String id = ctx.pathParam("client_id");
    String secret = clients.rotateSecret(p.account().id(), id);
    Audit.event("client_secret_rotated", "account", p.account().id(), "client_id", id,
        "by", p.subject());
    Map<String, Object> out = json(clients.get(p.account().id(), id));
    out.put("client_secret", secret);
    Responses.tokens(ctx, 200, out);
  }

  private static Client.Type type(JsonBody body, String text) {
    if (text == null) {
      return null;
    }
    Client.Type t = Client.Type.of(text);
    if (t == null) {
      body.reject("type", ErrorCode.FIELD_INVALID,
          "The type must be 'confidential' (a server that keeps a secret) or 'public' (a native "
              + "or browser app).");
    }
    return t;
  }

  /** A list field on PATCH: absent keeps {@code old}, null or [] clears it. */
  private static List<String> strings(JsonBody body, String field, List<String> old) {
    if (!body.has(field)) {
      return old;
    }
    List<String> v = body.optionalStrings(field, MAX_ITEMS, MAX_CHARS);
    return v == null ? List.of() : v;
  }

  private static Client.Lifetimes lifetimes(JsonBody body, Client.Lifetimes old) {
    JsonBody lt = body.optionalObject("token_lifetimes", LIFETIME_FIELDS);
    if (lt == null) {
      return old;
    }
    Client.Lifetimes l = new Client.Lifetimes(
        lt.has("access_token") ? lt.optionalLong("access_token", 60, 24 * 3600)
            : old.accessToken(),
        lt.has("refresh_token") ? lt.optionalLong("refresh_token", 60, YEAR_SECONDS)
            : old.refreshToken(),
        lt.has("refresh_grace") ? lt.optionalLong("refresh_grace", 0, MAX_GRACE_SECONDS)
            : old.refreshGrace());
    body.absorb(lt, "token_lifetimes");
    return l;
  }

  static Map<String, Object> json(Client c) {
    Client.Spec s = c.spec();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("client_id", c.clientId());
    m.put("name", s.name());
    m.put("type", s.type().value());
    m.put("redirect_uris", s.redirectUris());
    m.put("grant_types", s.grantTypes());
    m.put("scopes", s.scopes());
    m.put("resources", s.resources());
    m.put("resource_uri", s.resourceUri());
    Map<String, Object> lifetimes = new LinkedHashMap<>();
    lifetimes.put("access_token", s.lifetimes().accessToken());
    lifetimes.put("refresh_token", s.lifetimes().refreshToken());
    lifetimes.put("refresh_grace", s.lifetimes().refreshGrace());
    m.put("token_lifetimes", lifetimes);
    m.put(ID_TOKEN_ALG, s.idTokenAlgOrDefault());
    m.put("logo_uri", s.logoUri());
    m.put("client_uri", s.clientUri());
    m.put("created_at", Instant.ofEpochMilli(c.createdAt()).toString());
    m.put("updated_at", Instant.ofEpochMilli(c.updatedAt()).toString());
    m.put("secret_rotated_at", c.secretRotatedAt() == null ? null
        : Instant.ofEpochMilli(c.secretRotatedAt()).toString());
    return m;
  }

  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.addAll(JsonBody.ERRORS);
    all.addAll(Set.of(ErrorCode.CLIENT_NOT_FOUND, ErrorCode.CLIENT_HAS_NO_SECRET, ErrorCode.ACCOUNT_OPERATION_FORBIDDEN));
    return Set.copyOf(all);
  }
}
