package dev.jeton.client;

import dev.jeton.config.Config;
import dev.jeton.token.Scope;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A registered OAuth 2.0 client (RFC 6749 2) of one account: its Jeton-generated id, its settings,
 * and for confidential clients the SHA-256 hash of its secret (never the secret itself).
 */
public record Client(String clientId, String accountId, Spec spec, String secretHash,
    long createdAt, long updatedAt, Long secretRotatedAt) {

  /** The prefix of every client id; user ids start with {@code usr_}, so the two never collide. */
  public static final String ID_PREFIX = "cli_";

  public static final String AUTHORIZATION_CODE = "authorization_code";
  public static final String REFRESH_TOKEN = "refresh_token";
  public static final String CLIENT_CREDENTIALS = "client_credentials";
  public static final String DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";
  /** Token exchange (RFC 8693 2.1). */
  public static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

  /** The grant types a client may register. */
  public static final List<String> GRANT_TYPES = List.of(AUTHORIZATION_CODE, REFRESH_TOKEN,
      CLIENT_CREDENTIALS, DEVICE_CODE, TOKEN_EXCHANGE);

  /** RFC 6749 2.1: whether the client can keep a secret. */
  public enum Type {
    CONFIDENTIAL, PUBLIC;

    /** The wire and column value: {@code confidential} or {@code public}. */
    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The type named {@code value}, or null. */
    public static Type of(String value) {
      for (Type t : values()) {
        if (t.value().equals(value)) {
          return t;
        }
      }
      return null;
    }
  }

  /**
   * Per-client lifetime overrides in seconds (null: the account's default); {@code refreshGrace}
   * is the client's opt-in refresh grace window (0 to 60 s).
   */
  public record Lifetimes(Long accessToken, Long refreshToken, Long refreshGrace) {
    public static final Lifetimes NONE = new Lifetimes(null, null, null);

    public Lifetimes(Long accessToken, Long refreshToken) {
      this(accessToken, refreshToken, null);
    }
  }

  /**
   * The JWS algorithms a client may ask its ID tokens in ({@code id_token_signed_response_alg},
   * OIDC Registration 2): those Jeton signs with.
   */
  public static final List<String> ID_TOKEN_ALGS = List.of("RS256", "ES256", "ES384", "PS256");

  /** OIDC's default ID token algorithm, which every relying party supports (OIDC Core 15.1). */
  public static final String DEFAULT_ID_TOKEN_ALG = "RS256";

  /**
   * The settings an admin chooses; checked by {@link ClientRules} before they are stored.
   *
   * @param idTokenAlg the algorithm of the client's ID tokens, null for {@link
   *     #DEFAULT_ID_TOKEN_ALG}
   * @param resources the resource servers (RFC 8707 resource indicators) the client may ask
   *     tokens for; without any, its tokens are meant for the client itself
   * @param resourceUri for a client that is itself a resource server: its resource indicator;
   *     it may introspect the tokens meant for it (RFC 7662 4). Null for none
   */
  public record Spec(String name, Type type, List<String> redirectUris, List<String> grantTypes,
      List<String> scopes, String logoUri, String clientUri, Lifetimes lifetimes,
      String idTokenAlg, List<String> resources, String resourceUri) {
    public Spec {
      redirectUris = redirectUris == null ? List.of() : List.copyOf(redirectUris);
      grantTypes = grantTypes == null ? List.of() : List.copyOf(grantTypes);
      scopes = scopes == null ? List.of() : List.copyOf(scopes);
      lifetimes = lifetimes == null ? Lifetimes.NONE : lifetimes;
      resources = resources == null ? List.of() : List.copyOf(resources);
    }

    /** Settings without resource servers. */
    public Spec(String name, Type type, List<String> redirectUris, List<String> grantTypes,
        List<String> scopes, String logoUri, String clientUri, Lifetimes lifetimes,
        String idTokenAlg) {
      this(name, type, redirectUris, grantTypes, scopes, logoUri, clientUri, lifetimes,
          idTokenAlg, List.of(), null);
    }

    /** Settings with ID tokens in the default algorithm and without resource servers. */
    public Spec(String name, Type type, List<String> redirectUris, List<String> grantTypes,
        List<String> scopes, String logoUri, String clientUri, Lifetimes lifetimes) {
      this(name, type, redirectUris, grantTypes, scopes, logoUri, clientUri, lifetimes, null);
    }

    /** The algorithm the client's ID tokens are signed with. */
    public String idTokenAlgOrDefault() {
      return idTokenAlg != null ? idTokenAlg : DEFAULT_ID_TOKEN_ALG;
    }
  }

  public boolean isPublic() {
    return spec.type() == Type.PUBLIC;
  }

  public boolean allowsGrant(String grantType) {
    return spec.grantTypes().contains(grantType);
  }

  /**
   * The lifetimes of this client's tokens: the account's, with the client's own access and
   * refresh token lifetimes and refresh grace window where it has them.
   */
  public Config.Lifetimes lifetimes(Config.Lifetimes accountDefaults) {
    Lifetimes own = spec.lifetimes();
    return new Config.Lifetimes(
        own.accessToken() != null ? Duration.ofSeconds(own.accessToken())
            : accountDefaults.accessToken(),
        own.refreshToken() != null ? Duration.ofSeconds(own.refreshToken())
            : accountDefaults.refreshToken(),
        accountDefaults.refreshTokenIdle(), accountDefaults.adminSession(),
        own.refreshGrace() != null ? Duration.ofSeconds(own.refreshGrace())
            : accountDefaults.refreshGrace(), accountDefaults.authorizationCode());
  }

  /** The registered scopes, in registration order (RFC 6749 3.3). */
  public Scope scope() {
    return Scope.of(spec.scopes());
  }
}
