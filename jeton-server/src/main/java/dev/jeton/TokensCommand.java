package dev.jeton;

import dev.jeton.account.Account;
import dev.jeton.config.ConfigException;
import dev.jeton.error.ApiException;
import dev.jeton.pat.Owner;
import dev.jeton.pat.Pat;
import dev.jeton.pat.PatService;
import dev.jeton.pat.ServicePrincipal;
import dev.jeton.store.Page;
import dev.jeton.token.Scope;
import dev.jeton.user.User;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code jeton tokens} commands: create, list and revoke personal access tokens of a user or a
 * service principal on the configured database, with the rules of the API
 * ({@link PatService}): the account's policy, the owner's rights, the per-owner limit; and
 * inspect any token with the token doctor, as an admin of its account would
 * (docs/diagnose.md).
 */
@Command(name = "tokens", mixinStandardHelpOptions = true,
    description = "Manage personal access tokens of users and service principals.",
    subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class,
        TokensCommand.Revoke.class, TokensCommand.Inspect.class})
final class TokensCommand {
  @CommandLine.ParentCommand
  Main main;

  /** Exactly one owner: a user by email or a service principal by id. */
  static final class OwnerOption {
    @Option(names = "--user", required = true, description = "The owner: a user's email.")
    String userEmail;

    @Option(names = "--principal", required = true,
        description = "The owner: a service principal's id (spn_...).")
    String principalId;
  }

  private abstract static class Task implements Callable<Integer> {
    @CommandLine.ParentCommand
    TokensCommand tokens;

    @Option(names = "--account", defaultValue = "main", description = "Account id (default main).")
    String account;

    @ArgGroup(exclusive = true, multiplicity = "1")
    OwnerOption owner;

    abstract void run(App app, Account account, Owner owner, String role, PrintStream out);

    @Override
    public Integer call() {
      try (App app = new App(tokens.main.loadConfig()).prepare()) {
        Account a = app.accounts().requireActive(account);
        if (owner.userEmail != null) {
          User u = app.users().store().byEmail(a.id(),
              dev.jeton.user.UserService.validEmail(owner.userEmail)).orElse(null);
          if (u == null) {
            System.err.println("jeton: no user " + owner.userEmail + " in account " + a.id());
            return 1;
          }
          run(app, a, Owner.user(u.id()), u.role(), System.out);
        } else {
          ServicePrincipal p = app.principals().get(a, owner.principalId);
          run(app, a, p.owner(), Owner.PRINCIPAL, System.out);
        }
        return 0;
      } catch (ConfigException e) {
        return Main.configError(e);
      } catch (ApiException e) {
        return Main.apiError(e);
      }
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a personal access token and print it (shown this once).")
  static final class Create extends Task {
    @Option(names = "--comment", defaultValue = "", description = "What the token is for.")
    String comment;

    @Option(names = "--lifetime", description = "Lifetime in seconds (default: the account's; "
        + "0: no expiry, where the account allows it).")
    Long lifetime;

    @Option(names = "--scope", description = "A scope (repeatable; default user for users, "
        + "admin for service principals).")
    List<String> scopes = new ArrayList<>();

    @Override
    void run(App app, Account account, Owner owner, String role, PrintStream out) {
      Scope scope = scopes.isEmpty() ? PatService.defaultScope(role) : Scope.of(scopes);
      PatService.Created c = app.pats().create(account, owner, role, comment.strip(), scope,
          lifetime);
      out.println("id: " + c.pat().id());
      out.println("token: " + c.secret());
      out.println("expires_at: " + (c.pat().expiresAt() == null ? "never"
          : Instant.ofEpochMilli(c.pat().expiresAt())));
      out.println("(the token is shown only now; store it safely)");
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the owner's tokens, newest first (never their secrets).")
  static final class ListTokens extends Task {
    @Option(names = "--all", description = "Also revoked and expired tokens.")
    boolean all;

    @Override
    void run(App app, Account account, Owner owner, String role, PrintStream out) {
      String cursor = null;
      do {
        Page<Pat> page = app.pats().list(account, owner, cursor, 200, all);
        for (Pat p : page.items()) {
          out.println(p.id() + "\t" + app.pats().status(p) + "\t" + p.scope().render() + "\t"
              + Instant.ofEpochMilli(p.createdAt()) + "\t"
              + (p.expiresAt() == null ? "never" : Instant.ofEpochMilli(p.expiresAt())) + "\t"
              + p.comment());
        }
        cursor = page.nextCursor();
      } while (cursor != null);
    }
  }

  @Command(name = "inspect", mixinStandardHelpOptions = true,
      description = "Say why a token is refused (the token doctor, as an admin of the account). "
          + "Reads the token from standard input unless it is given (a token in a command line "
          + "can end up in the shell's history).")
  static final class Inspect implements Callable<Integer> {
    @CommandLine.ParentCommand
    TokensCommand tokens;

    @Option(names = "--account", defaultValue = "main", description = "Account id (default main).")
    String account;

    @Parameters(arity = "0..1", description = "The token; read from standard input if absent.")
    String token;

    @Override
    public Integer call() {
      try (App app = new App(tokens.main.loadConfig()).prepare()) {
        String t = token;
        if (t == null) {
          t = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
              java.nio.charset.StandardCharsets.UTF_8)).readLine();
        }
        if (t == null || t.isBlank()) {
          System.err.println("jeton: give the token, or send it on standard input");
          return 2;
        }
        Account a = app.accounts().requireActive(account);
        dev.jeton.doctor.TokenDoctor.Diagnosis d = app.doctor().diagnose(a, t,
            new dev.jeton.doctor.TokenDoctor.Caller("jeton-cli", true));
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>(d.shown());
        out.put("explained", d.explained());
        System.out.println(dev.jeton.http.Json.MAPPER.writerWithDefaultPrettyPrinter()
            .writeValueAsString(out));
        return 0;
      } catch (ConfigException e) {
        return Main.configError(e);
      } catch (ApiException e) {
        return Main.apiError(e);
      } catch (java.io.IOException e) {
        System.err.println("jeton: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revoke one of the owner's tokens by id, or all of them with --all.")
  static final class Revoke extends Task {
    @Parameters(arity = "0..1", description = "The token id (pat_...).")
    String tokenId;

    @Option(names = "--all", description = "Revoke every live token of the owner.")
    boolean all;

    @Override
    void run(App app, Account account, Owner owner, String role, PrintStream out) {
      if (all == (tokenId != null)) {
        throw new ApiException(dev.jeton.error.ErrorCode.VALIDATION_FAILED,
            "Name one token id, or --all, not both.");
      }
      if (all) {
        out.println("revoked " + app.pats().revokeAll(account, owner, "revoked_by_admin")
            + " tokens");
      } else {
        app.pats().revoke(account, owner, tokenId);
        out.println("revoked " + tokenId);
      }
    }
  }
}
