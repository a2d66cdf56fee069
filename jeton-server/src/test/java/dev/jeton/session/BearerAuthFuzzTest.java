package dev.jeton.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Text;
import dev.jeton.testing.FuzzApp;
import dev.jeton.token.AccessToken;
import dev.jeton.token.AccessTokens;
import dev.jeton.token.Scope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz test of the bearer path of every protected endpoint: the {@code Authorization} header read
 * by {@link BearerAuth#token} (RFC 6750 2.1), then the credential verified by {@link
 * AccessTokens#verify}. The input is the header value; {@code $AT} in it becomes a genuine access
 * token of main. The header is accepted only when it is {@code Bearer} (any case), spaces, and
 * exactly that token, with nothing around it but spaces and tabs (a NUL or other control
 * character is not whitespace). Every refusal is a {@code token_*} code of {@link BearerAuth#ERRORS}: {@code
 * token_missing} when there is no Bearer credential, and {@code token_malformed} for a credential
 * that is not RFC 6750 2.1 {@code b64token} syntax (docs/security.md#bearer-errors). Inputs in
 * {@code src/test/resources/dev/jeton/session/BearerAuthFuzzTestInputs/header/};
 * docs/fuzzing.md.
 */
class BearerAuthFuzzTest {
  /** RFC 6750 2.1: {@code b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. */
  private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");

  private static AccessTokens tokens;
  private static String accessToken;

  @BeforeAll
  static void issue() {
    tokens = FuzzApp.app().accessTokens();
    accessToken = tokens.issue(new AccessTokens.Contents("main", "usr_fuzz",
        SessionService.FIRST_PARTY_CLIENT, "ses_fuzz", Scope.of("profile"), null,
        FuzzApp.app().sessions().firstPartyAudience("main")),
        Duration.ofHours(1)).token();
  }

  @FuzzTest(maxDuration = "5m")
  void header(byte[] data) {
    String header = new String(data, StandardCharsets.UTF_8).replace("$AT", accessToken);
    String credential;
    try {
      credential = BearerAuth.token(header);
    } catch (ApiException e) {
      assertThat(BearerAuth.ERRORS).contains(e.code());
      assertThat(e.code()).as("refusal of header '%s'", header)
          .isIn(ErrorCode.TOKEN_MISSING, ErrorCode.TOKEN_MALFORMED);
      if (e.code() == ErrorCode.TOKEN_MALFORMED) {
        assertThat(B64TOKEN.matcher(credentialOf(header)).matches())
            .as("token_malformed for the b64token '%s'", credentialOf(header)).isFalse();
      }
      return;
    }
    String trimmed = Text.ows(header);
    assertThat(trimmed.regionMatches(true, 0, "Bearer ", 0, 7))
        .as("credential taken from a non-Bearer header '%s'", header).isTrue();
    assertThat(credential).isNotEmpty();
    assertThat(trimmed).endsWith(credential);
    AccessToken at;
    try {
      at = tokens.verify(credential, "main");
    } catch (ApiException e) {
      assertThat(BearerAuth.ERRORS).contains(e.code());
      if (!B64TOKEN.matcher(credential).matches()) {
        assertThat(e.code()).as("refusal of the credential '%s', which is not a b64token "
            + "(RFC 6750 2.1)", credential).isEqualTo(ErrorCode.TOKEN_MALFORMED);
      }
      return;
    }
    assertThat(credential).as("accepted credential").isEqualTo(accessToken);
    assertThat(at.subject()).isEqualTo("usr_fuzz");
  }

  /** What follows the scheme, for a header that has one. */
  private static String credentialOf(String header) {
    String h = Text.ows(header);
    return h.length() < 7 ? "" : Text.ows(h.substring(7));
  }
}
