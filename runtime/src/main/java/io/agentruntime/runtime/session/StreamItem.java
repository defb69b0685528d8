package io.agentruntime.runtime.session;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.agentruntime.runtime.CborSerializable;

/**
 * What a session sends its live followers (wherever they are in the cluster): each journaled event
 * with its sequence number, and pieces of the model's text as they stream (not journaled, so a
 * follower that was away never sees those again).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "item")
@JsonSubTypes({
  @JsonSubTypes.Type(value = StreamItem.Journaled.class, name = "journaled"),
  @JsonSubTypes.Type(value = StreamItem.Delta.class, name = "delta")
})
public sealed interface StreamItem extends CborSerializable {

  record Journaled(long seq, SessionEvent event) implements StreamItem {}

  record Delta(String turnId, String text) implements StreamItem {}
}
