package dev.jeton.qr;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.io.ByteArrayOutputStream;
import java.util.Map;

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

  /**
   * The QR code {@code m} as a PNG: 1-bit greyscale (colour type 0, bit depth 1), one IDAT,
   * compressed at the fastest level (at the best one, compressing took over a millisecond, five
   * times the rest; the image grows from 600 bytes to about 1 KB).
   */
  static byte[] png(BitMatrix m) {
    int side = (m.getWidth() + 2 * QUIET_ZONE) * PIXELS_PER_MODULE;
    int rowBytes = (side + 7) / 8;
    byte[] raw = new byte[(rowBytes + 1) * side]; // each row: filter type 0, then the bits
    byte[] row = new byte[rowBytes];
    for (int my = -QUIET_ZONE; my < m.getHeight() + QUIET_ZONE; my++) {
      java.util.Arrays.fill(row, (byte) 0);
      for (int x = 0; x < side; x++) {
        int mx = x / PIXELS_PER_MODULE - QUIET_ZONE;
        boolean dark = mx >= 0 && my >= 0 && mx < m.getWidth() && my < m.getHeight()
            && m.get(mx, my);
        if (!dark) { // 1 is white
          row[x >> 3] |= (byte) (0x80 >>> (x & 7));
        }
      }
      int y0 = (my + QUIET_ZONE) * PIXELS_PER_MODULE;
      for (int dy = 0; dy < PIXELS_PER_MODULE; dy++) {
        System.arraycopy(row, 0, raw, (y0 + dy) * (rowBytes + 1) + 1, rowBytes);
      }
    }
    java.util.zip.Deflater deflater = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_SPEED);
    deflater.setInput(raw);
    deflater.finish();
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    while (!deflater.finished()) {
      idat.write(buf, 0, deflater.deflate(buf));
    }
    deflater.end();
    ByteArrayOutputStream out = new ByteArrayOutputStream(idat.size() + 64);
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(side).putInt(side)
        .put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", idat.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(t);
    out.writeBytes(data);
    out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  static String svg(BitMatrix m) {
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
