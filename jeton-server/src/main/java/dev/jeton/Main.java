package dev.jeton;

import dev.jeton.config.Config;
import dev.jeton.config.ConfigException;
import dev.jeton.config.StartRefused;
import dev.jeton.config.ConfigLoader;
import dev.jeton.config.Setting;
import dev.jeton.error.ErrorCatalogDoc;
import dev.jeton.observe.Logging;
import dev.jeton.token.KeyRing;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code jeton} command line: {@code serve} (the default) and admin tasks. */
@Command(name = "jeton", mixinStandardHelpOptions = true, version = "Jeton 0.1.0",
    description = "Self-hosted token and identity server for APIs.",
    subcommands = {Main.Serve.class, Main.SetupLink.class, Main.RotateKeys.class,
        Main.Errors.class, Main.Settings.class, ClientsCommand.class, TokensCommand.class})
public final class Main implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, description = "Properties file (also JETON_CONFIG_FILE).",
      scope = CommandLine.ScopeType.INHERIT)
  Path configFile;

  public static void main(String[] args) {
    int status = run(args);
    Logging.stop(); // a command's last lines (audit events) are written before the JVM exits
    System.exit(status);
  }

  /**
   * Runs a command line. With no arguments at all (the README's plain {@code java -jar}) the
   * server starts without building the command-line model, whose reflection over every command
   * costs a tenth of a start; what goes wrong is reported as picocli would.
   */
  static int run(String[] args) {
    if (args.length > 0) {
      return new CommandLine(new Main()).execute(args);
    }
    try {
      return new Main().call();
    } catch (RuntimeException e) {
      e.printStackTrace();
      return 1;
    }
  }

  /** With no subcommand, serve. */
  @Override
  public Integer call() {
    return new Serve().run(this);
  }

  Config loadConfig() {
    Path file = configFile;
    if (file == null && System.getenv("JETON_CONFIG_FILE") != null) {
      file = Path.of(System.getenv("JETON_CONFIG_FILE"));
    }
    Config config = ConfigLoader.load(file, System.getenv());
    System.setProperty("jeton.log.format", config.logging().format());
    return config;
  }

  /** Reports an API refusal of an admin command (its code, detail and fields); exit status 1. */
  static int apiError(dev.jeton.error.ApiException e) {
    System.err.println("jeton: " + e.code().code() + ": " + e.detail());
    for (dev.jeton.error.ApiException.FieldError f : e.errors()) {
      System.err.println("  " + f.field() + ": " + f.detail());
    }
    return 1;
  }

  static int configError(ConfigException e) {
    System.err.println("jeton: configuration error: " + e.getMessage());
    return 2;
  }

  @Command(name = "serve", description = "Run the server (the default command).")
  static final class Serve implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main parent;

    @Override
    public Integer call() {
      return run(parent);
    }

    int run(Main main) {
      Config config;
      try {
        config = main.loadConfig();
      } catch (ConfigException e) {
        return configError(e);
      }
      App app;
      try {
        app = new App(config).start();
      } catch (ConfigException e) {
        return configError(e);
      } catch (StartRefused e) {
        System.err.println("jeton: cannot start: " + e.getMessage());
        return 2;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          app.close();
        } finally {
          Logging.stop(); // after the server's last line ("Jeton stopped"), not beside it
          stopped.countDown();
        }
      }, "jeton-shutdown"));
      String link = app.firstAdminLink();
      if (link != null) {
        PrintStream out = System.out;
        out.println();
        out.println("  Jeton has no admin yet. Open this one-time link to create the first admin of"
            + " 'main':");
        out.println();
        out.println("    " + link);
        out.println();
        out.println("  (or set JETON_BOOTSTRAP_ADMIN_EMAIL and JETON_BOOTSTRAP_ADMIN_PASSWORD)");
        out.println();
        out.flush();
      }
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }
  }

  @Command(name = "setup-link",
      description = "Print a new one-time link that creates an account's first admin.")
  static final class SetupLink implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main parent;

    @Option(names = "--account", defaultValue = "main", description = "Account id.")
    String account;

    @Override
    public Integer call() {
      try (App app = new App(parent.loadConfig()).prepare()) {
        System.out.println(app.newSetupLink(account));
        return 0;
      } catch (ConfigException e) {
        return configError(e);
      }
    }
  }

  @Command(name = "rotate-keys", description = "Rotate an account's signing keys now.")
  static final class RotateKeys implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main parent;

    @Option(names = "--account", defaultValue = "main", description = "Account id.")
    String account;

    @Override
    public Integer call() {
      try (App app = new App(parent.loadConfig()).prepare()) {
        boolean rotated = app.rotateKeys(account);
        System.out.println(rotated ? "rotated signing keys of " + account
            : "another node rotated the keys of " + account + " at the same moment");
        java.time.Instant from = app.keyRing().signingFrom(account);
        if (from != null && from.isAfter(java.time.Instant.now())) {
          // docs/operations.md#signing-keys: a key signs once published for 330 s
          java.time.temporal.ChronoUnit s = java.time.temporal.ChronoUnit.SECONDS;
          System.out.println("the new key signs from " + from.truncatedTo(s) + ", once it has"
              + " been published for " + KeyRing.PUBLISHED_BEFORE_SIGNING.toSeconds() + " s"
              + " (since " + from.minus(KeyRing.PUBLISHED_BEFORE_SIGNING).truncatedTo(s)
              + "); until then the newest key published that long signs");
        } else if (from != null) {
          System.out.println("the new key signs now");
        }
        return 0;
      } catch (ConfigException e) {
        return configError(e);
      }
    }
  }

  @Command(name = "errors", description = "Print the error catalog as Markdown (docs/errors.md).")
  static final class Errors implements Callable<Integer> {
    @Override
    public Integer call() {
      System.out.print(ErrorCatalogDoc.markdown());
      return 0;
    }
  }

  @Command(name = "settings", description = "Print every configuration setting as Markdown.")
  static final class Settings implements Callable<Integer> {
    @Override
    public Integer call() {
      System.out.println("| environment variable | file key | default | meaning |");
      System.out.println("|---|---|---|---|");
      for (Setting s : Setting.values()) {
        System.out.println("| `" + s.envName() + "` | `" + s.fileKey() + "` | "
            + (s.defaultValue().isEmpty() ? "(unset)" : "`" + s.defaultValue() + "`") + " | "
            + s.description() + " |");
      }
      return 0;
    }
  }
}
