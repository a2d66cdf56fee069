package dev.jeton.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import org.junit.jupiter.api.Test;

/**
 * The password policy (docs/security.md#password-policy): length in code points, blank and
 * repeated characters, runs, the email's local part, the list of common passwords and its variants.
 */
class PasswordPolicyTest {
  private static final String EMAIL = "someone@example.com";
  /** U+1F511 (key), one code point, two UTF-16 chars. */
  private static final String KEY = "\uD83D\uDD11";
  /** U+1F512 (lock). */
  private static final String LOCK = "\uD83D\uDD12";

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
    accepted("x".repeat(255) + "y", EMAIL);
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

  /**
   * docs/security.md#password-policy: {@code bobbybobby} was accepted for a three-letter local
   * part ({@code bob@}) and for any other email (see the repeated-sequence test); for
   * {@code bobby@} it was already refused, and stays so.
   */
  @Test
  void checkWhenPasswordIsLocalPartRepeatedThenRefused() {
    assertThat(refused("bobbybobby", "bob@example.com").errors().get(0).detail())
        .isEqualTo(PasswordPolicy.EMAIL);
    assertThat(refused("bobbybobby", "bobby@example.com").errors().get(0).detail())
        .isEqualTo(PasswordPolicy.EMAIL);
    refused("BobbyBobby!", "bobby@example.com");
  }

  /** Three-character local parts were not checked at all before; now anywhere in the password. */
  @Test
  void checkWhenLocalPartHasThreeCharactersThenRefusedAnywhere() {
    assertThat(refused("bob-the-builder", "bob@example.com").errors().get(0).detail())
        .isEqualTo(PasswordPolicy.EMAIL);
    refused("my name is BOB, hi", "bob@example.com");
  }

  /**
   * One- and two-character local parts: only a password that is nothing but copies of it (digits
   * and symbols at the ends aside) is refused, not every password containing the letters.
   */
  @Test
  void checkWhenLocalPartShorterThanThreeThenOnlyCopiesOfItRefused() {
    assertThat(refused("jojojojo", "jo@example.com").errors().get(0).detail())
        .isEqualTo(PasswordPolicy.EMAIL);
    assertThat(refused("jo2024!!", "jo@example.com").errors().get(0).detail())
        .isEqualTo(PasswordPolicy.EMAIL);
    assertThat(refused("a1234567", "a@example.com").errors().get(0).detail())
        .isEqualTo(PasswordPolicy.EMAIL);
    accepted("joyful journey home", "jo@example.com");
    accepted("banana split sundae", "a@example.com");
  }

  @Test
  void checkWhenLocalPartWithTagOrSeparatorsThenItsNameIsChecked() {
    refused("x bobby x 2024", "bobby+jeton@example.com");
    refused("JohnSmith!!", "john.smith@example.com");
    refused("mary_ann_1990", "mary-ann@example.com");
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
    refused(KEY.repeat(6) + LOCK, EMAIL);
    accepted(KEY.repeat(7) + LOCK, EMAIL);
    // 256 code points are 512 UTF-16 chars: still allowed.
    accepted(KEY.repeat(255) + LOCK, EMAIL);
    refused(KEY.repeat(256) + LOCK, EMAIL);
    accepted("\u00e9t\u00e9-\u00e0-p\u00e2", EMAIL);
    refused("\u00e9t\u00e9-\u00e0-p", EMAIL);
  }

  @Test
  void violationWhenPolicySatisfiedThenNull() {
    assertThat(policy.violation("qz7!Lm2x", EMAIL)).isNull();
    assertThat(policy.violation("qz7!Lm2", EMAIL)).isNotNull();
  }

  /** docs/security.md#password-policy: eight spaces were accepted. */
  @Test
  void checkWhenOnlySpacesThenRefused() {
    assertThat(refused(" ".repeat(8), EMAIL).errors().get(0).detail())
        .isEqualTo(PasswordPolicy.BLANK);
    refused(" ".repeat(40), EMAIL);
  }

  /** Any mix of blank characters: tabs, line breaks, no-break and ideographic spaces, ZWSP. */
  @Test
  void checkWhenOnlyWhitespaceOrInvisibleCharactersThenRefused() {
    assertThat(refused(" \t \n\u00a0 \u3000\r", EMAIL).errors().get(0).detail())
        .isEqualTo(PasswordPolicy.BLANK);
    refused("\u200b\u200b\u200b\u200b  \u2028\u00a0", EMAIL);
    accepted("   .   mostly blank  ", EMAIL);
  }

  @Test
  void checkWhenOneCharacterRepeatedThenRefused() {
    assertThat(refused("aaaaaaaa", EMAIL).errors().get(0).detail())
        .isEqualTo(PasswordPolicy.ONE_CHARACTER);
    refused("AaAaAaAaAaAa", EMAIL);
    refused("!".repeat(30), EMAIL);
    refused("7".repeat(256), EMAIL);
    refused(KEY.repeat(8), EMAIL);
    accepted("aaaaaaab blue", EMAIL);
  }

  @Test
  void checkWhenRunOfConsecutiveCharactersThenRefused() {
    assertThat(refused("abcdefgh", EMAIL).errors().get(0).detail())
        .isEqualTo(PasswordPolicy.RUN);
    refused("HGFEDCBA", EMAIL);
    refused("3456789:", EMAIL);
    refused("klmnopqrstu", EMAIL);
    accepted("abcdefgh is not a run", EMAIL);
  }

  /** docs/security.md#password-policy: the case, accepted with a list of 94 entries. */
  @Test
  void checkWhenCommonPasswordWithLookAlikesAndSymbolThenRefused() {
    assertThat(refused("Passw0rd!", EMAIL).errors().get(0).detail())
        .isEqualTo(PasswordPolicy.COMMON_VARIANT).contains("common");
  }

  @Test
  void checkWhenCommonPasswordWithDigitsOrSymbolsAddedThenRefused() {
    refused("summer2024!", EMAIL);
    refused("!!Dragon!!", EMAIL);
    refused("Dragon 2024", EMAIL);
    refused("1234superman", EMAIL);
    refused("4dmin2024", EMAIL);
  }

  @Test
  void checkWhenCommonPasswordWithLookAlikesThenRefused() {
    refused("P@55w0rd", EMAIL);
    refused("$uperman1", EMAIL);
    refused("Tr0pic4n4", EMAIL);
    refused("l3tm31n!", EMAIL);
  }

  /** A common word inside a longer password, with letters around it, stays allowed. */
  @Test
  void checkWhenCommonPasswordInsideLongerPasswordThenAccepted() {
    accepted("dragonfly over amber", EMAIL);
    accepted("my-superman-cape-is-blue", EMAIL);
    accepted("x7 password 9q", EMAIL);
  }

  @Test
  void checkWhenShortOrCommonSequenceRepeatedThenRefused() {
    assertThat(refused("bobbybobby", null).errors().get(0).detail())
        .isEqualTo(PasswordPolicy.REPEATED);
    refused("bobbybobby", EMAIL);
    refused("zqxzqxzqx", EMAIL);
    refused("abcd1234ABCD1234", EMAIL);
    refused("P@ssw0rd!P@ssw0rd!", EMAIL);
    accepted("qz7!Lm2xqz7!Lm2x", EMAIL);
  }

  /**
   * The published list, not only Jeton's 94 entries: entries from deep in it (zxcvbn-ts ranks
   * above 45,000, SecLists' top 10,000) in any case.
   */
  @Test
  void checkWhenEntryOfPublishedListInAnyCaseThenRefused() {
    for (String p : new String[] {"chinchilla", "CHINCHILLA", "BlitzKrieg", "Tropicana",
        "iamawesome", "PoIuYtReWq", "lkjhgfdsa", "01012009"}) {
      assertThat(refused(p, EMAIL).errors().get(0).detail()).isEqualTo(PasswordPolicy.COMMON);
    }
  }

  @Test
  void listWhenLoadedThenAtLeastTenThousandDistinctEntriesAndJetonsOwn() {
    CommonPasswords list = CommonPasswords.get();
    assertThat(list.size()).isGreaterThanOrEqualTo(10_000);
    assertThat(list.contains("password")).isTrue();
    assertThat(list.contains("chinchilla")).isTrue();
    assertThat(list.contains("jeton123")).isTrue();
    assertThat(list.contains("jeton")).isTrue();
    assertThat(list.contains("Password")).as("entries are lower-cased").isFalse();
    assertThat(list.contains("correct horse battery staple")).isFalse();
    assertThat(list.contains("")).isFalse();
    assertThat(CommonPasswords.get()).as("loaded once").isSameAs(list);
  }

  /** The list's MIT licence must travel with the jar that ships the list. */
  @Test
  void listWhenPackagedThenNoticeWithItsLicenceShipsToo() throws Exception {
    try (var in = PasswordPolicyTest.class.getResourceAsStream("/META-INF/jeton/NOTICE")) {
      assertThat(in).as("META-INF/jeton/NOTICE").isNotNull();
      String notice = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(notice).contains("Daniel Miessler").contains("Dropbox")
          .contains("Permission is hereby granted");
    }
  }

  @Test
  void checkWhenStrongPassphraseThenAccepted() {
    accepted("correct horse battery staple", EMAIL);
    accepted("Tr0ub4dor&3 at dawn", "bobby@example.com");
    accepted("amber kettle sings at dawn", "jo@example.com");
    accepted("qz7!Lm2x", null);
  }
}
