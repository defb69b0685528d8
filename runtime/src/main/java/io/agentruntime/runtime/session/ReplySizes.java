package io.agentruntime.runtime.session;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * How many bytes a message takes between nodes, measured with the serializer the cluster sends it
 * with, and the most bytes one page of an answer may take ({@code agent-runtime.session
 * .reply-page-size}, decision 0033). Pekko serializes nothing sent within a node, so only a real
 * second node would notice a page too large for Artery's frame: the pages are measured instead.
 */
final class ReplySizes {

  private final Serialization serialization;
  private final int budget;

  ReplySizes(ActorSystem<?> system, int budget) {
    this.serialization = SerializationExtension.get(system);
    this.budget = budget;
  }

  /** The most bytes a page may take; a page holds at least one item, whatever its size. */
  int budget() {
    return budget;
  }

  int of(Object message) {
    return serialization.findSerializerFor(message).toBinary(message).length;
  }
}
