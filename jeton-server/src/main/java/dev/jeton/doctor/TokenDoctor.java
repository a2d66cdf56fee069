package dev.jeton.doctor;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import dev.jeton.account.Account;
import dev.jeton.account.AccountService;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.limit.Limits;
import dev.jeton.pat.Owner;
import dev.jeton.pat.Pat;
import dev.jeton.pat.PatService;
import dev.jeton.session.Session;
import dev.jeton.session.SessionService;
import dev.jeton.token.AccessToken;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.Issuers;
import dev.jeton.token.OpaqueTokens;
import dev.jeton.token.TokenKind;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The token doctor (docs/diagnose.md): says why a token is refused. Anyone learns what the token
 * itself shows (its kind, whether it is well formed and its checksum holds, its issuer and times
 * as written in it); the token's owner, or an admin of its account, also learns what Jeton knows
 * about it: unknown, expired at T, revoked at T and why, its owner blocked, its signing key
 * rotated out, another account's, or valid. To anyone else, a token Jeton never issued and a
 * token of someone else look alike, so the doctor is no oracle. Nothing is used up, recorded as
 * a use, stored or logged.
 */
public final class TokenDoctor {
  private static final Pattern JETON_LIKE = Pattern.compile("jeton_[a-z]{2,3}_[0-9A-Za-z]+");
  private static final Pattern COMPACT_JWS = Pattern.compile(
      "[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

  private final PatService pats;
  private final SessionService sessions;
  private final AccessTokens accessTokens;
  private final Issuers issuers;
  private final Clock clock;

  private final Limits limits;
  private final AccountService accounts;

  public TokenDoctor(PatService pats, SessionService sessions, AccessTokens accessTokens,
      Issuers issuers, Clock clock, Limits limits, AccountService accounts) {
    this.limits = limits;
    this.accounts = accounts;
    this.pats = pats;
    this.sessions = sessions;
    this.accessTokens = accessTokens;
    this.issuers = issuers;
    this.clock = clock;
  }

  /** Who asks: a subject of the account the doctor is asked at, and whether an admin there. */
  public record Caller(String subject, boolean admin) {}

  /**
   * What the token shows to anyone ({@code shown}) and, for its owner or an admin of its
   * account, what Jeton knows ({@code explained}, null for anyone else).
   */
  public record Diagnosis(Map<String, Object> shown, Map<String, Object> explained) {}

  /** Diagnoses {@code token} for {@code caller} (null: anonymous) at {@code account}. */
  public Diagnosis diagnose(Account account, String token, Caller caller) {
    Map<String, Object> shown = new LinkedHashMap<>();
    String t = token.strip();
    TokenKind kind = OpaqueTokens.kindOf(t);
    if (kind != null) {
      shown.put("format", "jeton");
      shown.put("kind", kindName(kind));
      shown.put("well_formed", true);
      shown.put("checksum_valid", true);
      return new Diagnosis(shown, explainOpaque(account, kind, t, caller));
    }
    if (JETON_LIKE.matcher(t).matches()) {
      shown.put("format", "jeton");
      shown.put("well_formed", false);
      shown.put("checksum_valid", false);
      shown.put("detail", "It looks like a Jeton secret but is not one: a character is wrong or "
          + "missing (the checksum in its last six characters does not match), or its kind is "
          + "unknown. Copy it again in full.");
      return new Diagnosis(shown, null);
    }
    if (COMPACT_JWS.matcher(t).matches()) {
      return jwt(account, t, caller, shown);
    }
    shown.put("format", "unknown");
    shown.put("well_formed", false);
    shown.put("detail", "This is neither a Jeton secret (jeton_<kind>_...) nor a JWT.");
    return new Diagnosis(shown, null);
  }

  private Map<String, Object> explainOpaque(Account account, TokenKind kind, String t,
      Caller caller) {
    if (caller == null) {
      return null;
    }
    return switch (kind) {
      case PAT -> pats.inspect(t)
          .filter(i -> entitled(account, caller, i.pat().accountId(), i.pat().owner().id()))
          .map(this::explainPat).orElse(null);
      case RT -> sessions.findRefreshToken(t)
          .filter(r -> entitled(account, caller, r.session().accountId(), r.session().userId()))
          .map(r -> explainSession(r.session(), r.live(), r.expiresAt(), "refresh token"))
          .orElse(null);
      default -> null;
    };
  }

  /** The caller is the token's owner, or an admin, in the token's own account. */
  private static boolean entitled(Account account, Caller caller, String tokenAccount,
      String owner) {
    return account.id().equals(tokenAccount)
        && (caller.admin() || caller.subject().equals(owner));
  }

  private Map<String, Object> explainPat(PatService.Inspection i) {
    Pat p = i.pat();
    long now = clock.millis();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", p.id());
    m.put("owner", dev.jeton.http.Json.fields("kind", p.owner().kind(), "id", p.owner().id()));
    if (p.revokedAt() != null) {
      verdict(m, ErrorCode.TOKEN_REVOKED, "Revoked at " + Instant.ofEpochMilli(p.revokedAt())
          + " (" + reason(p.revokedReason()) + ").");
      m.put("revoked_at", Instant.ofEpochMilli(p.revokedAt()).toString());
      m.put("revoked_reason", p.revokedReason());
    } else if (p.expiresAt() != null && p.expiresAt() <= now) {
      verdict(m, ErrorCode.TOKEN_EXPIRED, "Expired at " + Instant.ofEpochMilli(p.expiresAt())
          + ".");
    } else if (i.ownerGone()) {
      verdict(m, ErrorCode.TOKEN_REVOKED, "Its owner no longer exists.");
    } else if (i.ownerBlocked()) {
      verdict(m, ErrorCode.TOKEN_OWNER_DISABLED, "Its owner is "
          + (Owner.PRINCIPAL.equals(p.owner().kind()) ? "disabled." : "blocked."));
    } else {
      m.put("valid", true);
      m.put("scopes", p.scope().values());
      rateLimited(m, p.accountId(), "p:" + p.id());
    }
    if (p.expiresAt() != null) {
      m.put("expires_at", Instant.ofEpochMilli(p.expiresAt()).toString());
    }
    if (p.lastUsedAt() != null) {
      m.put("last_used_at", Instant.ofEpochMilli(p.lastUsedAt()).toString());
    }
    return m;
  }

  private Map<String, Object> explainSession(Session s, boolean live, long expiresAt,
      String what) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("session", s.id());
    m.put("owner", dev.jeton.http.Json.fields("kind", "user", "id", s.userId()));
    if (s.revoked()) {
      verdict(m, ErrorCode.TOKEN_REVOKED, "Its session was revoked at "
          + Instant.ofEpochMilli(s.revokedAt()) + " (" + reason(s.revokedReason()) + ").");
      m.put("revoked_at", Instant.ofEpochMilli(s.revokedAt()).toString());
      m.put("revoked_reason", s.revokedReason());
    } else if (expiresAt <= clock.millis()) {
      verdict(m, ErrorCode.TOKEN_EXPIRED, "The " + what + " expired at "
          + Instant.ofEpochMilli(expiresAt) + ".");
    } else if (!live) {
      verdict(m, ErrorCode.REFRESH_TOKEN_REUSED, "This refresh token was already used (rotated): "
          + "presenting it again is read as theft and revokes its whole session; use the newest "
          + "one.");
    } else {
      m.put("valid", true);
      m.put("expires_at", Instant.ofEpochMilli(expiresAt).toString());
      rateLimited(m, s.accountId(), "s:" + s.id());
    }
    return m;
  }

  private Diagnosis jwt(Account account, String t, Caller caller, Map<String, Object> shown) {
    JWTClaimsSet claims;
    try {
      JWT parsed = JWTParser.parse(t);
      claims = parsed.getJWTClaimsSet();
      shown.put("format", "jwt");
      shown.put("well_formed", true);
      Object typ = parsed.getHeader().getType();
      shown.put("type", typ == null ? null : typ.toString());
      shown.put("algorithm", parsed.getHeader().getAlgorithm().getName());
    } catch (java.text.ParseException | RuntimeException e) {
      shown.put("format", "jwt");
      shown.put("well_formed", false);
      shown.put("detail", "It has the three parts of a JWT but they do not decode to a header and "
          + "claims; copy it again in full.");
      return new Diagnosis(shown, null);
    }
    shown.put("issuer", claims.getIssuer());
    shown.put("issued_by_this_account", issuers.issuer(account.id()).equals(claims.getIssuer()));
    Date exp = claims.getExpirationTime();
    if (exp != null) {
      shown.put("expires_at", exp.toInstant().toString());
      shown.put("expired", !exp.toInstant().isAfter(Instant.ofEpochMilli(clock.millis())));
    }
    if (caller == null) {
      return new Diagnosis(shown, null);
    }
    // the claims of a token this account signed can be trusted, even if it expired: its owner
    // is known; an altered or foreign token has no known owner, and only an admin hears why
    String subject = accessTokens.signedByAccount(account.id(), t)
        .map(JWTClaimsSet::getSubject).orElse(null);
    if (!caller.admin() && (subject == null || !subject.equals(caller.subject()))) {
      return new Diagnosis(shown, null);
    }
    AccessToken at;
    try {
      at = accessTokens.verify(t, account.id());
    } catch (ApiException e) {
      Map<String, Object> m = new LinkedHashMap<>();
      if (subject != null) {
        m.put("owner", dev.jeton.http.Json.fields("id", subject));
      }
      verdict(m, e.code(), e.detail());
      return new Diagnosis(shown, m);
    }
    if (at.sessionId() == null) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("valid", true);
      m.put("client_id", at.clientId());
      m.put("detail", "A client_credentials token: valid until it expires; nothing revokes it "
          + "earlier.");
      return new Diagnosis(shown, m);
    }
    return new Diagnosis(shown, sessions.find(at.sessionId())
        .map(s -> explainSession(s, true, at.expiresAt() * 1000, "access token"))
        .orElseGet(() -> {
          Map<String, Object> m = new LinkedHashMap<>();
          verdict(m, ErrorCode.TOKEN_UNKNOWN, "Its session has ended and was purged.");
          return m;
        }));
  }

  /**
   * A valid token over its rate limit right now is refused all the same (429): say so, and when
   * its next call is accepted (docs/limits.md).
   */
  private void rateLimited(Map<String, Object> m, String accountId, String credential) {
    Account a = accounts.find(accountId).orElse(null);
    if (a == null) {
      return;
    }
    long wait = limits.tokenWaitSeconds(accountId, accounts.limits(a), credential);
    if (wait > 0) {
      m.put("rate_limited", dev.jeton.http.Json.fields("code",
          ErrorCode.RATE_LIMIT_EXCEEDED.code(), "retry_after_seconds", wait, "detail",
          "Valid, but over its rate limit right now: calls are refused until the next is "
              + "accepted in " + wait + " s."));
    }
  }

  private static void verdict(Map<String, Object> m, ErrorCode code, String detail) {
    m.put("valid", false);
    m.put("code", code.code());
    m.put("detail", detail);
  }

  private static String reason(String r) {
    if (r == null) {
      return "no reason recorded";
    }
    return switch (r) {
      case "logout" -> "logout";
      case "password_changed" -> "the password was changed";
      case "refresh_token_reused" -> "reuse detection: a spent refresh token was presented";
      case "user_blocked" -> "the user was blocked";
      case "user_deleted", "owner_deleted" -> "its owner was deleted";
      case "leaked" -> "it was reported leaked";
      case "revoked_by_admin" -> "an admin revoked it";
      case "revoked_by_owner", "revoked" -> "its owner revoked it";
      case "account_disabled" -> "the account was disabled";
      case "account_deleted" -> "the account was deleted";
      default -> r.replace('_', ' ');
    };
  }

  private static String kindName(TokenKind kind) {
    return switch (kind) {
      case PAT -> "personal_access_token";
      case RT -> "refresh_token";
      case AC -> "authorization_code";
      case DC -> "device_code";
      case QR -> "qr_login";
      case QP -> "qr_login_poll_token";
      case ST -> "setup_link";
      case CS -> "client_secret";
      case PW -> "password_link";
    };
  }
}
