package io.agentruntime.runtime.webhooks;

import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * A tenant's webhook endpoint: where to POST which event types. {@code sealedSecret} is its signing
 * secret sealed with the operator's key ({@link SecretBox}); it never leaves the runtime.
 */
public record Endpoint(
    String id, String url, List<String> events, String sealedSecret, String by, Instant createdAt)
    implements CborSerializable {

  public Endpoint {
    events = List.copyOf(events);
  }

  /** Whether it takes {@code type}, announced at {@code at} (events before it was made: no). */
  boolean takes(String type, Instant at) {
    return events.contains(type) && !at.isBefore(createdAt);
  }
}
