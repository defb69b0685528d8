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
 * the limit.
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
      return new Subscriber(limit, success && declared > limit);
    };
  }

  private static final class Subscriber implements HttpResponse.BodySubscriber<BoundedBody> {

    private final int limit;
    private final boolean declaredTooLarge;
    private final byte[] buffer;
    private final CompletableFuture<BoundedBody> body = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private int size;

    Subscriber(int limit, boolean declaredTooLarge) {
      this.limit = limit;
      this.declaredTooLarge = declaredTooLarge;
      this.buffer = new byte[declaredTooLarge ? 0 : limit + 1];
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
        int n = Math.min(item.remaining(), buffer.length - size);
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
