package dev.jeton;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jeton.config.Config;
import dev.jeton.testing.Databases;
import dev.jeton.testing.Engine;
import dev.jeton.testing.JetonProcess;
import dev.jeton.testing.OnBothEngines;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety (docs/operations.md#crash-safety, docs/security.md#revocation-durable): the Jeton
 * server process is killed with SIGKILL while clients refresh, log out, register and revoke in
 * parallel, restarted on the same data, and every answer a client read must still hold:
 *
 * <ul>
 *   <li>the last refresh token each client read still refreshes, and the token its last
 *       acknowledged refresh spent is reuse ({@code refresh_token_reused},
 *       docs/security.md#refresh-reuse); a token whose refresh was sent but never answered
 *       still refreshes, unless that refresh was carried out: then the client holds a
 *       rotated-out token and, with no grace window, presenting it is reuse and nothing else;
 *   <li>every acknowledged logout ({@code /auth/logout}) and revocation ({@code /oauth2/revoke}
 *       of a refresh or of an access token, {@code DELETE /me/grants/{client_id}}) still refuses
 *       the session's refresh and access tokens, after this restart and every later one;
 *   <li>every acknowledged registration can sign in;
 *   <li>the browser session of an acknowledged sign-in still authorizes without a new sign-in.
 * </ul>
 *
 * A request whose answer was lost may have been carried out or not, and the check accepts exactly
 * those two outcomes for it; a request that never reached the server (connection refused) must
 * have changed nothing. The normal run kills twice per engine; {@code -Djeton.crash.cycles=N}
 * and {@code -Djeton.crash.load.ms=M} run longer.
 */
@OnBothEngines
class CrashSafetyTest {
  /** Kill and restart cycles per engine. */
  private static final int CYCLES = Integer.getInteger("jeton.crash.cycles", 2);
  /** Load per cycle; the kill falls at a random moment in its second half. */
  private static final long LOAD_MS = Long.getLong("jeton.crash.load.ms", 3_000);
  private static final Duration READY_WITHIN = Duration.ofSeconds(120);
  private static final String PASSWORD = "correct horse battery staple 9";
  private static final String ADMIN_EMAIL = "admin@example.com";
  private static final String ADMIN_PASSWORD = "bootstrap secret of the crash test";
  private static final String ISSUER = "/accounts/main";
  private static final String V1 = ISSUER + "/api/v1";
  private static final String CB = "https://app.example.com/cb";
  private static final int REFRESHERS = 4;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern HIDDEN =
      Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");
  /** How the revoking client ends its sessions, in turn. */
  private static final String[] HOW = {"refresh_token", "access_token", "grant"};

  private final Engine engine;
  private final Ledger ledger = new Ledger();
  /** Set just before the kill: a transport failure before it is a failure of the server. */
  private final AtomicBoolean killing = new AtomicBoolean();
  /** The server process of the moment. */
  private JetonProcess server;

  CrashSafetyTest(Engine engine) {
    this.engine = engine;
  }

  /** A failed test leaves no server process behind. */
  @AfterEach
  void killLeftover() {
    if (server != null && server.isAlive()) {
      server.kill();
    }
  }

  @Test
  @DisplayName("docs/operations.md#crash-safety, docs/security.md#revocation-durable: after "
      + "SIGKILL and a restart every acknowledged answer holds")
  void sigkillWhenClientsRefreshLogOutRegisterAndRevokeThenAcknowledgedAnswersSurviveRestart(
      @TempDir Path dir) throws Exception {
    long t0 = System.nanoTime();
    int port = JetonProcess.freePort();
    String base = "http://127.0.0.1:" + port;
    Map<String, String> settings = settings(dir, port, base);
    List<Long> readyMs = new ArrayList<>();
    List<Long> verifyMs = new ArrayList<>();

    server = start(settings, base, dir, 0, readyMs);
    Http http = new Http(base);
    String admin = login(http, ADMIN_EMAIL, ADMIN_PASSWORD).text("access_token");
    OAuthApp app = OAuthApp.register(http, admin);
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < REFRESHERS; i++) {
      workers.add(new Refresher(http, "refresher-" + i + "@example.com", i % 2 == 0));
    }
    workers.add(new LoggingOut(http, "logout@example.com"));
    Registering registering = new Registering();
    workers.add(registering);
    workers.add(new Revoking(http, app, "revoker@example.com"));

    for (int cycle = 1; cycle <= CYCLES; cycle++) {
      killing.set(false);
      workers.forEach(Worker::newCycle);
      AtomicBoolean busy = new AtomicBoolean(true);
      AtomicBoolean quiet = new AtomicBoolean(true);
      List<Thread> busyThreads = new ArrayList<>();
      List<Thread> quietThreads = new ArrayList<>();
      for (Worker w : workers) {
        Http h = http;
        AtomicBoolean running = w.quiet ? quiet : busy;
        Thread t = new Thread(() -> w.run(h, running), "crash-" + w.name);
        (w.quiet ? quietThreads : busyThreads).add(t);
        t.start();
      }
      Thread.sleep(LOAD_MS / 2 + ThreadLocalRandom.current().nextLong(LOAD_MS / 2 + 1));
      // On a slow machine: each client gets its few acknowledged answers per cycle.
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (workers.stream().anyMatch(w -> !w.stopped && w.answered.get() < w.minimumPerCycle())
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      // The quiet clients finish their request and hold their last answer when the kill comes;
      // the busy ones are cut off in the middle of theirs.
      quiet.set(false);
      join(quietThreads);
      killing.set(true);
      int exit = server.kill();
      busy.set(false);
      join(busyThreads);
      // Ended by SIGKILL: the JVM ran no shutdown hook, so nothing was drained, flushed or closed.
      assertThat(exit).as("exit status of the killed server").isEqualTo(JetonProcess.SIGKILL_EXIT);
      assertThat(server.log()).contains(JetonProcess.READY_LINE)
          .doesNotContain(JetonProcess.STOPPED_LINE);

      server = start(settings, base, dir, cycle, readyMs);
      http = new Http(base);
      long v = System.nanoTime();
      for (Worker w : workers) {
        w.verify(http);
      }
      verifyMs.add((System.nanoTime() - v) / 1_000_000);
    }
    long v = System.nanoTime();
    registering.verifyAll(http);
    verifyMs.add((System.nanoTime() - v) / 1_000_000);

    // What tells the kill from a graceful stop: SIGTERM ends the JVM through its shutdown hooks,
    // with 128 + 15.
    assertThat(server.stop()).as("exit status after SIGTERM").isEqualTo(128 + 15);

    String summary = engine + ": " + CYCLES + " kills; server ready after " + readyMs
        + " ms; checks took " + verifyMs + " ms; " + (System.nanoTime() - t0) / 1_000_000
        + " ms in all; " + ledger.counts;
    System.out.println("crash safety " + summary);
    assertThat(ledger.problems).as(summary).isEmpty();
    for (String kind : List.of("refresh.acknowledged", "refresh.last_token_checked",
        "refresh.spent_token_checked",
        "logout.acknowledged", "logout.checked", "register.acknowledged", "register.checked",
        "revoke.refresh_token.acknowledged", "revoke.access_token.acknowledged",
        "revoke.grant.acknowledged", "revoke.checked")) {
      assertThat(ledger.get(kind)).as("%s in %s", kind, summary).isPositive();
    }
  }

  private static void join(List<Thread> threads) throws InterruptedException {
    for (Thread t : threads) {
      t.join(60_000);
      assertThat(t.isAlive()).as("%s still running after 60 s", t.getName()).isFalse();
    }
  }

  private Map<String, String> settings(Path dir, int port, String base) {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("JETON_HTTP_HOST", "127.0.0.1");
    env.put("JETON_HTTP_PORT", Integer.toString(port));
    env.put("JETON_BASE_URL", base);
    env.put("JETON_DATA_DIR", dir.toString());
    env.put("JETON_MASTER_KEY", Base64.getEncoder().encodeToString(key));
    env.put("JETON_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL);
    env.put("JETON_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
    // No grace: a rotated-out refresh token is reuse at once (docs/security.md#refresh-reuse).
    env.put("JETON_REFRESH_GRACE", "0");
    env.put("JETON_LOG_FORMAT", "text");
    env.put("JETON_SHUTDOWN_TIMEOUT", "2s");
    // What is checked is what survives a kill, not the rate limit: the workers' clients call
    // faster than the default 100 per 20 s on a fast machine (as TestServer lifts it too).
    env.put("JETON_RATE_LIMIT", "100000/20s");
    if (engine == Engine.POSTGRES) {
      Config.Db db = Databases.create(Engine.POSTGRES, dir);
      env.put("JETON_DB_URL", db.url());
      env.put("JETON_DB_USER", db.user());
      env.put("JETON_DB_PASSWORD", db.password());
    }
    return env;
  }

  private static JetonProcess start(Map<String, String> settings, String base, Path dir,
      int generation, List<Long> readyMs) {
    long t = System.nanoTime();
    JetonProcess p = JetonProcess.start(settings, base, dir.resolve("jeton-" + generation + ".log"),
        READY_WITHIN);
    readyMs.add((System.nanoTime() - t) / 1_000_000);
    return p;
  }

  // ---- the clients ---------------------------------------------------------------------------

  /** Thrown by a step that read an answer it did not expect: the client stops for this cycle. */
  private static final class Unexpected extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unexpected(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * One client: steps against the server until the kill, then, against the restarted server,
   * checks that what it was told still holds. Each client is used by one thread at a time.
   */
  private abstract class Worker {
    final String name;
    /** Stops before the kill (holding its last answer) instead of being cut off by it. */
    final boolean quiet;
    /** Steps answered as expected in this cycle. */
    final AtomicInteger answered = new AtomicInteger();
    /** Its thread has ended in this cycle. */
    volatile boolean stopped;

    Worker(String name, boolean quiet) {
      this.name = name;
      this.quiet = quiet;
    }

    /** One unit of work; IOException when an answer did not come (the server is gone). */
    abstract void step(Http http) throws IOException;

    /** After a restart: what this client was told before the kill still holds. */
    abstract void verify(Http http) throws IOException;

    /** The steps the kill waits for in each cycle. */
    int minimumPerCycle() {
      return 1;
    }

    final void newCycle() {
      answered.set(0);
      stopped = false;
    }

    final void run(Http http, AtomicBoolean running) {
      try {
        while (running.get()) {
          step(http);
          answered.incrementAndGet();
        }
      } catch (IOException e) {
        if (!killing.get()) {
          ledger.problem(name + ": no answer while the server was up: " + e);
        }
      } catch (Unexpected e) {
        // recorded by expect()
      } catch (RuntimeException | Error e) {
        ledger.problem(name + ": " + e);
      } finally {
        stopped = true;
      }
    }

    /** The answer the step expects; anything else is recorded and stops this client's cycle. */
    final Response expect(Response r, int status, String what) {
      if (r.status() != status) {
        String problem = name + ": " + what + " answered " + r;
        ledger.problem(problem);
        throw new Unexpected(problem);
      }
      return r;
    }
  }

  /**
   * A first-party app that refreshes its session again and again and keeps the last refresh token
   * it read (docs/security.md#refresh-rotation).
   */
  private final class Refresher extends Worker {
    final String email;
    String current;
    /** The token the last acknowledged refresh spent (null after a sign-in). */
    String previous;
    /** A refresh presenting {@link #current} was sent and its answer lost. */
    boolean unanswered;

    Refresher(Http http, String email, boolean quiet) throws IOException {
      super(email, quiet);
      this.email = email;
      this.current = expect(register(http, email), 201, "register").text("refresh_token");
    }

    @Override
    void step(Http http) throws IOException {
      Response r = lost(() -> refresh(http, current), sent -> unanswered = sent, "refresh");
      String next = expect(r, 200, "refresh").text("refresh_token");
      previous = current;
      current = next;
      ledger.add("refresh.acknowledged");
    }

    @Override
    void verify(Http http) throws IOException {
      Response r = refresh(http, current);
      if (r.status() == 200) {
        String next = r.text("refresh_token");
        ledger.add(unanswered ? "refresh.lost.not_applied" : "refresh.last_token_checked");
        if (!unanswered && previous != null) {
          // The acknowledged rotation held too: the token it spent is reuse, which revokes the
          // family, including the pair just issued (docs/security.md#refresh-reuse).
          Response old = refresh(http, previous);
          Response after = refresh(http, next);
          if (old.status() != 401 || !"refresh_token_reused".equals(old.code())
              || after.status() != 401 || !"token_revoked".equals(after.code())) {
            ledger.problem(email + ": the token its last acknowledged refresh spent answered "
                + old + ", then the family's newest token " + after);
          }
          ledger.add("refresh.spent_token_checked");
          next = expect(login(http, email, PASSWORD), 200, "login").text("refresh_token");
        }
        current = next;
      } else if (unanswered && r.status() == 401 && "refresh_token_reused".equals(r.code())) {
        // The lost refresh rotated the token: presenting it again is reuse (no grace window).
        ledger.add("refresh.lost.applied_then_reused");
        current = expect(login(http, email, PASSWORD), 200, "login").text("refresh_token");
      } else {
        ledger.problem(email + ": the last refresh token it read"
            + (unanswered ? " (its next refresh unanswered)" : "") + " answered " + r);
        current = expect(login(http, email, PASSWORD), 200, "login").text("refresh_token");
      }
      previous = null;
      unanswered = false;
    }
  }

  /** A refresh and an access token of one session. */
  private record Pair(String refresh, String access) {}

  /** Signs in and logs out again and again (docs/security.md#sessions-revoked-on-change). */
  private final class LoggingOut extends Worker {
    final String email;
    final List<Pair> acknowledged = new ArrayList<>();
    Pair unanswered;

    LoggingOut(Http http, String email) throws IOException {
      super(email, false);
      this.email = email;
      expect(register(http, email), 201, "register");
    }

    @Override
    void step(Http http) throws IOException {
      Response in = expect(login(http, email, PASSWORD), 200, "login");
      Pair p = new Pair(in.text("refresh_token"), in.text("access_token"));
      Response out = lost(() -> http.postJson(V1 + "/auth/logout", refreshBody(p.refresh()),
          null), sent -> unanswered = sent ? p : null, "logout");
      expect(out, 204, "logout");
      acknowledged.add(p);
      ledger.add("logout.acknowledged");
    }

    @Override
    void verify(Http http) throws IOException {
      for (Pair p : acknowledged) {
        Response r = refresh(http, p.refresh());
        Response me = http.get(V1 + "/me", p.access());
        if (r.status() != 401 || !"token_revoked".equals(r.code()) || me.status() != 401
            || !"token_revoked".equals(me.code())) {
          ledger.problem(email + ": a session it logged out answered refresh " + r + ", /me "
              + me);
        }
        ledger.add("logout.checked");
      }
      if (unanswered != null) {
        Response r = refresh(http, unanswered.refresh());
        if (r.status() == 200) {
          ledger.add("logout.lost.not_applied");
        } else if (r.status() == 401 && "token_revoked".equals(r.code())) {
          ledger.add("logout.lost.applied");
        } else {
          ledger.problem(email + ": the session of an unanswered logout answered " + r);
        }
        unanswered = null;
      }
    }
  }

  /** Registers new users one after another. */
  private final class Registering extends Worker {
    final List<String> acknowledged = new ArrayList<>();
    int checked;
    String unanswered;
    int n;

    Registering() {
      super("registering", false);
    }

    @Override
    void step(Http http) throws IOException {
      String email = "user-" + (++n) + "@example.com";
      Response r = lost(() -> register(http, email), sent -> unanswered = sent ? email : null,
          "register");
      expect(r, 201, "register");
      acknowledged.add(email);
      ledger.add("register.acknowledged");
    }

    /** The registrations acknowledged since the last check can sign in. */
    @Override
    void verify(Http http) throws IOException {
      verifyFrom(http, checked);
      if (unanswered != null) {
        Response r = login(http, unanswered, PASSWORD);
        if (r.status() == 200) {
          ledger.add("register.lost.applied");
        } else if (r.status() == 401 && "invalid_credentials".equals(r.code())) {
          ledger.add("register.lost.not_applied");
        } else {
          ledger.problem(unanswered + ": the sign-in of an unanswered registration answered "
              + r);
        }
        unanswered = null;
      }
    }

    /** Every registration acknowledged in any cycle can still sign in. */
    void verifyAll(Http http) throws IOException {
      verifyFrom(http, 0);
    }

    private void verifyFrom(Http http, int from) throws IOException {
      for (String email : acknowledged.subList(from, acknowledged.size())) {
        Response r = login(http, email, PASSWORD);
        if (r.status() != 200) {
          ledger.problem(email + ": an acknowledged registration signs in with " + r);
        }
        ledger.add("register.checked");
      }
      checked = acknowledged.size();
    }
  }

  /**
   * An OAuth client's user: a signed-in browser authorizes, the client exchanges the code, then
   * the session is revoked in turn by the client at {@code /oauth2/revoke} (its refresh token,
   * then its access token, RFC 7009) and by the user taking the grant back
   * (docs/security.md#revocation-immediate, docs/security.md#consent).
   */
  private final class Revoking extends Worker {
    final OAuthApp app;
    final String email;
    final String userAccess;
    final Map<String, String> cookies = new LinkedHashMap<>();
    final List<Pair> acknowledged = new ArrayList<>();
    Pair unanswered;
    int n;

    Revoking(Http http, OAuthApp app, String email) throws IOException {
      super(email, false);
      this.app = app;
      this.email = email;
      this.userAccess = expect(register(http, email), 201, "register").text("access_token");
      signIn(http);
    }

    private void signIn(Http http) throws IOException {
      Response page = expect(browse(http, "GET", ISSUER + "/login", null), 200, "login page");
      Map<String, String> form = hidden(page);
      form.put("email", email);
      form.put("password", PASSWORD);
      expect(browse(http, "POST", ISSUER + "/login", form), 303, "sign-in");
    }

    /** One session ended each way. */
    @Override
    int minimumPerCycle() {
      return HOW.length;
    }

    @Override
    void step(Http http) throws IOException {
      String verifier = verifier();
      Pair p = tokens(http, code(http, verifier), verifier);
      String how = HOW[n++ % HOW.length];
      Response r = lost(() -> revoke(http, how, p), sent -> unanswered = sent ? p : null,
          "revoke");
      expect(r, how.equals("grant") ? 204 : 200, "revoke " + how);
      acknowledged.add(p);
      ledger.add("revoke." + how + ".acknowledged");
    }

    private Response revoke(Http http, String how, Pair p) throws IOException {
      return switch (how) {
        case "refresh_token" -> http.postForm(ISSUER + "/oauth2/revoke",
            form("token", p.refresh(), "token_type_hint", "refresh_token"), app.basic());
        case "access_token" -> http.postForm(ISSUER + "/oauth2/revoke",
            form("token", p.access()), app.basic());
        default -> http.send("DELETE", V1 + "/me/grants/" + app.id(), null,
            "Authorization", "Bearer " + userAccess);
      };
    }

    private String code(Http http, String verifier) throws IOException {
      String path = ISSUER + "/oauth2/authorize?" + form("response_type", "code",
          "client_id", app.id(), "redirect_uri", CB, "scope", "read", "state", "s" + n,
          "code_challenge", challenge(verifier), "code_challenge_method", "S256");
      Response r = browse(http, "GET", path, null);
      if (r.status() == 200) {
        // the consent page: first time, and again after the user took the grant back
        Map<String, String> form = hidden(r);
        form.put("decision", "allow");
        r = expect(browse(http, "POST", ISSUER + "/oauth2/authorize", form), 303, "consent");
      } else {
        expect(r, 302, "authorize");
      }
      String location = r.header("Location");
      if (location == null || !location.startsWith(CB + "?")) {
        // An acknowledged sign-in must outlive a kill: its browser session is in the database.
        String problem = name + ": the signed-in browser was sent to " + location;
        ledger.problem(problem);
        throw new Unexpected(problem);
      }
      return query(location).get("code");
    }

    private Pair tokens(Http http, String code, String verifier) throws IOException {
      Response r = expect(http.postForm(ISSUER + "/oauth2/token", form("grant_type",
          "authorization_code", "code", code, "redirect_uri", CB, "code_verifier", verifier),
          app.basic()), 200, "code exchange");
      return new Pair(r.text("refresh_token"), r.text("access_token"));
    }

    @Override
    void verify(Http http) throws IOException {
      for (Pair p : acknowledged) {
        Response r = app.refresh(http, p.refresh());
        Response at = http.postForm(ISSUER + "/oauth2/introspect", form("token", p.access()),
            app.basic());
        if (r.status() != 400 || !"invalid_grant".equals(r.text("error"))
            || at.status() != 200 || !at.json().equals(JSON.createObjectNode().put("active",
            false))) {
          ledger.problem(email + ": a revoked session answered refresh " + r
              + ", introspection of its access token " + at);
        }
        ledger.add("revoke.checked");
      }
      if (unanswered != null) {
        Response r = app.refresh(http, unanswered.refresh());
        if (r.status() == 200) {
          ledger.add("revoke.lost.not_applied");
        } else if (r.status() == 400 && "invalid_grant".equals(r.text("error"))) {
          ledger.add("revoke.lost.applied");
        } else {
          ledger.problem(email + ": the session of an unanswered revocation answered " + r);
        }
        unanswered = null;
      }
    }

    /** A request of the browser: its cookies, the issuer's Origin on posts, no redirects. */
    private Response browse(Http http, String method, String path, Map<String, String> form)
        throws IOException {
      List<String> headers = new ArrayList<>();
      if (!cookies.isEmpty()) {
        StringBuilder b = new StringBuilder();
        cookies.forEach((k, v) -> b.append(b.length() == 0 ? "" : "; ").append(k).append('=')
            .append(v));
        headers.add("Cookie");
        headers.add(b.toString());
      }
      String body = null;
      if (form != null) {
        headers.addAll(List.of("Content-Type", "application/x-www-form-urlencoded", "Origin",
            http.base));
        List<String> pairs = new ArrayList<>();
        form.forEach((k, v) -> {
          pairs.add(k);
          pairs.add(v);
        });
        body = form(pairs.toArray(new String[0]));
      }
      Response r = http.send(method, path, body, headers.toArray(new String[0]));
      for (String c : r.headers().allValues("Set-Cookie")) {
        String pair = c.split(";", 2)[0];
        int eq = pair.indexOf('=');
        if (eq <= 0 || eq == pair.length() - 1 || c.contains("Max-Age=0")) {
          cookies.remove(eq <= 0 ? pair : pair.substring(0, eq));
        } else {
          cookies.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
      return r;
    }

    private static Map<String, String> hidden(Response page) {
      Map<String, String> m = new LinkedHashMap<>();
      Matcher x = HIDDEN.matcher(page.body());
      while (x.find()) {
        m.put(unescape(x.group(1)), unescape(x.group(2)));
      }
      return m;
    }

    private static String unescape(String s) {
      return s.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", "\"")
          .replace("&quot;", "\"").replace("&#39;", "'").replace("&#x27;", "'")
          .replace("&amp;", "&");
    }
  }

  /** A confidential OAuth client registered through the API, as an operator would. */
  private record OAuthApp(String id, String secret) {
    static OAuthApp register(Http http, String adminToken) throws IOException {
      Response r = http.postJson(V1 + "/clients", "{\"name\":\"Crash test app\","
          + "\"type\":\"confidential\",\"redirect_uris\":[\"" + CB + "\"],"
          + "\"grant_types\":[\"authorization_code\",\"refresh_token\"],\"scopes\":[\"read\"]}",
          adminToken);
      assertThat(r.status()).as(r.toString()).isEqualTo(201);
      return new OAuthApp(r.text("client_id"), r.text("client_secret"));
    }

    String basic() {
      String pair = URLEncoder.encode(id, StandardCharsets.UTF_8) + ":"
          + URLEncoder.encode(secret, StandardCharsets.UTF_8);
      return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    Response refresh(Http http, String refreshToken) throws IOException {
      return http.postForm(ISSUER + "/oauth2/token",
          form("grant_type", "refresh_token", "refresh_token", refreshToken), basic());
    }
  }

  // ---- requests ------------------------------------------------------------------------------

  /** A request whose answer may be lost. */
  @FunctionalInterface
  private interface Request {
    Response send() throws IOException;
  }

  /** Told whether a request without an answer had been sent (true) or never connected (false). */
  @FunctionalInterface
  private interface Fate {
    void unanswered(boolean sent);
  }

  /**
   * Sends a request whose outcome the checks must explain. Without an answer it was either sent
   * and its answer lost (it may or may not have been carried out) or never sent, the connection
   * refused (it changed nothing); {@code fate} is told which before the exception goes on.
   */
  private Response lost(Request request, Fate fate, String kind) throws IOException {
    try {
      return request.send();
    } catch (IOException e) {
      boolean sent = !(e instanceof ConnectException || e instanceof HttpConnectTimeoutException);
      fate.unanswered(sent);
      ledger.add(kind + (sent ? ".unanswered" : ".not_sent"));
      throw e;
    }
  }

  private static Response register(Http http, String email) throws IOException {
    return http.postJson(V1 + "/auth/register", credentials(email, PASSWORD), null);
  }

  private static Response login(Http http, String email, String password) throws IOException {
    return http.postJson(V1 + "/auth/login", credentials(email, password), null);
  }

  private static Response refresh(Http http, String refreshToken) throws IOException {
    return http.postJson(V1 + "/auth/refresh", refreshBody(refreshToken), null);
  }

  private static String credentials(String email, String password) {
    return "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
  }

  private static String refreshBody(String refreshToken) {
    return "{\"refresh_token\":\"" + refreshToken + "\"}";
  }

  private static String form(String... nameValues) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < nameValues.length; i += 2) {
      b.append(b.length() == 0 ? "" : "&")
          .append(URLEncoder.encode(nameValues[i], StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(nameValues[i + 1], StandardCharsets.UTF_8));
    }
    return b.toString();
  }

  private static Map<String, String> query(String url) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
      int eq = pair.indexOf('=');
      m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  private static String verifier() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String challenge(String verifier) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest
          .getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An answer: status, headers, body. */
  private record Response(int status, java.net.http.HttpHeaders headers, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + this, e);
      }
    }

    String text(String field) {
      return json().path(field).asText(null);
    }

    /** The catalog code of a problem document, or null. */
    String code() {
      return body.startsWith("{") ? text("code") : null;
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  /**
   * HTTP/1.1 to one server process: a new client per process, so that no pooled connection
   * outlives a kill. POSTs are never retried by the JDK client, so a request is sent once.
   */
  private static final class Http {
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    final String base;

    Http(String base) {
      this.base = base;
    }

    Response get(String path, String bearer) throws IOException {
      return send("GET", path, null, "Authorization", "Bearer " + bearer);
    }

    Response postJson(String path, String json, String bearer) throws IOException {
      return bearer == null ? send("POST", path, json, "Content-Type", "application/json")
          : send("POST", path, json, "Content-Type", "application/json", "Authorization",
              "Bearer " + bearer);
    }

    Response postForm(String path, String form, String authorization) throws IOException {
      return send("POST", path, form, "Content-Type", "application/x-www-form-urlencoded",
          "Authorization", authorization);
    }

    Response send(String method, String path, String body, String... headers)
        throws IOException {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
          .timeout(Duration.ofSeconds(30))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
      for (int i = 0; i < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
      }
      try {
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.headers(), r.body());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** What the clients were told and what the checks found, over every cycle of one engine. */
  private static final class Ledger {
    final Map<String, AtomicInteger> counts = new ConcurrentSkipListMap<>();
    final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    void add(String what) {
      counts.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    int get(String what) {
      AtomicInteger n = counts.get(what);
      return n == null ? 0 : n.get();
    }

    void problem(String what) {
      problems.add(what);
    }
  }
}
