package io.agentruntime.load;

import static io.gatling.javaapi.core.CoreDsl.*;

import io.gatling.javaapi.core.Simulation;

/**
 * Simple turns: sessions on the scripted model (it answers at once, so the time is the runtime's
 * own), no tools, each turn one request awaited to its end. Gate: the turn's p99 and the share of
 * failed requests.
 */
public class TurnsSimulation extends Simulation {

  static final String SPEC =
      "{\"agent\": {\"instructions\": \"You help the billing team.\", \"model\": \"scripted\","
          + " \"limits\": {\"maxStepsPerTurn\": 4, \"maxTurnSeconds\": 60}}}";

  {
    setUp(
            Turns.workload(
                Turns.sessionWithTurns(
                    "turns", SPEC, Turns.turn(Turns.json("Where is my order?")))))
        .protocols(Turns.protocol())
        .assertions(
            details(Turns.TURN).responseTime().percentile(99.0).lte(LoadSettings.maxP99Millis()),
            global().failedRequests().percent().lte(LoadSettings.maxErrorPercent()));
  }
}
