package dev.jeton.pat;

import dev.jeton.store.Rows;
import dev.jeton.token.Scope;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** SQL for the {@code personal_access_tokens} table. */
final class PatStore {
  private static final String COLUMNS = """
      p.id, p.account_id, p.owner_kind, p.owner_id, p.comment, p.scope, p.created_at,
      p.expires_at, p.last_used_at, p.last_used_ip, p.revoked_at, p.revoked_reason""";

  /**
   * A token found by its secret's hash, with its owner as it is now: the owner's role ({@code
   * null} when the owner no longer exists) and whether it is blocked.
   */
  record Found(Pat pat, String ownerRole, boolean ownerBlocked) {}

  private final Jdbi jdbi;

  PatStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * The token with the given hash and its owner's current state; a service principal's role is
   * {@value Owner#PRINCIPAL}.
   */
  Optional<Found> byHash(String hash) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + """
            , u.role AS user_role, u.blocked_at AS user_blocked_at,
              sp.id AS principal_id, sp.disabled_at AS principal_disabled_at
            FROM personal_access_tokens p
            LEFT JOIN users u ON p.owner_kind = 'user' AND u.id = p.owner_id
                             AND u.account_id = p.account_id AND u.deleted_at IS NULL
            LEFT JOIN service_principals sp ON p.owner_kind = 'principal'
                             AND sp.id = p.owner_id AND sp.account_id = p.account_id
            WHERE p.token_hash = :hash""")
        .bind("hash", hash)
        .map((rs, ctx) -> {
          Pat pat = map(rs);
          if (Owner.PRINCIPAL.equals(pat.owner().kind())) {
            return new Found(pat, rs.getString("principal_id") == null ? null : Owner.PRINCIPAL,
                Rows.longOrNull(rs, "principal_disabled_at") != null);
          }
          return new Found(pat, rs.getString("user_role"),
              Rows.longOrNull(rs, "user_blocked_at") != null);
        })
        .findOne());
  }

  Optional<Pat> byId(String accountId, Owner owner, String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + """
             FROM personal_access_tokens p
            WHERE p.id = :id AND p.account_id = :a AND p.owner_kind = :k AND p.owner_id = :o""")
        .bind("id", id).bind("a", accountId).bind("k", owner.kind()).bind("o", owner.id())
        .map((rs, ctx) -> map(rs)).findOne());
  }

  /**
   * One page of an owner's tokens, newest first, after {@code after} (the last of the previous
   * page, or null); {@code liveAt} non-null lists only tokens neither revoked nor expired then.
   */
  List<Pat> page(String accountId, Owner owner, Pat after, Long liveAt, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + """
             FROM personal_access_tokens p
            WHERE p.account_id = :a AND p.owner_kind = :k AND p.owner_id = :o""");
    if (liveAt != null) {
      sql.append(" AND p.revoked_at IS NULL AND (p.expires_at IS NULL OR p.expires_at > :now)");
    }
    if (after != null) {
      sql.append(" AND (p.created_at < :ct OR (p.created_at = :ct AND p.id < :cid))");
    }
    sql.append(" ORDER BY p.created_at DESC, p.id DESC LIMIT :n");
    return jdbi.withHandle(h -> {
      Query q = h.createQuery(sql.toString()).bind("a", accountId).bind("k", owner.kind())
          .bind("o", owner.id()).bind("n", limit);
      if (liveAt != null) {
        q.bind("now", liveAt);
      }
      if (after != null) {
        q.bind("ct", after.createdAt()).bind("cid", after.id());
      }
      return q.map((rs, ctx) -> map(rs)).list();
    });
  }

  /**
   * Locks the owner's row until the transaction ends (PostgreSQL; SQLite's single writer already
   * runs one transaction at a time), so that counting and inserting an owner's tokens cannot
   * interleave with another creation for the same owner. False when the owner does not exist.
   */
  static boolean lockOwner(Handle h, String accountId, Owner owner, boolean postgres) {
    String from = switch (owner.kind()) {
      case Owner.USER -> "users WHERE deleted_at IS NULL AND";
      case Owner.PRINCIPAL -> "service_principals WHERE";
      default -> throw new IllegalArgumentException("unknown owner kind " + owner.kind());
    };
    return h.createQuery("SELECT id FROM " + from + " id = :o AND account_id = :a"
            + (postgres ? " FOR UPDATE" : ""))
        .bind("o", owner.id()).bind("a", accountId).mapTo(String.class).findOne().isPresent();
  }

  static int countLive(Handle h, String accountId, Owner owner, long now) {
    return h.createQuery("""
            SELECT count(*) FROM personal_access_tokens
            WHERE account_id = :a AND owner_kind = :k AND owner_id = :o AND revoked_at IS NULL
              AND (expires_at IS NULL OR expires_at > :now)""")
        .bind("a", accountId).bind("k", owner.kind()).bind("o", owner.id()).bind("now", now)
        .mapTo(Integer.class).one();
  }

  static void insert(Handle h, Pat p, String hash) {
    h.createUpdate("""
            INSERT INTO personal_access_tokens (id, account_id, owner_kind, owner_id, token_hash,
                                                comment, scope, created_at, expires_at)
            VALUES (:id, :a, :k, :o, :hash, :comment, :scope, :created, :expires)""")
        .bind("id", p.id()).bind("a", p.accountId()).bind("k", p.owner().kind())
        .bind("o", p.owner().id()).bind("hash", hash).bind("comment", p.comment())
        .bind("scope", p.scope().render()).bind("created", p.createdAt())
        .bind("expires", p.expiresAt())
        .execute();
  }

  /** Revokes one live token of the owner; the hash of what was revoked, or empty. */
  static Optional<String> revoke(Handle h, String accountId, Owner owner, String id, long now,
      String reason) {
    Optional<String> hash = h.createQuery("""
            SELECT token_hash FROM personal_access_tokens
            WHERE id = :id AND account_id = :a AND owner_kind = :k AND owner_id = :o
              AND revoked_at IS NULL""")
        .bind("id", id).bind("a", accountId).bind("k", owner.kind()).bind("o", owner.id())
        .mapTo(String.class).findOne();
    hash.ifPresent(x -> h.createUpdate("""
            UPDATE personal_access_tokens SET revoked_at = :now, revoked_reason = :why
            WHERE id = :id AND revoked_at IS NULL""")
        .bind("id", id).bind("now", now).bind("why", reason).execute());
    return hash;
  }

  /** Revokes every live token of the owner; how many. */
  static int revokeAll(Handle h, String accountId, Owner owner, long now, String reason) {
    return h.createUpdate("""
            UPDATE personal_access_tokens SET revoked_at = :now, revoked_reason = :why
            WHERE account_id = :a AND owner_kind = :k AND owner_id = :o AND revoked_at IS NULL""")
        .bind("a", accountId).bind("k", owner.kind()).bind("o", owner.id()).bind("now", now)
        .bind("why", reason).execute();
  }

  /**
   * Revokes one token of the account, whoever owns it, if it is live; answers its hash when this
   * call revoked it, empty when there is no such live token.
   */
  static Optional<String> revokeInAccount(Handle h, String accountId, String id, long now,
      String reason) {
    Optional<String> hash = h.createQuery("""
            SELECT token_hash FROM personal_access_tokens
            WHERE id = :id AND account_id = :a AND revoked_at IS NULL
              AND (expires_at IS NULL OR expires_at > :now)""")
        .bind("id", id).bind("a", accountId).bind("now", now).mapTo(String.class).findOne();
    hash.ifPresent(x -> h.createUpdate("""
            UPDATE personal_access_tokens SET revoked_at = :now, revoked_reason = :why
            WHERE id = :id AND revoked_at IS NULL""")
        .bind("id", id).bind("now", now).bind("why", reason).execute());
    return hash;
  }

  /** Revokes every live token a user holds, whatever the account; answers how many. */
  static int revokeAllOfUser(Handle h, String userId, long now, String reason) {
    return h.createUpdate("""
            UPDATE personal_access_tokens SET revoked_at = :now, revoked_reason = :why
            WHERE owner_kind = 'user' AND owner_id = :o AND revoked_at IS NULL""")
        .bind("o", userId).bind("now", now).bind("why", reason).execute();
  }

  /** Records the latest use of each token; an older use never overwrites a newer one. */
  static void recordUses(Handle h, Map<String, Pat.Use> uses) {
    var batch = h.prepareBatch("""
        UPDATE personal_access_tokens SET last_used_at = :at, last_used_ip = :ip
        WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :at)""");
    uses.forEach((id, use) -> batch.bind("id", id).bind("at", use.at()).bind("ip", use.ip())
        .add());
    batch.execute();
  }

  private static Pat map(ResultSet rs) throws SQLException {
    return new Pat(rs.getString("id"), rs.getString("account_id"),
        new Owner(rs.getString("owner_kind"), rs.getString("owner_id")), rs.getString("comment"),
        Scope.parse(rs.getString("scope")), rs.getLong("created_at"),
        Rows.longOrNull(rs, "expires_at"), Rows.longOrNull(rs, "last_used_at"),
        rs.getString("last_used_ip"), Rows.longOrNull(rs, "revoked_at"),
        rs.getString("revoked_reason"));
  }
}
