package dev.jeton.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/security.md#header-cache: on one keep-alive connection, a bearer token that differs from
 * the one sent before only in the case of a letter, or in any one character, is read as sent,
 * never as the earlier header Jetty's parser has seen (it matched header fields ignoring case).
 */
@OnBothEngines
class HeaderCacheTest {

  @Test
  void bearerWhenOnlyCaseDiffersFromTheTokenBeforeOnTheConnectionThenRefused(TestServer server)
      throws Exception {
    String token = server.adminToken();
    int sig = token.lastIndexOf('.') + 1;
    List<String> variants = new ArrayList<>();
    for (int i = sig; i < token.length() - 1 && variants.size() < 12; i++) {
      char c = token.charAt(i);
      if (Character.isLetter(c)) {
        char flipped = Character.isUpperCase(c) ? Character.toLowerCase(c)
            : Character.toUpperCase(c);
        variants.add(token.substring(0, i) + flipped + token.substring(i + 1));
      }
    }
    variants.add(token.substring(0, sig + 3) + (token.charAt(sig + 3) == '0' ? 'A' : '0')
        + token.substring(sig + 4));
    String host = "127.0.0.1";
    int port = server.app().port();
    try (Socket s = new Socket(host, port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      for (String variant : variants) {
        assertThat(status(out, in, token)).isEqualTo(200); // the genuine token, cached by Jetty
        assertThat(status(out, in, variant)).as(variant).isEqualTo(401);
      }
    }
  }

  /** Sends GET /me with the token on the connection and reads the whole answer's status. */
  private static int status(OutputStream out, InputStream in, String token) throws Exception {
    out.write(("GET /accounts/main/api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IllegalStateException("connection closed: " + head);
      }
      head.write(b);
    }
    String h = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    assertThat(in.readNBytes(length)).hasSize(length);
    return Integer.parseInt(h.substring(9, 12));
  }
}
