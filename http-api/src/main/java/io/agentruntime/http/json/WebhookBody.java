package io.agentruntime.http.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.agentruntime.runtime.webhooks.Delivery;
import io.agentruntime.runtime.webhooks.Endpoint;
import java.util.List;

/**
 * Webhook endpoints and deliveries as the API shows them: never the secret, except {@code secret}
 * in the answer to the registration, once.
 */
public final class WebhookBody {

  private WebhookBody() {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record EndpointBody(
      String id,
      String object,
      String url,
      List<String> events,
      long created_at,
      String created_by,
      String secret) {

    public static EndpointBody of(Endpoint e) {
      return withSecret(e, null);
    }

    public static EndpointBody withSecret(Endpoint e, String secret) {
      return new EndpointBody(
          e.id(),
          "webhook_endpoint",
          e.url(),
          e.events(),
          e.createdAt().getEpochSecond(),
          e.by(),
          secret);
    }
  }

  public record EndpointList(String object, List<EndpointBody> data) {
    public static EndpointList of(List<Endpoint> endpoints) {
      return new EndpointList("list", endpoints.stream().map(EndpointBody::of).toList());
    }
  }

  /** One delivery: {@code next_attempt_at} null once it ended (delivered or given up). */
  public record DeliveryBody(
      String event_id,
      String type,
      String session_id,
      long event_created_at,
      String state,
      int attempts,
      Integer last_status,
      String last_error,
      Long next_attempt_at) {

    public static DeliveryBody of(Delivery d) {
      return new DeliveryBody(
          d.event().eventId(),
          d.event().type(),
          d.event().sessionId(),
          d.event().at().getEpochSecond(),
          d.state(),
          d.attempts(),
          d.lastStatus(),
          d.lastError(),
          d.nextAttemptAt() == null ? null : d.nextAttemptAt().getEpochSecond());
    }
  }

  public record DeliveryList(String object, List<DeliveryBody> data) {
    public static DeliveryList of(List<Delivery> log) {
      return new DeliveryList("list", log.stream().map(DeliveryBody::of).toList());
    }
  }
}
