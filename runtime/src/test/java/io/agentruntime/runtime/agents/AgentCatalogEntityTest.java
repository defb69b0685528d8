package io.agentruntime.runtime.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.runtime.session.Problem;
import io.agentruntime.runtime.testing.GoldenSamples;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A tenant's agents are kept durably by its catalog entity, bounded in number, and its events are a
 * stored contract with golden samples (run with {@code -Dgolden.write=true} to write missing ones).
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentCatalogEntityTest {

  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden", "agents");
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName("AgentCatalogEntityTest")
          .withCustomConfig(
              EventSourcedBehaviorTestKit.config()
                  .withFallback(
                      com.typesafe.config.ConfigFactory.parseString(
                          "pekko.loglevel = WARNING\npekko.actor.provider = local")))
          .build();

  private static JsonNode body(String name) {
    return JSON.createObjectNode().put("model", "default").put("name", name);
  }

  private static SavedAgent agent(String id, String name, long second) {
    return new SavedAgent(id, body(name), T0.plusSeconds(second), T0.plusSeconds(second));
  }

  private EventSourcedBehaviorTestKit<AgentCatalogEntity.Command, AgentEvent, AgentCatalogState>
      kit(int max) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        AgentCatalogEntity.create("acme", Clock.fixed(T0, ZoneOffset.UTC), max, 1 << 20),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
  }

  @Test
  void agentsAreKeptAcrossARestartAndRefusedOverTheLimit() {
    var kit = kit(2);
    var a = agent("agent_a", "a", 0);
    assertEquals(
        new AgentReply.Found(a),
        kit.<AgentReply>runCommand(r -> new AgentCatalogEntity.Create(a, "ada", r)).reply());
    var b = agent("agent_b", "b", 1);
    kit.<AgentReply>runCommand(r -> new AgentCatalogEntity.Create(b, "ada", r));
    var third =
        kit.<AgentReply>runCommand(
            r -> new AgentCatalogEntity.Create(agent("agent_c", "c", 2), "ada", r));
    assertTrue(third.hasNoEvents());
    assertEquals("too_many_agents", ((AgentReply.Refused) third.reply()).problem().code());
    var taken =
        kit.<AgentReply>runCommand(
            r -> new AgentCatalogEntity.Create(agent("agent_a", "x", 3), "ada", r));
    assertEquals(Problem.Kind.CONFLICT, ((AgentReply.Refused) taken.reply()).problem().kind());

    var renamed = new SavedAgent("agent_a", body("renamed"), a.createdAt(), T0.plusSeconds(9));
    kit.<AgentReply>runCommand(r -> new AgentCatalogEntity.Replace(renamed, "bob", r));
    kit.restart();
    assertEquals(
        new AgentReply.Found(renamed),
        kit.<AgentReply>runCommand(r -> new AgentCatalogEntity.Get("agent_a", r)).reply());
    assertEquals(
        new AgentReply.Listed(List.of(b, renamed), false),
        kit.<AgentReply>runCommand(r -> new AgentCatalogEntity.Page(null, 10, true, r)).reply());

    kit.<AgentReply>runCommand(r -> new AgentCatalogEntity.Delete("agent_b", "ada", r));
    var gone = kit.<AgentReply>runCommand(r -> new AgentCatalogEntity.Get("agent_b", r));
    assertEquals("agent_not_found", ((AgentReply.Refused) gone.reply()).problem().code());
    var again = kit.<AgentReply>runCommand(r -> new AgentCatalogEntity.Delete("agent_b", "ada", r));
    assertTrue(again.hasNoEvents());
    var missing =
        kit.<AgentReply>runCommand(
            r -> new AgentCatalogEntity.Replace(agent("agent_z", "z", 0), "ada", r));
    assertTrue(missing.hasNoEvents());
  }

  @Test
  void storedEventsStillReadAsTheirSamples() throws Exception {
    Map<String, AgentEvent> samples =
        Map.of(
            "AgentSaved", new AgentEvent.AgentSaved(agent("agent_1a2b", "support", 0), "ada"),
            "AgentDeleted", new AgentEvent.AgentDeleted("agent_1a2b", "ada", T0));
    for (var e : samples.entrySet()) {
      GoldenSamples.assertReadsAsStored(testKit.system(), GOLDEN.resolve(e.getKey()), e.getValue());
    }
  }
}
