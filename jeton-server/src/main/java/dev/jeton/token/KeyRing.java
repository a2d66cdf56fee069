package dev.jeton.token;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.jeton.store.WriteQueue;
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
 * expired). Keys are cached per account. A change of an account's keys is sent to every node
 * through the cache change feed (milliseconds), and no node uses keys loaded more than
 * {@link #RELOAD_WITHIN} ago, so a missed notification delays nothing past that bound
 * (docs/operations.md#signing-keys).
 *
 * <p>Publish before signing: a key that has become {@code current} signs only once it has been
 * published for {@link #PUBLISHED_BEFORE_SIGNING}, time for every node to reload and for every
 * validator's cached JWKS (served with {@code max-age=300}) to expire; until then the chain's
 * newest previous key goes on signing. A rotation that promotes a {@code next} key published a
 * whole rotation period ago switches at once; a second on-demand rotation right after a first
 * switches that much later.
 */
public final class KeyRing {
  private static final Logger LOG = LoggerFactory.getLogger(KeyRing.class);
  /** The topic of account keys on the cache change feed. */
  static final String TOPIC = "keys";
  /** No node signs or publishes with keys loaded longer ago than this. */
  public static final Duration RELOAD_WITHIN = Duration.ofSeconds(30);
  /** How long the JWKS may be cached by validators (its {@code Cache-Control: max-age}). */
  public static final Duration JWKS_MAX_AGE = Duration.ofSeconds(300);
  /**
   * How long a key is published before it signs: every node has reloaded it and every cached
   * JWKS has expired by then.
   */
  public static final Duration PUBLISHED_BEFORE_SIGNING = JWKS_MAX_AGE.plus(RELOAD_WITHIN);

  private final SigningKeyStore store;
  private final MasterKey masterKey;
  private final OpaqueTokens ids;
  private final Clock clock;
  private final LoadingCache<String, AccountKeys> cache;
  private final WriteQueue writes;

  /** The keys of an account that has none (an unknown account). */
  public static final AccountKeys NONE = new AccountKeys(null, Map.of(), Map.of(), Set.of(),
      "{\"keys\":[]}", Long.MAX_VALUE, Long.MAX_VALUE);

  /**
   * The usable keys of one account, with its JWKS document rendered once.
   *
   * @param signing the primary chain's signing key (access tokens): its current key, or its
   *     newest previous key while the current one has not been published long enough
   * @param idTokenOnly the signing key of each ID-token-only chain, by algorithm (the same rule)
   * @param staleAt when these must be loaded again: {@link #RELOAD_WITHIN} after loading, or
   *     earlier when a current key becomes old enough to sign
   */
  public record AccountKeys(SigningKey signing, Map<String, SigningKey> idTokenOnly,
      Map<String, SigningKey> verifiable, Set<String> retiredKids, String jwksJson,
      long loadedAt, long staleAt) {
    SigningKey verifierFor(String kid) {
      return verifiable.get(kid);
    }

    /** The key that signs ID tokens in {@code alg}, or null when the account has none yet. */
    SigningKey signerFor(JWSAlgorithm alg) {
      if (signing != null && signing.alg().equals(alg)) {
        return signing;
      }
      return idTokenOnly.get(alg.getName());
    }
  }

  public KeyRing(Jdbi jdbi, WriteQueue writes, MasterKey masterKey, OpaqueTokens ids,
      Clock clock) {
    this.store = new SigningKeyStore(jdbi, writes);
    this.masterKey = masterKey;
    this.ids = ids;
    this.clock = clock;
    this.cache = Caffeine.newBuilder()
        .maximumSize(10_000)
        .refreshAfterWrite(RELOAD_WITHIN.multipliedBy(2).dividedBy(3))
        .build(this::load);
    writes.caches().register(TOPIC, cache::invalidate, cache::invalidateAll);
    this.writes = writes;
  }

  /** Creates the current and next keys of a new account inside the caller's transaction. */
  public void createInitialKeys(org.jdbi.v3.core.Handle h, String accountId, String alg) {
    long now = clock.millis();
    String chain = SigningKeyStore.PRIMARY;
    SigningKeyStore.insert(h, newKey(accountId, chain, alg, SigningKeyStore.CURRENT, now));
    SigningKeyStore.insert(h, newKey(accountId, chain, alg, SigningKeyStore.NEXT, now + 1));
  }

  /** Creates the account's key chain for ID tokens in {@code alg} unless it has one already. */
  public void ensureIdTokenKey(String accountId, JWSAlgorithm alg) {
    signerFor(accountId, alg);
  }

  /**
   * The key that signs the account's ID tokens in {@code alg}: the primary key when the
   * account signs in that algorithm anyway, else the current key of the chain of that
   * algorithm, whose current and next keys are created on first need. They are published in
   * the JWKS from then on; a relying party meeting the new {@code kid} fetches the JWKS again
   * (OIDC Core 10.1.1). Two nodes creating the same chain at once are told apart by the unique
   * index on current keys: the loser's keys are discarded and the winner's used.
   */
  SigningKey signerFor(String accountId, JWSAlgorithm alg) {
    SigningKey key = keys(accountId).signerFor(alg);
    if (key != null) {
      return key;
    }
    if (keys(accountId).signing() == null) {
      throw new IllegalStateException("account " + accountId + " has no signing key");
    }
    // a chain whose current key is in this algorithm but not yet published long enough to sign
    // (the algorithm changed at a rotation moments ago): its key signs these ID tokens, rather
    // than a new chain whose key nobody has seen either (a relying party meeting a new kid
    // fetches the JWKS again, OIDC Core 10.1.1)
    for (SigningKey k : keys(accountId).verifiable().values()) {
      if (k.status().equals(SigningKeyStore.CURRENT) && k.alg().equals(alg)
          && k.signer() != null) {
        return k;
      }
    }
    long now = clock.millis();
    String chain = alg.getName();
    try {
      store.insertChain(newKey(accountId, chain, chain, SigningKeyStore.CURRENT, now),
          newKey(accountId, chain, chain, SigningKeyStore.NEXT, now + 1));
      LOG.info("{} key chain created for the ID tokens of account {}", chain, accountId);
      writes.caches().changed(TOPIC, accountId);
    } catch (org.jdbi.v3.core.JdbiException e) {
      // another node created the chain at the same moment (the unique index refused ours), or
      // the database failed: the reload tells them apart
      key = reload(accountId).signerFor(alg);
      if (key == null) {
        throw e;
      }
      LOG.info("{} key chain of account {} was created elsewhere at the same time", chain,
          accountId);
      return key;
    }
    key = reload(accountId).signerFor(alg);
    if (key == null) {
      throw new IllegalStateException("account " + accountId + " has no " + chain + " key");
    }
    return key;
  }

  /**
   * The account's keys, loaded on first use; {@link #NONE} for an account without keys (an
   * unknown account). Unknown accounts are not cached, so tokens naming made-up issuers cannot
   * push real accounts' keys out of the cache. Keys past their {@code staleAt} are loaded again
   * first; when the database cannot answer, the keys held are used.
   */
  public AccountKeys keys(String accountId) {
    AccountKeys k = cache.get(accountId);
    if (k == null) {
      return NONE;
    }
    long now = clock.millis();
    if (now < k.staleAt()) {
      return k;
    }
    // one caller reloads; the others go on with the keys held until it is done (they are still
    // right to verify and to sign with for that long), and when the database cannot answer,
    // for RETRY_AFTER_FAILURE, so that an outage does not make every request wait for the pool
    AccountKeys held = new AccountKeys(k.signing(), k.idTokenOnly(), k.verifiable(),
        k.retiredKids(), k.jwksJson(), k.loadedAt(), now + RETRY_AFTER_FAILURE.toMillis());
    if (!cache.asMap().replace(accountId, k, held)) {
      AccountKeys other = cache.getIfPresent(accountId);
      return other == null ? k : other;
    }
    try {
      return reload(accountId);
    } catch (RuntimeException e) {
      LOG.warn("the keys of account {} could not be loaded again; using those loaded {} ms ago"
          + " until the next try in {} s: {}", accountId, now - k.loadedAt(),
          RETRY_AFTER_FAILURE.toSeconds(), e.getMessage());
      return held;
    }
  }

  /** How long a node goes on with keys it could not load again before it tries again. */
  static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(5);

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
   * Rotates the account's keys, each chain in one transaction: next signs from now on, the old
   * current key keeps verifying for {@code overlap} (the longest access-token lifetime plus clock
   * skew), and a new next key is published. The primary chain's new key uses {@code alg}; other
   * chains keep their algorithm. Answers false when another node rotated the primary chain at the
   * same moment.
   */
  public boolean rotate(String accountId, String alg, Duration overlap) {
    Map<String, List<SigningKeyStore.Row>> chains = new java.util.TreeMap<>();
    for (SigningKeyStore.Row r : store.forAccount(accountId)) {
      chains.computeIfAbsent(r.chain(), c -> new ArrayList<>()).add(r);
    }
    if (!chains.containsKey(SigningKeyStore.PRIMARY)) {
      throw new IllegalStateException("account " + accountId + " has no signing keys");
    }
    // The primary chain first: when another node won that race, it rotates the other chains too.
    boolean rotated = rotateChain(accountId, SigningKeyStore.PRIMARY,
        chains.remove(SigningKeyStore.PRIMARY), alg, overlap);
    if (rotated) {
      for (Map.Entry<String, List<SigningKeyStore.Row>> chain : chains.entrySet()) {
        rotateChain(accountId, chain.getKey(), chain.getValue(), chain.getKey(), overlap);
      }
      writes.caches().changed(TOPIC, accountId);
    }
    reload(accountId);
    return rotated;
  }

  private boolean rotateChain(String accountId, String chain, List<SigningKeyStore.Row> rows,
      String alg, Duration overlap) {
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
      throw new IllegalStateException("account " + accountId + " has no current/next key pair"
          + " in its " + chain + " chain");
    }
    long now = clock.millis();
    boolean rotated = store.rotate(accountId, current.kid(), next.kid(),
        newKey(accountId, chain, alg, SigningKeyStore.NEXT, now), now, now + overlap.toMillis());
    if (rotated) {
      LOG.info("signing key rotated for account {} ({}): {} -> {}", accountId, chain,
          current.kid(), next.kid());
    }
    return rotated;
  }

  /**
   * When the account's current access-token key signs (or signed) from: once it has been
   * published for {@link #PUBLISHED_BEFORE_SIGNING}; null for an account without keys.
   */
  public java.time.Instant signingFrom(String accountId) {
    for (SigningKeyStore.Row r : store.forAccount(accountId)) {
      if (r.status().equals(SigningKeyStore.CURRENT)
          && r.chain().equals(SigningKeyStore.PRIMARY)) {
        return java.time.Instant.ofEpochMilli(r.createdAt()
            + PUBLISHED_BEFORE_SIGNING.toMillis());
      }
    }
    return null;
  }

  /**
   * Accounts whose current key has been signing for longer than {@code maxAge}. A key becomes
   * current when the last rotation demoted its predecessor (the latest {@code rotated_at} of the
   * account), not when it was created: it was created a whole period earlier as the published
   * {@code next} key, and measuring from then would rotate it again right after promotion.
   */
  public List<String> accountsDueForRotation(Duration maxAge) {
    return store.currentSince(clock.millis() - maxAge.toMillis());
  }

  /** Retires previous keys whose overlap has ended. */
  public int retireExpired() {
    int n = store.retireExpired(clock.millis());
    if (n > 0) {
      writes.caches().changedAll(TOPIC);
    }
    return n;
  }

  private SigningKeyStore.Row newKey(String accountId, String chain, String alg, String status,
      long now) {
    String kid = ids.id("");
    JWK jwk = generate(kid, JWSAlgorithm.parse(alg));
    String sealed = masterKey.seal(jwk.toJSONString().getBytes(StandardCharsets.UTF_8), kid);
    return new SigningKeyStore.Row(kid, accountId, chain, alg, jwk.toPublicJWK().toJSONString(),
        sealed, status, now, null, null);
  }

  private static JWK generate(String kid, JWSAlgorithm alg) {
    if (JWSAlgorithm.EdDSA.equals(alg)) {
      return EdDsa.generate(kid);
    }
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
    long staleAt = now + RELOAD_WITHIN.toMillis();
    // each chain's keys that may sign: its current key, then its previous keys still verifying,
    // newest first (the order they signed in)
    Map<String, List<SigningKeyStore.Row>> candidates = new HashMap<>();
    Set<String> retired = new HashSet<>();
    for (SigningKeyStore.Row r : rows) {
      if (r.status().equals(SigningKeyStore.RETIRED)
          || (r.verifyUntil() != null && r.verifyUntil() < now)) {
        retired.add(r.kid());
      } else if (r.status().equals(SigningKeyStore.CURRENT)
          || (r.status().equals(SigningKeyStore.PREVIOUS) && r.rotatedAt() != null)) {
        candidates.computeIfAbsent(r.chain(), c -> new ArrayList<>()).add(r);
      }
    }
    // the kid that signs in each chain: the newest of them published long enough; when none is
    // (an account rotated twice within its first minutes), the oldest, which signed from the
    // account's start
    Map<String, String> signingKids = new HashMap<>();
    for (Map.Entry<String, List<SigningKeyStore.Row>> chain : candidates.entrySet()) {
      List<SigningKeyStore.Row> keys = chain.getValue();
      keys.sort(java.util.Comparator.comparingLong((SigningKeyStore.Row r) ->
          r.status().equals(SigningKeyStore.CURRENT) ? Long.MAX_VALUE : r.rotatedAt())
          .reversed());
      SigningKeyStore.Row signer = null;
      for (SigningKeyStore.Row r : keys) {
        long signsFrom = r.createdAt() + PUBLISHED_BEFORE_SIGNING.toMillis();
        if (now >= signsFrom) {
          signer = r;
          break;
        }
        staleAt = Math.min(staleAt, signsFrom); // a newer key signs from then on
      }
      if (signer == null) {
        signer = keys.stream().min(java.util.Comparator.comparingLong(
            SigningKeyStore.Row::createdAt)).orElseThrow();
      }
      signingKids.put(chain.getKey(), signer.kid());
    }
    Map<String, SigningKey> signing = new HashMap<>();
    Map<String, SigningKey> verifiable = new HashMap<>();
    List<JWK> published = new ArrayList<>();
    for (SigningKeyStore.Row r : rows) {
      if (retired.contains(r.kid())) {
        continue;
      }
      boolean signs = r.kid().equals(signingKids.get(r.chain()));
      // a previous key's private half is opened only while it still signs
      SigningKey key = open(r, signs || !r.status().equals(SigningKeyStore.PREVIOUS));
      published.add(key.publicJwk());
      if (!r.status().equals(SigningKeyStore.NEXT)) {
        verifiable.put(r.kid(), key);
      }
      if (signs) {
        signing.put(r.chain(), key);
      }
    }
    SigningKey primary = signing.remove(SigningKeyStore.PRIMARY);
    String jwks = new JWKSet(published).toString(true);
    return new AccountKeys(primary, Map.copyOf(signing), Map.copyOf(verifiable),
        Set.copyOf(retired), jwks, now, staleAt);
  }

  private SigningKey open(SigningKeyStore.Row r, boolean withSigner) {
    try {
      JWSAlgorithm alg = JWSAlgorithm.parse(r.alg());
      JWK pub = JWK.parse(r.publicJwk());
      JWSVerifier verifier = pub instanceof ECKey ec
          ? new ECDSAVerifier(ec.toECPublicKey())
          : pub instanceof OctetKeyPair okp ? new EdDsa.Verifier(EdDsa.publicKey(okp))
          : new RSASSAVerifier(((RSAKey) pub).toRSAPublicKey());
      JWSSigner signer = null;
      if (withSigner) {
        JWK priv = JWK.parse(new String(masterKey.open(r.sealedPrivate(), r.kid()),
            StandardCharsets.UTF_8));
        signer = priv instanceof ECKey ec ? new EcdsaSigner(ec.toECPrivateKey(), alg)
            : priv instanceof OctetKeyPair okp ? new EdDsa.Signer(EdDsa.privateKey(okp))
            : new RSASSASigner((RSAKey) priv);
      }
      return new SigningKey(r.kid(), alg, pub, signer, verifier, r.status(), r.createdAt(),
          r.verifyUntil());
    } catch (ParseException | JOSEException e) {
      throw new IllegalStateException("signing key " + r.kid() + " is unreadable", e);
    }
  }
}
