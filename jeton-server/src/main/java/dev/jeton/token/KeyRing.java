package dev.jeton.token;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every account's signing keys: generation, sealing at rest, rotation with overlap and the JWKS.
 *
 * <p>An account always has a {@code current} key (signs), a {@code next} key (published in the
 * JWKS a whole rotation period before it signs, so validators that cache the JWKS already know
 * it) and zero or more {@code previous} keys (verify only, until every token they signed has
 * expired). Keys are cached per account and reloaded every 30 seconds, so a rotation on one node
 * reaches the others within that time.
 */
public final class KeyRing {
  private static final Logger LOG = LoggerFactory.getLogger(KeyRing.class);

  private final SigningKeyStore store;
  private final Jdbi jdbi;
  private final MasterKey masterKey;
  private final OpaqueTokens ids;
  private final Clock clock;
  private final LoadingCache<String, AccountKeys> cache;

  /** The usable keys of one account, with its JWKS document rendered once. */
  /** The keys of an account that has none (an unknown account). */
  public static final AccountKeys NONE = new AccountKeys(null, Map.of(), Set.of(),
      "{\"keys\":[]}", Long.MAX_VALUE);

  public record AccountKeys(SigningKey current, Map<String, SigningKey> verifiable,
      Set<String> retiredKids, String jwksJson, long loadedAt) {
    SigningKey verifierFor(String kid) {
      return verifiable.get(kid);
    }
  }

  public KeyRing(Jdbi jdbi, MasterKey masterKey, OpaqueTokens ids, Clock clock) {
    this.jdbi = jdbi;
    this.store = new SigningKeyStore(jdbi);
    this.masterKey = masterKey;
    this.ids = ids;
    this.clock = clock;
    this.cache = Caffeine.newBuilder()
        .maximumSize(10_000)
        .refreshAfterWrite(Duration.ofSeconds(30))
        .build(this::load);
  }

  /** Creates the current and next keys of a new account inside the caller's transaction. */
  public void createInitialKeys(org.jdbi.v3.core.Handle h, String accountId, String alg) {
    long now = clock.millis();
    SigningKeyStore.insert(h, newKey(accountId, alg, SigningKeyStore.CURRENT, now));
    SigningKeyStore.insert(h, newKey(accountId, alg, SigningKeyStore.NEXT, now + 1));
  }

  /**
   * The account's keys, loaded on first use; {@link #NONE} for an account without keys (an
   * unknown account). Unknown accounts are not cached, so tokens naming made-up issuers cannot
   * push real accounts' keys out of the cache.
   */
  public AccountKeys keys(String accountId) {
    AccountKeys k = cache.get(accountId);
    return k == null ? NONE : k;
  }

  /** Reloads the account's keys now (after a rotation, or when a token names an unknown kid). */
  public AccountKeys reload(String accountId) {
    AccountKeys fresh = load(accountId);
    if (fresh == null) {
      cache.invalidate(accountId);
      return NONE;
    }
    cache.put(accountId, fresh);
    return fresh;
  }

  /**
   * Rotates the account's keys: next signs from now on, the old current key keeps verifying for
   * {@code overlap} (the longest access-token lifetime plus clock skew), and a new next key is
   * published. Answers false when another node rotated at the same moment.
   */
  public boolean rotate(String accountId, String alg, Duration overlap) {
    List<SigningKeyStore.Row> rows = store.forAccount(accountId);
    SigningKeyStore.Row current = null;
    SigningKeyStore.Row next = null;
    for (SigningKeyStore.Row r : rows) {
      if (r.status().equals(SigningKeyStore.CURRENT)) {
        current = r;
      } else if (r.status().equals(SigningKeyStore.NEXT)) {
        next = r;
      }
    }
    if (current == null || next == null) {
      throw new IllegalStateException("account " + accountId + " has no current/next key pair");
    }
    long now = clock.millis();
    boolean rotated = store.rotate(accountId, current.kid(), next.kid(),
        newKey(accountId, alg, SigningKeyStore.NEXT, now), now, now + overlap.toMillis());
    if (rotated) {
      LOG.info("signing key rotated for account {}: {} -> {}", accountId, current.kid(),
          next.kid());
    }
    reload(accountId);
    return rotated;
  }

  /**
   * Accounts whose current key has been signing for longer than {@code maxAge}. A key becomes
   * current when the last rotation demoted its predecessor (the latest {@code rotated_at} of the
   * account), not when it was created: it was created a whole period earlier as the published
   * {@code next} key, and measuring from then would rotate it again right after promotion.
   */
  public List<String> accountsDueForRotation(Duration maxAge) {
    long cutoff = clock.millis() - maxAge.toMillis();
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT k.account_id FROM signing_keys k JOIN accounts a ON a.id = k.account_id
            WHERE k.status = 'current' AND a.disabled_at IS NULL
              AND COALESCE((SELECT MAX(p.rotated_at) FROM signing_keys p
                            WHERE p.account_id = k.account_id), k.created_at) < :cutoff""")
        .bind("cutoff", cutoff).mapTo(String.class).list());
  }

  /** Retires previous keys whose overlap has ended. */
  public int retireExpired() {
    int n = store.retireExpired(clock.millis());
    if (n > 0) {
      cache.invalidateAll();
    }
    return n;
  }

  private SigningKeyStore.Row newKey(String accountId, String alg, String status, long now) {
    String kid = ids.id("");
    JWK jwk = generate(kid, JWSAlgorithm.parse(alg));
    String sealed = masterKey.seal(jwk.toJSONString().getBytes(StandardCharsets.UTF_8), kid);
    return new SigningKeyStore.Row(kid, accountId, alg, jwk.toPublicJWK().toJSONString(), sealed,
        status, now, null, null);
  }

  private static JWK generate(String kid, JWSAlgorithm alg) {
    try {
      if (JWSAlgorithm.Family.EC.contains(alg)) {
        Curve curve = alg.equals(JWSAlgorithm.ES384) ? Curve.P_384 : Curve.P_256;
        return new ECKeyGenerator(curve).keyID(kid).algorithm(alg).keyUse(KeyUse.SIGNATURE)
            .generate();
      }
      return new RSAKeyGenerator(2048).keyID(kid).algorithm(alg).keyUse(KeyUse.SIGNATURE)
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate a " + alg + " key", e);
    }
  }

  private AccountKeys load(String accountId) {
    List<SigningKeyStore.Row> rows = store.forAccount(accountId);
    if (rows.isEmpty()) {
      return null;
    }
    long now = clock.millis();
    SigningKey current = null;
    Map<String, SigningKey> verifiable = new HashMap<>();
    Set<String> retired = new HashSet<>();
    List<JWK> published = new ArrayList<>();
    for (SigningKeyStore.Row r : rows) {
      boolean expired = r.status().equals(SigningKeyStore.RETIRED)
          || (r.verifyUntil() != null && r.verifyUntil() < now);
      if (expired) {
        retired.add(r.kid());
        continue;
      }
      SigningKey key = open(r);
      published.add(key.publicJwk());
      if (!r.status().equals(SigningKeyStore.NEXT)) {
        verifiable.put(r.kid(), key);
      }
      if (r.status().equals(SigningKeyStore.CURRENT)) {
        current = key;
      }
    }
    String jwks = new JWKSet(published).toString(true);
    return new AccountKeys(current, Map.copyOf(verifiable), Set.copyOf(retired), jwks, now);
  }

  private SigningKey open(SigningKeyStore.Row r) {
    try {
      JWSAlgorithm alg = JWSAlgorithm.parse(r.alg());
      JWK pub = JWK.parse(r.publicJwk());
      JWSVerifier verifier = pub instanceof ECKey ec
          ? new ECDSAVerifier(ec.toECPublicKey())
          : new RSASSAVerifier(((RSAKey) pub).toRSAPublicKey());
      JWSSigner signer = null;
      if (!r.status().equals(SigningKeyStore.PREVIOUS)) {
        JWK priv = JWK.parse(new String(masterKey.open(r.sealedPrivate(), r.kid()),
            StandardCharsets.UTF_8));
        signer = priv instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) priv);
      }
      return new SigningKey(r.kid(), alg, pub, signer, verifier, r.status(), r.createdAt(),
          r.verifyUntil());
    } catch (ParseException | JOSEException e) {
      throw new IllegalStateException("signing key " + r.kid() + " is unreadable", e);
    }
  }
}
