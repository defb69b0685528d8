package io.agentruntime.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * Streaming: each session is followed by its client's SSE stream ({@code GET .../events}) while
 * its turns run. A turn is one request as in the turns simulation; after each, the turn's
 * {@code turn_completed} event must have come down the stream (already, or within 10 s), else the
 * turn counts as failed on the stream. Gate: the turn's p99 and the share of failed requests.
 */
public class StreamingSimulation extends Simulation {

  private static final String ON_STREAM = "turn_completed on the stream";

  {
    ChainBuilder turnSeenOnStream = exec(Turns.turn(Turns.json("Where is my order?")))
        .exec(sse.processUnmatchedMessages((messages, session) -> session.set("seen",
            messages.stream().anyMatch(m -> isCompletionOf(m.message(), session.getString("turnId"))))))
        .doIf(session -> !session.getBoolean("seen")).then(
            exec(sse(ON_STREAM).setCheck().await(10).on(
                sse.checkMessage(ON_STREAM)
                    .matching(substring("turn_completed"))
                    .check(substring("#{turnId}")))));
    setUp(Turns.workload(scenario("streaming")
            .exec(Turns.createSession(TurnsSimulation.SPEC))
            .exec(sse("follow events").get("/v1/sessions/#{sessionId}/events"))
            .repeat(Turns.turnsPerSession()).on(turnSeenOnStream)
            .exec(sse("close stream").close())))
        .protocols(Turns.protocol().sseUnmatchedInboundMessageBufferSize(1000))
        .assertions(
            details(Turns.TURN).responseTime().percentile(99.0).lte(LoadSettings.maxP99Millis()),
            global().failedRequests().percent().lte(LoadSettings.maxErrorPercent()));
  }

  private static boolean isCompletionOf(String message, String turnId) {
    return message.contains("turn_completed") && message.contains(turnId);
  }
}
