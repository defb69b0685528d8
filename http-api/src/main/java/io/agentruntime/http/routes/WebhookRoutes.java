package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.json.Fields;
import io.agentruntime.http.json.Json;
import io.agentruntime.http.json.WebhookBody;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.webhooks.WebhookService;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/webhooks}: a tenant's webhook endpoints (operator role; the runtime checks, 403
 * role_missing) and their delivery logs (docs/webhooks.md). {@code POST} answers 201 with the
 * signing secret, the only time it is shown; a redelivery is accepted with 202.
 */
public final class WebhookRoutes {

  private final WebhookService webhooks;
  private final JsonBody body;

  WebhookRoutes(WebhookService webhooks, JsonBody body) {
    this.webhooks = webhooks;
    this.body = body;
  }

  Route routes(Principal p) {
    return concat(
        pathEnd(() -> concat(get(() -> list(p)), post(() -> register(p)))),
        pathPrefix(
            segment(),
            id ->
                concat(
                    pathEnd(() -> concat(get(() -> one(p, id)), delete(() -> remove(p, id)))),
                    path("deliveries", () -> get(() -> deliveries(p, id))),
                    path(
                        segment("deliveries").slash(segment()).slash("redeliver"),
                        eventId -> post(() -> redeliver(p, id, eventId))))));
  }

  private Route list(Principal p) {
    return Responses.ok(
        webhooks.list(p.tenant(), p.caller()).thenApply(WebhookBody.EndpointList::of));
  }

  private Route register(Principal p) {
    return body.json(
        json -> {
          ObjectNode obj = Fields.body(json);
          String url = Fields.requiredString(obj, "url", "");
          List<String> events = events(obj);
          return completeWithFuture(
              webhooks
                  .register(p.tenant(), p.caller(), url, events)
                  .thenApply(
                      n ->
                          Json.response(
                              StatusCodes.CREATED,
                              WebhookBody.EndpointBody.withSecret(n.endpoint(), n.secret()))));
        });
  }

  private Route one(Principal p, String id) {
    return Responses.ok(
        webhooks.get(p.tenant(), p.caller(), id).thenApply(WebhookBody.EndpointBody::of));
  }

  private Route remove(Principal p, String id) {
    return Responses.ok(
        webhooks
            .remove(p.tenant(), p.caller(), id)
            .thenApply(e -> new Deleted(e.id(), "webhook_endpoint", true)));
  }

  private Route deliveries(Principal p, String id) {
    return Responses.ok(
        webhooks.deliveries(p.tenant(), p.caller(), id).thenApply(WebhookBody.DeliveryList::of));
  }

  private Route redeliver(Principal p, String id, String eventId) {
    return completeWithFuture(
        webhooks
            .redeliver(p.tenant(), p.caller(), id, eventId)
            .thenApply(d -> Json.response(StatusCodes.ACCEPTED, WebhookBody.DeliveryBody.of(d))));
  }

  /** What a deletion answers, as the OpenAI API does. */
  public record Deleted(String id, String object, boolean deleted) {}

  private static List<String> events(ObjectNode obj) {
    JsonNode array = Fields.array(obj, "events", "").orElseThrow(() -> Fields.missing("events"));
    List<String> events = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      events.add(Fields.asString(array.get(i), "events[" + i + "]"));
    }
    return events;
  }
}
