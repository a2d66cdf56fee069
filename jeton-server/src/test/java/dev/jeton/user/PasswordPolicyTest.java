package dev.jeton.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import org.junit.jupiter.api.Test;

/** The password policy: length in code points, common passwords, the email's local part. */
class PasswordPolicyTest {
  private static final String EMAIL = "someone@example.com";
  /** U+1F511 (key), one code point, two UTF-16 chars. */
  private static final String KEY = "\uD83D\uDD11";

  private final PasswordPolicy policy = new PasswordPolicy();

  private ApiException refused(String password, String email) {
    ApiException e = catchThrowableOfType(ApiException.class,
        () -> policy.check(password, email));
    assertThat(e).as("'%s' should be refused", password).isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(e.errors()).hasSize(1);
    assertThat(e.errors().get(0).field()).isEqualTo("password");
    assertThat(e.errors().get(0).code()).isEqualTo(ErrorCode.PASSWORD_POLICY_VIOLATION);
    assertThat(e.errors().get(0).detail()).doesNotContain(password);
    return e;
  }

  private void accepted(String password, String email) {
    assertThatCode(() -> policy.check(password, email)).as("'%s' should be accepted", password)
        .doesNotThrowAnyException();
  }

  @Test
  void checkWhenSevenCharactersThenRefused() {
    assertThat(refused("qz7!Lm2", EMAIL).errors().get(0).detail()).contains("at least 8");
  }

  @Test
  void checkWhenEightCharactersThenAccepted() {
    accepted("qz7!Lm2x", EMAIL);
  }

  @Test
  void checkWhenAnyCompositionThenAccepted() {
    accepted("all lower case words", EMAIL);
    accepted("98765432109", EMAIL);
  }

  @Test
  void checkWhen256CharactersThenAccepted() {
    accepted("x".repeat(256), EMAIL);
  }

  @Test
  void checkWhen257CharactersThenRefused() {
    assertThat(refused("x".repeat(257), EMAIL).errors().get(0).detail()).contains("at most 256");
  }

  @Test
  void checkWhenCommonPasswordInAnyCaseThenRefused() {
    refused("password123", EMAIL);
    refused("PASSWORD123", EMAIL);
    refused("PassWord123", EMAIL);
    refused("12345678", EMAIL);
    refused("QwErTy123", EMAIL);
    assertThat(refused("qwertyuiop", null).errors().get(0).detail()).contains("common");
  }

  @Test
  void checkWhenCommonPasswordWithExtraCharactersThenAccepted() {
    accepted("password123 but longer", EMAIL);
  }

  @Test
  void checkWhenPasswordContainsEmailLocalPartThenRefused() {
    refused("xx-davidson-xx", "davidson@example.com");
    refused("XX-DAVIDSON-xx", "davidson@example.com");
    refused("davidson", "DavidSon@Example.com");
    assertThat(refused("my name is erin!", "erin@example.com").errors().get(0).detail())
        .contains("email");
  }

  @Test
  void checkWhenLocalPartShorterThanFourThenNotChecked() {
    accepted("bob-the-builder", "bob@example.com");
  }

  @Test
  void checkWhenDomainInPasswordThenAccepted() {
    accepted("example.com rocks", "davidson@example.com");
  }

  @Test
  void checkWhenNoEmailThenOnlyLengthAndCommonChecked() {
    accepted("davidson-davidson", null);
  }

  @Test
  void checkWhenUnicodeThenLengthCountedInCodePoints() {
    // 7 code points are 14 UTF-16 chars: still too short.
    refused(KEY.repeat(7), EMAIL);
    accepted(KEY.repeat(8), EMAIL);
    // 256 code points are 512 UTF-16 chars: still allowed.
    accepted(KEY.repeat(256), EMAIL);
    refused(KEY.repeat(257), EMAIL);
    accepted("\u00e9t\u00e9-\u00e0-p\u00e2", EMAIL);
    refused("\u00e9t\u00e9-\u00e0-p", EMAIL);
  }

  @Test
  void violationWhenPolicySatisfiedThenNull() {
    assertThat(policy.violation("qz7!Lm2x", EMAIL)).isNull();
    assertThat(policy.violation("qz7!Lm2", EMAIL)).isNotNull();
  }
}
