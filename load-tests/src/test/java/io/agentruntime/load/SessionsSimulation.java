package io.agentruntime.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many sessions, in phases that {@code load-tests/bench} runs one after the other (reading the
 * node's heap in between):
 *
 * <ul>
 *   <li>{@code load.phase=create}: sessions {@code <load.runId>-<n>} for n in [{@code load.from},
 *       {@code load.to}) are created (PUT) and touched once (GET);
 *   <li>{@code load.phase=revisit}: every {@code load.sampleEvery}-th of them is read again; once
 *       they have passivated, each read recovers its session from the journal.
 * </ul>
 *
 * {@code load.concurrency} clients work through the ids as fast as the node answers. Gate: the p99
 * of the phase's reads and the share of failed requests.
 */
public class SessionsSimulation extends Simulation {

  private static final String SPEC =
      "{\"agent\": {\"instructions\": \"You help the billing team.\", \"model\": \"scripted\"}}";

  {
    boolean revisit = "revisit".equals(LoadSettings.text("phase", "create"));
    String prefix = "/v1/sessions/" + LoadSettings.runId() + "-";
    int to = LoadSettings.integer("to", 1000);
    int step = revisit ? LoadSettings.integer("sampleEvery", 100) : 1;
    AtomicInteger next = new AtomicInteger(LoadSettings.integer("from", 0));
    String read = revisit ? "read passivated session" : "touch session";

    ChainBuilder one =
        revisit
            ? exec(http(read).get(prefix + "#{n}").check(status().is(200)))
            : exec(http("create session")
                    .put(prefix + "#{n}")
                    .body(StringBody(SPEC))
                    .check(status().is(201)))
                .exec(http(read).get(prefix + "#{n}").check(status().is(200)));
    ChainBuilder takeNext = exec(session -> session.set("n", next.getAndAdd(step)));

    setUp(
            scenario("sessions " + (revisit ? "revisit" : "create"))
                .exec(takeNext)
                .asLongAs(session -> session.getInt("n") < to)
                .on(exec(one).exec(takeNext))
                .injectOpen(atOnceUsers(LoadSettings.integer("concurrency", 16))))
        .protocols(Turns.protocol())
        .assertions(
            details(read).responseTime().percentile(99.0).lte(LoadSettings.maxP99Millis()),
            global().failedRequests().percent().lte(LoadSettings.maxErrorPercent()));
  }
}
