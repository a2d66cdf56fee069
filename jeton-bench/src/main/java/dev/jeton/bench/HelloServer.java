package dev.jeton.bench;

import io.javalin.Javalin;

/**
 * A plain Javalin hello-world on the same Javalin/Jetty as Jeton: the ceiling the HTTP benchmarks
 * compare against. Usage: {@code java -cp benchmarks.jar dev.jeton.bench.HelloServer 8099}
 */
public final class HelloServer {
  private HelloServer() {}

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8099;
    Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.concurrency.useVirtualThreads = Runtime.version().feature() >= 21;
      cfg.jetty.host = "127.0.0.1";
      cfg.jetty.port = port;
      cfg.routes.get("/hello", ctx -> ctx.result("hello"));
    }).start();
  }
}
