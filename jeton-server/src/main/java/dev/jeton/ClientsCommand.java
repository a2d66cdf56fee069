package dev.jeton;

import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.config.ConfigException;
import dev.jeton.error.ApiException;
import dev.jeton.observe.Audit;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code jeton clients} commands: register, list, rotate the secret of and delete OAuth
 * clients from the command line, with the rules and effects of the clients API
 * ({@link ClientService}).
 */
@Command(name = "clients", mixinStandardHelpOptions = true, description = "Manage OAuth clients.",
    subcommands = {ClientsCommand.Create.class, ClientsCommand.ListClients.class,
        ClientsCommand.RotateSecret.class, ClientsCommand.Delete.class})
final class ClientsCommand {
  @CommandLine.ParentCommand
  Main main;

  /** One client command: opens the application on the configured database, runs, reports. */
  private abstract static class Task implements Callable<Integer> {
    @CommandLine.ParentCommand
    ClientsCommand clients;

    @Option(names = "--account", defaultValue = "main", description = "Account id (default main).")
    String account;

    abstract void run(App app, PrintStream out);

    @Override
    public Integer call() {
      try (App app = new App(clients.main.loadConfig()).prepare()) {
        app.accounts().requireActive(account);
        run(app, System.out);
        return 0;
      } catch (ConfigException e) {
        return Main.configError(e);
      } catch (ApiException e) {
        return Main.apiError(e);
      }
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Register an OAuth client and print its id (and, for a confidential client, "
          + "its secret, shown this once).")
  static final class Create extends Task {
    @Option(names = "--name", required = true, description = "Display name.")
    String name;

    @Option(names = "--type", required = true, description = "confidential or public.")
    String type;

    @Option(names = "--redirect-uri", description = "A redirect URI (repeatable).")
    List<String> redirectUris = new ArrayList<>();

    @Option(names = "--grant-type", description = "A grant type (repeatable; default "
        + "authorization_code).")
    List<String> grantTypes = new ArrayList<>();

    @Option(names = "--scope", description = "A scope the client may request (repeatable).")
    List<String> scopes = new ArrayList<>();

    @Option(names = "--id-token-alg", description = "JWS algorithm of the client's ID tokens: "
        + "RS256 (the default), ES256, ES384 or PS256.")
    String idTokenAlg;

    @Override
    public Integer call() {
      if (Client.Type.of(type) == null) {
        System.err.println("jeton: --type must be 'confidential' or 'public'");
        return 2;
      }
      return super.call();
    }

    @Override
    void run(App app, PrintStream out) {
      ClientService.Registered reg = app.clients().create(account, new Client.Spec(name,
          Client.Type.of(type), redirectUris,
          grantTypes.isEmpty() ? List.of(Client.AUTHORIZATION_CODE) : grantTypes, scopes, null,
          null, Client.Lifetimes.NONE, idTokenAlg));
      Audit.event("client_created", "account", account, "client_id", reg.client().clientId(),
          "type", reg.client().spec().type().value(), "by", "cli");
      out.println("client_id: " + reg.client().clientId());
      if (reg.secret() != null) {
        out.println("client_secret: " + reg.secret());
        out.println("(the secret is shown only now; store it safely)");
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the account's OAuth clients, one per line: id, type, grant types, "
          + "name.")
  static final class ListClients extends Task {
    @Override
    void run(App app, PrintStream out) {
      List<Client> all = app.clients().list(account);
      for (Client c : all) {
        out.println(c.clientId() + "\t" + c.spec().type().value() + "\t"
            + String.join(",", c.spec().grantTypes()) + "\t" + c.spec().name());
      }
      if (all.isEmpty()) {
        System.err.println("(no clients in account " + account + ")");
      }
    }
  }

  @Command(name = "rotate-secret", mixinStandardHelpOptions = true,
      description = "Give a confidential client a new secret and print it (shown this once); "
          + "the previous secret stops working at once.")
  static final class RotateSecret extends Task {
    @Parameters(paramLabel = "CLIENT_ID", description = "The client's id (cli_...).")
    String clientId;

    @Override
    void run(App app, PrintStream out) {
      String secret = app.clients().rotateSecret(account, clientId);
      Audit.event("client_secret_rotated", "account", account, "client_id", clientId,
          "by", "cli");
      out.println("client_id: " + clientId);
      out.println("client_secret: " + secret);
      out.println("(the secret is shown only now; the previous one no longer works)");
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a client: its secret stops working, its sessions are revoked and "
          + "the users' consent to it is forgotten.")
  static final class Delete extends Task {
    @Parameters(paramLabel = "CLIENT_ID", description = "The client's id (cli_...).")
    String clientId;

    @Override
    void run(App app, PrintStream out) {
      app.clients().delete(account, clientId);
      Audit.event("client_deleted", "account", account, "client_id", clientId, "by", "cli");
      out.println("deleted " + clientId);
    }
  }
}
