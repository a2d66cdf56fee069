package dev.jeton.oauth;

import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.Scope;
import dev.jeton.token.TokenKind;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Pending device authorizations (RFC 8628 3.2) in {@code device_codes}: the device code
 * ({@code jeton_dc_...}, 178 CSPRNG bits, RFC 8628 5.2, docs/security.md#secret-entropy) and
 * the user code are stored only as SHA-256 hashes. They live {@link #LIFETIME}. The user's
 * decision is a compare-and-set from {@code pending}; an approved code is spent once by a
 * compare-and-set on {@code used_at} (docs/security.md#device-code-single-use); polls are
 * compare-and-set on {@code last_polled_at}, so two racing polls cannot both pass the interval
 * check (RFC 8628 3.5).
 */
final class DeviceCodes {
  static final Duration LIFETIME = Duration.ofMinutes(10);
  static final int INTERVAL_S = 5;
  static final String PENDING = "pending";
  static final String APPROVED = "approved";
  static final String DENIED = "denied";

  private final DeviceCodeStore store;
  private final WriteQueue writes;
  private final OpaqueTokens tokens;
  private final UserCodes userCodes;
  private final Clock clock;

  /**
   * A stored authorization; times in ms, {@code userId}, {@code authTime} and the credential
   * generation of the approving browser session set on a decision.
   */
  record Device(String hash, String accountId, String clientId, Scope scopes,
      long expiresAt, int intervalS, Long lastPolledAt, String status, String userId,
      Long authTime, Long usedAt, int credentialGeneration) {}

  /** What a new authorization hands the client, and when it expires (ms). */
  record Issued(String deviceCode, String userCode, long expiresAt) {}

  DeviceCodes(Jdbi jdbi, WriteQueue writes, OpaqueTokens tokens, UserCodes userCodes,
      Clock clock) {
    this.store = new DeviceCodeStore(jdbi);
    this.writes = writes;
    this.tokens = tokens;
    this.userCodes = userCodes;
    this.clock = clock;
  }

  /** Stores a new pending authorization; retries the (unlikely) user-code collision. */
  Issued issue(String accountId, String clientId, Scope scopes) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      String deviceCode = tokens.generate(TokenKind.DC);
      String userCode = userCodes.generate();
      long now = clock.millis();
      try {
        writes.submit(h -> {
          DeviceCodeStore.insert(h, OpaqueTokens.hash(deviceCode),
              OpaqueTokens.hash(UserCodes.normalise(userCode)), accountId, clientId, scopes, now,
              now + LIFETIME.toMillis(), INTERVAL_S, PENDING);
          return null;
        });
        return new Issued(deviceCode, userCode, now + LIFETIME.toMillis());
      } catch (RuntimeException e) {
        last = e;
      }
    }
    throw last;
  }

  Optional<Device> byDeviceCode(String deviceCode) {
    return store.byHash(OpaqueTokens.hash(deviceCode));
  }

  /** The authorization of a normalised user code. */
  Optional<Device> byUserCode(String normalised) {
    return store.byUserCodeHash(OpaqueTokens.hash(normalised));
  }

  /**
   * Records a poll at {@code now} if the last one is still {@code previous}; answers false when a
   * concurrent poll won. With {@code slowDown} the interval also grows by 5 s (RFC 8628 3.5).
   */
  boolean poll(Device d, long now, boolean slowDown) {
    long prev = d.lastPolledAt() == null ? -1 : d.lastPolledAt();
    return writes.submit(h -> DeviceCodeStore.poll(h, d.hash(), prev, now,
        slowDown ? INTERVAL_S : 0));
  }

  /** Records the user's decision; false when the authorization was already decided. */
  boolean decide(String hash, boolean approve, String userId, long authTime,
      int credentialGeneration, java.util.function.Consumer<Handle> onApproval) {
    long now = clock.millis();
    return writes.submit(h -> {
      if (!DeviceCodeStore.decide(h, hash, approve ? APPROVED : DENIED, userId, authTime,
          credentialGeneration, now)) {
        return false;
      }
      if (approve) {
        onApproval.accept(h);
      }
      return true;
    });
  }

  /** Spends an approved code; false when another poll spent it first (RFC 8628 3.5). */
  boolean spend(String hash) {
    long now = clock.millis();
    return writes.submit(h -> DeviceCodeStore.spend(h, hash, now));
  }

  /**
   * Records the session the exchange created; false when the approval was withdrawn meanwhile
   * (then the caller revokes that session itself).
   */
  boolean attachSession(String hash, String sessionId) {
    return writes.submit(h -> DeviceCodeStore.attachSession(h, hash, sessionId));
  }
}
