package dev.jeton.user;

import dev.jeton.account.Account;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Audit;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Bulk import of users (docs/users.md#import): up to {@value #MAX_RECORDS} records per request,
 * each answered on its own, in input order: {@code created}, {@code skipped} (the email is taken
 * in the account, or appears earlier in the request) or {@code failed} (a field is invalid), with
 * reasons. A record may carry a password hash from another system ({@link ForeignHashes}); it is
 * kept as it is and replaced by Jeton's own Argon2id at the user's first sign-in. Nothing is
 * hashed here, so an import costs database writes only; they are committed in transactions of
 * {@value #BATCH} records, between which the write path serves other requests.
 */
public final class UserImport {
  /** The most records one request may carry. */
  public static final int MAX_RECORDS = 10_000;
  static final int BATCH = 500;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UserImport.class);

  private final WriteQueue writes;
  private final OpaqueTokens ids;
  private final Clock clock;

  public UserImport(WriteQueue writes, OpaqueTokens ids, Clock clock) {
    this.writes = writes;
    this.ids = ids;
    this.clock = clock;
  }

  /**
   * One record as sent, with the problems already found in its fields (an unknown or mistyped
   * field); {@code email} is null when it was missing or not a string.
   */
  public record Record(String email, String name, String passwordHash, String role,
      List<Reason> problems) {}

  /** Why a record was skipped or failed: a catalogued code, the field if any, and a sentence. */
  public record Reason(ErrorCode code, String field, String message) {}

  /** The outcome of one record. */
  public record Result(int index, String email, String status, String id, List<Reason> reasons) {
    static final String CREATED = "created";
    static final String SKIPPED = "skipped";
    static final String FAILED = "failed";
  }

  /** Imports the records into the account; one result per record, in input order. */
  public List<Result> run(Account account, List<Record> records, String actorId) {
    Result[] results = new Result[records.size()];
    Map<String, Integer> firstIndex = new HashMap<>();
    List<Integer> pending = new ArrayList<>();
    List<User> rows = new ArrayList<>();
    long now = clock.millis();
    for (int i = 0; i < records.size(); i++) {
      Record r = records.get(i);
      List<Reason> reasons = new ArrayList<>(r.problems());
      String email = r.email() == null ? null : Emails.normalise(r.email());
      if (email != null) {
        String problem = Emails.problem(email);
        if (problem != null) {
          reasons.add(new Reason(ErrorCode.FIELD_INVALID, "email", problem));
        }
      }
      if (r.passwordHash() != null) {
        String problem = ForeignHashes.problem(r.passwordHash());
        if (problem != null) {
          reasons.add(new Reason(ErrorCode.FIELD_INVALID, "password_hash", problem));
        }
      }
      if (!reasons.isEmpty() || email == null) {
        results[i] = new Result(i, email, Result.FAILED, null, List.copyOf(reasons));
        continue;
      }
      Integer first = firstIndex.putIfAbsent(email, i);
      if (first != null) {
        results[i] = new Result(i, email, Result.SKIPPED, null, List.of(new Reason(
            ErrorCode.USER_ALREADY_EXISTS, "email", "The same email address is in record "
            + first + " of this request.")));
        continue;
      }
      pending.add(i);
      rows.add(new User(ids.id("usr_"), account.id(), email,
          r.passwordHash() == null ? "" : r.passwordHash(),
          r.role() == null ? User.USER : r.role(), false, null, now, now, 0, r.name()));
    }
    for (int from = 0; from < rows.size(); from += BATCH) {
      List<User> batch = rows.subList(from, Math.min(rows.size(), from + BATCH));
      List<Integer> indexes = pending.subList(from, from + batch.size());
      try {
        insert(account, batch, indexes, results);
      } catch (RuntimeException e) {
        // the batches before this one are committed: the answer still says which records were
        // created, and that these were not and may be sent again
        LOG.warn("an import batch of {} users into {} could not be stored", batch.size(),
            account.id(), e);
        for (int j = 0; j < batch.size(); j++) {
          results[indexes.get(j)] = new Result(indexes.get(j), batch.get(j).email(),
              Result.FAILED, null, List.of(new Reason(ErrorCode.SERVICE_UNAVAILABLE, null,
                  "The record could not be stored now; send it again later.")));
        }
      }
    }
    List<Result> out = List.of(results);
    Audit.event("users_imported", "account", account.id(), "by", actorId,
        "created", count(out, Result.CREATED), "skipped", count(out, Result.SKIPPED),
        "failed", count(out, Result.FAILED));
    return out;
  }

  private void insert(Account account, List<User> batch, List<Integer> indexes,
      Result[] results) {
    writes.submit(h -> {
      Set<String> taken = new HashSet<>(UserStore.takenEmails(h, account.id(),
          batch.stream().map(User::email).toList()));
      List<User> fresh = new ArrayList<>();
      List<Integer> freshIndexes = new ArrayList<>();
      for (int j = 0; j < batch.size(); j++) {
        User u = batch.get(j);
        if (taken.contains(u.email())) {
          results[indexes.get(j)] = alreadyExists(indexes.get(j), u.email());
        } else {
          fresh.add(u);
          freshIndexes.add(indexes.get(j));
        }
      }
      if (!fresh.isEmpty()) {
        boolean[] inserted = UserStore.insertAll(h, fresh);
        for (int j = 0; j < fresh.size(); j++) {
          User u = fresh.get(j);
          int index = freshIndexes.get(j);
          results[index] = inserted[j]
              ? new Result(index, u.email(), Result.CREATED, u.id(), List.of())
              : alreadyExists(index, u.email());
        }
      }
      return null;
    });
  }

  private static Result alreadyExists(int index, String email) {
    return new Result(index, email, Result.SKIPPED, null, List.of(new Reason(
        ErrorCode.USER_ALREADY_EXISTS, "email",
        "A user with this email address already exists in this account.")));
  }

  private static long count(List<Result> results, String status) {
    return results.stream().filter(r -> r.status().equals(status)).count();
  }
}
