package dev.jeton.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/users.md#import: the bulk import answers every record in input order with its own
 * outcome (the record-level error model), never loses or half-applies one, takes password hashes
 * of other systems and upgrades them at the first sign-in, and holds its size limits. On both
 * engines.
 */
@OnBothEngines
class UsersImportTest {
  static final String USERS = TestServer.v1("main") + "/users";
  static final String IMPORT = USERS + "/import";

  TestServer server;
  Api api;
  String admin;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    this.api = server.api();
    this.admin = server.adminToken();
  }

  static String bcrypt(String password) {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    return OpenBSDBCrypt.generate("2b", password.getBytes(StandardCharsets.UTF_8), salt, 4);
  }

  /** Django's {@code pbkdf2_sha256$iterations$salt$base64(hash)}. */
  static String django(String password, String salt, int iterations) throws Exception {
    byte[] dk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(
        new PBEKeySpec(password.toCharArray(), salt.getBytes(StandardCharsets.UTF_8),
            iterations, 256)).getEncoded();
    return "pbkdf2_sha256$" + iterations + "$" + salt + "$"
        + Base64.getEncoder().encodeToString(dk);
  }

  private String storedHash(String email) {
    return server.app().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT password_hash FROM users WHERE account_id = 'main' AND email = :e")
        .bind("e", email).mapTo(String.class).one());
  }

  @Test
  void importWhenRecordsMixGoodAndBadThenEachAnsweredInOrderAndOnlyGoodOnesCreated()
      throws Exception {
    assertThat(server.register("main", "existing@example.com", "a sturdy pass phrase 41")
        .status()).isEqualTo(201);
    String body = "{\"users\":["
        + "{\"email\":\"bcrypt@example.com\",\"name\":\"B\",\"password_hash\":"
        + Api.q(bcrypt("bcrypt pass phrase 1")) + "},"                       // 0 created
        + "{\"email\":\"django@example.com\",\"password_hash\":"
        + Api.q(django("django pass phrase 2", "s4ltS4lt", 1000)) + "},"     // 1 created
        + "{\"email\":\"nohash@example.com\"},"                               // 2 created
        + "{\"email\":\"BCRYPT@example.com\"},"                               // 3 skipped: dup
        + "{\"email\":\"existing@example.com\"},"                             // 4 skipped
        + "{\"email\":\"not-an-email\"},"                                     // 5 failed
        + "{\"email\":\"md5@example.com\",\"password_hash\":"
        + "\"5f4dcc3b5aa765d61d8327deb882cf99\"},"                            // 6 failed
        + "{\"email\":\"extra@example.com\",\"admin\":true},"                 // 7 failed
        + "\"just a string\","                                                // 8 failed
        + "{\"name\":\"no email\"},"                                          // 9 failed
        + "{\"email\":\"role@example.com\",\"role\":\"root\"},"               // 10 failed
        + "{\"email\":\"boss@example.com\",\"role\":\"admin\"}"               // 11 created
        + "]}";
    Api.Response r = api.postJson(IMPORT, body, admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonNode data = r.json().path("data");
    assertThat(data).hasSize(12);
    List<String> statuses = new java.util.ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      assertThat(data.get(i).path("index").asInt()).isEqualTo(i);
      statuses.add(data.get(i).path("status").asText());
    }
    assertThat(statuses).containsExactly("created", "created", "created", "skipped", "skipped",
        "failed", "failed", "failed", "failed", "failed", "failed", "created");
    assertThat(data.get(0).path("id").asText()).startsWith("usr_");
    assertThat(data.get(3).path("reasons").get(0).path("code").asText())
        .isEqualTo("user_already_exists");
    assertThat(data.get(3).path("reasons").get(0).path("message").asText()).contains("record 0");
    assertThat(data.get(4).path("reasons").get(0).path("code").asText())
        .isEqualTo("user_already_exists");
    assertThat(data.get(5).path("reasons").get(0).path("field").asText()).isEqualTo("email");
    assertThat(data.get(6).path("reasons").get(0).path("field").asText())
        .isEqualTo("password_hash");
    assertThat(data.get(6).toString()).doesNotContain("5f4dcc3b"); // never echoes a hash
    assertThat(data.get(7).path("reasons").get(0).path("code").asText())
        .isEqualTo("field_unknown");
    assertThat(data.get(8).path("reasons").get(0).path("code").asText())
        .isEqualTo("field_invalid");
    assertThat(data.get(9).path("reasons").get(0).path("code").asText())
        .isEqualTo("field_missing");
    assertThat(r.json().path("summary").toString())
        .isEqualTo("{\"created\":4,\"skipped\":2,\"failed\":6}");

    int count = server.app().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT count(*) FROM users WHERE account_id = 'main'").mapTo(Integer.class).one());
    assertThat(count).isEqualTo(2 + 4); // bootstrap admin, existing, and the four created
    JsonNode boss = api.get(USERS + "?email=boss%40example.com", admin).json().path("data")
        .get(0);
    assertThat(boss.path("role").asText()).isEqualTo("admin");
    assertThat(boss.path("status").asText()).isEqualTo("invited");

    // the same request again: nothing new, every earlier success now skipped
    Api.Response again = api.postJson(IMPORT, body, admin);
    assertThat(again.json().path("summary").path("created").asInt()).isZero();
  }

  @Test
  void signInWhenHashWasImportedThenOldPasswordWorksAndHashBecomesArgon2id() throws Exception {
    String bcrypt = bcrypt("bcrypt pass phrase 1");
    String django = django("pässwörd ünïcode 2", "s4ltS4lt", 1000);
    Api.Response r = api.postJson(IMPORT, "{\"users\":["
        + "{\"email\":\"b@example.com\",\"password_hash\":" + Api.q(bcrypt) + "},"
        + "{\"email\":\"d@example.com\",\"password_hash\":" + Api.q(django) + "}]}", admin);
    assertThat(r.json().path("summary").path("created").asInt()).as(r.toString()).isEqualTo(2);

    assertThat(server.login("main", "b@example.com", "bcrypt pass phrase 2").status())
        .isEqualTo(401);
    assertThat(storedHash("b@example.com")).isEqualTo(bcrypt); // a failure upgrades nothing
    Api.Response ok = server.login("main", "b@example.com", "bcrypt pass phrase 1");
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertThat(storedHash("b@example.com")).startsWith("$argon2id$");
    assertThat(server.login("main", "b@example.com", "bcrypt pass phrase 1").status())
        .isEqualTo(200);

    assertThat(server.login("main", "d@example.com", "pässwörd ünïcode 2").status())
        .isEqualTo(200);
    assertThat(storedHash("d@example.com")).startsWith("$argon2id$");
    // the upgrade is not a credential change: the session signed in with the old hash lives on
    assertThat(server.refresh("main", ok.text("refresh_token")).status()).isEqualTo(200);
  }

  @Test
  void importWhenTooManyRecordsThenRefusedWholeAndOverOneMibAccepted() {
    StringBuilder many = new StringBuilder("{\"users\":[");
    for (int i = 0; i <= 10_000; i++) {
      many.append(i == 0 ? "" : ",").append("{\"email\":\"u").append(i)
          .append("@example.com\"}");
    }
    many.append("]}");
    Api.Response r = api.postJson(IMPORT, many.toString(), admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.code()).isEqualTo("validation_failed");
    assertThat(r.body()).contains("at most 10000 items");

    assertThat(api.get(USERS + "?email=u1%40example.com", admin).json().path("data")).isEmpty();

    // over 1 MiB is fine here (up to 10 MiB), unlike on any other route
    String padding = "x".repeat(200);
    StringBuilder big = new StringBuilder("{\"users\":[");
    for (int i = 0; i < 5_000; i++) {
      big.append(i == 0 ? "" : ",").append("{\"email\":\"big").append(i)
          .append("@example.com\",\"name\":\"").append(padding).append("\"}");
    }
    big.append("]}");
    assertThat(big.length()).isGreaterThan(1024 * 1024);
    Api.Response ok = api.postJson(IMPORT, big.toString(), admin);
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertThat(ok.json().path("summary").path("created").asInt()).isEqualTo(5_000);
    // (bodies over 10 MiB here, and over 1 MiB elsewhere: HttpLimitsTest)
  }

  @Test
  void importWhenCallerIsNoAdminThenRefusedBeforeReadingRecords() {
    String plain = server.register("main", "someone@example.com", "a sturdy pass phrase 41")
        .text("access_token");
    Api.Response r = api.postJson(IMPORT, "{\"users\":[{\"email\":\"x@example.com\"}]}", plain);
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.code()).isEqualTo("insufficient_scope");
    assertThat(api.get(USERS + "?email=x%40example.com", admin).json().path("data")).isEmpty();
  }
}
