package dev.jeton.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ContentType}: media types by RFC 9110 8.3.1, strictly. What a lenient reader could split
 * in two ways is not a media type, so a body is never read in a charset other than the one named.
 */
class ContentTypeTest {

  @Test
  void parseWhenWellFormedThenTypeAndParametersNormalised() {
    ContentType t = ContentType.parse(" Application/JSON ;Charset=\"UTF-8\"\t; v=\"a\\\"b\" ");
    assertThat(t).isNotNull();
    assertThat(t.type()).isEqualTo("application/json");
    assertThat(t.parameters()).containsExactly(new ContentType.Parameter("charset", "UTF-8"),
        new ContentType.Parameter("v", "a\"b"));
    assertThat(t.charsetIsUtf8OrAbsent()).isTrue();
    assertThat(ContentType.parse("application/json;;charset=utf-8").charsetIsUtf8OrAbsent())
        .isTrue();
    assertThat(ContentType.parse("application/json").parameters()).isEmpty();
  }

  @Test
  void parseWhenOutsideTheGrammarThenNull() {
    for (String bad : List.of("", "application", "application/", "/json", "application/json x",
        "application /json", "application/json; charset", "application/json; charset=",
        "application/json; charset=utf-8rset x", "application/json; charset=\"utf-8",
        "application/json; =utf-8", "application/json;\u0017x=1", "application/json\u0000",
        "application/json; charset=\"a\u0001\"", "application/json; v=a b",
        "application/json; charset=utf-8,iso-8859-1")) {
      assertThat(ContentType.parse(bad)).as("'%s'", bad).isNull();
    }
    assertThat(ContentType.parse(null)).isNull();
  }

  @Test
  void charsetWhenOnlyStartsWithUtf8OrRepeatedThenNotUtf8() {
    for (String other : List.of("application/json; charset=utf-8x",
        "application/json; charset=utf8", "application/json; v=1; charset=iso-8859-1",
        "application/json; charset=utf-8; charset=iso-8859-1")) {
      assertThat(ContentType.parse(other).charsetIsUtf8OrAbsent()).as(other).isFalse();
    }
  }
}
