package dev.jeton.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The scope value (RFC 6749 3.3): its syntax, narrowing and text form, without a server. */
class ScopeTest {
  @Test
  void parseWhenSingleSpacesThenTokensInOrder() {
    Scope s = Scope.parse("write read openid");
    assertThat(s.values()).containsExactly("write", "read", "openid");
    assertThat(s.render()).isEqualTo("write read openid");
    assertThat(s.contains("read")).isTrue();
    assertThat(s.contains("admin")).isFalse();
  }

  @Test
  void parseWhenEmptyThenEmptyScopeWhichRendersEmpty() {
    assertThat(Scope.parse("")).isSameAs(Scope.EMPTY);
    assertThat(Scope.EMPTY.isEmpty()).isTrue();
    assertThat(Scope.EMPTY.render()).isEmpty();
    assertThat(Scope.of(List.of())).isSameAs(Scope.EMPTY);
  }

  @Test
  void parseWhenTokenRepeatedThenCountedOnce() {
    assertThat(Scope.parse("read write read").values()).containsExactly("read", "write");
  }

  @ParameterizedTest
  @ValueSource(strings = {" ", "  ", "read  write", " read", "read ", "read\twrite", "read\nwrite",
      "a\"b", "a\\b", "caf\u00e9", "read \u00a0", "\u0000", "a\u007fb"})
  void parseWhenNotScopeSyntaxThenMalformed(String text) {
    assertThatThrownBy(() -> Scope.parse(text))
        .isInstanceOf(Scope.MalformedScopeException.class)
        .hasMessageContaining("RFC 6749 3.3");
  }

  @Test
  void parseWhenEveryAllowedCharacterThenOneToken() {
    StringBuilder all = new StringBuilder();
    for (char c = 0x21; c <= 0x7E; c++) {
      if (c != '"' && c != '\\') {
        all.append(c);
      }
    }
    assertThat(Scope.parse(all.toString()).values()).containsExactly(all.toString());
  }

  @Test
  void isTokenWhenEmptyNullOrForbiddenThenFalse() {
    assertThat(Scope.isToken("reports:read")).isTrue();
    assertThat(Scope.isToken("")).isFalse();
    assertThat(Scope.isToken(null)).isFalse();
    assertThat(Scope.isToken("a b")).isFalse();
    assertThat(Scope.isToken("\"")).isFalse();
    assertThat(Scope.isToken("\\")).isFalse();
    assertThat(Scope.isToken("\u00e9")).isFalse();
  }

  @Test
  void ofWhenTokenMalformedThenMalformed() {
    assertThatThrownBy(() -> Scope.of(List.of("read", "")))
        .isInstanceOf(Scope.MalformedScopeException.class);
    assertThatThrownBy(() -> Scope.of("read write"))
        .isInstanceOf(Scope.MalformedScopeException.class);
  }

  @Test
  void renderWhenParsedThenSameText() {
    for (String text : List.of("", "a", "openid profile email", "z y x")) {
      assertThat(Scope.parse(text).render()).isEqualTo(text);
    }
  }

  @Test
  void sortedWhenAnyOrderThenAscendingAndEqualAsSets() {
    Scope s = Scope.of(Set.of("write", "openid", "Read", "admin"));
    assertThat(s.sorted().render()).isEqualTo("Read admin openid write");
    assertThat(s.sorted()).isEqualTo(s).hasSameHashCodeAs(s);
    assertThat(Scope.parse("b a")).isEqualTo(Scope.parse("a b"));
    assertThat(Scope.parse("b a")).isNotEqualTo(Scope.parse("a"));
  }

  @Test
  void narrowWhenRequestedWithinGrantedThenRequestedInGrantedOrder() {
    Scope granted = Scope.parse("openid read write");
    assertThat(granted.narrow(Scope.parse("write read")).values()).containsExactly("read", "write");
    assertThat(granted.narrow(granted)).isEqualTo(granted);
    assertThat(granted.narrow(Scope.EMPTY)).isEqualTo(Scope.EMPTY);
    assertThat(granted.containsAll(Scope.parse("write openid"))).isTrue();
  }

  @Test
  void narrowWhenRequestedBeyondGrantedThenNotGrantedNamingTheExcess() {
    Scope granted = Scope.parse("read write");
    assertThatThrownBy(() -> granted.narrow(Scope.parse("admin read delete")))
        .isInstanceOfSatisfying(Scope.ScopeNotGrantedException.class,
            e -> assertThat(e.excess().values()).containsExactly("admin", "delete"));
    assertThatThrownBy(() -> Scope.EMPTY.narrow(Scope.parse("read")))
        .isInstanceOf(Scope.ScopeNotGrantedException.class);
    assertThat(granted.containsAll(Scope.parse("read admin"))).isFalse();
  }

  @Test
  void unionWhenOverlappingThenThisOrderThenTheNewTokens() {
    assertThat(Scope.parse("read write").union(Scope.parse("openid read")).render())
        .isEqualTo("read write openid");
    assertThat(Scope.EMPTY.union(Scope.EMPTY)).isSameAs(Scope.EMPTY);
  }

  @Test
  void valuesWhenModifiedThenRefused() {
    Scope s = Scope.parse("read");
    assertThatThrownBy(() -> s.values().add("write"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
