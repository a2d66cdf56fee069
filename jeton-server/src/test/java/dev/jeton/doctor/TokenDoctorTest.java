package dev.jeton.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/diagnose.md: the token doctor tells anyone what a token shows and only its owner or an
 * admin of its account why it is refused; tried with another user asking about a token, an
 * unknown token (which must look like someone else's), a mistyped one, expired and revoked
 * ones, and checked never to keep the token. On both engines.
 */
@OnBothEngines
class TokenDoctorTest {
  static final String V1 = TestServer.v1("main");
  static final String DIAGNOSE = V1 + "/tokens/diagnose";
  static final String PASSWORD = "a sturdy pass phrase 41";

  TestServer server;
  Api api;
  Api.Response owner;
  String pat;
  String patId;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    this.api = server.api();
    owner = server.register("main", "owner@example.com", PASSWORD);
    Api.Response created = api.postJson(V1 + "/me/tokens", "{}", owner.text("access_token"));
    pat = created.text("token");
    patId = created.text("id");
  }

  private JsonNode diagnose(String token, String bearer) {
    Api.Response r = bearer == null
        ? api.postJson(DIAGNOSE, "{\"token\":" + Api.q(token) + "}")
        : api.postJson(DIAGNOSE, "{\"token\":" + Api.q(token) + "}", bearer);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Cache-Control")).hasValue("no-store");
    return r.json();
  }

  private void revokePat() {
    api.send("DELETE", V1 + "/me/tokens/" + patId, null,
        Map.of("Authorization", "Bearer " + owner.text("access_token")));
  }

  @Test
  void diagnoseWhenAnonymousThenOnlyWhatTheTokenShows() {
    JsonNode d = diagnose(pat, null);
    assertThat(d.path("format").asText()).isEqualTo("jeton");
    assertThat(d.path("kind").asText()).isEqualTo("personal_access_token");
    assertThat(d.path("checksum_valid").asBoolean()).isTrue();
    assertThat(d.has("explained")).isFalse(); // null members are left out
    assertThat(d.path("how_to_learn_more").asText()).contains("owner");

    String typo = pat.substring(0, 15) + (pat.charAt(15) == 'a' ? 'b' : 'a') + pat.substring(16);
    JsonNode t = diagnose(typo, null);
    assertThat(t.path("well_formed").asBoolean()).isFalse();
    assertThat(t.path("detail").asText()).contains("checksum");
    assertThat(diagnose("hello", null).path("format").asText()).isEqualTo("unknown");

    JsonNode jwt = diagnose(owner.text("access_token"), null);
    assertThat(jwt.path("format").asText()).isEqualTo("jwt");
    assertThat(jwt.path("issued_by_this_account").asBoolean()).isTrue();
    assertThat(jwt.path("expired").asBoolean()).isFalse();
    assertThat(jwt.has("explained")).isFalse();
  }

  @Test
  void diagnoseWhenOwnerAsksThenTheReasonWithTimes() {
    assertThat(diagnose(pat, owner.text("access_token")).path("explained").path("valid")
        .asBoolean()).isTrue();
    revokePat();
    JsonNode e = diagnose(pat, owner.text("access_token")).path("explained");
    assertThat(e.path("valid").asBoolean()).isFalse();
    assertThat(e.path("code").asText()).isEqualTo("token_revoked");
    assertThat(e.path("revoked_at").asText()).isNotBlank();
    assertThat(e.path("detail").asText()).contains("its owner revoked it");

    // a rotated refresh token: the owner learns it was already used
    String first = owner.text("refresh_token");
    Api.Response rotated = server.refresh("main", first);
    JsonNode spent = diagnose(first, rotated.text("access_token")).path("explained");
    assertThat(spent.path("code").asText()).isEqualTo("refresh_token_reused");
    // an access token past its expiry, by its own claims to anyone, with the code to its owner
    String access = rotated.text("access_token");
    server.clock().advance(Duration.ofHours(2));
    assertThat(diagnose(access, null).path("expired").asBoolean()).isTrue();
    Api.Response fresh = server.login("main", "owner@example.com", PASSWORD);
    JsonNode old = diagnose(access, fresh.text("access_token")).path("explained");
    assertThat(old.path("code").asText()).isEqualTo("token_expired");
  }

  @Test
  void diagnoseWhenSomeoneElseAsksThenNoMoreThanAnonymousAndUnknownLooksTheSame() {
    revokePat();
    Api.Response other = server.register("main", "other@example.com", PASSWORD);
    JsonNode someoneElses = diagnose(pat, other.text("access_token"));
    assertThat(someoneElses.has("explained")).isFalse();
    // a well-formed token that was never issued looks exactly like another user's token
    String neverIssued = new dev.jeton.token.OpaqueTokens(new java.security.SecureRandom())
        .generate(dev.jeton.token.TokenKind.PAT);
    JsonNode unknown = diagnose(neverIssued, other.text("access_token"));
    assertThat(unknown.toString()).isEqualTo(someoneElses.toString());
    // the owner's session access token at another account cannot see it either
    assertThat(api.postJson(TestServer.v1("nowhere") + "/tokens/diagnose",
        "{\"token\":" + Api.q(pat) + "}").status()).isEqualTo(404);
  }

  @Test
  void diagnoseWhenAdminAsksThenEveryTokenOfTheAccountIsExplained() {
    revokePat();
    String admin = server.adminToken();
    JsonNode e = diagnose(pat, admin).path("explained");
    assertThat(e.path("code").asText()).isEqualTo("token_revoked");
    assertThat(e.path("owner").path("id").asText())
        .isEqualTo(owner.json().path("user").path("id").asText());
    // an altered JWT: only an admin hears why, and nobody is named as its owner
    String jwt = owner.text("access_token");
    String altered = jwt.substring(0, jwt.length() - 3) + (jwt.endsWith("A") ? "BBB" : "AAA");
    JsonNode forged = diagnose(altered, admin).path("explained");
    assertThat(forged.path("code").asText()).isEqualTo("token_signature_invalid");
    assertThat(forged.has("owner")).isFalse();
    assertThat(diagnose(altered, owner.text("access_token")).has("explained")).isFalse();
  }

  @Test
  void diagnoseWhenCallerCredentialIsBadThenRefusedAndTheTokenIsNeverKept() {
    Api.Response r = api.postJson(DIAGNOSE, "{\"token\":" + Api.q(pat) + "}", "nonsense");
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("token_malformed");
    diagnose(pat, owner.text("access_token"));
    int stored = server.app().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT count(*) FROM personal_access_tokens WHERE token_hash = :s OR comment = :s")
        .bind("s", pat).mapTo(Integer.class).one());
    assertThat(stored).isZero();
  }
}
