package io.agentruntime.load;

import static io.gatling.javaapi.core.CoreDsl.*;

import io.gatling.javaapi.core.Simulation;

/**
 * Tool workflow: each turn asks the scripted model to call one HTTP tool ({@code /tool lookup
 * {...}}), so a turn is message, model, tool call on a local tool server this simulation starts,
 * model again, answer: 7 journaled events. Gate: the turn's p99 and the share of failed requests.
 */
public class ToolsSimulation extends Simulation {

  private final LocalToolServer tools = LocalToolServer.start(LoadSettings.integer("toolPort", 0));

  {
    String spec =
        "{\"agent\": {\"instructions\": \"You look orders up.\", \"model\": \"scripted\","
            + " \"limits\": {\"maxStepsPerTurn\": 4, \"maxTurnSeconds\": 60}},"
            + " \"tools\": [{\"name\": \"lookup\", \"kind\": \"http\", \"url\": \""
            + tools.url()
            + "\", \"idempotent\": true}],"
            + " \"permissions\": {\"tools\": {\"*\": \"allow\"}}}";
    setUp(
            Turns.workload(
                Turns.sessionWithTurns(
                    "tools", spec, Turns.turn(Turns.json("/tool lookup {\"order\": \"42\"}")))))
        .protocols(Turns.protocol())
        .assertions(
            details(Turns.TURN).responseTime().percentile(99.0).lte(LoadSettings.maxP99Millis()),
            global().failedRequests().percent().lte(LoadSettings.maxErrorPercent()));
  }

  @Override
  public void after() {
    System.out.println("tool calls served: " + tools.calls());
    tools.close();
  }
}
