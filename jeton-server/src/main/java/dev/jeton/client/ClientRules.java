package dev.jeton.client;

import dev.jeton.error.ApiException.FieldError;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Text;
import dev.jeton.token.Scope;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The registration rules for a client's settings, each problem reported against the field it is
 * about: redirect URIs per RFC 9700 2.1 and RFC 8252 7 (absolute, exact, no fragment or wildcard,
 * https or loopback http, private-use schemes only for public clients), grant types per RFC 9700
 * 2.1.2 and 2.4 (no implicit, no password), scopes per RFC 6749 3.3, resource servers per
 * RFC 8707 2 (absolute, no fragment or query, https or loopback http, never on this server).
 */
final class ClientRules {
  static final int MAX_NAME = 200;
  static final int MAX_REDIRECT_URIS = 20;
  static final int MAX_URI = 2000;
  static final int MAX_SCOPES = 50;
  static final int MAX_SCOPE = 200;
  static final int MAX_RESOURCES = 20;

  private final List<FieldError> errors = new ArrayList<>();

  private ClientRules() {}

  /** Every problem with {@code spec}; empty when it may be stored. */
  static List<FieldError> check(Client.Spec spec) {
    return check(spec, uri -> false);
  }

  /**
   * Every problem with {@code spec}, where {@code ownServer} tells the URIs of this server, which
   * no resource server may have; empty when it may be stored.
   */
  static List<FieldError> check(Client.Spec spec, Predicate<String> ownServer) {
    ClientRules r = new ClientRules();
    r.name(spec.name());
    if (spec.type() == null) {
      r.reject("type", ErrorCode.FIELD_MISSING,
          "The field 'type' is required: 'confidential' or 'public'.");
    }
    r.redirectUris(spec.redirectUris(), spec.type());
    r.grantTypes(spec);
    r.scopes(spec.scopes());
    r.webUri("logo_uri", spec.logoUri());
    r.webUri("client_uri", spec.clientUri());
    r.resources(spec.resources(), ownServer);
    if (spec.resourceUri() != null) {
      if (spec.type() == Client.Type.PUBLIC) {
        r.invalid("resource_uri", "Only a confidential client can be a resource server: "
            + "introspection needs client authentication (RFC 7662 2.1).");
      } else {
        String problem = resourceProblem(spec.resourceUri(), ownServer);
        if (problem != null) {
          r.invalid("resource_uri", problem);
        }
      }
    }
    if (spec.idTokenAlg() != null && !Client.ID_TOKEN_ALGS.contains(spec.idTokenAlg())) {
      r.invalid("id_token_signed_response_alg", "The ID token algorithm must be one of "
          + String.join(", ", Client.ID_TOKEN_ALGS) + " (RS256 when omitted).");
    }
    return List.copyOf(r.errors);
  }

  private void reject(String field, ErrorCode code, String detail) {
    errors.add(new FieldError(field, code, detail));
  }

  private void invalid(String field, String detail) {
    reject(field, ErrorCode.FIELD_INVALID, detail);
  }

  private void name(String name) {
    if (name == null || name.isBlank()) {
      reject("name", ErrorCode.FIELD_MISSING, "The field 'name' is required and not blank.");
    } else if (name.length() > MAX_NAME) {
      invalid("name", "The name must have at most " + MAX_NAME + " characters.");
    }
  }

  private void redirectUris(List<String> uris, Client.Type type) {
    uris("redirect_uris", uris, MAX_REDIRECT_URIS, "redirect URIs", "The redirect URI",
        uri -> redirectUriProblem(uri, type));
  }

  /**
   * A list of URIs: at most {@code max}, none twice, each checked by {@code problem} (what is
   * wrong with one, or null); each problem is reported against {@code field[i]}.
   */
  private void uris(String field, List<String> uris, int max, String plural, String one,
      Function<String, String> problem) {
    if (uris.size() > max) {
      invalid(field, "At most " + max + " " + plural + " may be registered.");
      return;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < uris.size(); i++) {
      String uri = uris.get(i);
      String found = seen.add(uri) ? problem.apply(uri)
          : one + " '" + Text.clip(uri) + "' is listed twice.";
      if (found != null) {
        invalid(field + "[" + i + "]", found);
      }
    }
  }

  /** What is wrong with one redirect URI, or null. */
  static String redirectUriProblem(String uri, Client.Type type) {
    String basic = syntaxProblem(uri);
    if (basic != null) {
      return basic;
    }
    if (uri.indexOf('#') >= 0) {
      return "A redirect URI must not contain a fragment (RFC 6749 3.1.2).";
    }
    if (uri.indexOf('*') >= 0) {
      return "A redirect URI must not contain a wildcard: redirect URIs are compared exactly "
          + "(RFC 9700 2.1).";
    }
    URI u = URI.create(uri);
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("https") || scheme.equals("http")) {
      return webProblem(u, scheme, "A redirect URI");
    }
    if (type == Client.Type.CONFIDENTIAL) {
      return "The custom scheme '" + Text.clip(u.getScheme()) + ":' is only for native apps, which are "
          + "public clients (RFC 8252 7.1); a confidential client must use https (or http on a "
          + "loopback host).";
    }
    if (scheme.indexOf('.') < 0) {
      return "A custom scheme must be a reversed domain name you control, such as "
          + "'com.example.app:/callback' (RFC 8252 7.1).";
    }
    return null;
  }

  private void grantTypes(Client.Spec spec) {
    List<String> grants = spec.grantTypes();
    if (grants.isEmpty()) {
      invalid("grant_types", "Register at least one grant type: one of "
          + String.join(", ", Client.GRANT_TYPES) + ".");
      return;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < grants.size(); i++) {
      String field = "grant_types[" + i + "]";
      String g = grants.get(i);
      if (!seen.add(g)) {
        invalid(field, "The grant type '" + Text.clip(g) + "' is listed twice.");
      } else if (g.equals("password")) {
        invalid(field, "The password grant is not offered: it hands the user's password to the "
            + "client (RFC 9700 2.4). Use authorization_code with PKCE.");
      } else if (g.equals("implicit") || g.equals("token")) {
        invalid(field, "The implicit grant is not offered: it returns access tokens in the "
            + "redirect URL, where they leak (RFC 9700 2.1.2). Use authorization_code with PKCE.");
      } else if (!Client.GRANT_TYPES.contains(g)) {
        invalid(field, "Unknown grant type '" + Text.clip(g) + "'; use one of "
            + String.join(", ", Client.GRANT_TYPES) + ".");
      } else if (g.equals(Client.CLIENT_CREDENTIALS) && spec.type() == Client.Type.PUBLIC) {
        invalid(field, "The client_credentials grant needs a client that can keep a secret; a "
            + "public client cannot use it (RFC 6749 4.4).");
      } else if (g.equals(Client.TOKEN_EXCHANGE) && spec.type() == Client.Type.PUBLIC) {
        invalid(field, "Token exchange is for confidential clients (back ends that hold a "
            + "secret): a public client could trade any token it intercepts (RFC 8693 5).");
      }
    }
    if (grants.contains(Client.AUTHORIZATION_CODE) && spec.redirectUris().isEmpty()) {
      invalid("redirect_uris", "The authorization_code grant needs at least one redirect URI "
          + "(RFC 6749 3.1.2.2).");
    }
  }

  private void scopes(List<String> scopes) {
    if (scopes.size() > MAX_SCOPES) {
      invalid("scopes", "At most " + MAX_SCOPES + " scopes may be registered.");
      return;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < scopes.size(); i++) {
      String field = "scopes[" + i + "]";
      String s = scopes.get(i);
      if (s.length() > MAX_SCOPE || !Scope.isToken(s)) {
        invalid(field, "A scope is 1 to " + MAX_SCOPE + " printable ASCII characters without "
            + "spaces, '\"' or '\\' (RFC 6749 3.3).");
      } else if (!seen.add(s)) {
        invalid(field, "The scope '" + s + "' is listed twice.");
      }
    }
  }

  private void resources(List<String> uris, Predicate<String> ownServer) {
    uris("resources", uris, MAX_RESOURCES, "resource servers", "The resource",
        uri -> resourceProblem(uri, ownServer));
  }

  /**
   * What is wrong with a resource indicator (RFC 8707 2: an absolute URI without a fragment,
   * and here without a query either), or null. The URIs of this server are refused: they name
   * Jeton's own API, whose tokens only Jeton's sign-in issues.
   */
  static String resourceProblem(String uri, Predicate<String> ownServer) {
    String problem = syntaxProblem(uri);
    if (problem != null) {
      return problem;
    }
    URI u = URI.create(uri);
    if (uri.indexOf('#') >= 0) {
      return "A resource must not contain a fragment (RFC 8707 2).";
    }
    if (u.getRawQuery() != null) {
      return "A resource must not contain a query (RFC 8707 2); name the API by its base URI.";
    }
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      return "A resource is the https URI of an API (http only on a loopback host).";
    }
    problem = webProblem(u, scheme, "A resource");
    if (problem != null) {
      return problem;
    }
    if (ownServer.test(uri)) {
      return "The URI '" + Text.clip(uri) + "' is on this server; Jeton's own API is not a "
          + "resource clients may ask tokens for.";
    }
    return null;
  }

  private void webUri(String field, String uri) {
    if (uri == null) {
      return;
    }
    String problem = syntaxProblem(uri);
    if (problem == null) {
      URI u = URI.create(uri);
      String scheme = u.getScheme().toLowerCase(Locale.ROOT);
      problem = scheme.equals("https") || scheme.equals("http")
          ? webProblem(u, scheme, "The URI")
          : "The URI must use https (or http on a loopback host).";
    }
    if (problem != null) {
      invalid(field, problem);
    }
  }

  /** Length, characters, parsing and absoluteness; null when fine. */
  private static String syntaxProblem(String uri) {
    if (uri.isEmpty() || uri.length() > MAX_URI) {
      return "A URI has 1 to " + MAX_URI + " characters.";
    }
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= 0x20 || c >= 0x7F) {
        return "The URI contains a space, a control or a non-ASCII character; percent-encode it.";
      }
    }
    URI u;
    try {
      u = new URI(uri);
    } catch (URISyntaxException e) {
      return "'" + Text.clip(uri) + "' is not a valid URI (RFC 3986).";
    }
    if (!u.isAbsolute()) {
      return "The URI must be absolute, with a scheme such as https: (RFC 6749 3.1.2).";
    }
    return null;
  }

  private static String webProblem(URI u, String scheme, String what) {
    String host = u.getHost();
    if (host == null || host.isEmpty()) {
      return what + " must name a host, as in https://app.example.com/callback.";
    }
    if (u.getRawUserInfo() != null) {
      return what + " must not contain user information before the host.";
    }
    if (scheme.equals("http") && !isLoopback(host)) {
      return what + " must use https; plain http is allowed only for the loopback hosts "
          + "127.0.0.1, [::1] and localhost (RFC 8252 7.3, RFC 9700 2.6).";
    }
    return null;
  }

  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("127.0.0.1") || h.equals("[::1]") || h.equals("localhost");
  }

}
