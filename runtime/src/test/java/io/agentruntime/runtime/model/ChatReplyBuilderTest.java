package io.agentruntime.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Chunk shapes of OpenAI-compatible providers other than OpenAI itself. */
class ChatReplyBuilderTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChatReplyBuilder builder = new ChatReplyBuilder();

  @Test
  void callsWithoutAnIndexAreToldApartByTheirIds() throws Exception {
    add(
        "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"a\",\"function\":"
            + "{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":\"}}]}}]}");
    add("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"1}\"}}]}}]}");
    add(
        "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"b\",\"function\":"
            + "{\"name\":\"g\",\"arguments\":\"{}\"}}]}}]}");

    ModelReply reply = builder.build();

    assertEquals(2, reply.toolCalls().size());
    assertEquals(1, reply.toolCalls().get(0).arguments().path("x").asInt());
    assertEquals("g", reply.toolCalls().get(1).name());
  }

  @Test
  void anIdRepeatedInEveryDeltaIsKeptOnce() throws Exception {
    add(
        "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":"
            + "{\"name\":\"f\",\"arguments\":\"\"}}]}}]}");
    add(
        "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":"
            + "{\"arguments\":\"{}\"}}]}}]}");

    ToolCall call = builder.build().toolCalls().get(0);

    assertEquals("c", call.id());
    assertEquals("f", call.name());
    assertEquals("{}", call.rawArguments());
  }

  @Test
  void aUsageChunkWithNullChoicesCounts() throws Exception {
    assertEquals(
        "hi", add("{\"choices\":[{\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}"));
    assertFalse(builder.finished());
    add("{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}");
    add("{\"choices\":null,\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2}}");

    ModelReply reply = builder.build();

    assertTrue(builder.finished());
    assertEquals("hi", reply.text());
    assertEquals(7, reply.inputTokens());
    assertEquals(2, reply.outputTokens());
  }

  private String add(String chunk) throws Exception {
    return builder.add(JSON.readTree(chunk));
  }
}
