package io.agentruntime.runtime.tools;

import static io.agentruntime.runtime.tools.ToolFixtures.await;
import static io.agentruntime.runtime.tools.ToolFixtures.failed;
import static io.agentruntime.runtime.tools.ToolFixtures.http;
import static io.agentruntime.runtime.tools.ToolFixtures.invocation;
import static io.agentruntime.runtime.tools.ToolFixtures.json;
import static io.agentruntime.runtime.tools.ToolFixtures.mcp;
import static io.agentruntime.runtime.tools.ToolFixtures.settings;
import static io.agentruntime.runtime.tools.ToolFixtures.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import io.agentruntime.runtime.testing.TestMcpServer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The executor a node wires: each connection kind reaches its client, with the JSON mapper Pekko
 * serializes the journal with.
 */
class RoutingToolExecutorTest {

  private static ActorSystem<Void> system;
  private static RecordingToolServer tools;
  private static TestMcpServer mcpServer;
  private static RoutingToolExecutor executor;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "routing-tool-executor-test");
    ObjectMapper pekkoMapper =
        JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
    tools = RecordingToolServer.start();
    mcpServer = TestMcpServer.start();
    executor = RoutingToolExecutor.create(settings(), pekkoMapper);
  }

  @AfterAll
  static void stop() {
    executor.close();
    mcpServer.close();
    tools.close();
    system.terminate();
  }

  @Test
  void anHttpToolIsCalledOverHttp() {
    tools.script("/send_email", Reply.json("{\"sent\":true}"));

    ToolResult result =
        await(executor.call(invocation(http(tools.url("/send_email"), null), "send_email", "{}")));

    assertEquals(json("{\"sent\":true}"), succeeded(result));
  }

  @Test
  void anMcpToolIsDiscoveredAndCalledOverMcp() {
    ToolConnection.Mcp files = mcp(mcpServer.url(), List.of("search"), null);

    List<ToolSpec> specs = await(executor.discover(ToolFixtures.TENANT, files));
    ToolResult result =
        await(executor.call(invocation(files.withTools(specs), "search", "{\"query\":\"q\"}")));

    assertEquals(List.of("files__search"), specs.stream().map(ToolSpec::name).toList());
    assertEquals("About q", succeeded(result).at("/results/0/title").asText());
  }

  @Test
  void releasingASessionClosesItsMcpClients() {
    ToolConnection.Mcp files = mcp(mcpServer.url(), List.of(), null);
    Duration t = Duration.ofSeconds(10);
    succeeded(
        await(executor.call(invocation("acme/released", files, "echo", "{\"text\":\"x\"}", t))));
    int deletesBefore = mcpServer.requests("DELETE").size();

    executor.release("acme/released");

    awaitTrue(() -> mcpServer.requests("DELETE").size() == deletesBefore + 1);
  }

  @Test
  void aCallWithoutAConnectionFailsRatherThanThrows() {
    ToolResult result =
        await(
            executor.call(
                new ToolInvocation(
                    "acme", "acme/s1", null, "x", null, "k", Duration.ofSeconds(1))));

    assertEquals("invalid_invocation", failed(result).code());
  }

  private static void awaitTrue(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met in time");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }
}
