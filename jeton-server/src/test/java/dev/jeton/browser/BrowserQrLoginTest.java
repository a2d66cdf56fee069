package dev.jeton.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import dev.jeton.testing.Api;
import dev.jeton.testing.Engine;
import dev.jeton.testing.TestServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * QR login in real Chromium with two browsers, a computer and a phone (docs/qr-login.md#demo):
 * the computer opens the demo page, the test reads the QR code off the page's image, the phone
 * opens what it encodes, signs in, compares the number and decides; the computer, following the
 * login's event stream, gets its own session, or is told the sign-in was denied.
 */
class BrowserQrLoginTest {
  private static final String EMAIL = "ada@example.com";
  private static final String PASSWORD = "correct horse battery staple 9";
  private static final Duration WAIT = Duration.ofSeconds(15);

  TestServer server;
  Chromium computer;
  Chromium phone;

  @BeforeEach
  void start() {
    server = TestServer.start(Engine.SQLITE);
    Api.Response r = server.register("main", EMAIL, PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    computer = Chromium.start();
    phone = Chromium.start();
  }

  @AfterEach
  void stop() {
    try {
      if (phone != null) {
        phone.close();
      }
      if (computer != null) {
        computer.close();
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private static String text(WebDriver d, String id) {
    return d.findElement(By.id(id)).getText();
  }

  private static void waitFor(WebDriver d, String what, java.util.function.Predicate<WebDriver> p) {
    new WebDriverWait(d, WAIT).withMessage(() -> "expected " + what + " but " + d.getCurrentUrl()
        + " shows: " + d.findElement(By.tagName("body")).getText()).until(p::test);
  }

  /** The computer's demo page up to its QR code; answers what the code encodes. */
  private String scanTheComputersScreen() throws Exception {
    WebDriver d = computer.driver;
    d.get(server.api().base() + "/accounts/main/qr-demo");
    waitFor(d, "a QR code", x -> String.valueOf(x.findElement(By.id("qr-image"))
        .getAttribute("src")).startsWith("data:image/png;base64,"));
    String src = d.findElement(By.id("qr-image")).getAttribute("src");
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder()
        .decode(src.substring(src.indexOf(',') + 1))));
    int[] pixels = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(
        new RGBLuminanceSource(img.getWidth(), img.getHeight(), pixels)))).getText();
  }

  /** The phone opens the scanned link, signs in and reaches the confirmation page. */
  private void openOnThePhone(String link) {
    WebDriver p = phone.driver;
    p.get(link);
    waitFor(p, "the sign-in page", x -> x.getTitle().startsWith("Sign in"));
    p.findElement(By.id("email")).sendKeys(EMAIL);
    p.findElement(By.id("password")).sendKeys(PASSWORD);
    p.findElement(By.cssSelector("form button[type=submit]")).click();
    waitFor(p, "the confirmation page", x -> x.getTitle().startsWith("Sign in on another"));
  }

  @Test
  void aPhoneSignedInApprovesTheCodeOnTheComputerWhichGetsItsOwnSession() throws Exception {
    String link = scanTheComputersScreen();
    assertThat(link).startsWith(server.api().base() + "/accounts/main/qr/jeton_qr_");
    String number = text(computer.driver, "qr-code");
    assertThat(number).matches("[0-9]{4}");

    openOnThePhone(link);
    assertThat(phone.driver.findElement(By.tagName("main")).getText())
        .as("the phone shows the computer's number to compare").contains(number);
    waitFor(computer.driver, "the computer to see the scan",
        x -> text(x, "qr-status").contains("Check your phone"));
    phone.driver.findElement(By.cssSelector("button[name=decision][value=approve]")).click();
    waitFor(phone.driver, "the phone's result", x -> x.getTitle().startsWith("Signed in"));

    waitFor(computer.driver, "the computer signed in",
        x -> x.findElement(By.id("qr-user")).isDisplayed());
    assertThat(text(computer.driver, "qr-user")).isEqualTo(EMAIL);
  }

  @Test
  void aPhoneThatDeniesLeavesTheComputerSignedOut() throws Exception {
    String link = scanTheComputersScreen();
    openOnThePhone(link);
    phone.driver.findElement(By.cssSelector("button[name=decision][value=deny]")).click();
    waitFor(phone.driver, "the phone's result", x -> x.getTitle().startsWith("Sign-in denied"));
    waitFor(computer.driver, "the computer told of the denial",
        x -> text(x, "qr-status").contains("denied"));
    assertThat(computer.driver.findElement(By.id("qr-done")).isDisplayed()).isFalse();
  }
}
