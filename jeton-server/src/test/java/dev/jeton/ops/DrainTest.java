package dev.jeton.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.config.Setting;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.TestServer;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stopping node drains (docs/operations.md#shutdown): for {@code JETON_SHUTDOWN_DRAIN} its
 * readiness answers 503 {@code draining} while it still serves every request, so that a load
 * balancer takes it out before it stops accepting connections.
 */
class DrainTest {
  @Test
  void aStoppingNodeFailsReadinessWhileItStillServesThenStops() throws Exception {
    TestServer server = TestServer.start(Engine.SQLITE, Map.of(Setting.SHUTDOWN_DRAIN, "2s"));
    Api api = server.api();
    assertThat(api.get("/health/ready").status()).isEqualTo(200);
    long t0 = System.nanoTime();
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);

    Api.Response ready = api.get("/health/ready");
    for (int i = 0; i < 100 && ready.status() == 200; i++) {
      Thread.sleep(10);
      ready = api.get("/health/ready");
    }
    assertThat(ready.status()).as(ready.toString()).isEqualTo(503);
    assertThat(ready.json().path("status").asText()).isEqualTo("draining");
    // still serving: a request sent now is answered as usual
    assertThat(api.get("/").status()).isEqualTo(200);
    assertThat(api.get("/accounts/main/.well-known/openid-configuration").status())
        .isEqualTo(200);

    stopping.get(30, TimeUnit.SECONDS);
    assertThat((System.nanoTime() - t0) / 1_000_000).as("the drain lasted its 2 s")
        .isGreaterThanOrEqualTo(2_000);
    URI base = URI.create(api.base());
    assertThatThrownBy(() -> new java.net.Socket(base.getHost(), base.getPort()).close())
        .as("stopped: nothing listens any more").isInstanceOf(java.io.IOException.class);
  }
}
