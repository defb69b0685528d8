package io.agentruntime.runtime.model;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** A provider whose replies carry their cost at the provider's configured price. */
record PricedModelClient(ModelClient client, ModelPrice price) implements ModelClient {

  @Override
  public CompletionStage<ModelReply> complete(ModelRequest request, Consumer<String> onDelta) {
    return client.complete(request, onDelta).thenApply(reply -> reply.pricedAt(price));
  }
}
