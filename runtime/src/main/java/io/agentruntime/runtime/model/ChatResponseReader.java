package io.agentruntime.runtime.model;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse.ResponseInfo;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * Reads the answer to one attempt of a chat completion: a stream of Server-Sent Events ({@code
 * data: {chunk}} lines, then {@code data: [DONE]}), forwarding content deltas as they arrive, or a
 * whole JSON body from a provider that does not stream. Anything but a 2xx fails the attempt with
 * an {@link AttemptFailure}, and so does a body longer than the limit, which is read no further.
 */
final class ChatResponseReader implements Flow.Subscriber<String> {

  private final ObjectMapper mapper;
  private final Consumer<String> onDelta;
  private final String secret;
  private final ChatReplyBuilder reply = new ChatReplyBuilder();
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private boolean done;
  private AttemptFailure failure;
  private Flow.Subscription subscription;
  private boolean cancelled;

  private final long maxBytes;

  ChatResponseReader(ObjectMapper mapper, Consumer<String> onDelta, String secret, long maxBytes) {
    this.maxBytes = maxBytes;
    this.mapper = mapper;
    this.onDelta = onDelta;
    this.secret = secret;
  }

  BodyHandler<ModelReply> handler() {
    return info ->
        new SizeLimitedBody<>(subscriber(info), maxBytes, () -> AttemptFailure.tooLarge(maxBytes));
  }

  /** Stops reading: the call no longer wants this answer (it timed out). */
  synchronized void cancel() {
    cancelled = true;
    if (subscription != null) {
      subscription.cancel();
    }
  }

  private BodySubscriber<ModelReply> subscriber(ResponseInfo info) {
    int status = info.statusCode();
    if (status < 200 || status > 299) {
      var retryAfter = RetryPolicy.retryAfter(info.headers(), Instant.now());
      return BodySubscribers.mapping(
          BodySubscribers.ofString(UTF_8),
          body -> {
            throw AttemptFailure.status(
                status, AttemptFailure.excerpt(mapper, body, secret), retryAfter);
          });
    }
    String type = info.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
    if (type.startsWith("text/event-stream")) {
      return BodySubscribers.fromLineSubscriber(this, ChatResponseReader::finish, UTF_8, null);
    }
    return BodySubscribers.mapping(BodySubscribers.ofString(UTF_8), this::whole);
  }

  // A body that is not an event stream: a chat.completion object, or events sent as plain text.
  private ModelReply whole(String body) {
    if (!body.strip().startsWith("{")) {
      body.lines().forEach(this::onNext);
      onComplete();
      return finish();
    }
    JsonNode json;
    try {
      json = mapper.readTree(body);
    } catch (Exception e) {
      throw AttemptFailure.unreadable("the JSON body does not parse");
    }
    if (json.has("error")) {
      throw AttemptFailure.status(200, AttemptFailure.excerpt(mapper, body, secret), null);
    }
    if (!json.path("choices").isArray()) {
      throw AttemptFailure.unreadable("no choices in the JSON body");
    }
    ModelReply whole = ChatReplyBuilder.fromCompletion(json);
    if (!whole.text().isEmpty()) {
      onDelta.accept(whole.text());
    }
    return whole;
  }

  private ModelReply finish() {
    if (failure != null) {
      throw failure;
    }
    if (!done && !reply.finished()) {
      throw AttemptFailure.cutShort();
    }
    return reply.build();
  }

  @Override
  public synchronized void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (cancelled) {
      s.cancel();
    } else {
      s.request(Long.MAX_VALUE);
    }
  }

  @Override
  public void onNext(String line) {
    if (done || failure != null) {
      return;
    }
    if (line.isEmpty()) {
      dispatch();
    } else if (line.startsWith("data:")) {
      String value = line.startsWith("data: ") ? line.substring(6) : line.substring(5);
      if (hasData) {
        data.append('\n');
      }
      data.append(value);
      hasData = true;
    }
    // Comments (":"), event:, id: and retry: lines carry nothing a chat completion uses.
  }

  @Override
  public void onError(Throwable throwable) {
    // The response future fails with the same error; the call decides what to do with it.
  }

  @Override
  public void onComplete() {
    if (!done && failure == null) {
      dispatch();
    }
  }

  private void dispatch() {
    if (!hasData) {
      return;
    }
    String payload = data.toString().strip();
    data.setLength(0);
    hasData = false;
    if (payload.equals("[DONE]")) {
      done = true;
      return;
    }
    JsonNode chunk;
    try {
      chunk = mapper.readTree(payload);
    } catch (Exception e) {
      failure = AttemptFailure.unreadable("a stream chunk does not parse");
      return;
    }
    if (chunk.has("error")) {
      failure = AttemptFailure.streamError(AttemptFailure.excerpt(mapper, payload, secret));
      return;
    }
    String delta = reply.add(chunk);
    if (delta != null) {
      onDelta.accept(delta);
    }
  }
}
