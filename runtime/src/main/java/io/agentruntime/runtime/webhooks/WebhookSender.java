package io.agentruntime.runtime.webhooks;

import io.agentruntime.runtime.session.LifecycleNotice;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Makes one signed POST of an event to an endpoint (the node's JDK HTTP client, never following a
 * redirect, within the webhooks' timeout). A URL the host allow-list refuses is never requested.
 */
public final class WebhookSender {

  /** How one try ended: {@code status} if an answer came, else {@code error}. */
  public record Outcome(Integer status, String error, boolean last) {}

  private final WebhookSettings settings;
  private final HttpClient client;
  private final Optional<SecretBox> box;
  private final Clock clock;

  WebhookSender(WebhookSettings settings, Optional<SecretBox> box, Clock clock) {
    this.settings = settings;
    this.box = box;
    this.clock = clock;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(settings.timeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  WebhookSettings settings() {
    return settings;
  }

  CompletionStage<Outcome> send(String tenant, Endpoint e, LifecycleNotice event) {
    Optional<String> refused = settings.hosts().refusal(e.url());
    if (refused.isPresent()) {
      return done(new Outcome(null, "host_not_allowed: " + refused.get(), false));
    }
    String secret;
    try {
      if (box.isEmpty()) {
        return done(new Outcome(null, "secret_unreadable: no webhook secret key is set", true));
      }
      secret = box.get().open(e.sealedSecret(), tenant, e.id());
    } catch (GeneralSecurityException | IllegalArgumentException ex) {
      return done(new Outcome(null, "secret_unreadable: the webhook secret key has changed", true));
    }
    byte[] body = WebhookPayload.body(event, settings.publicBaseUrl());
    long timestamp = clock.instant().getEpochSecond();
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(URI.create(e.url()))
              .timeout(settings.timeout())
              .header("content-type", "application/json")
              .header("webhook-id", event.eventId())
              .header("webhook-timestamp", Long.toString(timestamp))
              .header(
                  "webhook-signature",
                  WebhookSignature.sign(secret, event.eventId(), timestamp, body))
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build();
    } catch (IllegalArgumentException ex) {
      return done(new Outcome(null, "invalid_url: " + ex.getMessage(), true));
    }
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .handle(
            (response, failure) ->
                failure == null
                    ? new Outcome(response.statusCode(), null, false)
                    : new Outcome(null, describe(failure), false));
  }

  private static String describe(Throwable failure) {
    Throwable cause =
        failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return cause.getClass().getSimpleName()
        + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }

  private static CompletionStage<Outcome> done(Outcome outcome) {
    return CompletableFuture.completedFuture(outcome);
  }
}
