package dev.jeton.bench;

import dev.jeton.App;
import dev.jeton.config.Config;
import dev.jeton.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Jeton as {@code java -jar jeton.jar} runs it (configuration from the {@code JETON_*}
 * environment), plus a trigger for the purge benchmark: whenever the file {@code <trigger>}
 * appears, it is deleted and one purge run starts at once, in the server's own process, writing
 * through its write queue as the scheduled purge does. The run's log line ("purge finished")
 * says what it removed and how long it took. Set {@code JETON_PURGE_INTERVAL=0} so that only the
 * trigger starts runs. Usage: {@code java -cp benchmarks.jar dev.jeton.bench.PurgeServer
 * <trigger>}
 */
public final class PurgeServer {
  private PurgeServer() {}

  public static void main(String[] args) throws Exception {
    Path trigger = Path.of(args[0]);
    Config config = ConfigLoader.load(null, System.getenv());
    App app = new App(config).start();
    Runtime.getRuntime().addShutdownHook(new Thread(app::close));
    while (true) {
      if (Files.deleteIfExists(trigger)) {
        try {
          app.purge().run();
        } catch (RuntimeException e) {
          // logged by the purge
        }
      }
      Thread.sleep(20);
    }
  }
}
