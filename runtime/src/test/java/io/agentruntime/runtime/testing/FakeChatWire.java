package io.agentruntime.runtime.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenAI chat completions wire format as the fake speaks it: the chunks of a stream (role,
 * content deltas, tool-call deltas with id and name first and arguments in pieces, finish reason,
 * usage with empty choices) and the whole {@code chat.completion} body.
 */
final class FakeChatWire {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String id;
  private final String model;
  private final long created = System.currentTimeMillis() / 1000;

  FakeChatWire(String id, JsonNode request) {
    this.id = id;
    this.model = request.path("model").asText("fake-model");
  }

  /** Every chunk of the stream, as JSON text, in order; without the final {@code [DONE]}. */
  List<String> chunks(FakeReply reply, long[] usage, boolean includeUsage) {
    List<String> chunks = new ArrayList<>();
    ObjectNode first = chunk();
    first
        .withArray("choices")
        .addObject()
        .put("index", 0)
        .putNull("finish_reason")
        .putObject("delta")
        .put("role", "assistant")
        .put("content", "");
    chunks.add(first.toString());
    for (String piece : reply.pieces) {
      ObjectNode chunk = chunk();
      choice(chunk).putObject("delta").put("content", piece);
      chunks.add(chunk.toString());
    }
    for (int i = 0; i < reply.calls.size(); i++) {
      FakeReply.Call call = reply.calls.get(i);
      ObjectNode start = chunk();
      ObjectNode head = callDelta(start, i).put("id", call.id()).put("type", "function");
      head.putObject("function").put("name", call.name()).put("arguments", "");
      chunks.add(start.toString());
      for (String piece : thirds(call.arguments())) {
        ObjectNode more = chunk();
        callDelta(more, i).putObject("function").put("arguments", piece);
        chunks.add(more.toString());
      }
    }
    ObjectNode last = chunk();
    choice(last)
        .put("finish_reason", reply.calls.isEmpty() ? "stop" : "tool_calls")
        .putObject("delta");
    chunks.add(last.toString());
    if (includeUsage) {
      ObjectNode usageChunk = chunk();
      usageChunk.putArray("choices");
      usage(usageChunk, usage);
      chunks.add(usageChunk.toString());
    }
    return chunks;
  }

  /** The whole non-streaming answer. */
  byte[] completion(FakeReply reply, long[] usage) {
    ObjectNode body =
        JSON.createObjectNode()
            .put("id", id)
            .put("object", "chat.completion")
            .put("created", created)
            .put("model", model);
    ObjectNode choice =
        body.putArray("choices")
            .addObject()
            .put("index", 0)
            .put("finish_reason", reply.calls.isEmpty() ? "stop" : "tool_calls");
    ObjectNode message = choice.putObject("message").put("role", "assistant");
    if (reply.pieces.isEmpty() && !reply.calls.isEmpty()) {
      message.putNull("content");
    } else {
      message.put("content", reply.text());
    }
    if (!reply.calls.isEmpty()) {
      ArrayNode calls = message.putArray("tool_calls");
      for (FakeReply.Call call : reply.calls) {
        calls
            .addObject()
            .put("id", call.id())
            .put("type", "function")
            .putObject("function")
            .put("name", call.name())
            .put("arguments", call.arguments());
      }
    }
    usage(body, usage);
    return body.toString().getBytes(UTF_8);
  }

  private ObjectNode chunk() {
    return JSON.createObjectNode()
        .put("id", id)
        .put("object", "chat.completion.chunk")
        .put("created", created)
        .put("model", model);
  }

  private static ObjectNode choice(ObjectNode chunk) {
    return chunk.withArray("choices").addObject().put("index", 0).putNull("finish_reason");
  }

  private static ObjectNode callDelta(ObjectNode chunk, int index) {
    return choice(chunk).putObject("delta").putArray("tool_calls").addObject().put("index", index);
  }

  private static void usage(ObjectNode node, long[] usage) {
    node.putObject("usage")
        .put("prompt_tokens", usage[0])
        .put("completion_tokens", usage[1])
        .put("total_tokens", usage[0] + usage[1]);
  }

  // Arguments arrive in pieces on the real wire; three is enough to need reassembly.
  private static List<String> thirds(String text) {
    List<String> pieces = new ArrayList<>();
    int[] cuts = {0, text.length() / 3, 2 * text.length() / 3, text.length()};
    for (int i = 0; i < 3; i++) {
      int from = safe(text, cuts[i]);
      int to = safe(text, cuts[i + 1]);
      if (to > from) {
        pieces.add(text.substring(from, to));
      }
    }
    return pieces;
  }

  private static int safe(String text, int cut) {
    return cut > 0 && cut < text.length() && Character.isLowSurrogate(text.charAt(cut))
        ? cut - 1
        : cut;
  }
}
