package io.agentruntime.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The pieces the simulations share: the protocol, creating a session, one whole turn in one request
 * ({@code POST .../messages?waitSeconds=N}, 200 with the completed turn), and the two workloads:
 * open (arrivals ramping to a target rate, then holding it) or closed (a fixed number of sessions,
 * each sending its next turn as soon as the last one answered: the maximum rate).
 */
final class Turns {

  /** The request name whose percentiles and rate the gate and the report read. */
  static final String TURN = "turn";

  /** The check of {@link #seenOnStream}: its name in the report. */
  static final String ON_STREAM = "turn_completed on the stream";

  private Turns() {}

  static HttpProtocolBuilder protocol() {
    return http.baseUrl(LoadSettings.baseUrl())
        .authorizationHeader("Bearer " + LoadSettings.apiKey())
        .contentTypeHeader("application/json")
        .acceptHeader("application/json")
        .disableCaching();
  }

  static ChainBuilder createSession(String specJson) {
    return exec(
        http("create session")
            .post("/v1/sessions")
            .body(StringBody(specJson))
            .check(status().is(201), jsonPath("$.id").saveAs("sessionId")));
  }

  /** One turn, awaited to its end in the same request. */
  static ChainBuilder turn(String contentJsonString) {
    return exec(turnRequest(contentJsonString));
  }

  /** One turn, awaited to its end in the same request, whose answer must be {@code output}. */
  static ChainBuilder turn(String contentJsonString, String output) {
    return exec(turnRequest(contentJsonString).check(jsonPath("$.output").is(output)));
  }

  private static HttpRequestActionBuilder turnRequest(String contentJsonString) {
    int wait = LoadSettings.integer("waitSeconds", 30);
    return http(TURN)
        .post("/v1/sessions/#{sessionId}/messages?waitSeconds=" + wait)
        .body(StringBody("{\"content\": " + contentJsonString + "}"))
        .check(
            status().is(200),
            jsonPath("$.status").is("completed"),
            jsonPath("$.turnId").saveAs("turnId"));
  }

  /**
   * A session (created first) that sends {@code load.turnsPerSession} turns one after the other.
   */
  static ScenarioBuilder sessionWithTurns(String name, String specJson, ChainBuilder oneTurn) {
    return scenario(name).exec(createSession(specJson)).repeat(turnsPerSession()).on(oneTurn);
  }

  static int turnsPerSession() {
    return LoadSettings.integer("turnsPerSession", 10);
  }

  /**
   * {@code load.workload=open} (default): sessions arrive so that turns ramp from 1/s to {@code
   * load.rate} turns/s over {@code load.rampSeconds}, then hold for {@code load.seconds}. {@code
   * closed}: {@code load.concurrency} sessions at all times for {@code load.seconds}.
   */
  static PopulationBuilder workload(ScenarioBuilder scenario) {
    return workload(scenario, 1);
  }

  /**
   * As {@link #workload(ScenarioBuilder)} with {@code share} of the concurrency (at least 1) or of
   * the rate, for a run of several scenarios side by side.
   */
  static PopulationBuilder workload(ScenarioBuilder scenario, double share) {
    Duration hold = LoadSettings.seconds("seconds", 30);
    if (closed()) {
      return scenario.injectClosed(constantConcurrentUsers(concurrency(share)).during(hold));
    }
    double sessionsPerSecond = rate(share) / turnsPerSession();
    Duration ramp = LoadSettings.seconds("rampSeconds", 10);
    List<OpenInjectionStep> steps =
        ramp.isZero()
            ? List.of(constantUsersPerSec(sessionsPerSecond).during(hold))
            : List.of(
                rampUsersPerSec(Math.min(1, sessionsPerSecond)).to(sessionsPerSecond).during(ramp),
                constantUsersPerSec(sessionsPerSecond).during(hold));
    return scenario.injectOpen(steps);
  }

  static boolean closed() {
    return "closed".equals(LoadSettings.text("workload", "open"));
  }

  /** {@code share} of {@code load.concurrency}, at least 1. */
  static int concurrency(double share) {
    return Math.max(1, (int) Math.round(LoadSettings.integer("concurrency", 50) * share));
  }

  /** {@code share} of {@code load.rate} (turns per second). */
  static double rate(double share) {
    return LoadSettings.decimal("rate", 50) * share;
  }

  /**
   * A turn ({@code oneTurn}, which saves {@code turnId}) of a session this virtual user follows on
   * its SSE stream: the turn's {@code turn_completed} must have come down the stream (already, or
   * within 10 s), else the turn counts as failed on the stream. Messages that came in between are
   * handed to {@code seen} (each SSE message as Gatling renders it) before they are dropped.
   */
  static ChainBuilder seenOnStream(ChainBuilder oneTurn, Consumer<List<String>> seen) {
    return exec(oneTurn)
        .exec(
            sse.processUnmatchedMessages(
                (messages, session) -> {
                  List<String> texts = messages.stream().map(m -> m.message()).toList();
                  seen.accept(texts);
                  String turnId = session.getString("turnId");
                  return session.set(
                      "seen",
                      texts.stream()
                          .anyMatch(m -> m.contains("turn_completed") && m.contains(turnId)));
                }))
        .doIf(session -> !session.getBoolean("seen"))
        .then(
            exec(
                sse(ON_STREAM)
                    .setCheck()
                    .await(10)
                    .on(
                        sse.checkMessage(ON_STREAM)
                            .matching(substring("turn_completed"))
                            .check(substring("#{turnId}")))));
  }

  /** A string as a JSON string literal. */
  static String json(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
