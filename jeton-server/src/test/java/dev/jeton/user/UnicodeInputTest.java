package dev.jeton.user;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Text that is not faithful Unicode never becomes an identity or a secret: unpaired UTF-16
 * surrogates in JSON strings are refused (storage would turn them into {@code ?}, so two
 * different inputs would collide; docs/security.md#unicode-text), and an email is one identity
 * however it is written (NFKC) and never displays as another (no bidirectional controls;
 * docs/security.md#email-identity), on both engines.
 */
@OnBothEngines
class UnicodeInputTest {
  static final String PASSWORD = "velvet tangerine orbit 58";

  TestServer server;
  Api api;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    api = server.api();
  }

  /** Registers with the JSON text of each field written as given (escapes kept as sent). */
  private Api.Response registerRaw(String emailJson, String passwordJson) {
    return api.postJson(v1("main") + "/auth/register",
        "{\"email\":\"" + emailJson + "\",\"password\":\"" + passwordJson + "\"}");
  }

  private static void assertFieldInvalid(Api.Response r, String field) {
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.code()).isEqualTo("validation_failed");
    JsonNode e = r.json().path("errors").get(0);
    assertThat(e.path("field").asText()).isEqualTo(field);
    assertThat(e.path("code").asText()).isEqualTo("field_invalid");
    assertThat(e.path("detail").asText()).contains("surrogate");
  }

  @Test
  void registerWhenEmailHasLoneSurrogateThenFieldInvalidAndNoCollisionWithQuestionMark() {
    for (String lone : List.of("\\ud800", "\\udbff", "\\udc00", "\\udc00\\ud800")) {
      assertFieldInvalid(registerRaw("a" + lone + "@x.yz", PASSWORD), "email");
    }
    // a?@x.yz is its own, ordinary address: it registers, and nothing else maps onto it
    assertThat(registerRaw("a?@x.yz", PASSWORD).status()).isEqualTo(201);
    assertFieldInvalid(registerRaw("a\\ud800@x.yz", PASSWORD), "email");
  }

  @Test
  void registerWhenPasswordHasLoneSurrogateThenRefusedSoQuestionMarkCannotSignIn() {
    assertFieldInvalid(registerRaw("sur@example.com", "correct horse \\ud800 battery"),
        "password");
    assertThat(server.login("main", "sur@example.com", "correct horse ? battery").status())
        .as("nothing was registered").isEqualTo(401);
    // a login presenting a lone surrogate is refused the same way, before any password check
    assertThat(server.register("main", "sur@example.com", PASSWORD).status()).isEqualTo(201);
    assertFieldInvalid(api.postJson(v1("main") + "/auth/login",
        "{\"email\":\"sur@example.com\",\"password\":\"" + PASSWORD + "\\udbff\"}"), "password");
  }

  @Test
  void registerWhenSurrogatePairThenAcceptedAndSignsInWithExactlyThatPassword() {
    // a proper pair (U+1F600) is a character like any other
    Api.Response r = registerRaw("pair@example.com", "smile \\ud83d\\ude00 long enough");
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(server.login("main", "pair@example.com", "smile \uD83D\uDE00 long enough")
        .status()).isEqualTo(200);
    assertThat(server.login("main", "pair@example.com", "smile ? long enough").status())
        .isEqualTo(401);
  }

  @Test
  void registerWhenFullWidthEmailThenSameUserAsItsAsciiForm() {
    Api.Response wide = server.register("main", "\uff41@\uff42.com", PASSWORD);
    assertThat(wide.status()).as(wide.toString()).isEqualTo(201);
    assertThat(wide.json().path("user").path("email").asText()).isEqualTo("a@b.com");
    Api.Response ascii = server.register("main", "a@b.com", "another fine password 12");
    assertThat(ascii.status()).as(ascii.toString()).isEqualTo(409);
    assertThat(ascii.code()).isEqualTo("user_already_exists");
    // either spelling signs in as the one user (full-width capitals and at sign, too)
    String id = wide.json().path("user").path("id").asText();
    for (String spelling : List.of("a@b.com", "\uff21\uff20\uff42\uff0e\uff43\uff4f\uff4d",
        " A@B.COM ")) {
      Api.Response login = server.login("main", spelling, PASSWORD);
      assertThat(login.status()).as(spelling + " -> " + login).isEqualTo(200);
      assertThat(login.json().path("user").path("id").asText()).isEqualTo(id);
    }
    // a ligature is its letters: "\ufb01" is "fi"
    assertThat(server.register("main", "\ufb01@example.com", PASSWORD).json().path("user")
        .path("email").asText()).isEqualTo("fi@example.com");
  }

  @Test
  void registerWhenEmailHasBidiControlOrInvisibleCharacterThenRefusedNamingIt() {
    // "bob\u202Emoc.elpmaxe@evil.example" would display as another address on the consent page
    for (String[] c : new String[][] {{"\u202e", "U+202E", "bidirectional"},
        {"\u2066", "U+2066", "bidirectional"}, {"\u200f", "U+200F", "bidirectional"},
        {"\u200b", "U+200B", "invisible"}, {"\u00ad", "U+00AD", "invisible"}}) {
      Api.Response r = server.register("main", "bob" + c[0] + "moc.elpmaxe@evil.example",
          PASSWORD);
      assertThat(r.status()).as(c[1] + " " + r).isEqualTo(400);
      JsonNode e = r.json().path("errors").get(0);
      assertThat(e.path("field").asText()).isEqualTo("email");
      assertThat(e.path("code").asText()).isEqualTo("field_invalid");
      assertThat(e.path("detail").asText()).contains(c[1]).contains(c[2]);
    }
    assertThat(server.login("main", "bob\u202emoc.elpmaxe@evil.example", PASSWORD).code())
        .isEqualTo("validation_failed");
  }

  @Test
  void registerWhenEmailHasAngleBracketsThenTheMessageSaysWhatIsWrong() {
    Api.Response r = server.register("main", "<script>alert(1)</script>@x.yz", PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    String detail = r.json().path("errors").get(0).path("detail").asText();
    assertThat(detail).contains("'<'").doesNotContain("space").doesNotContain("control");
    assertThat(server.register("main", "two@at@x.yz", PASSWORD).json().path("errors").get(0)
        .path("detail").asText()).contains("'@'");
    assertThat(server.register("main", "bob smith@x.yz", PASSWORD).json().path("errors").get(0)
        .path("detail").asText()).contains("space");
  }

  @Test
  void registerWhenBodyHasUtf8EncodedSurrogateBytesThenRefused() throws Exception {
    // ED A0 80 is U+D800 in (invalid) UTF-8: refused, as invalid JSON text or as a field error
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write("{\"email\":\"b".getBytes(StandardCharsets.US_ASCII));
    body.write(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
    body.write(("@x.yz\",\"password\":\"" + PASSWORD + "\"}").getBytes(StandardCharsets.US_ASCII));
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(api.base() + v1("main") + "/auth/register"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).containsAnyOf("\"code\":\"invalid_json\"",
        "\"code\":\"validation_failed\"");
    assertThat(registerRaw("b?@x.yz", PASSWORD).status()).isEqualTo(201);
  }
}
