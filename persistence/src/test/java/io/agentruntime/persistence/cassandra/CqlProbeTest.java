package io.agentruntime.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CqlProbeTest {

  private static final Duration TIMEOUT = Duration.ofMillis(500);
  private static final byte[] OPTIONS = {0x04, 0x00, 0x00, 0x01, 0x05, 0x00, 0x00, 0x00, 0x00};

  /** A SUPPORTED reply: v4 response header, opcode 0x06, then an empty string multimap. */
  private static final byte[] SUPPORTED = {
    (byte) 0x84, 0x00, 0x00, 0x01, 0x06, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00
  };

  @Test
  void aServerReplyingSupportedToOptionsIsReady() throws Exception {
    try (ServerSocket server = listen()) {
      CompletableFuture<byte[]> request = serveOnce(server, SUPPORTED);
      assertTrue(CqlProbe.answers("127.0.0.1", server.getLocalPort(), TIMEOUT));
      assertArrayEquals(OPTIONS, request.get());
    }
  }

  @Test
  void aServerReplyingSomethingElseIsNotReady() throws Exception {
    try (ServerSocket server = listen()) {
      serveOnce(server, "HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
      assertFalse(CqlProbe.answers("127.0.0.1", server.getLocalPort(), TIMEOUT));
    }
  }

  @Test
  void aCqlErrorReplyIsNotReady() throws Exception {
    try (ServerSocket server = listen()) {
      // v4 response, opcode ERROR (0x00): a CQL server, but not one that accepts us.
      serveOnce(server, new byte[] {(byte) 0x84, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00});
      assertFalse(CqlProbe.answers("127.0.0.1", server.getLocalPort(), TIMEOUT));
    }
  }

  @Test
  void aServerClosingWithoutReplyIsNotReady() throws Exception {
    try (ServerSocket server = listen()) {
      serveOnce(server, new byte[0]);
      assertFalse(CqlProbe.answers("127.0.0.1", server.getLocalPort(), TIMEOUT));
    }
  }

  @Test
  void aServerThatNeverRepliesIsNotReadyOnceTheTimeoutIsUp() throws Exception {
    try (ServerSocket server = listen()) {
      long start = System.nanoTime();
      assertFalse(CqlProbe.answers("127.0.0.1", server.getLocalPort(), TIMEOUT));
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
    }
  }

  @Test
  void aClosedPortIsNotReady() throws Exception {
    int port;
    try (ServerSocket server = listen()) {
      port = server.getLocalPort();
    }
    assertFalse(CqlProbe.answers("127.0.0.1", port, TIMEOUT));
  }

  private static ServerSocket listen() throws IOException {
    return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
  }

  /** Accepts one connection, reads the 9-byte request, writes the reply and closes. */
  private static CompletableFuture<byte[]> serveOnce(ServerSocket server, byte[] reply) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            byte[] request = in.readNBytes(9);
            s.getOutputStream().write(reply);
            s.getOutputStream().flush();
            return request;
          } catch (IOException e) {
            throw new RuntimeException(e);
          }
        });
  }
}
