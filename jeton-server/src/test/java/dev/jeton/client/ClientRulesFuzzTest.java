package dev.jeton.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Fuzz test of the registration rules ({@link ClientRules}), above all the redirect URI rules
 * (docs/security.md#redirect-uri-exact, #https-redirect-uris, RFC 9700 2.1, RFC 8252 7). The
 * input is a client's settings, one per line: the first line is the type ({@code confidential},
 * {@code public}, anything else is none), the second the name, then {@code r:} redirect URI,
 * {@code g:} grant type, {@code s:} scope, {@code l:} logo URI, {@code c:} client URI, {@code a:}
 * ID token algorithm. The rules never throw; every problem names a field of the request with
 * {@code field_missing} or {@code field_invalid}; and every redirect URI they let through is, by
 * an independent check, printable ASCII, absolute, without fragment, wildcard or user
 * information, https or http on a loopback host (as two URL parsers agree), or a reverse-domain
 * custom scheme of a public client. Inputs in
 * {@code src/test/resources/dev/jeton/client/ClientRulesFuzzTestInputs/check/};
 * docs/fuzzing.md.
 */
class ClientRulesFuzzTest {
  private static final Pattern FIELD = Pattern.compile("name|type|redirect_uris(\\[\\d+])?"
      + "|grant_types(\\[\\d+])?|scopes(\\[\\d+])?|logo_uri|client_uri"
      + "|id_token_signed_response_alg");

  @FuzzTest(maxDuration = "5m")
  void check(byte[] data) {
    String[] lines = new String(data, StandardCharsets.UTF_8).split("\n", -1);
    Client.Type type = Client.Type.of(lines[0]);
    String name = lines.length > 1 ? lines[1] : null;
    List<String> redirects = new ArrayList<>();
    List<String> grants = new ArrayList<>();
    List<String> scopes = new ArrayList<>();
    String logo = null;
    String site = null;
    String alg = null;
    for (int i = 2; i < lines.length; i++) {
      String l = lines[i];
      String v = l.length() < 2 ? "" : l.substring(2);
      switch (l.isEmpty() ? ' ' : l.charAt(0)) {
        case 'r' -> redirects.add(v);
        case 'g' -> grants.add(v);
        case 's' -> scopes.add(v);
        case 'l' -> logo = v;
        case 'c' -> site = v;
        case 'a' -> alg = v;
        default -> { }
      }
    }
    Client.Spec spec = new Client.Spec(name, type, redirects, grants, scopes, logo, site, null,
        alg);
    List<ApiException.FieldError> errors = ClientRules.check(spec);
    Set<String> fields = new HashSet<>();
    for (ApiException.FieldError e : errors) {
      assertThat(e.field()).matches(FIELD);
      assertThat(e.code()).isIn(ErrorCode.FIELD_MISSING, ErrorCode.FIELD_INVALID);
      assertThat(e.detail()).isNotBlank();
      fields.add(e.field());
    }
    boolean listRefused = fields.contains("redirect_uris");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < redirects.size(); i++) {
      String uri = redirects.get(i);
      boolean first = seen.add(uri);
      for (Client.Type t : Client.Type.values()) {
        String problem = ClientRules.redirectUriProblem(uri, t);
        if (problem == null) {
          assertAcceptable(uri, t);
        }
      }
      if (!listRefused && first && type != null) {
        boolean refused = fields.contains("redirect_uris[" + i + "]");
        assertThat(refused).as("redirect_uris[%d] %s", i, uri)
            .isEqualTo(ClientRules.redirectUriProblem(uri, type) != null);
      }
      if (!listRefused && !first) {
        assertThat(fields).as("a repeated redirect URI").contains("redirect_uris[" + i + "]");
      }
    }
    if (errors.isEmpty()) {
      assertThat(name).isNotBlank();
      assertThat(type).isNotNull();
      assertThat(grants).isNotEmpty().isSubsetOf(Client.GRANT_TYPES);
      assertThat(new HashSet<>(redirects)).hasSameSizeAs(redirects);
    }
  }

  /** The documented redirect URI rules, checked independently of {@link ClientRules}. */
  private static void assertAcceptable(String uri, Client.Type type) {
    assertThat(uri).as("accepted redirect URI").isNotEmpty().hasSizeLessThanOrEqualTo(2000);
    assertThat(uri.chars().allMatch(c -> c > 0x20 && c < 0x7F))
        .as("accepted a space, control or non-ASCII character: %s", uri).isTrue();
    assertThat(uri).doesNotContain("#").doesNotContain("*");
    URI u;
    try {
      u = new URI(uri);
    } catch (URISyntaxException e) {
      throw new AssertionError("accepted an unparsable redirect URI " + uri, e);
    }
    assertThat(u.isAbsolute()).isTrue();
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("http") || scheme.equals("https")) {
      assertThat(u.getHost()).as("host of %s", uri).isNotEmpty();
      assertThat(u.getRawUserInfo()).as("user information in %s", uri).isNull();
      if (scheme.equals("http")) {
        assertThat(loopback(u.getHost())).as("plain http to %s", uri).isTrue();
        String other;
        try {
          other = u.toURL().getHost();
        } catch (MalformedURLException | IllegalArgumentException e) {
          throw new AssertionError("accepted " + uri + ", which java.net.URL refuses", e);
        }
        assertThat(loopback(other)).as("java.net.URL reads the host of %s as %s", uri, other)
            .isTrue();
      }
    } else {
      assertThat(type).as("custom scheme %s for a confidential client", uri)
          .isEqualTo(Client.Type.PUBLIC);
      assertThat(scheme).as("custom scheme of %s", uri).contains(".");
    }
  }

  private static boolean loopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("127.0.0.1") || h.equals("[::1]") || h.equals("localhost");
  }
}
