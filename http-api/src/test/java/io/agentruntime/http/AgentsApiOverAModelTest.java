package io.agentruntime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.beta.agents.Agent;
import com.openai.models.beta.agents.AgentCreateParams;
import com.openai.models.beta.agents.AgentSession;
import com.openai.models.beta.agents.AgentSessionEvent;
import com.openai.models.beta.agents.AgentSessionStreamParams;
import com.openai.models.beta.agents.PersistedAgentToolParam;
import com.openai.models.beta.agents.sessions.SessionCreateParams;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Agents API against a node whose {@code default} model is an OpenAI-compatible server over
 * HTTP ({@link FakeOpenAiServer}): what the SDK sends reaches the model as it should (the agent's
 * instructions, its function tool, the client's result), and the model's answer comes back through
 * the SDK's stream helper.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentsApiOverAModelTest {

  private FakeOpenAiServer model;
  private TestNode node;
  private OpenAIClient client;

  @BeforeAll
  void start() {
    model = FakeOpenAiServer.start();
    node = TestNode.overModel(model, "");
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl("http://127.0.0.1:" + node.server.address().getPort() + "/v1")
            .apiKey(TestKeys.ADA)
            .maxRetries(0)
            .build();
  }

  @AfterAll
  void stop() {
    node.close();
    model.close();
  }

  @Test
  void aFunctionToolsRoundTripReachesTheModelAndItsAnswerTheClient() {
    Agent agent =
        client
            .beta()
            .agents()
            .create(
                AgentCreateParams.builder()
                    .model("default")
                    .instructions("Answer about the weather.")
                    .addTool(
                        PersistedAgentToolParam.Function.builder()
                            .name("lookup")
                            .description("Looks the weather up")
                            .parameters(
                                PersistedAgentToolParam.Function.Parameters.builder()
                                    .putAdditionalProperty(
                                        "type", com.openai.core.JsonValue.from("object"))
                                    .build())
                            .build())
                    .build());
    AgentSession s =
        client
            .beta()
            .agents()
            .sessions()
            .create(SessionCreateParams.builder().agentId(agent.id()).environmentNone().build());
    model.enqueue(
        FakeOpenAiServer.toolCalls(
            FakeOpenAiServer.call("call_w1", "lookup", "{\"city\": \"Paris\"}")),
        FakeOpenAiServer.text("It is sunny in Paris."));

    List<String> cities = new ArrayList<>();
    String answer = null;
    try (StreamResponse<AgentSessionEvent> events =
        client.beta().agents().sessions().stream(
            AgentSessionStreamParams.builder()
                .sessionId(s.id())
                .input("Weather in Paris?")
                .toolHandler(
                    "lookup",
                    arguments -> {
                      cities.add(String.valueOf(arguments.get("city")));
                      return "sunny, 21 C";
                    })
                .build())) {
      for (AgentSessionEvent e : (Iterable<AgentSessionEvent>) events.stream()::iterator) {
        if (e.isTurnItemDone() && e.asTurnItemDone().item().isMessage()) {
          answer = e.asTurnItemDone().item().asMessage().content().get(0).text();
        }
        if (e.isIdle()) {
          break;
        }
      }
    }
    assertEquals(List.of("Paris"), cities);
    assertEquals("It is sunny in Paris.", answer);

    List<JsonNode> requests = model.requests();
    JsonNode first = requests.get(requests.size() - 2);
    assertTrue(first.toString().contains("Answer about the weather."), first.toString());
    assertTrue(
        first.path("tools").toString().contains("\"lookup\""),
        "the model is offered the function tool: " + first.path("tools"));
    JsonNode second = requests.get(requests.size() - 1);
    JsonNode toolMessage = null;
    for (JsonNode m : second.path("messages")) {
      if ("tool".equals(m.path("role").asText())) {
        toolMessage = m;
      }
    }
    assertTrue(toolMessage != null, second.toString());
    assertEquals("call_w1", toolMessage.path("tool_call_id").asText());
    assertTrue(
        toolMessage.path("content").asText().contains("sunny, 21 C"), toolMessage.toString());
  }

  /** No runtime-run tool is called here. */
}
