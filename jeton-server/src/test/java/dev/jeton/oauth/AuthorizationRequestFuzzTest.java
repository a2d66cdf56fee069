package dev.jeton.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Form;
import dev.jeton.testing.FuzzApp;
import dev.jeton.token.Scope;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz test of the authorization request rules ({@link AuthorizationRequest#parse} with {@link
 * RequestedScope}), fed exactly as the authorization endpoint feeds them: the input is the query
 * string, decoded by {@link Form#parseAll}. {@code client_id=$CLIENT} names a registered public
 * client with three redirect URIs, {@code client_id=$ONE} a client with exactly one.
 *
 * <p>The request is refused with a code the endpoint declares ({@link AuthorizeEndpoint#ERRORS}),
 * which is shown on a page and never sent to a redirect URI
 * (docs/security.md#untrusted-client-no-redirect); an accepted request has one of the client's
 * registered redirect URIs, compared as exact strings (docs/security.md#redirect-uri-exact),
 * {@code response_type=code}, an S256 PKCE challenge
 * (#pkce-s256-required), and scopes within the client's registered ones, exactly those requested
 * when a scope was sent (#scope-no-escalation). Inputs in
 * {@code src/test/resources/dev/jeton/oauth/AuthorizationRequestFuzzTestInputs/parse/};
 * docs/fuzzing.md.
 */
class AuthorizationRequestFuzzTest {
  private static ClientService clients;
  private static Client several;
  private static Client one;

  @BeforeAll
  static void register() {
    clients = FuzzApp.app().clients();
    several = clients.create("main", new Client.Spec("Fuzz app", Client.Type.PUBLIC,
        List.of("https://app.example.com/cb", "http://127.0.0.1:8080/cb",
            "com.example.app:/callback"),
        List.of(Client.AUTHORIZATION_CODE, Client.REFRESH_TOKEN),
        List.of("openid", "profile", "read:items"), null, null, null)).client();
    one = clients.create("main", new Client.Spec("Fuzz web", Client.Type.CONFIDENTIAL,
        List.of("https://web.example.com/callback?x=1"), List.of(Client.AUTHORIZATION_CODE),
        List.of("openid"), null, null, null)).client();
  }

  @FuzzTest(maxDuration = "5m")
  void parse(byte[] query) {
    Map<String, List<String>> params;
    try {
      params = Form.parseAll(query, "The query is not valid UTF-8.");
    } catch (ApiException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
      return;
    }
    String repeated = params.entrySet().stream().filter(e -> e.getValue().size() > 1)
        .map(Map.Entry::getKey).findFirst().orElse(null);
    Function<String, String> param = n -> {
      List<String> v = params.get(n);
      String s = v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
      if ("client_id".equals(n) && "$CLIENT".equals(s)) {
        return several.clientId();
      }
      return "client_id".equals(n) && "$ONE".equals(s) ? one.clientId() : s;
    };
    Client client = "$CLIENT".equals(param.apply("client_id")) ? several
        : one.clientId().equals(param.apply("client_id")) ? one
        : several.clientId().equals(param.apply("client_id")) ? several : null;
    AuthorizationRequest req;
    try {
      req = AuthorizationRequest.parse(clients, "main", param, repeated, List.of());
    } catch (ApiException e) {
      assertThat(AuthorizeEndpoint.ERRORS).as("declared code").contains(e.code());
      if (e.code() == ErrorCode.REDIRECT_URI_INVALID) {
        assertThat(client).isNotNull();
        String sent = param.apply("redirect_uri");
        assertThat(sent == null ? client.spec().redirectUris().size() == 1
            : client.spec().redirectUris().contains(sent))
            .as("redirect_uri_invalid for a registered redirect URI %s", sent).isFalse();
      }
      return;
    }
    assertThat(client).as("a request of an unknown client was accepted").isNotNull();
    assertTrusted(client, req.redirectUri(), param.apply("redirect_uri"));
    assertThat(repeated).isNull();
    assertThat(param.apply("response_type")).isEqualTo("code");
    assertThat(param.apply("code_challenge_method")).isEqualTo("S256");
    assertThat(req.codeChallenge()).matches("[A-Za-z0-9_-]{43}");
    assertThat(req.state()).isEqualTo(param.apply("state"));
    assertThat(client.scope().containsAll(req.scopes())).as("scope %s beyond the registered %s",
        req.scopes(), client.scope()).isTrue();
    String scope = param.apply("scope");
    if (scope != null) {
      assertThat(req.scopes()).isEqualTo(Scope.parse(scope));
    } else {
      assertThat(req.scopes()).isEqualTo(client.scope());
    }
    assertThat(req.nonce() == null || req.nonce().length() <= 500).isTrue();
  }

  /** The URI a code may go to: a registered one, the one sent when one was sent. */
  private static void assertTrusted(Client client, String uri, String sent) {
    assertThat(client).as("trusted a redirect URI of an unknown client").isNotNull();
    assertThat(client.spec().redirectUris()).as("trusted an unregistered redirect URI")
        .contains(uri);
    if (sent != null) {
      assertThat(uri).isEqualTo(sent);
    } else {
      assertThat(client.spec().redirectUris()).hasSize(1);
    }
  }
}
