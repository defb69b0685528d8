package io.agentruntime.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.List;

/**
 * The pieces the simulations share: the protocol, creating a session, one whole turn in one request
 * ({@code POST .../messages?waitSeconds=N}, 200 with the completed turn), and the two workloads:
 * open (arrivals ramping to a target rate, then holding it) or closed (a fixed number of sessions,
 * each sending its next turn as soon as the last one answered: the maximum rate).
 */
final class Turns {

  /** The request name whose percentiles and rate the gate and the report read. */
  static final String TURN = "turn";

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
    int wait = LoadSettings.integer("waitSeconds", 30);
    return exec(
        http(TURN)
            .post("/v1/sessions/#{sessionId}/messages?waitSeconds=" + wait)
            .body(StringBody("{\"content\": " + contentJsonString + "}"))
            .check(
                status().is(200),
                jsonPath("$.status").is("completed"),
                jsonPath("$.turnId").saveAs("turnId")));
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
    Duration hold = LoadSettings.seconds("seconds", 30);
    if ("closed".equals(LoadSettings.text("workload", "open"))) {
      return scenario.injectClosed(
          constantConcurrentUsers(LoadSettings.integer("concurrency", 50)).during(hold));
    }
    double sessionsPerSecond = LoadSettings.decimal("rate", 50) / turnsPerSession();
    Duration ramp = LoadSettings.seconds("rampSeconds", 10);
    List<OpenInjectionStep> steps =
        ramp.isZero()
            ? List.of(constantUsersPerSec(sessionsPerSecond).during(hold))
            : List.of(
                rampUsersPerSec(Math.min(1, sessionsPerSecond)).to(sessionsPerSecond).during(ramp),
                constantUsersPerSec(sessionsPerSecond).during(hold));
    return scenario.injectOpen(steps);
  }

  /** A string as a JSON string literal. */
  static String json(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
