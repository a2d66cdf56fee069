package dev.jeton.token;

import dev.jeton.store.Rows;
import dev.jeton.store.WriteQueue;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** SQL for the {@code signing_keys} table. */
final class SigningKeyStore {
  /**
   * A row; {@code sealedPrivate} is empty once the key is retired. {@code chain} is
   * {@link #PRIMARY} or the algorithm of an ID-token-only chain.
   */
  record Row(String kid, String accountId, String chain, String alg, String publicJwk,
      String sealedPrivate, String status, long createdAt, Long rotatedAt, Long verifyUntil) {}

  static final String PRIMARY = "primary";

  static final String NEXT = "next";
  static final String CURRENT = "current";
  static final String PREVIOUS = "previous";
  static final String RETIRED = "retired";

  private final Jdbi jdbi;
  private final WriteQueue writes;

  SigningKeyStore(Jdbi jdbi, WriteQueue writes) {
    this.jdbi = jdbi;
    this.writes = writes;
  }

  List<Row> forAccount(String accountId) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT kid, account_id, chain, alg, public_jwk, sealed_private, status, created_at,
                   rotated_at, verify_until
            FROM signing_keys WHERE account_id = :a ORDER BY created_at""")
        .bind("a", accountId)
        .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getLong(8),
            Rows.longOrNull(rs, 9), Rows.longOrNull(rs, 10)))
        .list());
  }


  static void insert(Handle h, Row r) {
    h.createUpdate("""
            INSERT INTO signing_keys (kid, account_id, chain, alg, public_jwk, sealed_private,
                                      status, created_at, rotated_at, verify_until)
            VALUES (:kid, :a, :chain, :alg, :pub, :priv, :status, :created, NULL, NULL)""")
        .bind("kid", r.kid()).bind("a", r.accountId()).bind("chain", r.chain())
        .bind("alg", r.alg())
        .bind("pub", r.publicJwk()).bind("priv", r.sealedPrivate()).bind("status", r.status())
        .bind("created", r.createdAt())
        .execute();
  }

  /**
   * Rotates in one transaction: current becomes previous (verifiable until {@code verifyUntil}),
   * next becomes current, {@code newNext} is added. Answers false, changing nothing, when another
   * node rotated first (the compare-and-set on the current kid failed).
   */
  boolean rotate(String accountId, String currentKid, String nextKid, Row newNext, long now,
      long verifyUntil) {
    return Boolean.TRUE.equals(writes.submit(h -> {
      int demoted = h.createUpdate("""
              UPDATE signing_keys SET status = 'previous', rotated_at = :now, verify_until = :vu
              WHERE kid = :kid AND account_id = :a AND status = 'current'""")
          .bind("now", now).bind("vu", verifyUntil).bind("kid", currentKid).bind("a", accountId)
          .execute();
      if (demoted != 1) {
        throw new WriteQueue.Abort();
      }
      int promoted = h.createUpdate("""
              UPDATE signing_keys SET status = 'current'
              WHERE kid = :kid AND account_id = :a AND status = 'next'""")
          .bind("kid", nextKid).bind("a", accountId)
          .execute();
      if (promoted != 1) {
        throw new WriteQueue.Abort();
      }
      insert(h, newNext);
      return true;
    }));
  }

  /** Retires previous keys whose overlap has ended and wipes their sealed private part. */
  /** Inserts a new chain's current and next keys in one transaction. */
  void insertChain(Row current, Row next) {
    writes.submit(h -> {
      insert(h, current);
      insert(h, next);
      return null;
    });
  }

  /**
   * The accounts whose primary current key has been current since before {@code cutoff}: since
   * the account's latest rotation, or its creation when it never rotated.
   */
  List<String> currentSince(long cutoff) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT k.account_id FROM signing_keys k JOIN accounts a ON a.id = k.account_id
            WHERE k.status = 'current' AND k.chain = 'primary' AND a.disabled_at IS NULL
              AND COALESCE((SELECT MAX(p.rotated_at) FROM signing_keys p
                            WHERE p.account_id = k.account_id), k.created_at) < :cutoff""")
        .bind("cutoff", cutoff).mapTo(String.class).list());
  }

  int retireExpired(long now) {
    return writes.submit(h -> h.createUpdate("""
            UPDATE signing_keys SET status = 'retired', sealed_private = ''
            WHERE status = 'previous' AND verify_until < :now""")
        .bind("now", now)
        .execute());
  }
}
