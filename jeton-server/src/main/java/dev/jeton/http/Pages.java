package dev.jeton.http;

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
    render(ctx, status, template, model, null);
  }

  /**
   * Renders a page that runs Jeton's own script ({@code /assets/...js}, no inline script), calls
   * this server's API and shows images given as data URLs (the QR login demo): the strict CSP with
   * {@code script-src 'self'}, {@code connect-src 'self'} and {@code img-src 'self' data:}.
   */
  public void renderScripted(Context ctx, int status, String template,
      Map<String, Object> model) {
    render(ctx, status, template, model, null);
    ctx.header("Content-Security-Policy", CSP.replace("img-src 'self';",
        "img-src 'self' data:; script-src 'self'; connect-src 'self';"));
  }

  /**
   * Renders a page whose form's answer redirects to {@code redirectTarget} (an absolute URI of
   * another origin, e.g. a client's registered redirect URI): browsers apply the page's
   * {@code form-action} to that redirect, so its origin (or scheme, for an app's custom scheme)
   * is allowed there too, and nothing else.
   */
  public void render(Context ctx, int status, String template, Map<String, Object> model,
      String redirectTarget) {
    StringOutput out = new StringOutput();
    engine.render(template, model, out);
    ctx.status(status);
    String target = formTarget(redirectTarget);
    ctx.header("Content-Security-Policy", target == null ? CSP
        : CSP.replace("form-action 'self'", "form-action 'self' " + target));
    // Nothing is sent to other origins (docs/security.md#no-referrer-leak), but a page's own form
    // posts keep their Origin header: under "no-referrer" browsers send "Origin: null" even to the
    // same origin, which would defeat the Origin check of every form.
    ctx.header("Referrer-Policy", "same-origin");
    ctx.contentType("text/html; charset=utf-8");
    ctx.result(out.toString());
  }

  /**
   * The CSP source for a redirect target: its origin, or its scheme for a custom scheme; also
   * what a page names as the place a button or link leads to. Null when there is none.
   */
  public static String formTarget(String uri) {
    if (uri == null) {
      return null;
    }
    try {
      URI u = URI.create(uri);
      String scheme = u.getScheme();
      if (scheme == null) {
        return null;
      }
      if (u.getRawAuthority() == null) {
        return scheme.matches("[A-Za-z][A-Za-z0-9+.-]*") ? scheme + ":" : null;
      }
      String origin = scheme + "://" + u.getRawAuthority();
      return origin.matches("[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9.:\\[\\]-]+") ? origin : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
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
