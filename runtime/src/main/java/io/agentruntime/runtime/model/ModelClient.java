package io.agentruntime.runtime.model;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * One model provider. A call has no side effect, so the runtime may repeat it after a crash.
 * Implementations never block the caller: the stage completes on the client's own threads.
 */
public interface ModelClient {

  /**
   * Asks the model for the next step. {@code onDelta} receives pieces of the answer's text as they
   * stream in (it may never be called); null when nobody follows the answer live, so that a client
   * may ask for the whole answer at once instead of a stream; the stage completes with the whole
   * reply, or fails with a {@link ModelException} once retries are exhausted.
   */
  CompletionStage<ModelReply> complete(ModelRequest request, Consumer<String> onDelta);
}
