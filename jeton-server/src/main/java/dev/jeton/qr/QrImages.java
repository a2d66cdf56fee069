package dev.jeton.qr;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The QR code of a login's deep link, as PNG and as SVG (ZXing). Error correction M (15 % of the
 * code may be damaged or glared), a quiet zone of four modules as ISO/IEC 18004 asks, and whole
 * pixels per module so that no module is blurred by scaling.
 */
final class QrImages {
  /** Pixels per module in the PNG: a link of about 90 characters gives a 296 px image. */
  static final int PIXELS_PER_MODULE = 8;
  static final int QUIET_ZONE = 4;

  private QrImages() {}

  /** The modules of {@code text}'s QR code, without the quiet zone. */
  static BitMatrix modules(String text) {
    try {
      return new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0, Map.of(
          EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M,
          EncodeHintType.MARGIN, 0,
          EncodeHintType.CHARACTER_SET, "UTF-8"));
    } catch (WriterException e) {
      throw new IllegalArgumentException("cannot encode a QR code of this text", e);
    }
  }

  static byte[] png(String text) {
    BitMatrix m = modules(text);
    int side = (m.getWidth() + 2 * QUIET_ZONE) * PIXELS_PER_MODULE;
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_BINARY);
    for (int y = 0; y < side; y++) {
      int my = y / PIXELS_PER_MODULE - QUIET_ZONE;
      for (int x = 0; x < side; x++) {
        int mx = x / PIXELS_PER_MODULE - QUIET_ZONE;
        boolean dark = mx >= 0 && my >= 0 && mx < m.getWidth() && my < m.getHeight()
            && m.get(mx, my);
        img.setRGB(x, y, dark ? 0xFF000000 : 0xFFFFFFFF);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static String svg(String text) {
    BitMatrix m = modules(text);
    int side = m.getWidth() + 2 * QUIET_ZONE;
    StringBuilder path = new StringBuilder();
    for (int y = 0; y < m.getHeight(); y++) {
      for (int x = 0; x < m.getWidth(); x++) {
        if (m.get(x, y)) {
          path.append('M').append(x + QUIET_ZONE).append(',').append(y + QUIET_ZONE)
              .append("h1v1h-1z");
        }
      }
    }
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + side + " " + side
        + "\" width=\"" + side * PIXELS_PER_MODULE + "\" height=\"" + side * PIXELS_PER_MODULE
        + "\" shape-rendering=\"crispEdges\"><rect width=\"" + side + "\" height=\"" + side
        + "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
  }
}
