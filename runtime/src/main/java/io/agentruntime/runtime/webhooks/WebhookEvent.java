package io.agentruntime.runtime.webhooks;

import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.session.LifecycleNotice;
import java.time.Instant;
import java.util.List;

/** What a tenant's webhook outbox journals (class names are manifests: a stored contract). */
public sealed interface WebhookEvent extends CborSerializable {

  record EndpointRegistered(Endpoint endpoint) implements WebhookEvent {}

  record EndpointRemoved(String endpointId, String by, Instant at) implements WebhookEvent {}

  /** A session's change, queued for {@code endpointIds} (those that take it). */
  record EventQueued(LifecycleNotice event, List<String> endpointIds, Instant at)
      implements WebhookEvent {
    public EventQueued {
      endpointIds = List.copyOf(endpointIds);
    }
  }

  /**
   * One try ended: {@code status} is the HTTP status (null if none came), {@code error} what went
   * wrong otherwise; {@code nextAttemptAt} null and not delivered means given up.
   */
  record DeliveryAttempted(
      String endpointId,
      String eventId,
      Integer status,
      String error,
      boolean delivered,
      Instant nextAttemptAt,
      Instant at)
      implements WebhookEvent {}

  record RedeliveryRequested(String endpointId, String eventId, String by, Instant at)
      implements WebhookEvent {}
}
