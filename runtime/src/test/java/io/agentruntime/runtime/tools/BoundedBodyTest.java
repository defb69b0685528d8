package io.agentruntime.runtime.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BoundedBodyTest {

  private static final int LIMIT = 100;

  @ParameterizedTest(name = "{0} bytes in pieces of {1}, declared {2}: over {3}, kept {4}")
  @CsvSource({
    // size, piece, declared length (-1: none), over the limit, bytes kept
    "0, 1, -1, false, 0",
    "10, 3, -1, false, 10",
    "10, 10, 10, false, 10",
    "100, 7, -1, false, 100",
    "100, 100, 100, false, 100",
    "101, 50, -1, true, 100",
    "5000, 1024, -1, true, 100",
    "5000, 1024, 5000, true, 0",
    // a length that lies: shorter than the body, which is still read up to the limit
    "3000, 700, 10, true, 100",
    "50, 50, 10, false, 50",
  })
  void keepsWhatArrivesUpToTheLimit(int size, int piece, long declared, boolean over, int kept)
      throws Exception {
    byte[] sent = new byte[size];
    for (int i = 0; i < size; i++) {
      sent[i] = (byte) ('a' + i % 26);
    }
    HttpResponse.BodySubscriber<BoundedBody> subscriber =
        BoundedBody.handler(LIMIT, 10).apply(info(200, declared));
    AtomicBoolean cancelled = new AtomicBoolean();
    subscriber.onSubscribe(
        new Flow.Subscription() {
          @Override
          public void request(long n) {}

          @Override
          public void cancel() {
            cancelled.set(true);
          }
        });
    for (int from = 0; from < size && !cancelled.get(); from += piece) {
      List<ByteBuffer> items = new ArrayList<>();
      items.add(ByteBuffer.wrap(sent, from, Math.min(piece, size - from)));
      subscriber.onNext(items);
    }
    if (!cancelled.get()) {
      subscriber.onComplete();
    }
    BoundedBody body = subscriber.getBody().toCompletableFuture().get();
    assertEquals(over, body.overLimit());
    assertEquals(kept, body.bytes().length);
    assertEquals(
        new String(sent, 0, kept, StandardCharsets.UTF_8), body.text(), "the bytes, in order");
  }

  private static HttpResponse.ResponseInfo info(int status, long declared) {
    HttpHeaders headers =
        HttpHeaders.of(
            declared < 0 ? Map.of() : Map.of("Content-Length", List.of(Long.toString(declared))),
            (a, b) -> true);
    return new HttpResponse.ResponseInfo() {
      @Override
      public int statusCode() {
        return status;
      }

      @Override
      public HttpHeaders headers() {
        return headers;
      }

      @Override
      public HttpClient.Version version() {
        return HttpClient.Version.HTTP_1_1;
      }
    };
  }
}
