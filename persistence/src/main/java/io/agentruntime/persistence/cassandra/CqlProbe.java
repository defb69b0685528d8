package io.agentruntime.persistence.cassandra;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Tells whether a CQL server answers on a port. It speaks the protocol (an OPTIONS request,
 * expecting SUPPORTED) instead of merely connecting: a port can be bound before CQL is served, and
 * a bare connect-and-close makes Cassandra log a protocol error.
 */
public final class CqlProbe {

  /** Protocol v4 request, stream 1, opcode OPTIONS (0x05), empty body. */
  private static final byte[] OPTIONS_FRAME = {
    0x04, 0x00, 0x00, 0x01, 0x05, 0x00, 0x00, 0x00, 0x00
  };

  private static final int RESPONSE_V4 = 0x84;
  private static final int OPCODE_SUPPORTED = 0x06;

  private CqlProbe() {}

  /** True when host:port answered an OPTIONS request with SUPPORTED within the timeout. */
  public static boolean answers(String host, int port, Duration timeout) {
    int millis = (int) Math.max(1, timeout.toMillis());
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), millis);
      socket.setSoTimeout(millis);
      OutputStream out = socket.getOutputStream();
      out.write(OPTIONS_FRAME);
      out.flush();
      return isSupportedReply(socket.getInputStream());
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean isSupportedReply(InputStream in) throws IOException {
    byte[] header = new byte[9];
    new DataInputStream(in).readFully(header);
    return (header[0] & 0xff) == RESPONSE_V4 && (header[4] & 0xff) == OPCODE_SUPPORTED;
  }
}
