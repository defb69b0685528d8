package io.agentruntime.runtime.tools;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read up to a limit: at most {@code limit + 1} bytes are kept, and the exchange is
 * cancelled as soon as the limit is passed, so a huge or endless answer costs no more memory than
 * the limit. The buffer grows with what arrives (from the declared length, when there is one): a
 * small answer costs a small buffer, not the limit.
 */
record BoundedBody(byte[] bytes, boolean overLimit) {

  String text() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * 2xx answers are read up to {@code resultLimit}, others only as far as an error message quotes.
   */
  static HttpResponse.BodyHandler<BoundedBody> handler(int resultLimit, int errorLimit) {
    return info -> {
      boolean success = info.statusCode() / 100 == 2;
      int limit = success ? resultLimit : errorLimit;
      long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1L);
      return new Subscriber(limit, success && declared > limit, declared);
    };
  }

  private static final class Subscriber implements HttpResponse.BodySubscriber<BoundedBody> {

    private final int limit;
    private final boolean declaredTooLarge;
    private byte[] buffer;
    private final CompletableFuture<BoundedBody> body = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private int size;

    Subscriber(int limit, boolean declaredTooLarge, long declared) {
      this.limit = limit;
      this.declaredTooLarge = declaredTooLarge;
      // Room for the declared length and one byte more (which shows a body longer than declared
      // is over the limit), else a small start that doubles as needed; never above limit + 1.
      int first =
          declared >= 0 ? (int) Math.min(declared + 1, limit + 1L) : Math.min(1024, limit + 1);
      this.buffer = new byte[declaredTooLarge ? 0 : first];
    }

    /** Makes room for {@code more} bytes, up to limit + 1 in all; returns how many fit. */
    private int room(int more) {
      int wanted = (int) Math.min((long) size + more, limit + 1L);
      if (wanted > buffer.length) {
        buffer =
            Arrays.copyOf(buffer, (int) Math.min(Math.max(wanted, 2L * buffer.length), limit + 1L));
      }
      return Math.min(more, buffer.length - size);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (declaredTooLarge) {
        // Content-Length already says it: read nothing.
        s.cancel();
        body.complete(new BoundedBody(new byte[0], true));
      } else {
        s.request(1);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (body.isDone()) {
        return;
      }
      for (ByteBuffer item : items) {
        int n = room(item.remaining());
        item.get(buffer, size, n);
        size += n;
        if (size > limit) {
          subscription.cancel();
          body.complete(new BoundedBody(Arrays.copyOf(buffer, limit), true));
          return;
        }
      }
      subscription.request(1);
    }

    @Override
    public void onError(Throwable error) {
      body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      body.complete(new BoundedBody(Arrays.copyOf(buffer, size), false));
    }

    @Override
    public CompletionStage<BoundedBody> getBody() {
      return body;
    }
  }
}
