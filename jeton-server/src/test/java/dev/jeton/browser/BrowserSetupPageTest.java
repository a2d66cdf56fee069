package dev.jeton.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.config.Setting;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.TestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The first-admin setup page in a real browser (headless Chromium through ChromeDriver): a server
 * started without bootstrap admin prints a setup link; filling in and submitting its form creates
 * the admin, and the spent link then shows "Setup link invalid". Only {@link Engine#SQLITE} is
 * used, to keep the suite fast: both engines are covered by {@code dev.jeton.setup.SetupTest}.
 */
class BrowserSetupPageTest {
  private static final String EMAIL = "root@example.org";
  private static final String PASSWORD = "amber kettle sings at dawn";
  private static final Duration WAIT = Duration.ofSeconds(15);

  TestServer server;
  Chromium chromium;
  WebDriver driver;

  @BeforeEach
  void start() {
    server = TestServer.start(Engine.SQLITE, Map.of(Setting.BOOTSTRAP_ADMIN_EMAIL, "",
        Setting.BOOTSTRAP_ADMIN_PASSWORD, ""));
    chromium = Chromium.start();
    driver = chromium.driver;
  }

  @AfterEach
  void stop() {
    try {
      if (chromium != null) {
        chromium.close();
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private int admins() {
    return server.app().users().store().countAdmins("main");
  }

  private String heading() {
    return driver.findElement(By.tagName("h1")).getText();
  }

  @Test
  void setupLinkWhenFormSubmittedInChromiumThenAdminCreatedAndLinkSpent() {
    String link = server.app().firstAdminLink();
    assertThat(link).startsWith(server.api().base() + "/accounts/main/setup?token=");
    driver.get(link);
    assertThat(heading()).isEqualTo("Create the first admin");
    assertThat(driver.getTitle()).isEqualTo("Create the first admin · Jeton");

    // A too-short password is stopped by the browser itself (minlength): nothing is posted.
    driver.findElement(By.id("email")).sendKeys(EMAIL);
    driver.findElement(By.id("password")).sendKeys("short");
    driver.findElement(By.cssSelector("form button[type=submit]")).click();
    assertThat(driver.getCurrentUrl()).isEqualTo(link);
    assertThat(heading()).isEqualTo("Create the first admin");
    assertThat(admins()).isZero();

    driver.findElement(By.id("password")).clear();
    driver.findElement(By.id("password")).sendKeys(PASSWORD);
    driver.findElement(By.cssSelector("form button[type=submit]")).click();
    new WebDriverWait(driver, WAIT).withMessage(() -> "no confirmation: "
        + driver.findElement(By.tagName("body")).getText()).until(d -> d.getTitle().startsWith("Admin created"));
    assertThat(heading()).isEqualTo("Admin created");
    assertThat(driver.findElement(By.tagName("main")).getText())
        .contains(EMAIL + " is now an admin of main").doesNotContain(PASSWORD);
    assertThat(admins()).isEqualTo(1);

    Api.Response login = server.login("main", EMAIL, PASSWORD);
    assertThat(login.status()).as(login.toString()).isEqualTo(200);
    assertThat(login.json().path("user").path("role").asText()).isEqualTo("admin");

    // The link works once: reopening it says so and shows no form.
    driver.get(link);
    assertThat(heading()).isEqualTo("Setup link invalid");
    assertThat(driver.findElements(By.tagName("form"))).isEmpty();
    assertThat(admins()).isEqualTo(1);
  }
}
