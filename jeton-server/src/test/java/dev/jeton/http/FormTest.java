package dev.jeton.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one form decoder (RFC 6749 Appendix B): the same bytes decode the same way for the OAuth
 * endpoints, the pages, Basic client credentials and the {@code _method=GET} path, and anything
 * malformed is refused instead of guessed at.
 */
class FormTest {
  private static Form parse(String body) {
    return Form.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  private static ErrorCode refusal(Runnable r) {
    try {
      r.run();
    } catch (ApiException e) {
      return e.code();
    }
    throw new AssertionError("not refused");
  }

  @Test
  void parseWhenWellFormedThenPercentAndPlusDecoded() {
    Form f = parse("grant_type=client_credentials&scope=read+write&redirect_uri="
        + "https%3A%2F%2Fapp.example.com%2Fcb%3Fa%3D1&name=%C3%A9l%C3%A8ve");
    assertThat(f.get("grant_type")).isEqualTo("client_credentials");
    assertThat(f.get("scope")).isEqualTo("read write");
    assertThat(f.get("redirect_uri")).isEqualTo("https://app.example.com/cb?a=1");
    assertThat(f.get("name")).isEqualTo("élève");
  }

  @Test
  void parseWhenValueEmptyOrBareNameThenCountsAsOmitted() {
    Form f = parse("scope=&state&&code=abc");
    assertThat(f.get("scope")).isNull();
    assertThat(f.get("state")).isNull();
    assertThat(f.get("code")).isEqualTo("abc");
    assertThat(refusal(() -> f.required("scope"))).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Test
  void parseWhenControlCharacterInNameOrValueThenInvalidRequestNamingIt() {
    // docs/security.md#control-characters: C0, DEL and C1, raw or percent-encoded, tab included
    for (String bad : List.of("%00", "%01", "%09", "%0A", "%1F", "%7F", "%C2%80", "%C2%9F",
        "\u0001")) {
      assertThatThrownBy(() -> parse("client_id=a" + bad + "b&scope=read"))
          .as(bad).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(e.detail()).contains("'client_id'").contains("control character U+00");
          });
      assertThat(refusal(() -> parse("a" + bad + "=1"))).as(bad)
          .isEqualTo(ErrorCode.INVALID_REQUEST);
    }
    // printable non-ASCII is not a control character
    assertThat(parse("name=%C2%A0%E2%80%AE").get("name")).isEqualTo("\u00a0\u202e");
  }

  @Test
  void controlProblemWhenQueryHasControlCharacterThenNamedOtherwiseNull() {
    assertThat(Form.controlProblem("a=1&state=x%00")).contains("'state'").contains("U+0000");
    assertThat(Form.controlProblem("a=1&b=%zz&c=%C3")).as("other malformations are the "
        + "reader's to answer").isNull();
    assertThat(Form.controlProblem(null)).isNull();
  }

  @Test
  void parseWhenParameterRepeatedThenInvalidRequest() {
    assertThatThrownBy(() -> parse("code=a&code=b"))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
          assertThat(e.detail()).contains("'code' is repeated").contains("RFC 6749 3.1");
        });
    // the same name written two ways is the same parameter
    assertThat(refusal(() -> parse("code=a&%63ode=b"))).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Test
  void parseWhenPercentEncodingMalformedThenInvalidRequest() {
    for (String bad : List.of("q=%zz", "q=%2", "q=%", "q=%g0", "%zz=1", "q=abc%")) {
      assertThat(refusal(() -> parse(bad))).as(bad).isEqualTo(ErrorCode.INVALID_REQUEST);
    }
  }

  @Test
  void parseWhenNotUtf8ThenInvalidRequest() {
    // an escaped lone continuation byte, a truncated sequence, an overlong encoding of '/'
    for (String bad : List.of("q=%80", "q=%C3", "q=%C0%AF", "q=%ED%A0%80")) {
      assertThat(refusal(() -> parse(bad))).as(bad).isEqualTo(ErrorCode.INVALID_REQUEST);
    }
    byte[] raw = {'q', '=', (byte) 0xC3, (byte) 0x28};
    assertThat(refusal(() -> Form.parse(raw))).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Test
  void parseAllWhenRepeatedThenKeptInOrder() {
    assertThat(Form.parseAll("a=1&b=2&a=3".getBytes(StandardCharsets.UTF_8), "not UTF-8"))
        .containsEntry("a", List.of("1", "3")).containsEntry("b", List.of("2"));
    assertThat(refusal(() -> Form.parseAll("a=%zz".getBytes(StandardCharsets.UTF_8), "x")))
        .isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Test
  void decodeWhenComponentThenStrictlyDecodedOnce() {
    assertThat(Form.decode("cli_a%2Bb+c")).isEqualTo("cli_a+b c");
    // decoded once: %2525 is "%25", not "%"
    assertThat(Form.decode("%2525")).isEqualTo("%25");
    assertThat(refusal(() -> Form.decode("%zz"))).isEqualTo(ErrorCode.INVALID_REQUEST);
  }
}
