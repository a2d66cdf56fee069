package dev.jeton.error;

/** Renders {@code docs/errors.md} from the catalog; a test keeps the committed file in step. */
public final class ErrorCatalogDoc {
  private ErrorCatalogDoc() {}

  public static String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("# Error catalog\n\n")
        .append("Generated from `ErrorCode.java` by `java -jar jeton.jar errors`; do not edit by hand.\n")
        .append("The same entries are served at `GET /api/v1/errors` and, one by one, at\n")
        .append("`GET /api/v1/errors/{code}` (the `type` URI of every problem document).\n\n")
        .append("Every JSON API error is an RFC 9457 problem document (`application/problem+json`)\n")
        .append("with `type`, `title`, `status`, `detail`, `code`, `remedy`, `retryable`,\n")
        .append("`request_id` and, when several fields are wrong, `errors[]` (each with `field`,\n")
        .append("`code`, `detail`). Bearer errors also carry an RFC 6750 `WWW-Authenticate` challenge.\n\n")
        .append("The OAuth endpoints (`{issuer}/oauth2/token`, `/oauth2/introspect`, `/oauth2/revoke`)\n")
        .append("answer errors in the RFC 6749 5.2 format instead: `{\"error\", \"error_description\",\n")
        .append("\"request_id\"}` with `Cache-Control: no-store`, where `error` is the code below (see\n")
        .append("`docs/oauth.md`).\n\n")
        .append("| code | status | title | remedy | retry helps |\n")
        .append("|---|---|---|---|---|\n");
    for (ErrorCode c : ErrorCode.values()) {
      b.append("| `").append(c.code()).append("` | ").append(c.status()).append(" | ")
          .append(c.title()).append(" | ").append(c.remedy().replace("|", "\\|")).append(" | ")
          .append(c.retryable() ? "yes" : "no").append(" |\n");
    }
    return b.toString();
  }
}
