package io.agentruntime.runtime.webhooks;

import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.session.LifecycleNotice;
import io.agentruntime.runtime.webhooks.WebhookEvent.DeliveryAttempted;
import io.agentruntime.runtime.webhooks.WebhookEvent.EndpointRegistered;
import io.agentruntime.runtime.webhooks.WebhookEvent.EndpointRemoved;
import io.agentruntime.runtime.webhooks.WebhookEvent.EventQueued;
import io.agentruntime.runtime.webhooks.WebhookEvent.RedeliveryRequested;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tenant's webhooks, folded from its outbox's events (pure): the endpoints in the order they were
 * made, each one's delivery log (oldest first; the ended ones beyond {@code logSize} dropped,
 * oldest first), and the ids of the events queued within the dedup window, so that a change a
 * session announces again is queued once.
 */
public record WebhookState(
    Map<String, Endpoint> endpoints, Map<String, List<Delivery>> logs, Map<String, Instant> seen)
    implements CborSerializable {

  public static final WebhookState EMPTY = new WebhookState(Map.of(), Map.of(), Map.of());

  public WebhookState {
    endpoints = new LinkedHashMap<>(endpoints);
    logs = new LinkedHashMap<>(logs);
    seen = new LinkedHashMap<>(seen);
  }

  public Optional<Endpoint> endpoint(String id) {
    return Optional.ofNullable(endpoints.get(id));
  }

  public List<Delivery> log(String endpointId) {
    return logs.getOrDefault(endpointId, List.of());
  }

  public Optional<Delivery> delivery(String endpointId, String eventId) {
    return log(endpointId).stream().filter(d -> d.event().eventId().equals(eventId)).findFirst();
  }

  public boolean seen(String eventId) {
    return seen.containsKey(eventId);
  }

  /**
   * The endpoints that take {@code event} and have room for it (fewer than {@code maxPending}
   * waiting), in the order they were made.
   */
  public List<String> takers(LifecycleNotice event, int maxPending) {
    return endpoints.values().stream()
        .filter(e -> e.takes(event.type(), event.at()))
        .filter(e -> log(e.id()).stream().filter(Delivery::pending).count() < maxPending)
        .map(Endpoint::id)
        .toList();
  }

  /** Folds {@code e} in; {@code logSize} and {@code dedupWindow} bound what is kept. */
  public WebhookState apply(WebhookEvent e, int logSize, Duration dedupWindow) {
    Map<String, Endpoint> endpoints = this.endpoints;
    Map<String, List<Delivery>> logs = new LinkedHashMap<>(this.logs);
    Map<String, Instant> seen = this.seen;
    if (e instanceof EndpointRegistered r) {
      endpoints = new LinkedHashMap<>(endpoints);
      endpoints.put(r.endpoint().id(), r.endpoint());
      logs.put(r.endpoint().id(), List.of());
    } else if (e instanceof EndpointRemoved r) {
      endpoints = new LinkedHashMap<>(endpoints);
      endpoints.remove(r.endpointId());
      logs.remove(r.endpointId());
    } else if (e instanceof EventQueued q) {
      for (String id : q.endpointIds()) {
        if (logs.containsKey(id)) {
          List<Delivery> log = new ArrayList<>(logs.get(id));
          log.add(Delivery.queued(q.event(), q.at()));
          logs.put(id, trimmed(log, logSize));
        }
      }
      seen = new LinkedHashMap<>(seen);
      seen.put(q.event().eventId(), q.at());
      Instant horizon = q.at().minus(dedupWindow);
      seen.values().removeIf(at -> at.isBefore(horizon));
    } else if (e instanceof DeliveryAttempted a) {
      logs.computeIfPresent(
          a.endpointId(),
          (id, log) ->
              trimmed(
                  replaced(
                      log,
                      a.eventId(),
                      d -> d.attempted(a.status(), a.error(), a.delivered(), a.nextAttemptAt())),
                  logSize));
    } else if (e instanceof RedeliveryRequested r) {
      logs.computeIfPresent(
          r.endpointId(), (id, log) -> replaced(log, r.eventId(), d -> d.again(r.at())));
    }
    return new WebhookState(endpoints, logs, seen);
  }

  private static List<Delivery> replaced(
      List<Delivery> log, String eventId, java.util.function.UnaryOperator<Delivery> change) {
    List<Delivery> next = new ArrayList<>(log.size());
    for (Delivery d : log) {
      next.add(d.event().eventId().equals(eventId) ? change.apply(d) : d);
    }
    return List.copyOf(next);
  }

  /** Drops the oldest ended deliveries while more than {@code logSize} have ended. */
  private static List<Delivery> trimmed(List<Delivery> log, int logSize) {
    long ended = log.stream().filter(d -> !d.pending()).count();
    List<Delivery> kept = new ArrayList<>(log.size());
    for (Delivery d : log) {
      if (!d.pending() && ended > logSize) {
        ended--;
      } else {
        kept.add(d);
      }
    }
    return List.copyOf(kept);
  }
}
