package dev.jeton.qr;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.observe.Audit;
import dev.jeton.store.WriteQueue;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.TokenKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * QR logins (docs/qr-login.md): a desktop starts one and gets its QR secret (for the QR code
 * only) and a poll token (for itself only); a signed-in phone scans the secret, which binds the
 * login to the phone's user, and approves or denies; the desktop follows the state with its poll
 * token and exchanges an approved login once for a session.
 *
 * <p>Every change of state is a compare-and-set in the database. Polls are answered from memory:
 * each login this node started or changed is kept with its state, so that a desktop polling
 * every {@link #POLL_INTERVAL} costs no database read. With PostgreSQL another node may change
 * the state, so a login that is still open is read again when its copy is older than
 * {@link #SHARED_STALE}.
 */
public final class QrLogins {
  /** How often the desktop may poll. */
  public static final Duration POLL_INTERVAL = Duration.ofSeconds(2);
  /** Polls may come this much early (network jitter) before one is refused with slow_down. */
  static final Duration POLL_LEEWAY = Duration.ofMillis(500);
  /** On several nodes, an open login's state is read again once its copy is this old. */
  static final Duration SHARED_STALE = Duration.ofSeconds(1);

  /** What a new login hands the desktop: the login, the QR secret and the poll token. */
  public record Started(QrLogin login, String secret, String pollToken) {}

  /** A login as this node last saw it (read at nanoTime), with the time of its last poll (ms). */
  private static final class Copy {
    final QrLogin login;
    final long readNanos;
    volatile long lastPollMillis = Long.MIN_VALUE;

    Copy(QrLogin login) {
      this.login = login;
      this.readNanos = System.nanoTime();
    }
  }

  private final QrLoginStore store;
  private final WriteQueue writes;
  private final OpaqueTokens tokens;
  private final Clock clock;
  private final Duration lifetime;
  private final boolean shared;
  private final boolean pushShowsCode;
  private final SecureRandom random = new SecureRandom();
  private final Cache<String, Copy> copies;

  public QrLogins(Jdbi jdbi, WriteQueue writes, OpaqueTokens tokens, Clock clock,
      Duration lifetime, boolean pushShowsCode) {
    this.pushShowsCode = pushShowsCode;
    this.store = new QrLoginStore(jdbi);
    this.writes = writes;
    this.tokens = tokens;
    this.clock = clock;
    this.lifetime = lifetime;
    this.shared = writes.postgres();
    this.copies = Caffeine.newBuilder().maximumSize(100_000)
        .expireAfterWrite(lifetime.plusMinutes(1)).build();
  }

  /** Now, in ms, by the server's clock. */
  public long now() {
    return clock.millis();
  }

  /** The state of {@code l} as the desktop sees it now. */
  String stateOf(QrLogin l) {
    return l.stateAt(clock.millis());
  }

  /** The lifetime of a new login. */
  public Duration lifetime() {
    return lifetime;
  }

  /**
   * Starts a login for the desktop at {@code ip} with {@code agent}, roughly at {@code location}
   * (or null), for a client or none; with {@code pushUserId}, for that user, whose phones may
   * take it by its id.
   */
  public Started start(String accountId, String clientId, String ip, String agent,
      String location, String pushUserId) {
    String secret = tokens.generate(TokenKind.QR);
    String poll = tokens.generate(TokenKind.QP);
    long now = clock.millis();
    String matching = String.format("%04d", random.nextInt(10_000));
    QrLogin l = new QrLogin(tokens.id("qrl_"), accountId, clientId, OpaqueTokens.hash(poll),
        matching, QrLogin.PENDING, now, now + lifetime.toMillis(), ip,
        agent == null ? null : agent.substring(0, Math.min(agent.length(), 256)), null, null,
        null, null, pushUserId, null, location);
    writes.submit(h -> {
      QrLoginStore.insert(h, l, OpaqueTokens.hash(secret));
      return null;
    });
    copies.put(l.id(), new Copy(l));
    return new Started(l, secret, poll);
  }

  /**
   * The login {@code id} for the desktop holding {@code pollToken}, answered from memory; at most
   * one poll per {@link #POLL_INTERVAL}.
   *
   * @throws ApiException {@code qr_login_not_found} (unknown id, or not this login's poll token,
   *     alike), {@code slow_down}
   */
  public QrLogin poll(String accountId, String id, String pollToken) {
    Copy c = desktopCopy(accountId, id, pollToken);
    long now = clock.millis();
    long last = c.lastPollMillis;
    if (last != Long.MIN_VALUE && now - last < POLL_INTERVAL.minus(POLL_LEEWAY).toMillis()) {
      throw ApiException.retryAfter(ErrorCode.SLOW_DOWN, "Poll this login at most once every "
          + POLL_INTERVAL.toSeconds() + " s.", POLL_INTERVAL.toSeconds());
    }
    c.lastPollMillis = now;
    return c.login;
  }

  /**
   * Exchanges an approved login, once; answers it (its {@code userId} is who approved).
   *
   * @throws ApiException {@code qr_login_not_found}, {@code qr_login_pending}, {@code
   *     qr_login_denied}, {@code qr_login_expired}, {@code qr_login_consumed}
   */
  public QrLogin consume(String accountId, String id, String pollToken) {
    QrLogin l = fresh(desktopCopy(accountId, id, pollToken).login);
    long now = clock.millis();
    switch (l.stateAt(now)) {
      case QrLogin.APPROVED -> {
        if (!writes.submit(h -> QrLoginStore.consume(h, id, now))) {
          // another exchange (or the expiry) came first: answer what it is now
          QrLogin after = reload(id);
          throw refusal(after, now);
        }
        Audit.event("qr_login_exchanged", "account", accountId, "user", l.userId(), "login", id);
        return remember(l.with(QrLogin.CONSUMED, now));
      }
      default -> throw refusal(l, now);
    }
  }

  /** Records the session an exchange started. */
  public void attachSession(String id, String sessionId) {
    writes.submit(h -> {
      QrLoginStore.attachSession(h, id, sessionId);
      return null;
    });
  }

  /**
   * The phone of {@code userId} scans {@code secret}: the login becomes {@code scanned} and bound
   * to that user. Scanning again by the same user answers the same login.
   *
   * @throws ApiException {@code qr_login_not_found} (unknown secret, or another account's),
   *     {@code qr_login_expired}, {@code qr_code_used} (scanned by another, or decided)
   */
  public QrLogin scan(String accountId, String userId, String secret) {
    Optional<QrLogin> found = OpaqueTokens.kindOf(secret) == TokenKind.QR
        ? store.bySecretHash(OpaqueTokens.hash(secret)) : Optional.empty();
    QrLogin l = found.filter(x -> x.accountId().equals(accountId)).orElseThrow(() ->
        new ApiException(ErrorCode.QR_LOGIN_NOT_FOUND, "No QR login of this account has this "
            + "QR code."));
    return take(l, userId, QrLogin.BY_QR, "This QR code was already used; start a new login on "
        + "the desktop.");
  }

  /**
   * The phone of {@code userId} takes, by its id, a login the desktop started for that user
   * (pushed to the user's phones): the login becomes {@code scanned}. Taking it again answers it.
   *
   * @throws ApiException {@code qr_login_not_found} (unknown, or not started for this user),
   *     {@code qr_login_expired}, {@code qr_code_used} (already taken or decided)
   */
  public QrLogin scanPushed(String accountId, String userId, String id) {
    QrLogin l = (id.length() <= 40 ? store.byId(id) : Optional.<QrLogin>empty())
        .filter(x -> x.accountId().equals(accountId) && userId.equals(x.pushUserId()))
        .orElseThrow(() -> new ApiException(ErrorCode.QR_LOGIN_NOT_FOUND, "No QR login with "
            + "this id was started for you."));
    return take(l, userId, QrLogin.BY_PUSH, "This login was already taken or decided.");
  }

  /** The phone of {@code userId} takes {@code l} ({@code by} QR code or push): scanned. */
  private QrLogin take(QrLogin l, String userId, String by, String used) {
    long now = clock.millis();
    String state = l.stateAt(now);
    if (state.equals(QrLogin.EXPIRED)) {
      throw expired(l);
    }
    if (state.equals(QrLogin.SCANNED) && userId.equals(l.userId())) {
      return l;
    }
    if (!state.equals(QrLogin.PENDING)
        || !writes.submit(h -> QrLoginStore.scan(h, l.id(), userId, by, now))) {
      throw new ApiException(ErrorCode.QR_CODE_USED, used);
    }
    Audit.event("qr_login_scanned", "account", l.accountId(), "user", userId, "login", l.id(),
        "by", by);
    return remember(reload(l.id()));
  }

  /**
   * Whether approving {@code l} needs the matching code typed: a login taken by push, unless the
   * push carried the code.
   */
  public boolean codeRequired(QrLogin l) {
    return QrLogin.BY_PUSH.equals(l.scannedBy()) && !pushShowsCode;
  }

  /**
   * The scanning user approves or denies the login. An approval carrying {@code typedCode} (or
   * one that needs it, {@link #codeRequired}) is checked against the matching code: a wrong one
   * denies the login, since whoever started it may not be the user.
   *
   * @throws ApiException {@code qr_login_not_found} (unknown, or scanned by someone else, or not
   *     scanned), {@code qr_login_expired}, {@code qr_code_used} (already decided), {@code
   *     field_missing} (the code is required), {@code qr_matching_code_wrong}
   */
  public QrLogin decide(String accountId, String userId, String id, boolean approve,
      String typedCode) {
    QrLogin l = (id.length() <= 40 ? store.byId(id) : Optional.<QrLogin>empty())
        .filter(x -> x.accountId().equals(accountId) && userId.equals(x.userId()))
        .orElseThrow(() -> new ApiException(ErrorCode.QR_LOGIN_NOT_FOUND,
            "You have not scanned a QR login with this id."));
    long now = clock.millis();
    String state = l.stateAt(now);
    if (state.equals(QrLogin.EXPIRED)) {
      throw expired(l);
    }
    if (approve && state.equals(QrLogin.SCANNED) && (typedCode != null || codeRequired(l))) {
      if (typedCode == null) {
        throw ApiException.validation(List.of(new ApiException.FieldError("matching_code",
            ErrorCode.FIELD_MISSING, "Type the matching code the computer shows.")));
      }
      if (!MessageDigest.isEqual(typedCode.strip().getBytes(StandardCharsets.UTF_8),
          l.matchingCode().getBytes(StandardCharsets.UTF_8))) {
        if (writes.submit(h -> QrLoginStore.decide(h, id, userId, QrLogin.DENIED, now))) {
          Audit.event("qr_login_denied", "account", accountId, "user", userId, "login", id,
              "reason", "matching_code_wrong");
          remember(reload(id));
        }
        throw new ApiException(ErrorCode.QR_MATCHING_CODE_WRONG, "The code does not match the "
            + "one on the computer; the login was denied.");
      }
    }
    String to = approve ? QrLogin.APPROVED : QrLogin.DENIED;
    if (state.equals(to)) {
      return l; // the same decision again: answered as made
    }
    if (!state.equals(QrLogin.SCANNED)
        || !writes.submit(h -> QrLoginStore.decide(h, id, userId, to, now))) {
      throw new ApiException(ErrorCode.QR_CODE_USED, "This login was already decided ("
          + reload(id).stateAt(now) + ").");
    }
    Audit.event(approve ? "qr_login_approved" : "qr_login_denied", "account", accountId, "user",
        userId, "login", id);
    return remember(reload(id));
  }

  /**
   * The login {@code id} for the desktop holding {@code pollToken}, as {@link #poll} answers it
   * but without counting as a poll: a stream of its states checks its caller with this.
   *
   * @throws ApiException {@code qr_login_not_found}
   */
  public QrLogin watch(String accountId, String id, String pollToken) {
    return desktopCopy(accountId, id, pollToken).login;
  }

  /** The login as a stream follows it: this node's copy, read again once stale on PostgreSQL. */
  QrLogin current(String id) {
    return copy(id).login;
  }

  private Copy copy(String id) {
    Copy c = copies.getIfPresent(id);
    if (c == null) {
      Optional<QrLogin> l = id.length() <= 40 ? store.byId(id) : Optional.empty();
      c = new Copy(l.orElse(null));
      if (l.isPresent()) {
        copies.put(id, c);
      }
    } else if (shared && open(c.login) && System.nanoTime() - c.readNanos
        > SHARED_STALE.toNanos()) {
      Copy renewed = new Copy(store.byId(id).orElse(c.login));
      renewed.lastPollMillis = c.lastPollMillis;
      copies.put(id, renewed);
      c = renewed;
    }
    return c;
  }

  private Copy desktopCopy(String accountId, String id, String pollToken) {
    Copy c = copy(id);
    if (c.login == null || !c.login.accountId().equals(accountId) || pollToken == null
        || !MessageDigest.isEqual(c.login.pollHash().getBytes(StandardCharsets.US_ASCII),
            OpaqueTokens.hash(pollToken).getBytes(StandardCharsets.US_ASCII))) {
      throw new ApiException(ErrorCode.QR_LOGIN_NOT_FOUND, "No QR login with this id was "
          + "started with this poll token.");
    }
    return c;
  }

  /** The stored login when this node's copy may be behind another node's change. */
  private QrLogin fresh(QrLogin l) {
    return shared && open(l) ? reload(l.id()) : l;
  }

  private static boolean open(QrLogin l) {
    return l.state().equals(QrLogin.PENDING) || l.state().equals(QrLogin.SCANNED)
        || l.state().equals(QrLogin.APPROVED);
  }

  private QrLogin reload(String id) {
    return store.byId(id).orElseThrow(() -> new ApiException(ErrorCode.QR_LOGIN_NOT_FOUND,
        "The QR login is gone."));
  }

  private QrLogin remember(QrLogin l) {
    Copy old = copies.getIfPresent(l.id());
    Copy c = new Copy(l);
    if (old != null) {
      c.lastPollMillis = old.lastPollMillis;
    }
    copies.put(l.id(), c);
    return l;
  }

  private static ApiException refusal(QrLogin l, long now) {
    return switch (l.stateAt(now)) {
      case QrLogin.PENDING, QrLogin.SCANNED -> new ApiException(ErrorCode.QR_LOGIN_PENDING,
          "The login is " + l.stateAt(now) + "; exchange it once it is approved.");
      case QrLogin.DENIED -> new ApiException(ErrorCode.QR_LOGIN_DENIED,
          "The user denied this sign-in on their phone.");
      case QrLogin.CONSUMED -> new ApiException(ErrorCode.QR_LOGIN_CONSUMED,
          "This login was already exchanged for a session.");
      default -> expired(l);
    };
  }

  private static ApiException expired(QrLogin l) {
    return new ApiException(ErrorCode.QR_LOGIN_EXPIRED, "The login expired at "
        + java.time.Instant.ofEpochMilli(l.expiresAt()) + "; start a new one.");
  }
}
