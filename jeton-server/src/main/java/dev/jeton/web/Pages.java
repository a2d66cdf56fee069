package dev.jeton.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import java.net.URI;
import java.util.Map;

/**
 * Server-rendered pages from precompiled JTE templates, with the page security headers: a strict
 * CSP (own stylesheet only, forms only to this origin, no framing), no referrer, no caching.
 */
public final class Pages {
  private static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self'; "
      + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);
  private final String origin;

  public Pages(String baseUrl) {
    URI u = URI.create(baseUrl);
    this.origin = u.getScheme() + "://" + u.getRawAuthority();
  }

  /** Renders a template with the page headers. */
  public void render(Context ctx, int status, String template, Map<String, Object> model) {
    StringOutput out = new StringOutput();
    engine.render(template, model, out);
    ctx.status(status);
    ctx.header("Content-Security-Policy", CSP);
    ctx.contentType("text/html; charset=utf-8");
    ctx.result(out.toString());
  }

  /**
   * False when the browser says the form came from another origin (a cross-site post): the
   * Origin header, or the Referer when Origin is absent, must name this server. Requests with
   * neither (non-browser clients) pass; the form's own secret still has to be right.
   */
  public boolean sameOrigin(Context ctx) {
    String o = ctx.header("Origin");
    if (o != null) {
      return o.equals(origin);
    }
    String referer = ctx.header("Referer");
    if (referer != null) {
      return referer.equals(origin) || referer.startsWith(origin + "/");
    }
    return true;
  }
}
