package io.agentruntime.runtime.webhooks;

import io.agentruntime.runtime.session.Caller;
import io.agentruntime.runtime.session.Problem;
import io.agentruntime.runtime.session.SessionRefused;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The webhooks of a node that runs none (see {@link WebhookService#unavailable()}). */
final class Unavailable implements WebhookService {

  static final Unavailable INSTANCE = new Unavailable();

  private Unavailable() {}

  private static <T> CompletionStage<T> refused() {
    return CompletableFuture.failedFuture(
        new SessionRefused(
            new Problem(
                Problem.Kind.UNAVAILABLE,
                "webhooks_unavailable",
                "this server does not run webhooks",
                null)));
  }

  @Override
  public CompletionStage<NewEndpoint> register(
      String tenant, Caller caller, String url, List<String> events) {
    return refused();
  }

  @Override
  public CompletionStage<List<Endpoint>> list(String tenant, Caller caller) {
    return refused();
  }

  @Override
  public CompletionStage<Endpoint> get(String tenant, Caller caller, String endpointId) {
    return refused();
  }

  @Override
  public CompletionStage<Endpoint> remove(String tenant, Caller caller, String endpointId) {
    return refused();
  }

  @Override
  public CompletionStage<List<Delivery>> deliveries(
      String tenant, Caller caller, String endpointId) {
    return refused();
  }

  @Override
  public CompletionStage<Delivery> redeliver(
      String tenant, Caller caller, String endpointId, String eventId) {
    return refused();
  }
}
