package dev.jeton.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.jeton.account.Account;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.error.ErrorCode;
import dev.jeton.session.SessionService;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import dev.jeton.token.Scope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Sends control characters (NUL, other C0, DEL, C1) in every parameter, path segment, JSON string
 * and client credential of every route the server registers, on both engines, and expects each to
 * be refused at the edge with a catalogued 4xx: never a 5xx (PostgreSQL cannot store NUL), never
 * accepted on one engine and refused on the other (docs/security.md#control-characters).
 */
@OnBothEngines
@DisplayName("Control characters are refused at the edge on every route "
    + "(docs/security.md#control-characters)")
class ControlCharactersTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String FORM = "application/x-www-form-urlencoded";
  private static final String PASSWORD = "velvet tangerine orbit 58";
  private static final String EMAIL = "cc-user@example.com";
  private static final String REDIRECT = "https://app.example.com/cb";
  /** C0 (NUL, SOH, US), DEL and C1 (NEL, APC). */
  private static final List<String> CONTROLS = List.of("\u0000", "\u0001", "\u001f", "\u007f",
      "\u0085", "\u009f");
  /** The codes of a refusal at the edge: the request, not the state of the server, is wrong. */
  private static final Set<String> EDGE = Set.of("invalid_request", "invalid_parameter",
      "validation_failed", "invalid_client", "bad_request");
  private static final Pattern PAGE_CODE = Pattern.compile("Error <code>([a-z_]+)</code>");

  private TestServer server;
  private String adminToken;
  private String userToken;
  private String userRefresh;
  private ClientService.Registered client;
  private String clientAccessToken;
  private String clientRefresh;
  private String setupSecret;
  private String passwordLink;
  private final List<String> failures = new ArrayList<>();
  private int sent;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    adminToken = server.adminToken();
    Api.Response r = server.register("main", EMAIL, PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    userToken = r.text("access_token");
    userRefresh = r.text("refresh_token");
    client = server.app().clients().create("main", new Client.Spec("Backend",
        Client.Type.CONFIDENTIAL, List.of(REDIRECT), List.of(Client.AUTHORIZATION_CODE,
            Client.REFRESH_TOKEN, Client.CLIENT_CREDENTIALS, Client.DEVICE_CODE),
        List.of("read"), null, null, null));
    Account main = server.app().accounts().requireActive("main");
    String userId = r.json().path("user").path("id").asText();
    var lifetimes = server.app().accounts().lifetimes(main);
    SessionService.TokenPair pair = server.app().sessions().start(main, userId, lifetimes,
        client.client().clientId(), Scope.of("openid", "read"),
        java.util.List.of(client.client().clientId()), server.clock().millis(),
        lifetimes.refreshToken(), 0);
    clientAccessToken = pair.access().token();
    clientRefresh = pair.refreshToken();
    setupSecret = server.app().accounts().create("main", "cc-sub", "Sub").setupSecret();
    Api.Response invited = server.api().postJson(TestServer.v1("main") + "/users",
        "{\"email\":\"cc-invited@example.com\"}", adminToken);
    assertThat(invited.status()).as(invited.toString()).isEqualTo(201);
    passwordLink = invited.json().path("password_link").path("token").asText();
  }

  @Test
  void everyRouteIsProbed() {
    Set<String> probed = new TreeSet<>();
    for (Router.Route route : server.app().routes()) {
      probed.add(route.method() + " " + route.path());
    }
    assertThat(probed).as("routes registered").hasSizeGreaterThan(40);
    // a new route must be added here, with the query, form or JSON it reads
    assertThat(BASELINES_KNOWN).as("routes whose baselines this test knows")
        .containsAll(probed);
  }

  @Test
  void controlCharactersInAnyQueryParameterAreRefused() {
    for (Router.Route route : server.app().routes()) {
      Map<String, String> query = query(route);
      for (String c : CONTROLS) {
        Map<String, String> named = new LinkedHashMap<>(query);
        named.put("x" + c, "1");
        expectRefused(route, "query name", send(route, path(route, null, null), named, null));
        for (String name : query.keySet()) {
          Map<String, String> q = new LinkedHashMap<>(query);
          q.put(name, q.get(name) + c);
          expectRefused(route, "query " + name + " " + cp(c),
              send(route, path(route, null, null), q, null));
        }
      }
    }
    report();
  }

  @Test
  void controlCharactersInAnyPathParameterAreRefused() {
    for (Router.Route route : server.app().routes()) {
      for (String param : params(route.path())) {
        for (String c : CONTROLS) {
          expectRefused(route, "path {" + param + "} " + cp(c),
              send(route, path(route, param, c), Map.of(), null));
        }
      }
    }
    report();
  }

  @Test
  void controlCharactersInAnyFormFieldAreRefused() {
    for (Router.Route route : server.app().routes()) {
      for (Map<String, String> form : forms(route)) {
        for (String c : CONTROLS) {
          Map<String, String> named = new LinkedHashMap<>(form);
          named.put("x" + c, "1");
          expectRefused(route, "form name " + cp(c),
              send(route, path(route, null, null), Map.of(), Body.form(named)));
          for (String name : form.keySet()) {
            Map<String, String> f = new LinkedHashMap<>(form);
            f.put(name, f.get(name) + c);
            expectRefused(route, "form " + name + " " + cp(c),
                send(route, path(route, null, null), Map.of(), Body.form(f)));
          }
        }
      }
    }
    report();
  }

  @Test
  void controlCharactersInAnyJsonStringAreRefused() {
    for (Router.Route route : server.app().routes()) {
      JsonNode json = json(route);
      if (json == null) {
        continue;
      }
      for (String c : CONTROLS) {
        eachString(json, "", (where, copy) -> {
          expectRefused(route, "json " + where + " " + cp(c),
              send(route, path(route, null, null), Map.of(), Body.json(copy.apply(c))));
        });
      }
    }
    report();
  }

  @Test
  void controlCharactersInBasicClientCredentialsAreInvalidClient() {
    for (Router.Route route : server.app().routes()) {
      if (route.format() != ErrorWriter.Format.OAUTH) {
        continue;
      }
      for (String c : CONTROLS) {
        String id = client.client().clientId();
        for (String[] pair : List.of(new String[] {id + c, client.secret()},
            new String[] {id, client.secret() + c})) {
          // RFC 6749 2.3.1: form-urlencoded, then base64; and raw, as a careless client sends it
          for (boolean encoded : new boolean[] {true, false}) {
            String credential = encoded ? enc(pair[0]) + ":" + enc(pair[1])
                : pair[0] + ":" + pair[1];
            Map<String, String> headers = Map.of("Content-Type", FORM, "Authorization", "Basic "
                + Base64.getEncoder().encodeToString(credential.getBytes(StandardCharsets.UTF_8)));
            Api.Response r = server.api().send("POST", path(route, null, null),
                "grant_type=client_credentials&token=x&scope=read", headers);
            sent++;
            String what = route.method() + " " + route.path() + " Basic " + cp(c)
                + (encoded ? " encoded" : " raw");
            if (r.status() != 401 || !r.header("Content-Type").orElse("")
                .startsWith("application/json") || !"invalid_client".equals(r.text("error"))
                || !r.header("WWW-Authenticate").orElse("").startsWith("Basic ")) {
              failures.add(what + " -> " + r);
            }
          }
        }
      }
    }
    report();
  }

  // --- the probes -----------------------------------------------------------------------------

  /** Every route, as "METHOD template", whose baseline this test defines (or that needs none). */
  private static final Set<String> BASELINES_KNOWN = new TreeSet<>(List.of(
      "GET /", "GET /assets/jeton.css", "GET /health/live", "GET /health/ready", "GET /metrics",
      "GET /api/v1/errors", "GET /api/v1/errors/{code}",
      "POST /accounts/{account}/api/v1/auth/register",
      "POST /accounts/{account}/api/v1/auth/login",
      "POST /accounts/{account}/api/v1/auth/refresh",
      "POST /accounts/{account}/api/v1/auth/logout",
      "GET /accounts/{account}/api/v1/me", "POST /accounts/{account}/api/v1/me/password",
      "POST /accounts/{account}/api/v1/accounts", "GET /accounts/{account}/api/v1/accounts",
      "GET /accounts/{account}/api/v1/accounts/{id}",
      "PATCH /accounts/{account}/api/v1/accounts/{id}",
      "POST /accounts/{account}/api/v1/accounts/{id}/disable",
      "POST /accounts/{account}/api/v1/accounts/{id}/setup-link",
      "DELETE /accounts/{account}/api/v1/accounts/{id}",
      "POST /accounts/{account}/api/v1/clients", "GET /accounts/{account}/api/v1/clients",
      "GET /accounts/{account}/api/v1/clients/{client_id}",
      "PATCH /accounts/{account}/api/v1/clients/{client_id}",
      "DELETE /accounts/{account}/api/v1/clients/{client_id}",
      "POST /accounts/{account}/api/v1/clients/{client_id}/secret",
      "GET /accounts/{account}/login", "POST /accounts/{account}/login",
      "POST /accounts/{account}/oauth2/token", "POST /accounts/{account}/oauth2/introspect",
      "POST /accounts/{account}/oauth2/revoke",
      "POST /accounts/{account}/oauth2/device_authorization",
      "GET /accounts/{account}/oauth2/authorize", "POST /accounts/{account}/oauth2/authorize",
      "GET /accounts/{account}/device", "POST /accounts/{account}/device",
      "GET /accounts/{account}/api/v1/me/grants",
      "DELETE /accounts/{account}/api/v1/me/grants/{client_id}",
      "GET /accounts/{account}/api/v1/me/browser-sessions",
      "DELETE /accounts/{account}/api/v1/me/browser-sessions/{id}",
      "POST /accounts/{account}/api/v1/me/logout-everywhere",
      "POST /accounts/{account}/api/v1/me/tokens", "GET /accounts/{account}/api/v1/me/tokens",
      "DELETE /accounts/{account}/api/v1/me/tokens",
      "GET /accounts/{account}/api/v1/me/tokens/{token_id}",
      "DELETE /accounts/{account}/api/v1/me/tokens/{token_id}",
      "POST /accounts/{account}/api/v1/service-principals",
      "GET /accounts/{account}/api/v1/service-principals",
      "GET /accounts/{account}/api/v1/service-principals/{id}",
      "PATCH /accounts/{account}/api/v1/service-principals/{id}",
      "DELETE /accounts/{account}/api/v1/service-principals/{id}",
      "POST /accounts/{account}/api/v1/service-principals/{id}/tokens",
      "GET /accounts/{account}/api/v1/service-principals/{id}/tokens",
      "DELETE /accounts/{account}/api/v1/service-principals/{id}/tokens",
      "GET /accounts/{account}/api/v1/service-principals/{id}/tokens/{token_id}",
      "DELETE /accounts/{account}/api/v1/service-principals/{id}/tokens/{token_id}",
      "GET /accounts/{account}/oauth2/userinfo", "POST /accounts/{account}/oauth2/userinfo",
      "GET /accounts/{account}/oauth2/logout", "POST /accounts/{account}/oauth2/logout",
      "GET /accounts/{account}/.well-known/jwks.json",
      "GET /accounts/{account}/.well-known/openid-configuration",
      "GET /accounts/{account}/.well-known/oauth-authorization-server",
      "GET /.well-known/oauth-authorization-server/accounts/{account}",
      "GET /accounts/{account}/setup", "POST /accounts/{account}/setup",
      "POST /accounts/{account}/api/v1/setup",
      "GET /accounts/{account}/api/v1/users", "POST /accounts/{account}/api/v1/users",
      "POST /accounts/{account}/api/v1/users/import",
      "GET /accounts/{account}/api/v1/users/{id}",
      "PATCH /accounts/{account}/api/v1/users/{id}",
      "DELETE /accounts/{account}/api/v1/users/{id}",
      "POST /accounts/{account}/api/v1/users/{id}/block",
      "POST /accounts/{account}/api/v1/users/{id}/unblock",
      "POST /accounts/{account}/api/v1/users/{id}/require-password-reset",
      "POST /accounts/{account}/api/v1/users/{id}/password-link",
      "GET /accounts/{account}/set-password", "POST /accounts/{account}/set-password",
      "POST /accounts/{account}/api/v1/auth/set-password",
      "GET /accounts/{account}/api/v1/tokens", "POST /accounts/{account}/api/v1/tokens/revoke",
      "DELETE /accounts/{account}/api/v1/tokens/{token_id}",
      "POST /accounts/{account}/api/v1/tokens/diagnose",
      "POST /api/v1/leaks", "GET /accounts/{account}/api/v1/me/notices",
      "GET /accounts/{account}/api/v1/notices", "GET /accounts/{account}/api/v1/usage",
      "GET /accounts/{account}/api/v1/accounts/{id}/usage",
      "GET /accounts/{account}/api/v1/throttles", "DELETE /accounts/{account}/api/v1/throttles",
      "GET /accounts/{account}/api/v1/rejections",
      "POST /accounts/{account}/api/v1/qr-logins", "POST /accounts/{account}/api/v1/qr-logins/scan",
      "GET /accounts/{account}/api/v1/qr-logins/{id}",
      "POST /accounts/{account}/api/v1/qr-logins/{id}/exchange",
      "POST /accounts/{account}/api/v1/qr-logins/{id}/approve",
      "POST /accounts/{account}/api/v1/qr-logins/{id}/deny",
      "GET /accounts/{account}/api/v1/qr-logins/{id}/events",
      "POST /accounts/{account}/api/v1/me/devices", "GET /accounts/{account}/api/v1/me/devices",
      "PATCH /accounts/{account}/api/v1/me/devices/{id}",
      "DELETE /accounts/{account}/api/v1/me/devices/{id}",
      "GET /accounts/{account}/api/v1/users/{user_id}/devices",
      "DELETE /accounts/{account}/api/v1/users/{user_id}/devices/{id}",
      "GET /accounts/{account}/qr", "POST /accounts/{account}/qr",
      "GET /accounts/{account}/qr-demo", "GET /assets/qr-demo.js",
      "GET /accounts/{account}/qr/{secret}"));

  private static String key(Router.Route r) {
    return r.method() + " " + r.path();
  }

  /** The valid query of a route (its hostile variants change one value each). */
  private Map<String, String> query(Router.Route r) {
    Map<String, String> q = new LinkedHashMap<>();
    switch (key(r)) {
      case "GET /accounts/{account}/oauth2/authorize" -> authorizeParams(q);
      case "GET /accounts/{account}/login" -> q.put("return_to", "/accounts/main/oauth2/authorize");
      case "GET /accounts/{account}/setup" -> q.put("token", setupSecret);
      case "GET /accounts/{account}/set-password" -> q.put("token", passwordLink);
      case "GET /accounts/{account}/api/v1/tokens" -> {
        q.put("kind", "pat");
        q.put("created_after", "2026-01-01T00:00:00Z");
      }
      case "GET /accounts/{account}/api/v1/users" -> {
        q.put("email", EMAIL);
        q.put("status", "active");
      }
      case "GET /accounts/{account}/device" -> q.put("user_code", "BCDF-GHJK");
      case "GET /accounts/{account}/qr" -> q.put("result", "approved");
      case "GET /accounts/{account}/api/v1/throttles",
          "DELETE /accounts/{account}/api/v1/throttles" -> {
        q.put("email", EMAIL);
        q.put("client_id", client.client().clientId());
        q.put("ip", "203.0.113.7");
      }
      case "GET /accounts/{account}/api/v1/rejections" -> {
        q.put("code", "token_expired");
        q.put("since", "2026-01-01T00:00:00Z");
      }
      case "GET /accounts/{account}/oauth2/logout" -> logoutParams(q);
      default -> { }
    }
    return q;
  }

  private void authorizeParams(Map<String, String> q) {
    q.put("client_id", client.client().clientId());
    q.put("response_type", "code");
    q.put("redirect_uri", REDIRECT);
    q.put("scope", "openid read");
    q.put("state", "s1");
    q.put("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    q.put("code_challenge_method", "S256");
    q.put("nonce", "n1");
  }

  private void logoutParams(Map<String, String> q) {
    q.put("client_id", client.client().clientId());
    q.put("post_logout_redirect_uri", REDIRECT);
    q.put("state", "s1");
    q.put("logout_hint", EMAIL);
  }

  /** The valid form bodies of a route that reads one. */
  private List<Map<String, String>> forms(Router.Route r) {
    List<Map<String, String>> forms = new ArrayList<>();
    Map<String, String> f = new LinkedHashMap<>();
    switch (key(r)) {
      case "POST /accounts/{account}/oauth2/token" -> {
        forms.add(form("grant_type", "client_credentials", "scope", "read"));
        forms.add(form("grant_type", "refresh_token", "refresh_token", clientRefresh));
        forms.add(form("grant_type", "authorization_code", "code", "c1", "redirect_uri",
            REDIRECT, "code_verifier", "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        forms.add(form("grant_type", Client.DEVICE_CODE, "device_code", "d1"));
        for (Map<String, String> each : forms) {
          each.put("client_id", client.client().clientId());
          each.put("client_secret", client.secret());
        }
        return forms;
      }
      case "POST /accounts/{account}/oauth2/introspect" ->
          f.putAll(form("token", clientAccessToken, "token_type_hint", "access_token"));
      case "POST /accounts/{account}/oauth2/revoke" ->
          f.putAll(form("token", clientRefresh, "token_type_hint", "refresh_token"));
      case "POST /accounts/{account}/oauth2/device_authorization" -> f.put("scope", "read");
      case "POST /accounts/{account}/oauth2/authorize" -> {
        authorizeParams(f);
        f.put("decision", "allow");
      }
      case "POST /accounts/{account}/device" -> {
        f.put("user_code", "BCDF-GHJK");
        f.put("decision", "allow");
      }
      case "POST /accounts/{account}/qr" -> {
        f.put("login", "qrl_seen_on_a_screen");
        f.put("decision", "approve");
      }
      case "POST /accounts/{account}/oauth2/logout" -> logoutParams(f);
      case "POST /accounts/{account}/login" -> {
        f.putAll(form("email", EMAIL, "password", PASSWORD, "return_to",
            "/accounts/main/oauth2/authorize"));
      }
      case "POST /accounts/{account}/setup" ->
          f.putAll(form("token", setupSecret, "email", "admin@sub.example", "password",
              PASSWORD));
      case "POST /accounts/{account}/set-password" ->
          f.putAll(form("token", passwordLink, "password", PASSWORD));
      default -> {
        return forms;
      }
    }
    if (r.format() == ErrorWriter.Format.OAUTH) {
      f.put("client_id", client.client().clientId());
      f.put("client_secret", client.secret());
    }
    forms.add(f);
    return forms;
  }

  private static Map<String, String> form(String... nameValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.put(nameValues[i], nameValues[i + 1]);
    }
    return m;
  }

  /** The valid JSON body of a route that reads one, or null. */
  private JsonNode json(Router.Route r) {
    String clientJson = "{\"name\":\"App\",\"type\":\"confidential\",\"redirect_uris\":[\""
        + REDIRECT + "\"],\"grant_types\":[\"authorization_code\"],\"scopes\":[\"read\"],"
        + "\"logo_uri\":\"https://app.example.com/logo.png\",\"client_uri\":"
        + "\"https://app.example.com\",\"id_token_signed_response_alg\":\"RS256\"}";
    String text = switch (key(r)) {
      case "POST /accounts/{account}/api/v1/auth/register" ->
          "{\"email\":\"cc-new@example.com\",\"password\":" + Api.q(PASSWORD) + "}";
      case "POST /accounts/{account}/api/v1/auth/login" ->
          "{\"email\":" + Api.q(EMAIL) + ",\"password\":" + Api.q(PASSWORD) + "}";
      case "POST /accounts/{account}/api/v1/auth/refresh",
          "POST /accounts/{account}/api/v1/auth/logout" ->
          "{\"refresh_token\":" + Api.q(userRefresh) + "}";
      case "POST /accounts/{account}/api/v1/me/password" ->
          "{\"current_password\":" + Api.q(PASSWORD) + ",\"new_password\":"
              + "\"another long password 77\"}";
      case "POST /accounts/{account}/api/v1/accounts" -> "{\"id\":\"cc-new\",\"name\":\"New\"}";
      case "PATCH /accounts/{account}/api/v1/accounts/{id}" -> "{\"name\":\"Renamed\"}";
      case "POST /accounts/{account}/api/v1/clients",
          "PATCH /accounts/{account}/api/v1/clients/{client_id}" -> clientJson;
      case "POST /accounts/{account}/api/v1/setup" ->
          "{\"setup_token\":" + Api.q(setupSecret) + ",\"email\":\"admin@sub.example\","
              + "\"password\":" + Api.q(PASSWORD) + "}";
      case "POST /accounts/{account}/api/v1/users" ->
          "{\"email\":\"cc-user@example.com\",\"name\":\"CC\",\"role\":\"user\"}";
      case "PATCH /accounts/{account}/api/v1/users/{id}" -> "{\"name\":\"Renamed\"}";
      case "POST /accounts/{account}/api/v1/users/import" ->
          "{\"users\":[{\"email\":\"cc-import@example.com\",\"name\":\"I\"}]}";
      case "POST /accounts/{account}/api/v1/tokens/revoke" -> "{\"ids\":[\"pat_x\"]}";
      case "POST /accounts/{account}/api/v1/tokens/diagnose" ->
          "{\"token\":\"jeton_pat_seen_in_a_log\"}";
      case "POST /api/v1/leaks" -> "{\"tokens\":[\"jeton_pat_found_in_a_paste\"]}";
      case "POST /accounts/{account}/api/v1/qr-logins" ->
          "{\"client_id\":" + Api.q(client.client().clientId()) + "}";
      case "POST /accounts/{account}/api/v1/qr-logins/scan" ->
          "{\"secret\":\"jeton_qr_seen_on_a_screen\"}";
      case "POST /accounts/{account}/api/v1/me/devices" ->
          "{\"token\":\"fcm-registration-token\",\"platform\":\"android\","
              + "\"name\":\"Phone\",\"app_id\":\"com.example\"}";
      case "PATCH /accounts/{account}/api/v1/me/devices/{id}" -> "{\"name\":\"Phone\"}";
      case "POST /accounts/{account}/api/v1/auth/set-password" ->
          "{\"token\":" + Api.q(passwordLink) + ",\"password\":" + Api.q(PASSWORD) + "}";
      default -> null;
    };
    if (text == null) {
      return null;
    }
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Calls {@code each} with every string leaf's location and a copy-maker appending to it. */
  private static void eachString(JsonNode root, String where,
      java.util.function.BiConsumer<String, java.util.function.Function<String, JsonNode>> each) {
    List<List<Object>> paths = new ArrayList<>();
    collect(root, new ArrayList<>(), paths);
    for (List<Object> p : paths) {
      each.accept(where + p, c -> {
        JsonNode copy = root.deepCopy();
        JsonNode parent = copy;
        for (int i = 0; i < p.size() - 1; i++) {
          parent = p.get(i) instanceof Integer n ? parent.get(n) : parent.get((String) p.get(i));
        }
        Object last = p.get(p.size() - 1);
        if (last instanceof Integer n) {
          ((ArrayNode) parent).set(n, TextNode.valueOf(parent.get(n).asText() + c));
        } else {
          ((ObjectNode) parent).put((String) last, parent.get((String) last).asText() + c);
        }
        return copy;
      });
    }
  }

  private static void collect(JsonNode n, List<Object> at, List<List<Object>> out) {
    if (n.isTextual()) {
      out.add(List.copyOf(at));
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        at.add(i);
        collect(n.get(i), at, out);
        at.remove(at.size() - 1);
      }
    } else if (n.isObject()) {
      for (var it = n.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        at.add(f);
        collect(n.get(f), at, out);
        at.remove(at.size() - 1);
      }
    }
  }

  private static List<String> params(String template) {
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("\\{([a-z_]+)}").matcher(template);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The route's path with valid parameters, and {@code hostile} appended to one of them. */
  private String path(Router.Route r, String param, String hostile) {
    Map<String, String> values = new HashMap<>();
    values.put("account", r.path().contains("/setup") ? "cc-sub" : "main");
    values.put("code", "invalid_request");
    values.put("id", "cc-sub");
    values.put("client_id", client.client().clientId());
    String p = r.path();
    for (String name : params(p)) {
      String v = values.get(name) + (name.equals(param) ? hostile : "");
      p = p.replace("{" + name + "}", enc(v));
    }
    return p;
  }

  private record Body(String type, String text) {
    static Body form(Map<String, String> fields) {
      StringBuilder b = new StringBuilder();
      fields.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(enc(k)).append('=')
          .append(enc(v)));
      return new Body(FORM, b.toString());
    }

    static Body json(JsonNode node) {
      return new Body("application/json", node.toString());
    }
  }

  private Api.Response send(Router.Route r, String path, Map<String, String> query, Body body) {
    StringBuilder uri = new StringBuilder(path);
    query.forEach((k, v) -> uri.append(uri.indexOf("?") < 0 ? "?" : "&").append(enc(k))
        .append('=').append(enc(v)));
    Map<String, String> headers = new HashMap<>();
    headers.put("Origin", server.api().base());
    if (r.path().contains("/api/v1/accounts") || r.path().contains("/api/v1/clients")
        || r.path().contains("/api/v1/users") || r.path().contains("/api/v1/tokens")
        || r.path().contains("/api/v1/notices") || r.path().contains("/api/v1/usage")
        || r.path().contains("/api/v1/throttles") || r.path().contains("/api/v1/rejections")) {
      headers.put("Authorization", "Bearer " + adminToken);
    } else if (r.path().contains("/api/v1/me") || r.path().contains("/api/v1/qr-logins/")) {
      headers.put("Authorization", "Bearer " + userToken);
    } else if (r.path().endsWith("/userinfo")) {
      headers.put("Authorization", "Bearer " + clientAccessToken);
    }
    String method = r.method();
    if (body != null) {
      headers.put("Content-Type", body.type());
    } else if (method.equals("POST") || method.equals("PATCH")) {
      headers.put("Content-Type", FORM);
    }
    sent++;
    return server.api().send(method, uri.toString(), body == null ? null : body.text(), headers);
  }

  private void expectRefused(Router.Route route, String what, Api.Response r) {
    if (route.path().endsWith("/users/import") && r.status() == 200) {
      // the bulk import refuses records, not the request (docs/users.md#import): the record
      // carrying the character must have failed on that field
      JsonNode record = r.json().path("data").path(0);
      if (record.path("status").asText().equals("failed") && record.path("reasons").path(0)
          .path("code").asText().equals("field_invalid")) {
        return;
      }
    }
    String code = code(r);
    boolean catalogued = code != null
        && Arrays.stream(ErrorCode.values()).anyMatch(e -> e.code().equals(code));
    if (r.status() < 400 || r.status() >= 500 || !catalogued || !EDGE.contains(code)) {
      failures.add(route.method() + " " + route.path() + " " + what + " -> " + r.status() + " "
          + code + " " + clipped(r.body()));
    }
  }

  /** The catalog code of an answer: problem document, RFC 6749 error, or error page. */
  private static String code(Api.Response r) {
    String type = r.header("Content-Type").orElse("");
    if (type.startsWith(ErrorWriter.PROBLEM_JSON)) {
      return r.text("code");
    }
    if (type.startsWith("application/json")) {
      return r.json().path("error").asText(null);
    }
    if (type.startsWith("text/html")) {
      Matcher m = PAGE_CODE.matcher(r.body());
      return m.find() ? m.group(1) : null;
    }
    return null;
  }

  private void report() {
    assertThat(sent).as("requests sent").isGreaterThan(0);
    assertThat(failures).as(failures.size() + " of " + sent + " hostile requests were not "
        + "refused at the edge").isEmpty();
  }

  private static String clipped(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() > 160 ? one.substring(0, 160) + "..." : one;
  }

  private static String cp(String c) {
    return String.format("U+%04X", (int) c.charAt(0));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
