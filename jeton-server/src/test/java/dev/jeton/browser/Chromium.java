package dev.jeton.browser;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium driven through ChromeDriver, both from Debian's packages
 * ({@code apt-get install chromium chromium-driver}; {@code .ci/run} installs them when missing).
 * Nothing is downloaded: the driver and browser paths are explicit, so Selenium Manager is never
 * asked for them. When either binary is absent the test fails (it is not skipped): a skipped
 * browser test would pass the build without anything having been checked.
 */
final class Chromium implements AutoCloseable {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  final WebDriver driver;
  private final ChromeDriverService service;
  private final Path profile;

  private Chromium(WebDriver driver, ChromeDriverService service, Path profile) {
    this.driver = driver;
    this.service = service;
    this.profile = profile;
  }

  /** Starts a fresh browser with an empty profile (no cookies). */
  static Chromium start() {
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      throw new AssertionError("chromium/chromedriver not found: the browser tests need "
          + BROWSER + " and " + DRIVER + " (Debian: apt-get install chromium chromium-driver)");
    }
    System.setProperty("SE_OFFLINE", "true");
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER.toString());
    Path profile;
    try {
      profile = Files.createTempDirectory("jeton-chromium");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort()
        .withLogOutput(System.out)
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
        "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile);
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
      return new Chromium(driver, service, profile);
    } catch (RuntimeException e) {
      service.stop();
      delete(profile);
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      delete(profile);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      // a leftover temporary profile is harmless
    }
  }
}
