package io.agentruntime.runtime.webhooks;

import io.agentruntime.runtime.session.Caller;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A tenant's webhook endpoints, as the HTTP edge reaches them. Every operation needs the operator
 * role (refused FORBIDDEN {@code role_missing}); an endpoint of another tenant is not found.
 * Failures are {@code SessionRefused} with a {@code Problem}, as the sessions' are.
 */
public interface WebhookService {

  /** A node without webhooks: every operation is refused 503 {@code webhooks_unavailable}. */
  static WebhookService unavailable() {
    return Unavailable.INSTANCE;
  }

  /** A new endpoint with its signing secret, which is shown this once. */
  record NewEndpoint(Endpoint endpoint, String secret) {}

  CompletionStage<NewEndpoint> register(
      String tenant, Caller caller, String url, List<String> events);

  CompletionStage<List<Endpoint>> list(String tenant, Caller caller);

  CompletionStage<Endpoint> get(String tenant, Caller caller, String endpointId);

  CompletionStage<Endpoint> remove(String tenant, Caller caller, String endpointId);

  CompletionStage<List<Delivery>> deliveries(String tenant, Caller caller, String endpointId);

  /** Tries the event again from now; the delivery as it stands after. */
  CompletionStage<Delivery> redeliver(
      String tenant, Caller caller, String endpointId, String eventId);
}
