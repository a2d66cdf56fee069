package dev.jeton.push;

import dev.jeton.config.Config;
import dev.jeton.config.ConfigException;
import dev.jeton.http.Json;
import dev.jeton.limit.RateLimiter;
import dev.jeton.observe.Metrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push approval (docs/push.md): asks a user's registered phones, through FCM, to approve a
 * sign-in that waits for them: a QR login, or a device authorization (RFC 8628). A push carries what the phone needs to find the sign-in (its id,
 * the account, the issuer, the application asking), never a secret.
 *
 * <p>Nothing here runs on the request that asked: {@link #qrLogin} and {@link #deviceLogin} queue
 * the work and return.
 * One thread reads the devices and schedules retries; the HTTP calls are asynchronous. A device
 * FCM reports unregistered is removed; 429 and 5xx answers are tried again after their
 * Retry-After (or a growing delay), at most {@link #MAX_ATTEMPTS} times and never past the
 * sign-in's expiry. A user is pushed at most {@link #PER_USER} sign-ins per {@link #WINDOW}, so
 * that whoever knows a user's e-mail cannot bury their phone in prompts.
 */
public final class Push implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Push.class);
  /** Sends of one message to one device, the first included. */
  static final int MAX_ATTEMPTS = 4;
  /** Sign-ins waiting to be pushed beyond which new ones are dropped. */
  static final int MAX_QUEUED = 10_000;
  /** Sign-ins one user may be pushed per {@link #WINDOW}. */
  public static final int PER_USER = 5;
  public static final Duration WINDOW = Duration.ofMinutes(10);
  private static final long FIRST_BACKOFF_MILLIS = 500;

  /** A QR login that waits for {@code userId}'s approval; {@code clientName} may be null. */
  public record QrLogin(String accountId, String userId, String loginId, String issuer,
      String clientName, String matchingCode, long expiresAt) {}

  /**
   * A device authorization (RFC 8628) started for {@code userId}: the phone is sent to the
   * verification page, where the user types the code the device shows; never the code itself.
   */
  public record DeviceLogin(String accountId, String userId, String issuer,
      String verificationUri, String clientName, long expiresAt) {}

  private final Devices devices;
  private final Fcm fcm;
  private final Clock clock;
  private final Metrics metrics;
  private final boolean showMatchingCode;
  private final RateLimiter perUser;
  private final ScheduledThreadPoolExecutor executor;
  private final AtomicInteger queued = new AtomicInteger();

  Push(Devices devices, Fcm fcm, Clock clock, Metrics metrics, boolean showMatchingCode) {
    this.devices = devices;
    this.fcm = fcm;
    this.clock = clock;
    this.metrics = metrics;
    this.showMatchingCode = showMatchingCode;
    this.perUser = new RateLimiter(clock, RateLimiter.MAX_KEYS);
    this.executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "jeton-push");
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
  }

  /**
   * Push as configured: off without a key file; with one, the file is read now, and a file that
   * cannot be used stops the start with what is wrong ({@link ConfigException}).
   */
  public static Push create(Devices devices, Config.Push config, Clock clock, Metrics metrics) {
    Fcm fcm = null;
    if (config.enabled()) {
      ServiceAccount account;
      try {
        account = ServiceAccount.read(config.fcmCredentials());
      } catch (IllegalArgumentException e) {
        throw new ConfigException("JETON_PUSH_FCM_CREDENTIALS: " + e.getMessage());
      }
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER).build();
      fcm = new Fcm(account, URI.create(config.fcmUrl()), http, clock);
      LOG.atInfo().addKeyValue("project", account.projectId())
          .addKeyValue("fcm", config.fcmUrl()).log("push approval on");
    }
    return new Push(devices, fcm, clock, metrics, config.showMatchingCode());
  }

  /** Whether pushes are sent (a key file is configured). */
  public boolean enabled() {
    return fcm != null;
  }

  /** Whether a push carries the matching code (else the user types it on the phone). */
  public boolean showsMatchingCode() {
    return showMatchingCode;
  }

  /** Asks the user's phones to approve the login; returns at once. */
  public void qrLogin(QrLogin login) {
    if (fcm == null) {
      return;
    }
    Map<String, String> data = new LinkedHashMap<>();
    data.put("type", "qr_login");
    data.put("login_id", login.loginId());
    data.put("account", login.accountId());
    data.put("issuer", login.issuer());
    data.put("expires_at", Json.time(login.expiresAt()));
    if (login.clientName() != null) {
      data.put("client_name", login.clientName());
    }
    if (showMatchingCode) {
      data.put("matching_code", login.matchingCode());
    }
    ask(login.accountId(), login.userId(), data, login.expiresAt());
  }

  /** Asks the user's phones to open the verification page of a device login; returns at once. */
  public void deviceLogin(DeviceLogin login) {
    if (fcm == null) {
      return;
    }
    Map<String, String> data = new LinkedHashMap<>();
    data.put("type", "device_login");
    data.put("account", login.accountId());
    data.put("issuer", login.issuer());
    data.put("verification_uri", login.verificationUri());
    data.put("expires_at", Json.time(login.expiresAt()));
    if (login.clientName() != null) {
      data.put("client_name", login.clientName());
    }
    ask(login.accountId(), login.userId(), data, login.expiresAt());
  }

  private void ask(String accountId, String userId, Map<String, String> data, long expiresAt) {
    if (!perUser.take("push:" + accountId + ":" + userId, PER_USER, WINDOW).allowed()) {
      metrics.push("limited");
      LOG.atInfo().addKeyValue("account", accountId).addKeyValue("user", userId)
          .log("push not sent: the user was pushed " + PER_USER + " sign-ins in the last "
              + WINDOW.toMinutes() + " minutes");
      return;
    }
    if (queued.incrementAndGet() > MAX_QUEUED) {
      queued.decrementAndGet();
      metrics.push("dropped");
      LOG.warn("push not sent: {} sign-ins already wait to be pushed", MAX_QUEUED);
      return;
    }
    Map<String, String> frozen = Map.copyOf(data);
    executor.execute(() -> {
      try {
        fanOut(accountId, userId, frozen, expiresAt);
      } finally {
        queued.decrementAndGet();
      }
    });
  }

  private void fanOut(String accountId, String userId, Map<String, String> data,
      long expiresAt) {
    List<Devices.Target> targets;
    try {
      targets = devices.targets(accountId, userId);
    } catch (RuntimeException e) {
      metrics.push("failed");
      LOG.warn("push not sent: the user's devices could not be read: {}", e.getMessage());
      return;
    }
    for (Devices.Target t : targets) {
      attempt(t, data, expiresAt, 1);
    }
  }

  private void attempt(Devices.Target t, Map<String, String> data, long deadline, int n) {
    long now = clock.millis();
    if (now >= deadline) {
      metrics.push("failed");
      return;
    }
    fcm.send(Fcm.message(t.token(), data, Duration.ofMillis(deadline - now), deadline / 1000))
        .thenAcceptAsync(r -> ended(t, data, deadline, n, r), executor);
  }

  private void ended(Devices.Target t, Map<String, String> data, long deadline, int n,
      Fcm.Result r) {
    Device d = t.device();
    try {
      switch (r.outcome()) {
        case SENT -> {
          metrics.push("sent");
          devices.pushed(d);
        }
        case GONE -> {
          metrics.push("pruned");
          devices.prune(d, r.error());
        }
        case FAILED -> {
          metrics.push("failed");
          LOG.warn("FCM refused a message for device {}: {}", d.id(), r.error());
        }
        case RETRY -> {
          long delay = r.retryAfterSeconds() > 0 ? r.retryAfterSeconds() * 1000 : backoff(n);
          if (n >= MAX_ATTEMPTS || clock.millis() + delay >= deadline) {
            metrics.push("failed");
            LOG.warn("push to device {} given up after {} attempts: {}", d.id(), n, r.error());
          } else {
            executor.schedule(() -> attempt(t, data, deadline, n + 1), delay,
                TimeUnit.MILLISECONDS);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("recording the push to device {} failed: {}", d.id(), e.getMessage());
    }
  }

  /** 0.5 s, 1 s, 2 s ... with a fifth of jitter, so that retries of many sends spread out. */
  private static long backoff(int attempt) {
    long base = FIRST_BACKOFF_MILLIS << (attempt - 1);
    return base + ThreadLocalRandom.current().nextLong(base / 5 + 1);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
