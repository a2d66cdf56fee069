package dev.jeton.push;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.http.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * A Google service account's key file, as the Firebase console downloads it: the project to send
 * through, the account's e-mail and private key (RSA, PKCS#8 PEM) and the token URI where its
 * signed assertions are exchanged for access tokens (RFC 7523).
 */
record ServiceAccount(String projectId, String clientEmail, String keyId, RSAPrivateKey key,
    URI tokenUri) {

  /**
   * Reads the key file at {@code file}.
   *
   * @throws IllegalArgumentException naming what is missing or wrong (never the key itself)
   */
  static ServiceAccount read(Path file) {
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(file + " is not a service account key file (JSON)");
    }
    String project = field(n, file, "project_id");
    String email = field(n, file, "client_email");
    String pem = field(n, file, "private_key");
    URI tokenUri = URI.create(field(n, file, "token_uri"));
    if (!"https".equals(tokenUri.getScheme()) && !"http".equals(tokenUri.getScheme())) {
      throw new IllegalArgumentException(file + ": token_uri is not an http(s) URL");
    }
    String kid = n.path("private_key_id").asText("");
    return new ServiceAccount(project, email, kid.isEmpty() ? null : kid, rsaKey(pem, file),
        tokenUri);
  }

  private static String field(JsonNode n, Path file, String name) {
    String v = n.path(name).asText("");
    if (v.isBlank()) {
      throw new IllegalArgumentException(file + " has no " + name);
    }
    return v;
  }

  private static RSAPrivateKey rsaKey(String pem, Path file) {
    String body = pem.replace("-----BEGIN PRIVATE KEY-----", "")
        .replace("-----END PRIVATE KEY-----", "").replaceAll("\\s", "");
    try {
      return (RSAPrivateKey) KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException(file + ": private_key is not an RSA key in PKCS#8 PEM");
    }
  }
}
