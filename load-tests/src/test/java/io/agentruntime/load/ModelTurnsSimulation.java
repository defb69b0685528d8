package io.agentruntime.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One-tool turns as users run them: the session's model is an OpenAI-compatible endpoint over HTTP
 * ({@link FakeModelServer}, started here on {@code load.modelPort}, 18381 unless set: the node must
 * have been started with {@code AGENT_RUNTIME_MODEL_BASE_URL=http://127.0.0.1:18381/v1}), and each
 * turn is {@code PLAN: lookup {...}}: model, the HTTP tool on a {@link LocalToolServer}, model
 * again, answer {@code DONE 1}, the same work as the peer harness's one-tool turn. A turn whose
 * answer is anything else fails (a node without that model would answer with the scripted one).
 *
 * <p>{@code load.follow} chooses the client:
 *
 * <ul>
 *   <li>{@code no} (default): each turn is one request awaited to its end ({@code
 *       messages?waitSeconds=30}); {@code load.workload} open (sessions of {@code
 *       load.turnsPerSession} turns arriving at {@code load.rate} turns/s) or closed ({@code
 *       load.concurrency} sessions back to back), as in {@link TurnsSimulation};
 *   <li>{@code yes}: {@code load.concurrency} clients each follow a session of their own on its SSE
 *       stream for {@code load.seconds} while they send its turns (as {@link StreamingSimulation}),
 *       so the runtime streams the model's answer to a live client. Closed: back to back; open:
 *       each client paces its turns so that together they send {@code load.rate} turns/s (the
 *       clients live for the whole run, see StreamingSimulation);
 *   <li>{@code both}: the two side by side, each with half the concurrency or rate (the CI smoke
 *       run).
 * </ul>
 *
 * <p>Gate: the turn's p99 and the share of failed requests.
 */
public class ModelTurnsSimulation extends Simulation {

  private static final AtomicLong deltas = new AtomicLong();

  private final FakeModelServer model =
      FakeModelServer.start(LoadSettings.integer("modelPort", 18381));
  private final LocalToolServer tools = LocalToolServer.start(LoadSettings.integer("toolPort", 0));

  {
    String spec =
        "{\"agent\": {\"instructions\": \"You look orders up.\", \"model\": "
            + Turns.json(LoadSettings.text("model", "default"))
            + ", \"limits\": {\"maxStepsPerTurn\": 4, \"maxTurnSeconds\": 60}},"
            + " \"tools\": [{\"name\": \"lookup\", \"kind\": \"http\", \"url\": \""
            + tools.url()
            + "\", \"idempotent\": true, \"description\": \"Looks an order up.\","
            + " \"parameters\": {\"type\": \"object\", \"properties\": {\"order\": {\"type\":"
            + " \"string\"}}}}],"
            + " \"permissions\": {\"tools\": {\"*\": \"allow\"}}}";
    ChainBuilder turn = Turns.turn(Turns.json("PLAN: lookup {\"order\": \"42\"}"), "DONE 1");
    String follow = LoadSettings.text("follow", "no");
    List<PopulationBuilder> populations = new ArrayList<>();
    switch (follow) {
      case "no" -> populations.add(waited(spec, turn, 1));
      case "yes" -> populations.add(followed(spec, turn, 1));
      case "both" -> {
        populations.add(waited(spec, turn, 0.5));
        populations.add(followed(spec, turn, 0.5));
      }
      default -> throw new IllegalArgumentException("load.follow: no, yes or both, not " + follow);
    }
    setUp(populations)
        .protocols(Turns.protocol().sseUnmatchedInboundMessageBufferSize(1000))
        .assertions(
            details(Turns.TURN).responseTime().percentile(99.0).lte(LoadSettings.maxP99Millis()),
            global().failedRequests().percent().lte(LoadSettings.maxErrorPercent()));
  }

  private static PopulationBuilder waited(String spec, ChainBuilder turn, double share) {
    return Turns.workload(Turns.sessionWithTurns("model turns", spec, turn), share);
  }

  private static PopulationBuilder followed(String spec, ChainBuilder turn, double share) {
    int clients = Turns.concurrency(share);
    ChainBuilder seen =
        Turns.seenOnStream(
            turn,
            messages ->
                deltas.addAndGet(messages.stream().filter(m -> m.contains("\"delta\"")).count()));
    Duration hold = LoadSettings.seconds("seconds", 30);
    ScenarioBuilder scenario = scenario("model turns followed");
    if (Turns.closed()) {
      return scenario
          .exec(Turns.createSession(spec))
          .exec(sse("follow events").get("/v1/sessions/#{sessionId}/events"))
          .during(hold)
          .on(seen)
          .exec(sse("close stream").close())
          .injectOpen(atOnceUsers(clients));
    }
    // Each client sends a turn every `interval`; they start spread over one interval, so the
    // turns arrive evenly rather than in bursts of `clients`. (A pause each, not a ramp: Gatling
    // injects no one from a ramp shorter than a second.)
    Duration interval = Duration.ofMillis(Math.round(clients * 1000 / Turns.rate(share)));
    AtomicLong started = new AtomicLong();
    return scenario
        .exec(Turns.createSession(spec))
        .exec(sse("follow events").get("/v1/sessions/#{sessionId}/events"))
        .pause(
            session ->
                interval.multipliedBy(started.getAndIncrement() % clients).dividedBy(clients))
        .during(hold)
        .on(pace(interval).exec(seen))
        .exec(sse("close stream").close())
        .injectOpen(atOnceUsers(clients));
  }

  @Override
  public void after() {
    System.out.println(
        "model calls served: "
            + model.streamed()
            + " streamed, "
            + model.whole()
            + " whole; tool calls served: "
            + tools.calls()
            + "; delta events seen by SSE clients: "
            + deltas.get());
    model.close();
    tools.close();
  }
}
