package io.agentruntime.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * Streaming: {@code load.concurrency} clients, each with a session of its own that it follows on
 * its SSE stream ({@code GET .../events}) for {@code load.seconds} while it sends turns one after
 * the other. A turn is one request as in the turns simulation; after each, the turn's {@code
 * turn_completed} event must have come down the stream (already, or within 10 s), else the turn
 * counts as failed on the stream. Gate: the turn's p99 and the share of failed requests. The
 * clients live for the whole run: Gatling 3.15 keeps the socket of a closed SSE stream open, so a
 * new client per session soon holds more connections than the node accepts (1,024).
 */
public class StreamingSimulation extends Simulation {

  {
    ChainBuilder turnSeenOnStream =
        Turns.seenOnStream(Turns.turn(Turns.json("Where is my order?")), messages -> {});
    setUp(
            scenario("streaming")
                .exec(Turns.createSession(TurnsSimulation.SPEC))
                .exec(sse("follow events").get("/v1/sessions/#{sessionId}/events"))
                .during(LoadSettings.seconds("seconds", 30))
                .on(turnSeenOnStream)
                .exec(sse("close stream").close())
                .injectOpen(atOnceUsers(LoadSettings.integer("concurrency", 50))))
        .protocols(Turns.protocol().sseUnmatchedInboundMessageBufferSize(1000))
        .assertions(
            details(Turns.TURN).responseTime().percentile(99.0).lte(LoadSettings.maxP99Millis()),
            global().failedRequests().percent().lte(LoadSettings.maxErrorPercent()));
  }
}
