package dev.jeton.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.client.Client;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.Form;
import dev.jeton.token.Scope;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parsing token requests (RFC 6749 3.2) into the record of their grant, without a server. */
class TokenRequestTest {
  private static TokenRequest parse(String body) {
    return TokenRequest.parse(Form.parse(body.getBytes(StandardCharsets.UTF_8)));
  }

  private static void assertRefused(String body, ErrorCode code, String fragment) {
    assertThatThrownBy(() -> parse(body)).isInstanceOfSatisfying(ApiException.class, e -> {
      assertThat(e.code()).isEqualTo(code);
      assertThat(e.detail()).contains(fragment);
    });
  }

  @Test
  void parseWhenEachGrantThenItsRecord() {
    assertThat(parse("grant_type=authorization_code&code=c&code_verifier=v"))
        .isEqualTo(new TokenRequest.AuthorizationCode("c", null, "v", List.of()));
    assertThat(parse("grant_type=authorization_code&code=c&code_verifier=v"
        + "&redirect_uri=https%3A%2F%2Fa.example%2Fcb"))
        .isEqualTo(new TokenRequest.AuthorizationCode("c", "https://a.example/cb", "v",
            List.of()));
    assertThat(parse("grant_type=refresh_token&refresh_token=r&scope=b+a"))
        .isEqualTo(new TokenRequest.RefreshToken("r", Optional.of(Scope.of("a", "b")), List.of()));
    assertThat(parse("grant_type=refresh_token&refresh_token=r&scope="))
        .isEqualTo(new TokenRequest.RefreshToken("r", Optional.empty(), List.of()));
    assertThat(parse("grant_type=client_credentials"))
        .isEqualTo(new TokenRequest.ClientCredentials(Optional.empty(), List.of()));
    assertThat(parse("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
        + "&device_code=d")).isEqualTo(new TokenRequest.DeviceCode("d", List.of()));
    assertThat(parse("grant_type=client_credentials").grantType())
        .isEqualTo(Client.CLIENT_CREDENTIALS);
  }

  @Test
  void parseWhenRequiredParameterMissingThenInvalidRequestNamingTheSection() {
    assertRefused("grant_type=authorization_code&code_verifier=v", ErrorCode.INVALID_REQUEST,
        "RFC 6749 4.1.3");
    assertRefused("grant_type=authorization_code&code=c", ErrorCode.INVALID_REQUEST,
        "RFC 7636 4.5");
    assertRefused("grant_type=refresh_token&scope=a", ErrorCode.INVALID_REQUEST, "RFC 6749 6");
    assertRefused("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code",
        ErrorCode.INVALID_REQUEST, "RFC 8628 3.4");
    assertRefused("scope=a", ErrorCode.INVALID_REQUEST, "'grant_type'");
  }

  @Test
  void parseWhenScopeMalformedThenInvalidScope() {
    assertRefused("grant_type=client_credentials&scope=a++b", ErrorCode.INVALID_SCOPE,
        "RFC 6749 3.3");
    assertRefused("grant_type=refresh_token&refresh_token=r&scope=%22a%22",
        ErrorCode.INVALID_SCOPE, "RFC 6749 3.3");
  }

  @Test
  void parseWhenPasswordImplicitOrUnknownGrantThenUnsupportedGrantType() {
    assertRefused("grant_type=password&username=u&password=p",
        ErrorCode.UNSUPPORTED_GRANT_TYPE, "RFC 9700 2.4");
    assertRefused("grant_type=implicit", ErrorCode.UNSUPPORTED_GRANT_TYPE, "RFC 9700 2.1.2");
    assertRefused("grant_type=token", ErrorCode.UNSUPPORTED_GRANT_TYPE, "RFC 9700 2.1.2");
    assertRefused("response_type=token", ErrorCode.UNSUPPORTED_GRANT_TYPE, "RFC 9700 2.1.2");
    assertRefused("grant_type=urn%3Aexample%3Amagic", ErrorCode.UNSUPPORTED_GRANT_TYPE,
        "urn:example:magic");
  }
}
