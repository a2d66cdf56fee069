package dev.jeton.push;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Audit;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.MasterKey;
import dev.jeton.token.OpaqueTokens;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The device registry (docs/push.md#devices): the phones each user registered, with the FCM
 * registration token sealed at rest under the master key. A token is held by one user of an
 * account at a time: registering it again updates the device, and registering it as another user
 * (the app signed in as someone else on the same phone) moves it to that user, so that the first
 * user's sign-ins are no longer pushed to a phone they may have handed on.
 */
public final class Devices {
  /** The longest registration token accepted (FCM's are about 160 characters). */
  public static final int MAX_TOKEN_CHARS = 4096;

  /** A registration token with what goes with it. */
  public record Target(Device device, String token) {}

  /** The answer of a registration: the device, and whether it is new to this user. */
  public record Registered(Device device, boolean created) {}

  private final DeviceStore store;
  private final WriteQueue writes;
  private final MasterKey key;
  private final OpaqueTokens ids;
  private final Clock clock;
  private final int perUser;

  public Devices(Jdbi jdbi, WriteQueue writes, MasterKey key, OpaqueTokens ids, Clock clock,
      int perUser) {
    this.store = new DeviceStore(jdbi);
    this.writes = writes;
    this.key = key;
    this.ids = ids;
    this.clock = clock;
    this.perUser = perUser;
  }

  /** The most devices one user may register. */
  public int perUser() {
    return perUser;
  }

  /**
   * Registers {@code token} for the user, or updates the device that has it.
   *
   * @throws ApiException {@code device_limit_reached}
   */
  public Registered register(String accountId, String userId, String token, String platform,
      String name, String appId) {
    String hash = OpaqueTokens.hash(token);
    long now = clock.millis();
    Registered r = writes.submit(h -> {
      Optional<Device> held = DeviceStore.byTokenHash(h, accountId, hash);
      if (held.isPresent() && held.get().userId().equals(userId)) {
        DeviceStore.reassign(h, held.get().id(), userId, platform, name, appId, now);
        return new Registered(held.get(), false);
      }
      if (DeviceStore.countOfUser(h, accountId, userId) >= perUser) {
        throw new ApiException(ErrorCode.DEVICE_LIMIT_REACHED, "You have " + perUser
            + " registered devices, the most allowed; delete one first.");
      }
      if (held.isPresent()) {
        DeviceStore.reassign(h, held.get().id(), userId, platform, name, appId, now);
        return new Registered(held.get(), true);
      }
      Device d = new Device(ids.id("dev_"), accountId, userId, platform, name, appId, now, now,
          null);
      DeviceStore.insert(h, d, hash, key.seal(token.getBytes(StandardCharsets.UTF_8),
          context(d)));
      return new Registered(d, true);
    });
    Device d = store.byId(accountId, r.device().id()).orElseThrow();
    if (!r.device().userId().equals(userId)) {
      Audit.event("device_moved", "account", accountId, "user", userId, "device", d.id(),
          "from_user", r.device().userId());
    } else if (r.created()) {
      Audit.event("device_registered", "account", accountId, "user", userId, "device", d.id());
    }
    return new Registered(d, r.created());
  }

  /** The user's devices, oldest first. */
  public List<Device> ofUser(String accountId, String userId) {
    return store.ofUser(accountId, userId);
  }

  /**
   * Renames a device of the user.
   *
   * @throws ApiException {@code device_not_found}
   */
  public Device rename(String accountId, String userId, String id, String name) {
    long now = clock.millis();
    if (!writes.submit(h -> DeviceStore.rename(h, accountId, userId, id, name, now))) {
      throw notFound();
    }
    return store.byId(accountId, id).orElseThrow(Devices::notFound);
  }

  /**
   * Deletes a device of the user, or of any user of the account when {@code userId} is null
   * (an admin).
   *
   * @throws ApiException {@code device_not_found}
   */
  public void delete(String accountId, String userId, String id, String actorId) {
    if (!writes.submit(h -> DeviceStore.delete(h, accountId, userId, id))) {
      throw notFound();
    }
    Audit.event("device_deleted", "account", accountId, "user", actorId, "device", id);
  }

  /** Within a user's deletion, deletes the user's devices; answers how many. */
  public int deleteAllOfUser(Handle h, String userId, long now) {
    return DeviceStore.deleteAllOfUser(h, userId);
  }

  /** The user's devices with their registration tokens opened, to send to. */
  List<Target> targets(String accountId, String userId) {
    return store.sealedOfUser(accountId, userId).stream().map(s -> new Target(s.device(),
        new String(key.open(s.tokenSealed(), context(s.device()), "device token"),
            StandardCharsets.UTF_8)))
        .toList();
  }

  /**
   * Removes a device whose token FCM reported unregistered or invalid, unless the app registered
   * it again after {@code seen} (its token may have been refreshed meanwhile).
   */
  boolean prune(Device d, String reason) {
    boolean gone = writes.submit(h -> DeviceStore.prune(h, d.id(), d.updatedAt()));
    if (gone) {
      Audit.event("device_pruned", "account", d.accountId(), "user", d.userId(), "device",
          d.id(), "reason", reason);
    }
    return gone;
  }

  /** Records that FCM accepted a message for the device. */
  void pushed(Device d) {
    long now = clock.millis();
    writes.submit(h -> {
      DeviceStore.pushed(h, d.id(), now);
      return null;
    });
  }

  /** The associated data of a sealed token: its row, so it cannot be moved onto another. */
  private static String context(Device d) {
    return "device:" + d.accountId() + ":" + d.id();
  }

  private static ApiException notFound() {
    return new ApiException(ErrorCode.DEVICE_NOT_FOUND, "No device of yours has this id.");
  }
}
