package dev.jeton.pat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.Scratch;
import dev.jeton.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/tokens.md#netrc: the real curl binary, given {@code machine <host> login token password
 * <PAT>} in a .netrc file, reaches the API; the same Basic header carries nothing but a personal
 * access token (never a password, never an access token). On both engines.
 */
@OnBothEngines
class NetrcTest {
  static final String EMAIL = "netrc.user@example.com";
  static final String PASSWORD = "netrc pass phrase 42";

  TestServer server;
  String session;
  String userId;
  String pat;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    Api.Response r = server.register("main", EMAIL, PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    session = r.text("access_token");
    userId = r.json().path("user").path("id").asText();
    Api.Response t = server.api().postJson(TestServer.v1("main") + "/me/tokens",
        "{\"comment\":\"curl\"}", session);
    assertThat(t.status()).as(t.toString()).isEqualTo(201);
    pat = t.text("token");
  }

  /** Runs curl with a .netrc naming {@code login} and {@code password}; answers status + body. */
  private String[] curl(String login, String password) throws Exception {
    Path dir = Scratch.dir("jeton-netrc");
    Path netrc = dir.resolve(".netrc");
    Files.writeString(netrc, "machine 127.0.0.1\n  login " + login + "\n  password " + password
        + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(netrc, PosixFilePermissions.fromString("rw-------"));
    String url = server.app().config().http().baseUrl() + TestServer.v1("main") + "/me";
    List<String> cmd = new ArrayList<>(List.of("curl", "--silent", "--show-error",
        "--netrc-file", netrc.toString(), "--write-out", "\n%{http_code}", url));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("curl did not finish");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    int nl = out.lastIndexOf('\n');
    return new String[] {out.substring(nl + 1), out.substring(0, nl)};
  }

  @Test
  void curlWhenNetrcHoldsAPersonalAccessTokenThenTheApiAnswers() throws Exception {
    String[] r = curl("token", pat);
    assertThat(r[0]).as(r[1]).isEqualTo("200");
    assertThat(r[1]).contains("\"id\":\"" + userId + "\"");
  }

  @Test
  void curlWhenTheTokenWasRevokedThenTokenRevoked() throws Exception {
    String id = server.api().get(TestServer.v1("main") + "/me/tokens", session).json()
        .path("data").get(0).path("id").asText();
    assertThat(server.api().send("DELETE", TestServer.v1("main") + "/me/tokens/" + id, null,
        Map.of("Authorization", "Bearer " + session)).status()).isEqualTo(204);
    String[] r = curl("token", pat);
    assertThat(r[0]).isEqualTo("401");
    assertThat(r[1]).contains("\"code\":\"token_revoked\"");
  }

  @Test
  void curlWhenNetrcHoldsTheEmailAndPasswordThenRefused() throws Exception {
    String[] r = curl(EMAIL, PASSWORD.replace(' ', '_'));
    assertThat(r[0]).isEqualTo("401");
    assertThat(r[1]).contains("\"code\":\"token_missing\"");
  }

  @Test
  void basicWhenItCarriesAnAccessTokenOrAnotherLoginThenRefused() throws IOException {
    for (String credentials : List.of("token:" + session, "ada:" + pat, "token", "token:")) {
      Api.Response r = server.api().send("GET", TestServer.v1("main") + "/me", null,
          Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString(
              credentials.getBytes(StandardCharsets.UTF_8))));
      assertThat(r.status()).as(credentials).isEqualTo(401);
      assertThat(r.code()).as(credentials).isEqualTo("token_missing");
    }
    Api.Response garbled = server.api().send("GET", TestServer.v1("main") + "/me", null,
        Map.of("Authorization", "Basic %%%"));
    assertThat(garbled.code()).isEqualTo("token_malformed");
    // managing tokens needs a sign-in, whatever the scheme
    Api.Response manage = server.api().send("GET", TestServer.v1("main") + "/me/tokens", null,
        Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            ("token:" + pat).getBytes(StandardCharsets.UTF_8))));
    assertThat(manage.status()).isEqualTo(401);
  }
}
