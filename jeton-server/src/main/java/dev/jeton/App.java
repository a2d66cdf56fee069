package dev.jeton;

import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.account.SetupTokens;
import dev.jeton.admin.AccountRoutes;
import dev.jeton.admin.ThrottleRoutes;
import dev.jeton.admin.TokenRoutes;
import dev.jeton.admin.UsageRoutes;
import dev.jeton.admin.UserRoutes;
import dev.jeton.client.ClientAuthenticator;
import dev.jeton.client.ClientRoutes;
import dev.jeton.client.ClientService;
import dev.jeton.config.Config;
import dev.jeton.doctor.DoctorRoutes;
import dev.jeton.doctor.RejectionRoutes;
import dev.jeton.doctor.TokenDoctor;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Pages;
import dev.jeton.http.RequestGuard;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.leak.LeakReports;
import dev.jeton.leak.LeakRoutes;
import dev.jeton.push.DeviceRoutes;
import dev.jeton.push.Devices;
import dev.jeton.push.Push;
import dev.jeton.qr.QrLogins;
import dev.jeton.qr.QrPage;
import dev.jeton.qr.QrRoutes;
import dev.jeton.qr.QrStreams;
import dev.jeton.limit.Limits;
import dev.jeton.limit.RateLimiter;
import dev.jeton.oauth.OAuthRoutes;
import dev.jeton.observe.AccessLog;
import dev.jeton.observe.Audit;
import dev.jeton.observe.Metrics;
import dev.jeton.oidc.OidcRoutes;
import dev.jeton.ops.ErrorRoutes;
import dev.jeton.ops.OpsRoutes;
import dev.jeton.ops.Purge;
import dev.jeton.pat.PatRoutes;
import dev.jeton.pat.PatService;
import dev.jeton.pat.PrincipalService;
import dev.jeton.rejection.RejectionLog;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.SessionService;
import dev.jeton.setup.PasswordLinkRoutes;
import dev.jeton.setup.SetupRoutes;
import dev.jeton.setup.SetupService;
import dev.jeton.store.Database;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.Issuers;
import dev.jeton.token.KeyRing;
import dev.jeton.token.MasterKey;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.user.AuthRoutes;
import dev.jeton.user.PasswordHasher;
import dev.jeton.user.PasswordPolicy;
import dev.jeton.user.UserAdmin;
import dev.jeton.user.UserImport;
import dev.jeton.user.UserService;
import dev.jeton.web.Cookies;
import dev.jeton.web.Csrf;
import dev.jeton.web.LoginRoutes;
import dev.jeton.web.Viewers;
import dev.jeton.web.WebSessions;
import io.javalin.Javalin;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jeton server, wired by hand: configuration in, a running HTTP server out. {@link #start()}
 * migrates the database, makes sure {@code main} exists, starts the HTTP server, the
 * key-rotation schedule and the purge; {@link #close()} stops them gracefully.
 */
public final class App implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(App.class);

  private final Config config;
  private final Clock clock;
  private final Database db;
  private final WriteQueue writes;
  private final Metrics metrics = new Metrics();
  private final KeyRing keyRing;
  private final AccessTokens accessTokens;
  private final AccountService accounts;
  private final SessionService sessions;
  private final UserService users;
  private final SetupService setup;
  private final ClientService clients;
  private final ClientAuthenticator clientAuthenticator;
  private final PatService pats;
  private final UserAdmin userAdmin;
  private final LeakReports leaks;
  private final QrLogins qrLogins;
  private final Devices devices;
  private final Push push;
  private final QrStreams qrStreams;
  private final TokenDoctor doctor;
  private final PrincipalService principals;
  private final Issuers issuers;
  private final OpaqueTokens tokens;
  private final Javalin javalin;
  private List<Router.Route> routes = List.of();
  private final Purge purge;
  private final Limits limits;
  private final RejectionLog rejections;
  private ScheduledExecutorService scheduler;
  private volatile boolean draining;
  private String firstAdminLink;

  public App(Config config) {
    this(config, Clock.systemUTC(), PasswordHasher.Params.OWASP);
  }

  /** Full constructor: tests pass a movable clock and cheaper Argon2 parameters. */
  public App(Config config, Clock clock, PasswordHasher.Params hashParams) {
    this.config = config;
    this.clock = clock;
    SecureRandom random = new SecureRandom();
    this.db = Database.open(config.db());
    OpaqueTokens tokens = new OpaqueTokens(random);
    this.tokens = tokens;
    this.issuers = new Issuers(config.http().baseUrl());
    MasterKey masterKey = MasterKey.load(config.masterKey(), config.dataDir(), random);
    this.writes = new WriteQueue(db);
    this.keyRing = new KeyRing(db.jdbi(), writes, masterKey, tokens, clock);
    this.accessTokens = new AccessTokens(keyRing, issuers, tokens, clock,
        config.tokens().clockSkew());
    SetupTokens setupTokens = new SetupTokens(db.jdbi(), writes, tokens, clock);
    this.limits = new Limits(clock, db.jdbi(), writes, RateLimiter.MAX_KEYS);
    this.accounts = new AccountService(db.jdbi(), writes, keyRing, setupTokens, config.tokens(),
        config.limits(), clock);
    this.sessions = new SessionService(db.jdbi(), writes, accessTokens, issuers, tokens, metrics,
        clock);
    this.users = new UserService(db.jdbi(), writes, new PasswordHasher(hashParams, random),
        new PasswordPolicy(), sessions, tokens, clock, config.signInFailuresPerSource());
    this.setup = new SetupService(writes, setupTokens, accounts, users);
    this.clients = new ClientService(db.jdbi(), writes, tokens, keyRing, sessions, issuers,
        clock);
    this.clientAuthenticator = new ClientAuthenticator(clients, clock,
        config.signInFailuresPerSource());
    // every node slows a guesser by the failures seen on all of them (docs/security.md)
    users.throttle().shareThrough(writes.caches(), "sign_in_failures");
    clientAuthenticator.throttle().shareThrough(writes.caches(), "client_auth_failures");
    this.pats = new PatService(db.jdbi(), writes, tokens, config.pats(), clock);
    this.principals = new PrincipalService(db.jdbi(), writes, tokens, pats, clock);
    users.onStateChange(pats::forgetCached);
    users.onDeletion("personal_access_tokens_revoked", pats::revokeAllOfDeletedUser);
    this.userAdmin = new UserAdmin(users, db.jdbi(), writes, tokens, clock);
    this.qrLogins = new QrLogins(db.jdbi(), writes, tokens, clock, config.qr().ttl(),
        config.push().showMatchingCode());
    this.devices = new Devices(db.jdbi(), writes, masterKey, tokens, clock,
        config.push().devicesPerUser());
    users.onDeletion("devices_deleted", devices::deleteAllOfUser);
    this.push = Push.create(devices, config.push(), clock, metrics);
    this.qrStreams = new QrStreams(qrLogins);
    this.leaks = new LeakReports(new LeakReports.Features(pats, sessions, accessTokens, issuers,
        userAdmin, setupTokens, clients), db.jdbi(), writes, tokens, clock);
    this.doctor = new TokenDoctor(pats, sessions, accessTokens, issuers, clock, limits,
        accounts);
    this.rejections = new RejectionLog(db.jdbi(), writes, metrics, clock);
    rejections.attributeWith((accountId, token) -> accessTokens.signedByAccount(accountId, token)
        .map(c -> new RejectionLog.Attribution("access_token", c.getJWTID(), c.getSubject(),
            (String) c.getClaim("client_id"))).orElse(null));
    rejections.attributeWith((accountId, token) -> pats.inspect(token)
        .filter(i -> i.pat().accountId().equals(accountId))
        .map(i -> new RejectionLog.Attribution("personal_access_token", i.pat().id(),
            i.pat().owner().id(), null)).orElse(null));
    this.purge = new Purge(db, writes, metrics, clock, config.retention().window());
    this.javalin = createServer();
  }

  private Javalin createServer() {
    Pages pages = new Pages(config.http().baseUrl());
    ErrorWriter errors = new ErrorWriter(config.http().baseUrl(), pages, metrics);
    BearerAuth bearer = new BearerAuth(accessTokens, sessions, accounts, issuers, metrics, pats,
        limits, rejections);
    RequestGuard guard = new RequestGuard(errors, metrics,
        new AccessLog(config.logging().access(), config.logging().accessSample()),
        config.http().baseUrl().startsWith("https:"), UserRoutes::isBulk);
    var jettyErrors = errors.jettyHandler();
    return Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.http.prefer405over404 = true;
      cfg.http.maxRequestSize = RequestGuard.MAX_BODY;
      cfg.http.compressionStrategy = io.javalin.compression.CompressionStrategy.NONE;
      cfg.router.ignoreTrailingSlashes = false;
      cfg.concurrency.useVirtualThreads = Runtime.version().feature() >= 21;
      cfg.jetty.host = config.http().host();
      cfg.jetty.port = config.http().port();
      cfg.jetty.modifyHttpConfiguration(http -> {
        http.setRequestHeaderSize(16 * 1024);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // Jetty reuses a header field seen earlier on the same connection when a new one matches
        // it ignoring case, so a bearer token differing from an earlier one only in letter case
        // would be read as the earlier token: no header cache (docs/security.md#header-cache).
        http.setHeaderCacheSize(0);
        // a request whose client stops sending is ended, and its slot given back, after this
        http.setIdleTimeout(config.http().idleTimeout().toMillis());
      });
      cfg.jetty.modifyServer(server -> {
        server.setErrorHandler(jettyErrors);
        server.setStopTimeout(config.shutdownTimeout().toMillis());
      });
      cfg.jetty.modifyServletContextHandler(handler -> {
        handler.setErrorHandler(jettyErrors);
        handler.addFilter(new FilterHolder(guard), "/*", EnumSet.of(DispatcherType.REQUEST));
      });
      // Javalin answers its own HttpResponseException (404, 405, 413) unless told otherwise
      cfg.routes.exception(io.javalin.http.HttpResponseException.class, errors::handle);
      cfg.routes.exception(Exception.class, errors::handle);
      Router r = new Router(cfg.routes);
      r.get("/", ctx -> Responses.json(ctx, 200, Map.of(
          "name", "Jeton",
          "issuer", issuers.issuer(Account.MAIN),
          "errors", config.http().baseUrl() + "/api/v1/errors",
          "health", config.http().baseUrl() + "/health/ready")));
      r.produces("text/css").get("/assets/jeton.css", ctx -> {
        Responses.publicCache(ctx, 3600);
        ctx.contentType("text/css; charset=utf-8");
        ctx.result(resource("/assets/jeton.css"));
      });
      r.produces("text/javascript").get("/assets/qr-demo.js", ctx -> {
        Responses.publicCache(ctx, 3600);
        ctx.contentType("text/javascript; charset=utf-8");
        ctx.result(resource("/assets/qr-demo.js"));
      });
      new OpsRoutes(db, writes, metrics, config.metricsToken(), () -> draining).register(r);
      new ErrorRoutes().register(r);
      new AuthRoutes(accounts, users, sessions, bearer, limits).register(r);
      new AccountRoutes(accounts, bearer, issuers, sessions, pats).register(r);
      new UsageRoutes(accounts, limits, bearer).register(r);
      new ThrottleRoutes(users, clientAuthenticator, bearer).register(r);
      new PatRoutes(pats, principals, users, bearer, issuers).register(r);
      new ClientRoutes(clients, bearer, issuers).register(r);
      Cookies cookies = new Cookies(config.http().baseUrl());
      WebSessions webSessions = new WebSessions(db.jdbi(), writes, tokens, cookies, clock);
      // a password change ends every browser session of the user, in its transaction
      users.onCredentialChange("browser_sessions_ended", webSessions::revokeAllOfUser);
      Csrf csrf = new Csrf(cookies, tokens, pages);
      new QrPage(qrLogins, accounts, clients, new Viewers(webSessions, users), csrf, pages,
          config.qr().demo()).register(r);
      new LoginRoutes(accounts, users, webSessions, csrf, pages).register(r);
      new OAuthRoutes(accounts, clientAuthenticator, accessTokens, sessions, issuers, metrics,
          clock, new OAuthRoutes.Web(clients, users, webSessions, csrf, pages, bearer,
              db.jdbi(), writes, tokens, pats, limits, push)).register(r);
      new OidcRoutes(accounts, accessTokens, keyRing, sessions, users, clients, webSessions, csrf,
          pages, issuers, limits, rejections).register(r);
      new SetupRoutes(setup, accounts, users, issuers, pages).register(r);
      new UserRoutes(userAdmin, new UserImport(writes, tokens, clock), bearer, issuers)
          .register(r);
      new PasswordLinkRoutes(userAdmin, accounts, users, issuers, pages).register(r);
      new TokenRoutes(db.jdbi(), sessions, pats, bearer, clock).register(r);
      new LeakRoutes(leaks, bearer, limits).register(r);
      new QrRoutes(qrLogins, accounts, users, clients, bearer, issuers, limits, config.qr(), push,
          qrStreams)
          .register(r);
      new DeviceRoutes(devices, bearer, userAdmin).register(r);
      new DoctorRoutes(doctor, accounts, bearer, rejections).register(r);
      new RejectionRoutes(rejections, bearer).register(r);
      routes = r.routes();
    });
  }

  private static byte[] resource(String path) {
    try (InputStream in = App.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(path + " missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Migrates the database and makes sure {@code main} and its first admin (or link) exist. */
  public App prepare() {
    db.migrate();
    accounts.ensureMain();
    if (setup.bootstrap(config.bootstrap())) {
      LOG.info("bootstrap admin created for account main");
    }
    if (setup.needsAdmin(Account.MAIN)) {
      firstAdminLink = issuers.issuer(Account.MAIN) + "/setup?token="
          + setup.newSecret(Account.MAIN);
    }
    return this;
  }

  /** Prepares, then starts serving, the key-rotation schedule and the purge. */
  public App start() {
    long t0 = System.nanoTime();
    db.lockForServing();
    prepare();
    writes.caches().listen();
    limits.start();
    javalin.start();
    startSchedule();
    purge.start(config.retention().purgeInterval());
    LOG.atInfo().addKeyValue("port", port()).addKeyValue("base_url", config.http().baseUrl())
        .addKeyValue("database", db.dialect().name().toLowerCase(java.util.Locale.ROOT))
        .addKeyValue("startup_ms", (System.nanoTime() - t0) / 1_000_000)
        .log("Jeton ready");
    metrics.bindJvmMetricsInBackground();
    return this;
  }

  private void startSchedule() {
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "jeton-keys");
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleWithFixedDelay(this::rotateDueKeys, 1, 60, TimeUnit.MINUTES);
    scheduler.scheduleWithFixedDelay(this::flushTokenUses, USE_FLUSH_SECONDS, USE_FLUSH_SECONDS,
        TimeUnit.SECONDS);
  }

  /** How often the last uses of personal access tokens are written (docs/tokens.md). */
  static final int USE_FLUSH_SECONDS = 15;

  private void flushTokenUses() {
    try {
      pats.flushUses();
    } catch (RuntimeException e) {
      LOG.warn("recording the last uses of personal access tokens failed; retrying in {} s: {}",
          USE_FLUSH_SECONDS, e.getMessage());
    }
  }

  /** Rotates every account key older than the rotation interval, and retires expired ones. */
  public void rotateDueKeys() {
    try {
      Duration interval = config.tokens().keyRotationInterval();
      if (!interval.isZero()) {
        for (String id : keyRing.accountsDueForRotation(interval)) {
          rotateKeys(id);
        }
      }
      keyRing.retireExpired();
    } catch (RuntimeException e) {
      LOG.error("scheduled key rotation failed", e);
    }
  }

  /** Rotates one account's signing keys now; old tokens verify until they expire. */
  public boolean rotateKeys(String accountId) {
    Account a = accounts.requireActive(accountId);
    // the old key verifies what it signed, including while the new one waits to be published
    // long enough to sign (KeyRing.PUBLISHED_BEFORE_SIGNING)
    Duration overlap = accounts.lifetimes(a).accessToken().plus(config.tokens().clockSkew())
        .plus(KeyRing.PUBLISHED_BEFORE_SIGNING);
    boolean rotated = keyRing.rotate(accountId, config.tokens().signingAlg(), overlap);
    if (rotated) {
      dev.jeton.observe.Audit.event("signing_key_rotated", "account", accountId);
    }
    return rotated;
  }

  /** The one-time link that creates main's first admin, or null when main has an admin. */
  public String firstAdminLink() {
    return firstAdminLink;
  }

  /** A new setup link for an account (its earlier links stop working). */
  public String newSetupLink(String accountId) {
    accounts.requireActive(accountId);
    return issuers.issuer(accountId) + "/setup?token=" + setup.newSecret(accountId);
  }

  public int port() {
    return javalin.port();
  }

  public Config config() {
    return config;
  }

  public WriteQueue writes() {
    return writes;
  }

  /** Every HTTP route the server answers. */
  public List<Router.Route> routes() {
    return routes;
  }

  public Database database() {
    return db;
  }

  public Metrics metrics() {
    return metrics;
  }

  public AccessTokens accessTokens() {
    return accessTokens;
  }

  public KeyRing keyRing() {
    return keyRing;
  }

  public UserService users() {
    return users;
  }

  public AccountService accounts() {
    return accounts;
  }

  public SessionService sessions() {
    return sessions;
  }

  public ClientService clients() {
    return clients;
  }

  /** The token doctor (docs/diagnose.md). */
  public TokenDoctor doctor() {
    return doctor;
  }

  public LeakReports leaks() {
    return leaks;
  }

  public PatService pats() {
    return pats;
  }

  public PrincipalService principals() {
    return principals;
  }

  public ClientAuthenticator clientAuthenticator() {
    return clientAuthenticator;
  }

  /** The rejection log. */
  public RejectionLog rejections() {
    return rejections;
  }

  /** The API limits: rate limits, requests in flight, daily quotas. */
  public Limits limits() {
    return limits;
  }

  /** The purge of expired and revoked rows (scheduled by {@link #start()}). */
  public Purge purge() {
    return purge;
  }

  /**
   * Stops accepting requests, lets those in flight finish, then closes the database. A server
   * first drains for {@code JETON_SHUTDOWN_DRAIN}: it serves on while its readiness fails, so
   * that a load balancer takes it out before connections are refused.
   */
  @Override
  public void close() {
    Duration drain = config.shutdownDrain();
    if (scheduler != null && !drain.isZero()) {
      draining = true;
      LOG.atInfo().addKeyValue("drain_ms", drain.toMillis())
          .log("draining: /health/ready answers 503 until the server stops");
      try {
        Thread.sleep(drain.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // open event streams are requests in flight: ended first, so that stopping does not wait
    qrStreams.close();
    if (scheduler != null) {
      scheduler.shutdownNow();
      try {
        javalin.stop();
      } catch (RuntimeException e) {
        LOG.warn("HTTP server did not stop within {}: {}", config.shutdownTimeout(),
            e.getMessage());
      }
    }
    purge.close();
    leaks.close();
    push.close();
    limits.close();
    rejections.close();
    if (scheduler != null) {
      flushTokenUses();
    }
    writes.close();
    db.close();
    if (scheduler != null) {
      // only a server that served says so: an admin command closing its App is no server stopping
      LOG.info("Jeton stopped");
    }
  }
}
