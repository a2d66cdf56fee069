package dev.jeton.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OIDC Discovery 3-4 and RFC 8414 3 metadata locations, on both engines. */
@OnBothEngines
class OidcDiscoveryTest {
  TestServer server;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
  }

  private static List<String> list(JsonNode n) {
    List<String> l = new ArrayList<>();
    n.forEach(x -> l.add(x.asText()));
    return l;
  }

  @Test
  void openidConfigurationWhenFetchedThenOidcMembers() {
    Api.Response r = server.api().get("/accounts/main/.well-known/openid-configuration");
    assertThat(r.status()).isEqualTo(200);
    JsonNode d = r.json();
    String issuer = server.api().base() + "/accounts/main";
    assertThat(d.path("issuer").asText()).isEqualTo(issuer);
    assertThat(d.path("userinfo_endpoint").asText()).isEqualTo(issuer + "/oauth2/userinfo");
    assertThat(d.path("end_session_endpoint").asText()).isEqualTo(issuer + "/oauth2/logout");
    assertThat(list(d.path("scopes_supported"))).contains("openid", "email");
    assertThat(list(d.path("claims_supported"))).contains("sub", "iss", "aud", "nonce",
        "auth_time", "email", "email_verified");
    assertThat(list(d.path("id_token_signing_alg_values_supported"))).isNotEmpty();
    assertThat(list(d.path("subject_types_supported"))).containsExactly("public");
    assertThat(list(d.path("response_types_supported"))).containsExactly("code");
  }

  @Test
  void pathInsertedMetadataWhenFetchedThenSameAsIssuerRelative() {
    Api.Response inserted = server.api().get(
        "/.well-known/oauth-authorization-server/accounts/main");
    Api.Response relative = server.api().get(
        "/accounts/main/.well-known/oauth-authorization-server");
    assertThat(inserted.status()).as(inserted.toString()).isEqualTo(200);
    assertThat(inserted.json()).isEqualTo(relative.json());
    assertThat(inserted.json().path("issuer").asText())
        .isEqualTo(server.api().base() + "/accounts/main");
  }

  @Test
  void keysAndDiscoveryWhenFetchedThenCacheableForFiveMinutesAsOperationsSays() {
    // docs/operations.md#signing-keys: validators honouring Cache-Control may see a rotation
    // up to 300 s late
    for (String doc : new String[] {"jwks.json", "openid-configuration",
        "oauth-authorization-server"}) {
      Api.Response r = server.api().get("/accounts/main/.well-known/" + doc);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Cache-Control")).as(doc).contains("public, max-age=300");
    }
  }

  @Test
  void pathInsertedMetadataWhenUnknownAccountThen404() {
    Api.Response r = server.api().get(
        "/.well-known/oauth-authorization-server/accounts/nosuchaccount");
    assertThat(r.status()).as(r.toString()).isEqualTo(404);
  }
}
