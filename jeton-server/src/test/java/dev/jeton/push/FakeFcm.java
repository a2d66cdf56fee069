package dev.jeton.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for Google's token endpoint and the FCM HTTP v1 API, strict where the real ones
 * are: the service account's assertion must be signed by the key of the key file it wrote, be
 * addressed to its token URI and ask for the messaging scope; a message must be sent with an
 * access token it issued, to the project of the key file, in the v1 schema (a token, data whose
 * values are all strings). Answers can be scripted per registration token.
 */
final class FakeFcm implements AutoCloseable {
  static final String PROJECT = "jeton-test";
  static final String EMAIL = "push@jeton-test.iam.gserviceaccount.com";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A message FCM accepted (or answered with an error), as received. */
  record Received(String token, JsonNode message, long atMillis, int status) {}

  /** A scripted answer: status, JSON body, and headers. */
  record Answer(int status, String body, Map<String, String> headers) {}

  private final HttpServer server;
  private final KeyPair keys;
  private final Path keyFile;
  private final Set<String> issued = ConcurrentHashMap.newKeySet();
  private final Map<String, Queue<Answer>> scripts = new ConcurrentHashMap<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  /** Problems found in what Jeton sent: each would be a 400 from the real FCM. */
  final List<String> problems = new CopyOnWriteArrayList<>();
  final AtomicInteger tokensIssued = new AtomicInteger();

  FakeFcm(Path dir) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    keys = g.generateKeyPair();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/token", this::token);
    server.createContext("/v1/projects/", this::send);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    keyFile = dir.resolve("service-account.json");
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64,
        "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    Map<String, String> file = new HashMap<>();
    file.put("type", "service_account");
    file.put("project_id", PROJECT);
    file.put("private_key_id", "key-1");
    file.put("private_key", pem);
    file.put("client_email", EMAIL);
    file.put("token_uri", url() + "/token");
    Files.writeString(keyFile, JSON.writeValueAsString(file));
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  Path keyFile() {
    return keyFile;
  }

  /** The next answers to messages for {@code token}, in order; then 200. */
  void script(String token, Answer... answers) {
    scripts.computeIfAbsent(token, t -> new ConcurrentLinkedQueue<>()).addAll(List.of(answers));
  }

  /** Every message received so far, in order. */
  List<Received> received() {
    return List.copyOf(received);
  }

  /** Messages for {@code token}. */
  List<Received> receivedFor(String token) {
    return received.stream().filter(r -> r.token().equals(token)).toList();
  }

  /** Waits (at most 15 s) until {@code n} messages for {@code token} arrived; answers them. */
  List<Received> await(String token, int n) throws InterruptedException {
    long until = System.nanoTime() + 15_000_000_000L;
    while (receivedFor(token).size() < n && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    return receivedFor(token);
  }

  void forgetAccessTokens() {
    issued.clear();
  }

  private void token(HttpExchange x) throws IOException {
    try (x) {
      String form = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Map<String, String> params = new HashMap<>();
      for (String pair : form.split("&")) {
        String[] kv = pair.split("=", 2);
        params.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
      String problem = assertionProblem(params);
      if (problem != null) {
        problems.add("token endpoint: " + problem);
        answer(x, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"" + problem + "\"}",
            Map.of());
        return;
      }
      String at = "ya29.fake-" + tokensIssued.incrementAndGet();
      issued.add(at);
      answer(x, 200, "{\"access_token\":\"" + at + "\",\"expires_in\":3599,"
          + "\"token_type\":\"Bearer\"}", Map.of());
    }
  }

  private String assertionProblem(Map<String, String> p) {
    if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(p.get("grant_type"))) {
      return "grant_type is " + p.get("grant_type");
    }
    try {
      SignedJWT jwt = SignedJWT.parse(p.get("assertion"));
      if (!jwt.verify(new RSASSAVerifier((RSAPublicKey) keys.getPublic()))) {
        return "the assertion's signature is not the service account's";
      }
      if (!"RS256".equals(jwt.getHeader().getAlgorithm().getName())) {
        return "alg " + jwt.getHeader().getAlgorithm();
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      Date now = new Date();
      if (!EMAIL.equals(c.getIssuer())) {
        return "iss " + c.getIssuer();
      }
      if (!List.of(url() + "/token").equals(c.getAudience())) {
        return "aud " + c.getAudience();
      }
      if (!"https://www.googleapis.com/auth/firebase.messaging".equals(c.getClaim("scope"))) {
        return "scope " + c.getClaim("scope");
      }
      if (c.getExpirationTime() == null || !c.getExpirationTime().after(now)
          || c.getIssueTime() == null || c.getIssueTime().getTime() > now.getTime() + 60_000
          || c.getExpirationTime().getTime() - c.getIssueTime().getTime() > 3_600_000) {
        return "iat/exp";
      }
      return null;
    } catch (Exception e) {
      return "unreadable assertion: " + e.getMessage();
    }
  }

  private void send(HttpExchange x) throws IOException {
    try (x) {
      String path = x.getRequestURI().getPath();
      if (!"POST".equals(x.getRequestMethod())
          || !path.equals("/v1/projects/" + PROJECT + "/messages:send")) {
        problems.add("send: " + x.getRequestMethod() + " " + path);
        answer(x, 404, error(404, "NOT_FOUND", "no such method", null), Map.of());
        return;
      }
      String auth = x.getRequestHeaders().getFirst("Authorization");
      if (auth == null || !auth.startsWith("Bearer ") || !issued.contains(auth.substring(7))) {
        answer(x, 401, error(401, "UNAUTHENTICATED", "Request had invalid authentication "
            + "credentials.", null), Map.of());
        return;
      }
      JsonNode body = JSON.readTree(x.getRequestBody().readAllBytes());
      JsonNode m = body.path("message");
      String problem = schemaProblem(body, m);
      if (problem != null) {
        problems.add("message: " + problem);
        answer(x, 400, error(400, "INVALID_ARGUMENT", problem, null), Map.of());
        return;
      }
      String token = m.path("token").asText();
      Queue<Answer> q = scripts.get(token);
      Answer a = q == null ? null : q.poll();
      if (a == null) {
        a = new Answer(200, "{\"name\":\"projects/" + PROJECT + "/messages/"
            + (received.size() + 1) + "\"}", Map.of());
      }
      received.add(new Received(token, m, System.currentTimeMillis(), a.status()));
      answer(x, a.status(), a.body(), a.headers());
    }
  }

  /** What the v1 API would refuse in a send request, or null. */
  private static String schemaProblem(JsonNode body, JsonNode m) {
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("message") && !f.equals("validate_only")) {
        return "unknown field " + f;
      }
    }
    if (!m.isObject() || !m.path("token").isTextual() || m.path("token").asText().isEmpty()) {
      return "message.token missing";
    }
    if (m.has("topic") || m.has("condition")) {
      return "more than one target";
    }
    List<String> allowed = List.of("token", "data", "notification", "android", "apns",
        "webpush", "fcm_options", "name");
    for (Iterator<String> it = m.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        return "unknown field message." + f;
      }
    }
    JsonNode data = m.path("data");
    if (!data.isObject()) {
      return "message.data missing";
    }
    List<String> keys = new ArrayList<>();
    data.fieldNames().forEachRemaining(keys::add);
    for (String k : keys) {
      if (!data.get(k).isTextual()) {
        return "message.data." + k + " is not a string";
      }
      if (k.startsWith("google.") || k.equals("from") || k.startsWith("gcm.")) {
        return "reserved data key " + k;
      }
    }
    JsonNode android = m.path("android");
    if (android.has("priority") && !List.of("NORMAL", "HIGH")
        .contains(android.path("priority").asText())) {
      return "android.priority";
    }
    if (android.has("ttl") && !android.path("ttl").asText().matches("[0-9]+(\\.[0-9]+)?s")) {
      return "android.ttl";
    }
    JsonNode headers = m.path("apns").path("headers");
    for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
      if (!it.next().getValue().isTextual()) {
        return "apns.headers values are strings";
      }
    }
    return null;
  }

  static String error(int code, String status, String message, String fcmCode) {
    String details = fcmCode == null ? "[]" : "[{\"@type\":\"type.googleapis.com/google.firebase"
        + ".fcm.v1.FcmError\",\"errorCode\":\"" + fcmCode + "\"}]";
    return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\""
        + status + "\",\"details\":" + details + "}}";
  }

  private static void answer(HttpExchange x, int status, String body, Map<String, String> headers)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json; charset=UTF-8");
    headers.forEach((k, v) -> x.getResponseHeaders().add(k, v));
    x.sendResponseHeaders(status, b.length);
    x.getResponseBody().write(b);
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
