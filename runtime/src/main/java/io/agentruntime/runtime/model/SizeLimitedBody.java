package io.agentruntime.runtime.model;

import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Supplier;

/**
 * Passes a response body on to {@code delegate} as long as it stays within {@code limit} bytes;
 * past it, the exchange is cancelled and the body fails with {@code tooLarge}, so a huge or endless
 * reply (even one endless line) costs no more than the limit.
 */
final class SizeLimitedBody<T> implements BodySubscriber<T> {

  private final BodySubscriber<T> delegate;
  private final long limit;
  private final Supplier<RuntimeException> tooLarge;
  private Flow.Subscription upstream;
  private long seen;
  private boolean over;

  SizeLimitedBody(BodySubscriber<T> delegate, long limit, Supplier<RuntimeException> tooLarge) {
    this.delegate = delegate;
    this.limit = limit;
    this.tooLarge = tooLarge;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    upstream = subscription;
    delegate.onSubscribe(subscription);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (over) {
      return;
    }
    for (ByteBuffer item : items) {
      seen += item.remaining();
    }
    if (seen > limit) {
      over = true;
      upstream.cancel();
      delegate.onError(tooLarge.get());
      return;
    }
    delegate.onNext(items);
  }

  @Override
  public void onError(Throwable error) {
    if (!over) {
      delegate.onError(error);
    }
  }

  @Override
  public void onComplete() {
    if (!over) {
      delegate.onComplete();
    }
  }

  @Override
  public CompletionStage<T> getBody() {
    return delegate.getBody();
  }
}
