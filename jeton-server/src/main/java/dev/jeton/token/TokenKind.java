package dev.jeton.token;

import java.util.Locale;

/** The kinds of opaque Jeton secrets; the kind is visible in the secret's prefix. */
public enum TokenKind {
  /** Refresh token. */
  RT,
  /** Personal access token. */
  PAT,
  /** Authorization code. */
  AC,
  /** Device code (RFC 8628). */
  DC,
  /** QR login secret: what the QR code carries to the phone. */
  QR,
  /** QR login poll token: what only the desktop that started the login holds. */
  QP,
  /** One-time setup link for an account's first admin. */
  ST,
  /** OAuth client secret (RFC 6749 2.3.1). */
  CS,
  /** One-time link that sets a user's password (an invitation or a required reset). */
  PW;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind whose tag is given, or null. */
  public static TokenKind fromTag(String tag) {
    for (TokenKind k : values()) {
      if (k.tag().equals(tag)) {
        return k;
      }
    }
    return null;
  }
}
