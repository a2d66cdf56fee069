package dev.jeton.http;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;

/** A request body stream that fails as soon as more than {@code limit} bytes have been read. */
final class BodyLimit extends ServletInputStream {
  /** Thrown when the body exceeds the limit; nothing past the limit is read. */
  static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;
    private final long limit;

    TooLarge(long limit) {
      super("request body larger than " + limit + " bytes");
      this.limit = limit;
    }

    long limit() {
      return limit;
    }
  }

  private final ServletInputStream in;
  private final long limit;
  private long count;

  BodyLimit(ServletInputStream in, long limit) {
    this.in = in;
    this.limit = limit;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0 && ++count > limit) {
      throw new TooLarge(limit);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    long room = limit + 1 - count;
    int n = in.read(buf, off, (int) Math.min(len, Math.max(1, room)));
    if (n > 0) {
      count += n;
      if (count > limit) {
        throw new TooLarge(limit);
      }
    }
    return n;
  }

  @Override
  public boolean isFinished() {
    return in.isFinished();
  }

  @Override
  public boolean isReady() {
    return in.isReady();
  }

  @Override
  public void setReadListener(ReadListener listener) {
    in.setReadListener(listener);
  }
}
