package dev.jeton.client;

import dev.jeton.store.Rows;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.Scope;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * SQL for the {@code clients} table. Every query names the account, so a client is only ever
 * found in the account that registered it.
 */
final class ClientStore {
  private static final String COLUMNS = """
      client_id, account_id, name, type, secret_hash, redirect_uris, grant_types, scopes,
      logo_uri, client_uri, access_token_ttl, refresh_token_ttl, refresh_grace, created_at,
      updated_at,
      secret_rotated_at, id_token_alg, resources, resource_uri""";

  private final Jdbi jdbi;
  private final WriteQueue writes;

  ClientStore(Jdbi jdbi, WriteQueue writes) {
    this.jdbi = jdbi;
    this.writes = writes;
  }

  Optional<Client> find(String accountId, String clientId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
            + " FROM clients WHERE account_id = :account AND client_id = :id")
        .bind("account", accountId).bind("id", clientId)
        .map((rs, ctx) -> map(rs)).findOne());
  }

  /** The client whose secret has this hash, in any account. */
  Optional<Client> bySecretHash(String hash) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
            + " FROM clients WHERE secret_hash = :hash")
        .bind("hash", hash).map((rs, ctx) -> map(rs)).findOne());
  }

  List<Client> list(String accountId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
            + " FROM clients WHERE account_id = :account ORDER BY created_at, client_id")
        .bind("account", accountId).map((rs, ctx) -> map(rs)).list());
  }

  void insert(Client c) {
    writes.submit(h -> bindSpec(h.createUpdate("""
            INSERT INTO clients (client_id, account_id, name, type, secret_hash, redirect_uris,
                                 grant_types, scopes, logo_uri, client_uri, access_token_ttl,
                                 refresh_token_ttl, refresh_grace, id_token_alg, resources,
                                 resource_uri, created_at, updated_at)
            VALUES (:id, :account, :name, :type, :hash, :redirects, :grants, :scopes, :logo,
                    :uri, :at, :rt, :grace, :idalg, :resources, :resource_uri, :created,
                    :updated)"""), c.spec())
        .bind("id", c.clientId()).bind("account", c.accountId())
        .bind("hash", c.secretHash()).bind("created", c.createdAt())
        .bind("updated", c.updatedAt())
        .execute());
  }

  /** Replaces the settings (never the type or the secret); false when there is no such client. */
  boolean update(String accountId, String clientId, Client.Spec spec, long now) {
    return writes.submit(h -> bindSpec(h.createUpdate("""
            UPDATE clients SET name = :name, redirect_uris = :redirects, grant_types = :grants,
                   scopes = :scopes, logo_uri = :logo, client_uri = :uri,
                   access_token_ttl = :at, refresh_token_ttl = :rt, refresh_grace = :grace,
                   id_token_alg = :idalg, resources = :resources,
                   resource_uri = :resource_uri, updated_at = :updated
            WHERE account_id = :account AND client_id = :id"""), spec)
        .bind("account", accountId).bind("id", clientId).bind("updated", now)
        .execute()) == 1;
  }

  /** Replaces a confidential client's secret hash; false when there is no such client. */
  boolean replaceSecret(String accountId, String clientId, String hash, long now) {
    return writes.submit(h -> h.createUpdate("""
            UPDATE clients SET secret_hash = :hash, secret_rotated_at = :now, updated_at = :now
            WHERE account_id = :account AND client_id = :id AND type = 'confidential'""")
        .bind("account", accountId).bind("id", clientId).bind("hash", hash).bind("now", now)
        .execute()) == 1;
  }


  /**
   * Deletes the client and the consent users gave it, inside the caller's transaction; false
   * when there is no such client.
   */
  static boolean delete(Handle h, String accountId, String clientId) {
    if (h.createUpdate("DELETE FROM clients WHERE account_id = :account AND client_id = :id")
        .bind("account", accountId).bind("id", clientId).execute() != 1) {
      return false;
    }
    h.createUpdate("DELETE FROM grants WHERE account_id = :account AND client_id = :id")
        .bind("account", accountId).bind("id", clientId).execute();
    return true;
  }

  private static <T extends SqlStatement<T>> T bindSpec(T st, Client.Spec s) {
    return st.bind("name", s.name()).bind("type", s.type().value())
        .bind("redirects", String.join("\n", s.redirectUris()))
        .bind("grants", String.join(" ", s.grantTypes()))
        .bind("scopes", Scope.of(s.scopes()).render())
        .bind("logo", s.logoUri()).bind("uri", s.clientUri())
        .bind("at", s.lifetimes().accessToken()).bind("rt", s.lifetimes().refreshToken())
        .bind("grace", s.lifetimes().refreshGrace())
        .bind("idalg", s.idTokenAlg())
        .bind("resources", String.join("\n", s.resources()))
        .bind("resource_uri", s.resourceUri());
  }

  private static Client map(ResultSet rs) throws SQLException {
    Client.Spec spec = new Client.Spec(rs.getString("name"), Client.Type.of(rs.getString("type")),
        split(rs.getString("redirect_uris"), "\n"), split(rs.getString("grant_types"), " "),
        Scope.parse(rs.getString("scopes")).values(), rs.getString("logo_uri"),
        rs.getString("client_uri"),
        new Client.Lifetimes(Rows.longOrNull(rs, "access_token_ttl"),
            Rows.longOrNull(rs, "refresh_token_ttl"), Rows.longOrNull(rs, "refresh_grace")),
        rs.getString("id_token_alg"), split(rs.getString("resources"), "\n"),
        rs.getString("resource_uri"));
    return new Client(rs.getString("client_id"), rs.getString("account_id"), spec,
        rs.getString("secret_hash"), rs.getLong("created_at"), rs.getLong("updated_at"),
        Rows.longOrNull(rs, "secret_rotated_at"));
  }

  private static List<String> split(String joined, String separator) {
    return joined.isEmpty() ? List.of() : Arrays.asList(joined.split(separator, -1));
  }

}
