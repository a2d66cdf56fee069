package dev.jeton;

import dev.jeton.client.Client;
import dev.jeton.client.ClientService;
import dev.jeton.config.ConfigException;
import dev.jeton.error.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code jeton clients} commands: register OAuth clients from the command line. */
@Command(name = "clients", description = "Manage OAuth clients.",
    subcommands = {ClientsCommand.Create.class})
final class ClientsCommand {
  @CommandLine.ParentCommand
  Main main;

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Register an OAuth client and print its id (and, for a confidential client, "
          + "its secret, shown this once).")
  static final class Create implements Callable<Integer> {
    @CommandLine.ParentCommand
    ClientsCommand clients;

    @Option(names = "--account", defaultValue = "main", description = "Account id.")
    String account;

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
      Client.Type t = Client.Type.of(type);
      if (t == null) {
        System.err.println("jeton: --type must be 'confidential' or 'public'");
        return 2;
      }
      try (App app = new App(clients.main.loadConfig()).prepare()) {
        app.accounts().requireActive(account);
        ClientService.Registered reg = app.clients().create(account, new Client.Spec(name, t,
            redirectUris, grantTypes.isEmpty() ? List.of(Client.AUTHORIZATION_CODE) : grantTypes,
            scopes, null, null, Client.Lifetimes.NONE, idTokenAlg));
        System.out.println("client_id: " + reg.client().clientId());
        if (reg.secret() != null) {
          System.out.println("client_secret: " + reg.secret());
          System.out.println("(the secret is shown only now; store it safely)");
        }
        return 0;
      } catch (ConfigException e) {
        return Main.configError(e);
      } catch (ApiException e) {
        System.err.println("jeton: " + e.code().code() + ": " + e.detail());
        for (ApiException.FieldError f : e.errors()) {
          System.err.println("  " + f.field() + ": " + f.detail());
        }
        return 1;
      }
    }
  }
}
