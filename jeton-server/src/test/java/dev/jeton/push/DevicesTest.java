package dev.jeton.push;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Settings;
import dev.jeton.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device registry (docs/push.md#devices) on both engines: register, deduplicate, list,
 * rename, delete, the per-user limit, a token moving to the user who registers it last, an
 * admin's view, and the token sealed at rest and never answered. Each refusal is an attempt to
 * reach or plant a device that is not the caller's (docs/security.md#push).
 */
@OnBothEngines
@Settings("PUSH_DEVICES_PER_USER=3")
class DevicesTest {
  private static final String PASSWORD = "correct horse battery staple 9";
  private static final String DEVICES = v1("main") + "/me/devices";
  private static final String TOKEN = "dXNlcjEyMzQ1Njc4OTA:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx";

  TestServer server;
  Api api;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    api = server.api();
    server.openRegistration("main");
  }

  private String signUp(String email) {
    Api.Response r = server.register("main", email, PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.text("access_token");
  }

  private Api.Response register(String bearer, String token, String platform, String name) {
    return api.postJson(DEVICES, "{\"token\":" + Api.q(token) + ",\"platform\":"
        + Api.q(platform) + (name == null ? "" : ",\"name\":" + Api.q(name)) + "}", bearer);
  }

  private Api.Response delete(String path, String bearer) {
    return api.send("DELETE", path, null, Map.of("Authorization", "Bearer " + bearer));
  }

  private static void assertCode(Api.Response r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.code()).as(r.toString()).isEqualTo(code);
  }

  private String userId(String bearer) {
    return api.get(v1("main") + "/me", bearer).json().path("id").asText();
  }

  @Test
  void aUserRegistersListsRenamesAndDeletesTheirDevicesOncePerToken() {
    String alice = signUp("alice@example.com");
    Api.Response first = register(alice, TOKEN, "android", "Pixel 9");
    assertThat(first.status()).as(first.toString()).isEqualTo(201);
    JsonNode d = first.json();
    assertThat(d.path("id").asText()).startsWith("dev_");
    assertThat(d.path("platform").asText()).isEqualTo("android");
    assertThat(d.path("name").asText()).isEqualTo("Pixel 9");
    assertThat(first.body()).doesNotContain(TOKEN);

    // the same token again: the same device, updated, not a second one
    Api.Response again = register(alice, TOKEN, "android", "Pixel 9 Pro");
    assertThat(again.status()).as(again.toString()).isEqualTo(200);
    assertThat(again.json().path("id").asText()).isEqualTo(d.path("id").asText());
    Api.Response other = register(alice, TOKEN + "2", "ios", null);
    assertThat(other.json().path("name").asText()).isEqualTo("iPhone or iPad");

    Api.Response list = api.get(DEVICES, alice);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().path("data").findValuesAsText("name"))
        .containsExactly("Pixel 9 Pro", "iPhone or iPad");
    assertThat(list.body()).doesNotContain(TOKEN);

    String path = DEVICES + "/" + d.path("id").asText();
    Api.Response renamed = api.patchJson(path, "{\"name\":\"Work phone\"}", alice);
    assertThat(renamed.json().path("name").asText()).as(renamed.toString())
        .isEqualTo("Work phone");
    assertThat(delete(path, alice).status()).isEqualTo(204);
    assertCode(delete(path, alice), 404, "device_not_found");
    assertThat(api.get(DEVICES, alice).json().path("data")).hasSize(1);
  }

  /** The token must be read back to send, so it is sealed (AES-GCM), not stored in clear. */
  @Test
  void theRegistrationTokenIsSealedAtRest() {
    String alice = signUp("alice@example.com");
    assertThat(register(alice, TOKEN, "android", null).status()).isEqualTo(201);
    List<String> stored = server.app().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT token_sealed || ' ' || token_hash FROM devices").mapTo(String.class).list());
    assertThat(stored).hasSize(1);
    assertThat(stored.get(0)).doesNotContain(TOKEN).doesNotContain("APA91b").startsWith("v1.");
  }

  @Test
  void theDevicesOfAUserAreLimitedAndTheirInputChecked() {
    String alice = signUp("alice@example.com");
    for (int i = 0; i < 3; i++) {
      assertThat(register(alice, TOKEN + i, "web", null).status()).isEqualTo(201);
    }
    assertCode(register(alice, TOKEN + "x", "web", null), 409, "device_limit_reached");
    // registering one it has again is no new device
    assertThat(register(alice, TOKEN + "0", "web", "again").status()).isEqualTo(200);

    String bob = signUp("bob@example.com");
    assertCode(register(bob, TOKEN, "windows-phone", null), 400, "validation_failed");
    assertCode(register(bob, "two words", "ios", null), 400, "validation_failed");
    assertCode(register(bob, "x".repeat(Devices.MAX_TOKEN_CHARS + 1), "ios", null), 400,
        "validation_failed");
    assertCode(register(bob, TOKEN, "ios", " "), 400, "validation_failed");
    assertCode(api.postJson(DEVICES, "{\"platform\":\"ios\"}", bob), 400, "validation_failed");
    assertCode(api.postJson(DEVICES, "{\"token\":\"t\",\"platform\":\"ios\",\"x\":1}", bob),
        400, "validation_failed");
    assertThat(api.postJson(DEVICES, "{\"token\":\"t\",\"platform\":\"ios\"}").status())
        .isEqualTo(401);
  }

  /** A leaked personal access token cannot plant a phone that would approve sign-ins. */
  @Test
  void aPersonalAccessTokenMayListButNotRegisterRenameOrDelete() {
    String alice = signUp("alice@example.com");
    String id = register(alice, TOKEN, "android", null).json().path("id").asText();
    String pat = api.postJson(v1("main") + "/me/tokens", "{\"comment\":\"script\"}", alice)
        .text("token");
    assertThat(api.get(DEVICES, pat).json().path("data")).hasSize(1);
    assertCode(register(pat, TOKEN + "p", "android", null), 403, "session_required");
    assertCode(api.patchJson(DEVICES + "/" + id, "{\"name\":\"x\"}", pat), 403,
        "session_required");
    assertCode(delete(DEVICES + "/" + id, pat), 403, "session_required");
  }

  @Test
  void aTokenRegisteredByAnotherUserMovesToThemAndNobodyReachesAnothersDevice() {
    String alice = signUp("alice@example.com");
    String bob = signUp("bob@example.com");
    String id = register(alice, TOKEN, "android", "Shared tablet").json().path("id").asText();
    assertCode(api.patchJson(DEVICES + "/" + id, "{\"name\":\"mine\"}", bob), 404,
        "device_not_found");
    assertCode(delete(DEVICES + "/" + id, bob), 404, "device_not_found");

    // the tablet's app signs in as bob: alice's sign-ins are no longer pushed to it
    Api.Response moved = register(bob, TOKEN, "android", "Tablet");
    assertThat(moved.status()).as(moved.toString()).isEqualTo(201);
    assertThat(moved.json().path("id").asText()).isEqualTo(id);
    assertThat(moved.json().path("user_id").asText()).isEqualTo(userId(bob));
    assertThat(api.get(DEVICES, alice).json().path("data")).isEmpty();
    assertThat(api.get(DEVICES, bob).json().path("data")).hasSize(1);
  }

  @Test
  void anAdminListsAndDeletesAUsersDevicesAndDeletingTheUserDeletesThem() {
    String alice = signUp("alice@example.com");
    String aliceId = userId(alice);
    String id = register(alice, TOKEN, "ios", null).json().path("id").asText();
    register(alice, TOKEN + "b", "ios", null);
    String admin = server.adminToken();
    String users = v1("main") + "/users/" + aliceId + "/devices";
    Api.Response listed = api.get(users, admin);
    assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
    assertThat(listed.json().path("data")).hasSize(2);
    assertThat(listed.body()).doesNotContain(TOKEN);
    assertCode(api.get(users, alice), 403, "insufficient_scope");
    assertCode(api.get(v1("main") + "/users/usr_nobody/devices", admin), 404, "user_not_found");
    assertThat(delete(users + "/" + id, admin).status()).isEqualTo(204);
    assertThat(api.get(DEVICES, alice).json().path("data")).hasSize(1);

    Api.Response gone = delete(v1("main") + "/users/" + aliceId, admin);
    assertThat(gone.status()).as(gone.toString()).isEqualTo(204);
    int left = server.app().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT COUNT(*) FROM devices").mapTo(Integer.class).one());
    assertThat(left).isZero();
  }

  /** Bounded storage: a device its app stopped registering is purged after FCM's 270 days. */
  @Test
  void aDeviceNotRegisteredAgainFor270DaysIsPurgedAndOneRegisteredAgainIsKept() {
    String alice = signUp("alice@example.com");
    register(alice, TOKEN, "android", "old");
    register(alice, TOKEN + "b", "android", "kept");
    server.clock().advance(java.time.Duration.ofDays(200));
    // the app of the second starts again, signs in and registers its token again
    alice = server.login("main", "alice@example.com", PASSWORD).text("access_token");
    assertThat(register(alice, TOKEN + "b", "android", "kept").status()).isEqualTo(200);
    server.clock().advance(java.time.Duration.ofDays(71));
    var result = server.app().purge().run();
    assertThat(result.removed()).containsEntry("devices", 1);
    alice = server.login("main", "alice@example.com", PASSWORD).text("access_token");
    assertThat(api.get(DEVICES, alice).json().path("data").findValuesAsText("name"))
        .containsExactly("kept");
  }
}
