package dev.jeton.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Fuzz test of scope parsing and the scope rules ({@link Scope}, RFC 6749 3.3,
 * docs/security.md#scope-no-escalation). The input is two scope texts, granted and requested,
 * separated by the first newline. A text is accepted exactly when it is RFC 6749 3.3 syntax
 * (checked here independently: tokens of {@code %x21 / %x23-5B / %x5D-7E} separated by single
 * spaces, or empty), else refused with {@link Scope.MalformedScopeException}; an accepted scope
 * has the text's distinct tokens in order and renders back to an equal scope. Narrowing succeeds
 * exactly when the requested scope lies within the granted one and never adds a token; a refusal
 * names exactly the excess tokens. Inputs in
 * {@code src/test/resources/dev/jeton/token/ScopeFuzzTestInputs/parse/}; docs/fuzzing.md.
 */
class ScopeFuzzTest {
  @FuzzTest(maxDuration = "5m")
  void parse(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    int nl = text.indexOf('\n');
    Scope granted = checked(nl < 0 ? text : text.substring(0, nl));
    Scope requested = nl < 0 ? null : checked(text.substring(nl + 1));
    if (granted == null || requested == null) {
      return;
    }
    Set<String> excess = new LinkedHashSet<>(requested.values());
    excess.removeAll(granted.values());
    try {
      Scope narrowed = granted.narrow(requested);
      assertThat(excess).as("narrow accepted tokens that were not granted").isEmpty();
      assertThat(narrowed).isEqualTo(requested);
      List<String> inGrantedOrder = new ArrayList<>(granted.values());
      inGrantedOrder.retainAll(requested.values());
      assertThat(narrowed.values()).isEqualTo(inGrantedOrder);
    } catch (Scope.ScopeNotGrantedException e) {
      assertThat(e.excess().values()).isEqualTo(new ArrayList<>(excess));
    }
    Scope union = granted.union(requested);
    assertThat(union.containsAll(granted) && union.containsAll(requested)).isTrue();
    Set<String> both = new LinkedHashSet<>(granted.values());
    both.addAll(requested.values());
    assertThat(union.values()).isEqualTo(new ArrayList<>(both));
  }

  /** Parses one text and checks it against the grammar; null when (rightly) refused. */
  private static Scope checked(String text) {
    boolean valid = isScopeText(text);
    Scope scope;
    try {
      scope = Scope.parse(text);
    } catch (Scope.MalformedScopeException e) {
      assertThat(valid).as("refused a well-formed scope '%s'", text).isFalse();
      return null;
    }
    assertThat(valid).as("accepted a malformed scope '%s'", text).isTrue();
    List<String> distinct = text.isEmpty() ? List.of()
        : new ArrayList<>(new LinkedHashSet<>(List.of(text.split(" ", -1))));
    assertThat(scope.values()).isEqualTo(distinct);
    assertThat(scope.isEmpty()).isEqualTo(text.isEmpty());
    for (String token : scope) {
      assertThat(isToken(token)).as("token '%s'", token).isTrue();
      assertThat(scope.contains(token)).isTrue();
    }
    Scope again = Scope.parse(scope.render());
    assertThat(again).isEqualTo(scope);
    assertThat(again.render()).isEqualTo(scope.render());
    assertThat(scope.sorted()).isEqualTo(scope);
    assertThat(scope.sorted().values()).isSorted();
    return scope;
  }

  /** {@code scope = scope-token *( SP scope-token )}, or the empty text. */
  private static boolean isScopeText(String text) {
    if (text.isEmpty()) {
      return true;
    }
    for (String part : text.split(" ", -1)) {
      if (!isToken(part)) {
        return false;
      }
    }
    return true;
  }

  /** {@code scope-token = 1*( %x21 / %x23-5B / %x5D-7E )}. */
  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E))) {
        return false;
      }
    }
    return true;
  }
}
