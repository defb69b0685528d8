package io.agentruntime.runtime;

import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.BiConsumer;

/**
 * Hands a response to its caller the moment its body is read, on the HTTP client's own thread. The
 * future of {@code HttpClient.sendAsync} completes only after a hop onto CompletableFuture's
 * default executor, and with 2 cores that executor starts a new thread for every response (decision
 * 0040): on a tool or model call of a turn, that hop cost more than the call itself. Failures still
 * arrive through that future; only a body that was read is reported here.
 */
public final class BodyReports {

  private BodyReports() {}

  /**
   * {@code handler}, reporting each body it reads in full (with its status and headers) to {@code
   * onBody}.
   */
  public static <T> BodyHandler<T> reporting(
      BodyHandler<T> handler, BiConsumer<ResponseInfo, T> onBody) {
    return info -> {
      BodySubscriber<T> subscriber = handler.apply(info);
      // Asked once, and that one stage handed to the client too: a mapping subscriber maps again
      // for every getBody().
      CompletionStage<T> body = subscriber.getBody();
      body.thenAccept(read -> onBody.accept(info, read));
      return new Reporting<>(subscriber, body);
    };
  }

  private record Reporting<T>(BodySubscriber<T> subscriber, CompletionStage<T> body)
      implements BodySubscriber<T> {

    @Override
    public CompletionStage<T> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscriber.onSubscribe(subscription);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      subscriber.onNext(items);
    }

    @Override
    public void onError(Throwable error) {
      subscriber.onError(error);
    }

    @Override
    public void onComplete() {
      subscriber.onComplete();
    }
  }
}
