package dev.jeton.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jeton.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * A client of the FCM HTTP v1 API: {@code POST {base}/v1/projects/{project}/messages:send},
 * authorized by an access token that a service account's signed assertion is exchanged for at
 * its token URI (RFC 7523 JWT bearer grant). Everything is asynchronous: no thread waits on FCM.
 */
final class Fcm {
  /** The OAuth scope FCM sends require. */
  static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
  /** How long before its expiry an access token is replaced. */
  private static final Duration REFRESH_EARLY = Duration.ofMinutes(5);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** How one send ended. */
  enum Outcome {
    /** FCM accepted the message. */
    SENT,
    /** The token is no longer valid (UNREGISTERED, or INVALID_ARGUMENT about the token). */
    GONE,
    /** Worth trying again (429, 5xx, the network, the token endpoint): after {@code retryAfter}. */
    RETRY,
    /** Refused for another reason: trying again would not help. */
    FAILED
  }

  /** One send's result: what to do next, FCM's error status if any, and its Retry-After (s). */
  record Result(Outcome outcome, String error, long retryAfterSeconds) {}

  private record AccessToken(String value, long expiresAtMillis) {}

  private final ServiceAccount account;
  private final URI send;
  private final HttpClient http;
  private final Clock clock;
  private volatile AccessToken token;
  private CompletableFuture<AccessToken> fetching;

  Fcm(ServiceAccount account, URI baseUrl, HttpClient http, Clock clock) {
    this.account = account;
    String base = baseUrl.toString().replaceAll("/+$", "");
    this.send = URI.create(base + "/v1/projects/"
        + URLEncoder.encode(account.projectId(), StandardCharsets.UTF_8) + "/messages:send");
    this.http = http;
    this.clock = clock;
  }

  /** Sends {@code message} (the FCM {@code message} object, token included). */
  CompletableFuture<Result> send(Map<String, Object> message) {
    return accessToken().thenCompose(t -> {
      HttpRequest req = HttpRequest.newBuilder(send).timeout(TIMEOUT)
          .header("Authorization", "Bearer " + t.value())
          .header("Content-Type", "application/json; charset=UTF-8")
          .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(Map.of("message", message))))
          .build();
      return http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray())
          .thenApply(r -> read(r, t));
    }).exceptionally(e -> new Result(Outcome.RETRY, "unreachable: " + rootMessage(e), 0));
  }

  private Result read(HttpResponse<byte[]> r, AccessToken used) {
    int status = r.statusCode();
    if (status == 200) {
      return new Result(Outcome.SENT, null, 0);
    }
    String error = errorStatus(r.body());
    long retryAfter = r.headers().firstValue("Retry-After").map(Fcm::seconds).orElse(0L);
    if (status == 401) {
      // the access token was revoked or expired early: the next attempt fetches another
      synchronized (this) {
        if (token == used) {
          token = null;
        }
      }
      return new Result(Outcome.RETRY, "UNAUTHENTICATED", 0);
    }
    if (status == 429 || status >= 500) {
      return new Result(Outcome.RETRY, error == null ? "HTTP " + status : error, retryAfter);
    }
    // only FCM's own word that the token is gone prunes a device: a 404 or 400 for another reason
    // (a wrong project id, a message FCM does not take) would otherwise remove every device
    if ("UNREGISTERED".equals(error)
        || ("INVALID_ARGUMENT".equals(error) && aboutToken(r.body()))) {
      return new Result(Outcome.GONE, error, 0);
    }
    return new Result(Outcome.FAILED, error == null ? "HTTP " + status : error, 0);
  }

  /**
   * FCM's error code: the {@code errorCode} of its FcmError detail when present (UNREGISTERED,
   * QUOTA_EXCEEDED ...), else the {@code status} of the Google error (INVALID_ARGUMENT ...).
   */
  private static String errorStatus(byte[] body) {
    try {
      JsonNode e = Json.MAPPER.readTree(body).path("error");
      for (JsonNode d : e.path("details")) {
        if (d.path("@type").asText("").endsWith("google.firebase.fcm.v1.FcmError")
            && d.hasNonNull("errorCode")) {
          return d.path("errorCode").asText();
        }
      }
      return e.hasNonNull("status") ? e.path("status").asText() : null;
    } catch (IOException | RuntimeException ex) {
      return null;
    }
  }

  /** Whether an INVALID_ARGUMENT names the registration token (not the message Jeton built). */
  private static boolean aboutToken(byte[] body) {
    try {
      JsonNode e = Json.MAPPER.readTree(body).path("error");
      for (JsonNode d : e.path("details")) {
        for (JsonNode v : d.path("fieldViolations")) {
          if (v.path("field").asText("").equals("message.token")) {
            return true;
          }
        }
      }
      return e.path("message").asText("").toLowerCase(java.util.Locale.ROOT)
          .contains("registration token");
    } catch (IOException | RuntimeException ex) {
      return false;
    }
  }

  private synchronized CompletableFuture<AccessToken> accessToken() {
    AccessToken t = token;
    if (t != null && clock.millis() < t.expiresAtMillis() - REFRESH_EARLY.toMillis()) {
      return CompletableFuture.completedFuture(t);
    }
    if (fetching == null) {
      CompletableFuture<AccessToken> f = fetch();
      fetching = f;
      f.whenComplete((v, e) -> {
        synchronized (this) {
          fetching = null;
          if (v != null) {
            token = v;
          }
        }
      });
      return f;
    }
    return fetching;
  }

  /** Exchanges a fresh signed assertion for an access token (RFC 7523 2.1). */
  private CompletableFuture<AccessToken> fetch() {
    String form = "grant_type=" + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer",
        StandardCharsets.UTF_8) + "&assertion=" + assertion();
    HttpRequest req = HttpRequest.newBuilder(account.tokenUri()).timeout(TIMEOUT)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).thenApply(r -> {
      if (r.statusCode() != 200) {
        throw new IllegalStateException("the token endpoint " + account.tokenUri()
            + " answered " + r.statusCode());
      }
      try {
        JsonNode n = Json.MAPPER.readTree(r.body());
        String value = n.path("access_token").asText("");
        long life = n.path("expires_in").asLong(3600);
        if (value.isEmpty()) {
          throw new IllegalStateException("the token endpoint answered no access_token");
        }
        return new AccessToken(value, clock.millis() + life * 1000);
      } catch (IOException e) {
        throw new IllegalStateException("the token endpoint answered no JSON", e);
      }
    });
  }

  /** The service account's assertion: its e-mail as issuer, the token URI as audience, 1 h. */
  String assertion() {
    long now = clock.millis();
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(account.clientEmail())
        .subject(account.clientEmail()).audience(account.tokenUri().toString())
        .claim("scope", SCOPE).issueTime(new Date(now))
        .expirationTime(new Date(now + 3_600_000)).jwtID(UUID.randomUUID().toString()).build();
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
        .keyID(account.keyId()).build();
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(new RSASSASigner(account.key()));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign the service account's assertion", e);
    }
    return jwt.serialize();
  }

  /** Retry-After in seconds (delay-seconds, or an HTTP date), 0 if unreadable. */
  static long seconds(String value) {
    try {
      return Math.max(0, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      try {
        long at = java.time.ZonedDateTime.parse(value.trim(),
            java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        return Math.max(0, (at - System.currentTimeMillis() + 999) / 1000);
      } catch (java.time.format.DateTimeParseException e2) {
        return 0;
      }
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  /** The body of an FCM message for {@code token}: data only, delivered promptly, until ttl. */
  static Map<String, Object> message(String token, Map<String, String> data, Duration ttl,
      long expiresAtSeconds) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("token", token);
    m.put("data", data);
    m.put("android", Map.of("priority", "HIGH", "ttl", Math.max(0, ttl.toSeconds()) + "s"));
    // a data-only message reaches an iOS app as a background notification (APNs push type
    // background, priority 5), dropped once the login it is about has expired
    m.put("apns", Map.of("headers", Map.of("apns-push-type", "background", "apns-priority", "5",
        "apns-expiration", String.valueOf(expiresAtSeconds)),
        "payload", Map.of("aps", Map.of("content-available", 1))));
    return m;
  }
}
