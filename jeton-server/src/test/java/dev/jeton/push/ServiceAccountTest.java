package dev.jeton.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service account key file: what FCM sends need is read from it, and a file that cannot be
 * used is refused at start with what is wrong, never with the key in the message.
 */
class ServiceAccountTest {
  @TempDir
  Path dir;

  private IllegalArgumentException refused(String json) throws Exception {
    Path f = dir.resolve("sa.json");
    Files.writeString(f, json);
    IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
        () -> ServiceAccount.read(f));
    assertThat(e).as(json).isNotNull();
    return e;
  }

  @Test
  void aKeyFileAsFirebaseGivesItIsRead() throws Exception {
    try (FakeFcm fcm = new FakeFcm(dir)) {
      ServiceAccount a = ServiceAccount.read(fcm.keyFile());
      assertThat(a.projectId()).isEqualTo(FakeFcm.PROJECT);
      assertThat(a.clientEmail()).isEqualTo(FakeFcm.EMAIL);
      assertThat(a.keyId()).isEqualTo("key-1");
      assertThat(a.tokenUri().toString()).isEqualTo(fcm.url() + "/token");
      assertThat(a.key().getAlgorithm()).isEqualTo("RSA");
    }
  }

  @Test
  void aFileThatCannotBeUsedIsRefusedSayingWhyWithoutTheKey() throws Exception {
    assertThat(refused("not json").getMessage()).contains("sa.json");
    assertThat(refused("[]").getMessage()).contains("not a service account key file");
    String pem = "-----BEGIN PRIVATE KEY-----\\nQUJDREVGR0g=\\n-----END PRIVATE KEY-----\\n";
    IllegalArgumentException badKey = refused("{\"project_id\":\"p\",\"client_email\":"
        + "\"e@x\",\"token_uri\":\"https://oauth2.googleapis.com/token\",\"private_key\":\""
        + pem + "\"}");
    assertThat(badKey.getMessage()).contains("private_key is not an RSA key")
        .doesNotContain("QUJDREVGR0g");
    assertThat(refused("{\"client_email\":\"e@x\"}").getMessage()).contains("project_id");
    assertThat(refused("{\"project_id\":\"p\",\"client_email\":\"e@x\",\"private_key\":"
        + "\"k\",\"token_uri\":\"file:///etc/passwd\"}").getMessage())
        .contains("token_uri");
  }
}
