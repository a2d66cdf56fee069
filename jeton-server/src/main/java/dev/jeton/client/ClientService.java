package dev.jeton.client;

import com.nimbusds.jose.JWSAlgorithm;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Text;
import dev.jeton.session.SessionService;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.Issuers;
import dev.jeton.token.KeyRing;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.TokenKind;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Registration of an account's OAuth clients: create, read, update, delete and secret rotation.
 * Jeton generates every client id and secret; a secret is answered once and stored only as its
 * SHA-256 hash (docs/security.md#client-secret-hashed, docs/security.md#client-ids-not-users). A
 * client exists only inside its account: asked for from any other account it is
 * {@code client_not_found}.
 */
public final class ClientService {
  private final ClientStore store;
  private final OpaqueTokens tokens;
  private final KeyRing keys;
  private final SessionService sessions;
  private final Clock clock;
  /**
   * Clients recently used to authenticate, for two seconds: changes made through this node are
   * seen at once, other nodes see a rotated secret or a deleted client within two seconds.
   * Unknown client ids are never cached.
   */
  private final com.github.benmanes.caffeine.cache.Cache<String, Client> recent =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
          .maximumSize(10_000)
          .expireAfterWrite(java.time.Duration.ofSeconds(2))
          .build();

  private final WriteQueue writes;
  private final Issuers issuers;

  public ClientService(Jdbi jdbi, WriteQueue writes, OpaqueTokens tokens, KeyRing keys,
      SessionService sessions, Issuers issuers, Clock clock) {
    this.issuers = issuers;
    this.store = new ClientStore(jdbi, writes);
    this.writes = writes;
    this.tokens = tokens;
    this.keys = keys;
    this.sessions = sessions;
    this.clock = clock;
    writes.caches().register("client", recent::invalidate, recent::invalidateAll);
  }

  /** A client and, for a confidential client only, its secret in clear (shown this once). */
  public record Registered(Client client, String secret) {}

  /** Registers a client in {@code accountId}; {@code validation_failed} lists every bad field. */
  public Registered create(String accountId, Client.Spec spec) {
    Client.Spec s = checked(spec);
    String secret = s.type() == Client.Type.CONFIDENTIAL ? tokens.generate(TokenKind.CS) : null;
    long now = clock.millis();
    Client c = new Client(tokens.id(Client.ID_PREFIX), accountId, s,
        secret == null ? null : OpaqueTokens.hash(secret), now, now, null);
    store.insert(c);
    publishIdTokenKey(accountId, s);
    return new Registered(c, secret);
  }

  /** Every client of the account, oldest first. */
  public List<Client> list(String accountId) {
    return store.list(accountId);
  }

  /** The client, which must belong to {@code accountId}. */
  public Client get(String accountId, String clientId) {
    return store.find(accountId, clientId).orElseThrow(() -> notFound(accountId, clientId));
  }

  /** Replaces the client's settings; its type cannot change. */
  public Client update(String accountId, String clientId, Client.Spec spec) {
    Client current = get(accountId, clientId);
    if (spec.type() != current.spec().type()) {
      throw ApiException.validation(List.of(new ApiException.FieldError("type",
          ErrorCode.FIELD_INVALID, "The type of a client cannot change (it is '"
          + current.spec().type().value() + "'); register a new client instead.")));
    }
    if (!store.update(accountId, clientId, checked(spec), clock.millis())) {
      throw notFound(accountId, clientId);
    }
    writes.caches().changed("client", key(accountId, clientId));
    publishIdTokenKey(accountId, spec);
    return get(accountId, clientId);
  }

  /**
   * Makes sure the key that will sign the client's ID tokens exists, so it is in the JWKS before
   * the first ID token names it. Only clients that may request the {@code openid} scope get ID
   * tokens.
   */
  private void publishIdTokenKey(String accountId, Client.Spec spec) {
    if (spec.scopes().contains("openid")) {
      keys.ensureIdTokenKey(accountId, JWSAlgorithm.parse(spec.idTokenAlgOrDefault()));
    }
  }

  /**
   * Deletes the client in one transaction with everything it was given: its secret stops
   * working, its sessions are revoked (so its refresh tokens are refused and introspection and
   * userinfo stop accepting its access tokens at once; local JWT validators accept the access
   * tokens until they expire), and the users' consent to it is forgotten.
   */
  public void delete(String accountId, String clientId) {
    writes.caches().changed("client", key(accountId, clientId));
    List<String> revoked = writes.submit(h -> {
      if (!ClientStore.delete(h, accountId, clientId)) {
        return null;
      }
      return sessions.revokeAllOfClient(h, accountId, clientId, "client_deleted");
    });
    // again after the commit: an authentication racing the delete may have cached it meanwhile
    writes.caches().changed("client", key(accountId, clientId));
    if (revoked == null) {
      throw notFound(accountId, clientId);
    }
    sessions.forgetCached(revoked);
  }

  /** A new secret for a confidential client; the previous one stops working at once. */
  public String rotateSecret(String accountId, String clientId) {
    Client c = get(accountId, clientId);
    if (c.isPublic()) {
      throw new ApiException(ErrorCode.CLIENT_HAS_NO_SECRET,
          "The client '" + clientId + "' is public and has no secret.");
    }
    String secret = tokens.generate(TokenKind.CS);
    if (!store.replaceSecret(accountId, clientId, OpaqueTokens.hash(secret), clock.millis())) {
      throw notFound(accountId, clientId);
    }
    writes.caches().changed("client", key(accountId, clientId));
    return secret;
  }

  /** The client for authentication, if it exists in the account (see {@link #recent}). */
  /**
   * The client whose current secret this is, in any account; empty for anything else (a
   * malformed string, a rotated-out secret).
   */
  public Optional<Client> bySecret(String secret) {
    if (OpaqueTokens.kindOf(secret) != dev.jeton.token.TokenKind.CS) {
      return Optional.empty();
    }
    return store.bySecretHash(OpaqueTokens.hash(secret));
  }

  public Optional<Client> find(String accountId, String clientId) {
    String key = key(accountId, clientId);
    Client c = recent.getIfPresent(key);
    if (c != null) {
      return Optional.of(c);
    }
    Optional<Client> found = store.find(accountId, clientId);
    found.ifPresent(f -> recent.put(key, f));
    return found;
  }

  private static String key(String accountId, String clientId) {
    return accountId + ' ' + clientId;
  }

  private Client.Spec checked(Client.Spec spec) {
    List<ApiException.FieldError> errors = ClientRules.check(spec, issuers::isOwn);
    if (!errors.isEmpty()) {
      throw ApiException.validation(errors);
    }
    return new Client.Spec(spec.name().trim(), spec.type(), spec.redirectUris(),
        spec.grantTypes(), spec.scopes(), spec.logoUri(), spec.clientUri(), spec.lifetimes(),
        spec.idTokenAlg(), spec.resources(), spec.resourceUri());
  }

  private static ApiException notFound(String accountId, String clientId) {
    return new ApiException(ErrorCode.CLIENT_NOT_FOUND,
        "There is no client '" + Text.clip(clientId) + "' in the account '" + accountId + "'.");
  }

}
