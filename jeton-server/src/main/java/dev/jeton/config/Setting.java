package dev.jeton.config;

import java.util.Locale;

/**
 * Every configuration setting: its key in the configuration file, its environment variable, its
 * default and what it does. The README's configuration table lists exactly these (a test checks).
 */
public enum Setting {
  HTTP_HOST("127.0.0.1", "Interface to listen on; 0.0.0.0 listens on all interfaces."),
  HTTP_PORT("8080", "TCP port to listen on (0 picks a free port)."),
  HTTP_IDLE_TIMEOUT("30s", "How long a request may wait for its client to send more of it (a "
      + "body that stops arriving) before it is ended, 1s to 10m: bounds what a slow client holds, "
      + "its request slot included."),
  BASE_URL("http://localhost:{port}",
      "Public URL of the server, without a trailing slash; issuers are {base}/accounts/{account}."),
  DATA_DIR("./data", "Directory for the SQLite database and the development master key."),
  DB_URL("jdbc:sqlite:{data_dir}/jeton.db",
      "JDBC URL; a jdbc:postgresql: URL selects PostgreSQL."),
  DB_USER("", "Database user (PostgreSQL)."),
  DB_PASSWORD("", "Database password (PostgreSQL)."),
  DB_POOL_SIZE("10", "Maximum database connections (1 to 200)."),
  MASTER_KEY("",
      "Base64 of 32 random bytes that encrypts signing keys at rest. Unset: a generated key file "
          + "in the data directory is used (development only)."),
  BOOTSTRAP_ADMIN_EMAIL("", "With BOOTSTRAP_ADMIN_PASSWORD: creates the first admin of 'main' on first start."),
  BOOTSTRAP_ADMIN_PASSWORD("", "Password of the bootstrap admin."),
  SIGNING_ALG("ES256", "JWS algorithm of new access-token signing keys: ES256, ES384, RS256, "
      + "PS256 or EdDSA (Ed25519, RFC 8037: faster, for resource servers that accept it)."),
  KEY_ROTATION_INTERVAL("30d", "Age at which an account's signing key is replaced (0 disables scheduled rotation)."),
  CLOCK_SKEW("60s", "Leeway for other clocks (0 to 60s): how far iat and nbf may lie ahead, and "
      + "how much longer a rotated-out key stays published for resource servers that validate "
      + "locally. Jeton's own exp checks have none."),
  ACCESS_TOKEN_TTL("1h", "Default access token lifetime (accounts may override)."),
  REFRESH_TOKEN_TTL("365d", "Default absolute refresh token (session) lifetime."),
  REFRESH_TOKEN_IDLE_TTL("30d", "Default idle limit: a refresh token unused this long expires."),
  ADMIN_SESSION_TTL("4h", "Default absolute session lifetime for account admins."),
  REFRESH_GRACE("0s", "Window in which the just-rotated refresh token may be presented once more "
      + "(lost responses), 0 to 60s; 0 (off): a rotated-out token is reuse at once, as RFC 9700 "
      + "4.14.2 expects. Accounts and clients may opt in."),
  PAT_DEFAULT_TTL("90d", "Lifetime of a personal access token created without one (accounts may "
      + "override)."),
  PAT_MAX_TTL("365d", "Longest lifetime a personal access token may be given (accounts may "
      + "override; at most 3650d)."),
  PAT_NO_EXPIRY("off", "Whether personal access tokens without expiry may be created: on or off "
      + "(accounts may override)."),
  PAT_MAX_PER_OWNER("600", "Live personal access tokens one user may hold (1 to 100000; accounts "
      + "may override)."),
  SIGNIN_FAILURES_PER_SOURCE("100", "Failed sign-ins one client IP may make in 15 minutes, over "
      + "all emails, before its sign-ins must wait (0 disables; raise it behind a proxy that hides "
      + "client addresses)."),
  RATE_LIMIT("100/20s", "Calls each key may make per period, as calls/period (100/20s, 6000/1h; "
      + "1 to 1000000 calls, 1s to 1d); 0 disables rate limits. Accounts may override."),
  RATE_LIMIT_KEYS("token", "What the rate limit counts separately, a comma list: token (each "
      + "session, personal access token, or OAuth client at the token endpoint), client (all "
      + "tokens of one OAuth client together) and ip (each client address, IPv6 by /64)."),
  CONCURRENCY_LIMIT("10", "Requests one account may have in flight on a node at once (0 disables; "
      + "at most 100000). Accounts may override."),
  DAILY_QUOTA("0", "Calls one account may make per day (0: unlimited). Accounts may override."),
  QUOTA_TIME_ZONE("UTC", "Time zone whose midnight starts a new quota day (an IANA name such as "
      + "Europe/Paris). Accounts may override."),
  REGISTRATION_LIMIT("20/1h", "Registrations (POST /auth/register) one client address may make "
      + "per period over all accounts, as calls/period; 0 disables. Each costs an Argon2id hash "
      + "and a row."),
  METRICS_TOKEN("", "Bearer token Prometheus must send to scrape /metrics (32 to 256 printable "
      + "characters); unset, /metrics answers 404."),
  PURGE_INTERVAL("1h", "How often expired and revoked sessions, tokens and codes are purged "
      + "from the database (0 disables; otherwise 1m to 24h)."),
  PURGE_RETENTION("7d", "How long a session, token or code is kept after it expired or was "
      + "revoked, so that its use is still answered precisely (1d to 3650d)."),
  LOG_FORMAT("json", "Log format on standard output: json or text."),
  ACCESS_LOG("on", "Whether every request is written to the access log (logger jeton.access): on "
      + "or off. Audit events and errors are logged either way."),
  ACCESS_LOG_SAMPLE("1", "Share of successful requests (status below 400) written to the access "
      + "log, from 0 to 1 (0.1: one in ten); refused and failed requests are always written."),
  QR_LOGIN_TTL("120s", "How long a QR login (its QR code and the desktop's poll token) lives, "
      + "from its start to its exchange for a session: 30s to 10m."),
  QR_LOGIN_LIMIT("60/10m", "QR logins (POST /qr-logins) one client address may start per period "
      + "over all accounts, as calls/period; 0 disables. Each is a row."),
  QR_LOCATION_HEADER("", "Request header in which the proxy in front of Jeton puts the client's "
      + "rough location (e.g. CF-IPCountry, or a GeoIP city), shown to the phone approving a QR "
      + "login; empty: none is shown. Only set it if the proxy overwrites the header."),
  QR_DEMO("on", "Whether {issuer}/qr-demo serves the QR login demo page (a computer's sign-in "
      + "page showing a QR code, to try the flow with a phone or a second browser window): on or "
      + "off."),
  PUSH_FCM_CREDENTIALS("", "Path of the Firebase service account key file (JSON) push approvals "
      + "are sent with through FCM HTTP v1; empty: push is off (devices may still register)."),
  PUSH_FCM_URL("https://fcm.googleapis.com", "Base URL of the FCM HTTP v1 API (messages are sent "
      + "to {url}/v1/projects/{project}/messages:send); the token URI is the key file's."),
  PUSH_DEVICES_PER_USER("10", "Devices (phones) one user may register for push approval: 1 to "
      + "100."),
  PUSH_MATCHING("type", "How the phone checks a pushed sign-in against the computer: type (the "
      + "user types the code the computer shows; a wrong code denies) or show (the push carries "
      + "the code and the phone shows it, which leaves push fatigue unchecked)."),
  SHUTDOWN_TIMEOUT("10s", "How long graceful shutdown waits for requests in flight."),
  SHUTDOWN_DRAIN("0s", "How long a node keeps serving after SIGTERM while /health/ready answers "
      + "503 draining, so that a load balancer takes it out before it stops accepting "
      + "connections: 0s to 60s (behind a load balancer, more than its health check's interval "
      + "times its fall count).");

  private final String defaultValue;
  private final String description;

  Setting(String defaultValue, String description) {
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** Key in the configuration file, e.g. {@code http.port}. */
  public String fileKey() {
    return name().toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** Environment variable, e.g. {@code JETON_HTTP_PORT}. */
  public String envName() {
    return "JETON_" + name();
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }
}
