package dev.jeton;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testing.JetonProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A graceful stop (SIGTERM) writes every log line to the end: the access line of the last
 * request and the shutdown's own lines, "Jeton stopped" last (docs/operations.md#shutdown). The
 * log writer runs on a thread of its own, so this needs the process to stop logging only after
 * the server has stopped.
 */
class ShutdownLogTest {
  @Test
  void sigtermWhenServingThenTheLastRequestAndJetonStoppedAreInTheLog(@TempDir Path dir)
      throws Exception {
    int port = JetonProcess.freePort();
    String base = "http://127.0.0.1:" + port;
    Map<String, String> env = JetonProcess.sqliteSettings(port, dir);
    JetonProcess server = JetonProcess.start(env, base, dir.resolve("jeton.log"),
        Duration.ofSeconds(90));
    HttpResponse<Void> last = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(base + "/the-last-request")).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(last.statusCode()).isEqualTo(404);

    assertThat(server.stop()).as("exit status after SIGTERM").isEqualTo(128 + 15);
    String log = server.log();
    assertThat(log).contains("\"path\":\"/the-last-request\"");
    String lastLine = log.strip().lines().reduce((a, b) -> b).orElseThrow();
    assertThat(lastLine).as("the last line of the log").contains(JetonProcess.STOPPED_LINE);
  }
}
