package dev.jeton.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Client authentication (RFC 6749 2.3) against clients stored in a real database, on both
 * engines: client_secret_basic, client_secret_post, public clients by id alone, and every way
 * to get it wrong, each answered with {@code invalid_client}.
 */
@OnBothEngines
class ClientAuthenticatorTest {
  TestServer server;
  ClientService clients;
  ClientAuthenticator auth;
  ClientService.Registered confidential;
  ClientService.Registered publicClient;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    clients = server.app().clients();
    auth = server.app().clientAuthenticator();
    confidential = clients.create("main", new Client.Spec("Server", Client.Type.CONFIDENTIAL,
        List.of(), List.of(Client.CLIENT_CREDENTIALS), List.of("read"), null, null, null));
    publicClient = clients.create("main", new Client.Spec("Phone", Client.Type.PUBLIC,
        List.of("com.example.app:/cb"), List.of(Client.AUTHORIZATION_CODE), List.of(), null,
        null, null));
  }

  private static String basic(String id, String secret) {
    String pair = URLEncoder.encode(id, StandardCharsets.UTF_8) + ":"
        + URLEncoder.encode(secret, StandardCharsets.UTF_8);
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  private static String rawBasic(String decoded) {
    return "Basic " + Base64.getEncoder()
        .encodeToString(decoded.getBytes(StandardCharsets.UTF_8));
  }

  private ApiException refused(String authorization, String formId, String formSecret) {
    ApiException e = catchThrowableOfType(ApiException.class,
        () -> auth.authenticate("main", authorization, formId, formSecret, "203.0.113.1"));
    assertThat(e).as("expected invalid_client").isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CLIENT);
    assertThat(e.code().status()).isEqualTo(401);
    return e;
  }

  private String id() {
    return confidential.client().clientId();
  }

  private String secret() {
    return confidential.secret();
  }

  @Test
  void authenticateWhenBasicWithRightSecretThenClientAndBasicMethod() {
    ClientAuthenticator.Authenticated a = auth.authenticate("main", basic(id(), secret()), null,
        null, "203.0.113.1");
    assertThat(a.client().clientId()).isEqualTo(id());
    assertThat(a.method()).isEqualTo(ClientAuthenticator.Method.CLIENT_SECRET_BASIC);
    assertThat(ClientAuthenticator.usesBasic(basic(id(), secret()))).isTrue();
    // The scheme name is case-insensitive (RFC 7235 2.1).
    String lower = "basic " + basic(id(), secret()).substring(6);
    assertThat(auth.authenticate("main", lower, null, null, "203.0.113.1").client().clientId()).isEqualTo(id());
  }

  @Test
  void authenticateWhenBasicAndMatchingFormClientIdThenAccepted() {
    assertThat(auth.authenticate("main", basic(id(), secret()), id(), null, "203.0.113.1").method())
        .isEqualTo(ClientAuthenticator.Method.CLIENT_SECRET_BASIC);
    assertThat(refused(basic(id(), secret()), publicClient.client().clientId(), null).detail())
        .contains("differs");
  }

  @Test
  void authenticateWhenPostWithRightSecretThenClientAndPostMethod() {
    ClientAuthenticator.Authenticated a = auth.authenticate("main", null, id(), secret(), "203.0.113.1");
    assertThat(a.client().clientId()).isEqualTo(id());
    assertThat(a.method()).isEqualTo(ClientAuthenticator.Method.CLIENT_SECRET_POST);
    assertThat(ClientAuthenticator.usesBasic(null)).isFalse();
  }

  @Test
  void authenticateWhenSecretWrongThenInvalidClient() {
    String wrong = secret().substring(0, secret().length() - 1)
        + (secret().endsWith("A") ? "B" : "A");
    assertThat(refused(basic(id(), wrong), null, null).detail()).contains("wrong");
    refused(null, id(), wrong);
    refused(null, id(), "");
    String otherSecret = clients.create("main", new Client.Spec("Other",
        Client.Type.CONFIDENTIAL, List.of(), List.of(Client.CLIENT_CREDENTIALS), List.of(), null,
        null, null)).secret();
    assertThat(refused(null, id(), otherSecret).detail()).contains("wrong");
  }

  @Test
  void authenticateWhenClientUnknownThenInvalidClient() {
    assertThat(refused(basic("cli_nosuchclient", secret()), null, null).detail())
        .contains("Unknown client");
    refused(null, "cli_nosuchclient", secret());
    refused(null, "cli_nosuchclient", null);
  }

  @Test
  void authenticateWhenClientOfAnotherAccountThenInvalidClient() {
    server.app().accounts().create("main", "other", "Other");
    ClientService.Registered theirs = clients.create("other", new Client.Spec("Theirs",
        Client.Type.CONFIDENTIAL, List.of(), List.of(Client.CLIENT_CREDENTIALS), List.of(), null,
        null, null));
    refused(basic(theirs.client().clientId(), theirs.secret()), null, null);
    assertThat(auth.authenticate("other", basic(theirs.client().clientId(), theirs.secret()),
        null, null, "203.0.113.1").client().accountId()).isEqualTo("other");
  }

  @Test
  void authenticateWhenBasicAndPostSecretTogetherThenInvalidClient() {
    assertThat(refused(basic(id(), secret()), id(), secret()).detail()).contains("one method");
    refused(basic(id(), secret()), null, secret());
  }

  @Test
  void authenticateWhenBasicHeaderMalformedThenInvalidClient() {
    assertThat(refused("Basic !!!not-base64!!!", null, null).detail()).contains("base64");
    assertThat(refused(rawBasic("no-colon-here"), null, null).detail()).contains("':'");
    refused(rawBasic(":" + secret()), null, null);
    assertThat(refused(rawBasic(id() + ":%zz"), null, null).detail()).contains("urlencoded");
    refused("Basic ", null, null);
    refused("Basic", null, null);
    assertThat(ClientAuthenticator.usesBasic("basic")).isTrue();
    assertThat(refused("Bearer " + secret(), null, null).detail()).contains("Basic");
    assertThat(ClientAuthenticator.usesBasic("Bearer x")).isFalse();
    assertThat(ClientAuthenticator.usesBasic("Basic !!!")).isTrue();
  }

  @Test
  void authenticateWhenNothingPresentedThenInvalidClient() {
    refused(null, null, null);
    refused("  ", null, null);
    assertThat(refused(null, null, secret()).detail()).contains("without client_id");
  }

  @Test
  void authenticateWhenIdsPercentEncodedInBasicThenDecodedPerRfc6749() {
    // RFC 6749 2.3.1: id and secret are form-urlencoded before Basic encoding. Jeton's own ids
    // and secrets need no escaping, so encode every character to prove decoding happens.
    StringBuilder encodedId = new StringBuilder();
    for (byte b : id().getBytes(StandardCharsets.US_ASCII)) {
      encodedId.append(String.format("%%%02X", b));
    }
    String header = rawBasic(encodedId + ":" + secret());
    assertThat(auth.authenticate("main", header, null, null, "203.0.113.1").client().clientId()).isEqualTo(id());
    // Not decoded twice: %2525 is "%25", not "%".
    refused(rawBasic(id().replace("_", "%255F") + ":" + secret()), null, null);
    // '+' is a space in form encoding, so a '+' never silently matches.
    refused(rawBasic(id() + "+:" + secret()), null, null);
  }

  @Test
  void authenticateWhenPublicClientSendsOnlyIdThenAcceptedAsNone() {
    String pub = publicClient.client().clientId();
    assertThat(publicClient.secret()).isNull();
    ClientAuthenticator.Authenticated a = auth.authenticate("main", null, pub, null, "203.0.113.1");
    assertThat(a.client().isPublic()).isTrue();
    assertThat(a.method()).isEqualTo(ClientAuthenticator.Method.NONE);
    assertThat(auth.authenticate("main", rawBasic(pub + ":"), null, null, "203.0.113.1").client().clientId())
        .isEqualTo(pub);
    assertThat(refused(null, pub, "anything").detail()).contains("public");
  }

  @Test
  void authenticateWhenConfidentialClientSendsOnlyIdThenInvalidClient() {
    assertThat(refused(null, id(), null).detail()).contains("secret");
    refused(rawBasic(id() + ":"), null, null);
  }

  @Test
  void authenticateWhenSecretRotatedOutThenOldRefusedAndNewAccepted() {
    String fresh = clients.rotateSecret("main", id());
    assertThat(refused(basic(id(), secret()), null, null).detail()).contains("rotated out");
    refused(null, id(), secret());
    assertThat(auth.authenticate("main", basic(id(), fresh), null, null, "203.0.113.1").client().clientId())
        .isEqualTo(id());
    assertThat(auth.authenticate("main", null, id(), fresh, "203.0.113.1").client().secretRotatedAt())
        .isNotNull();
  }

  @Test
  void authenticateWhenClientDeletedThenInvalidClient() {
    clients.delete("main", id());
    refused(basic(id(), secret()), null, null);
  }
}
