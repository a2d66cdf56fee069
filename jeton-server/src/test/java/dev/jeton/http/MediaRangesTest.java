package dev.jeton.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Accept header's media ranges and weights (RFC 9110 12.5.1). */
class MediaRangesTest {
  private static final List<String> JSON = List.of("application/json");

  @Test
  void acceptsWhenAbsentWildcardOrMatchingRangeThenTrue() {
    for (String accept : new String[] {null, "", " ", "*/*", "application/*", "application/json",
        "Application/JSON", "application/json; charset=utf-8", "text/html, */*;q=0.1",
        "application/xml, application/json;q=0.2", "application/json;q=1.0",
        "application/json, application/*+json", "garbage", "text/html;q=0, */*"}) {
      assertThat(MediaRanges.acceptsAny(accept, JSON)).as(String.valueOf(accept)).isTrue();
    }
  }

  @Test
  void acceptsWhenOnlyOtherTypesOrJsonWeighedZeroThenFalse() {
    for (String accept : new String[] {"application/xml", "text/html", "text/*",
        "application/json;q=0", "application/json;q=0.0, application/xml", "*/*;q=0",
        "application/*;q=0, text/html", "*/*, application/json;q=0",
        "application/*;q=0, */*", "application/problem+json"}) {
      assertThat(MediaRanges.acceptsAny(accept, JSON)).as(accept).isFalse();
    }
  }

  @Test
  void acceptsWhenOneOfSeveralProducedTypesIsAcceptedThenTrue() {
    List<String> jwks = List.of("application/jwk-set+json", "application/json");
    assertThat(MediaRanges.acceptsAny("application/jwk-set+json", jwks)).isTrue();
    assertThat(MediaRanges.acceptsAny("application/json", jwks)).isTrue();
    assertThat(MediaRanges.acceptsAny("text/plain", jwks)).isFalse();
  }
}
