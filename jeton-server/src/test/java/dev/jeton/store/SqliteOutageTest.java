package dev.jeton.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SQLite on a full disk (docs/operations.md#database-outages). Writes answer 503 with Retry-After, never a 500; reads that need
 * no write keep working; and the server writes again by itself once the cause is gone.
 */
class SqliteOutageTest {
  private static final String PASSWORD = "a long enough password 1";

  TestServer server;
  Api api;

  @BeforeEach
  void start() {
    server = TestServer.start(Engine.SQLITE);
    api = server.api();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Api.Response register(int i) {
    return server.register("main", "user" + i + "@example.com", PASSWORD);
  }

  private static void assertUnavailable(Api.Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(503);
    assertThat(r.code()).isEqualTo("service_unavailable");
    assertThat(r.header("Retry-After").orElse("")).matches("[1-9][0-9]*");
    assertThat(r.body()).doesNotContainIgnoringCase("sqlite").doesNotContainIgnoringCase("sql");
  }

  @Test
  void diskFullThenWritesAnswer503ReadsStillWorkAndWritesResumeWhenSpaceReturns() {
    Api.Response first = register(0);
    assertThat(first.status()).isEqualTo(201);
    String access = first.text("access_token");
    WriteQueue writes = server.app().writes();
    // The writer's connection may not grow the file any more: SQLite answers SQLITE_FULL exactly
    // as on a full disk.
    writes.submit(h -> h.execute("PRAGMA max_page_count = "
        + h.createQuery("PRAGMA page_count").mapTo(Long.class).one()));

    Api.Response refused = null;
    for (int i = 1; i <= 200 && refused == null; i++) {
      Api.Response r = register(i);
      if (r.status() != 201) {
        refused = r;
      }
    }
    assertThat(refused).as("the database filled up").isNotNull();
    assertUnavailable(refused);
    assertThat(api.get(TestServer.v1("main") + "/me", access).status())
        .as("a read needs no space").isEqualTo(200);

    writes.submit(h -> h.execute("PRAGMA max_page_count = 1073741823"));
    assertThat(register(1000).status()).as("space came back").isEqualTo(201);
  }
}
