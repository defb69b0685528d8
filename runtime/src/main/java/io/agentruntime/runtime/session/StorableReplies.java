package io.agentruntime.runtime.session;

import io.agentruntime.runtime.model.ModelReply;
import io.agentruntime.runtime.model.ToolCall;
import io.agentruntime.runtime.tools.ToolResult;

/**
 * What a model or a tool answered, made fit for the journal before the session sees it: text
 * repaired where it is not Unicode, and a tool result nested deeper than the journal's writer can
 * take turned into a failure of the call. Without this, an event that cannot be serialized stops
 * the session, and its recovery takes the call for one in doubt.
 */
final class StorableReplies {

  /**
   * Deepest tool result kept; an event or a reply wraps it in a few more levels, far below 1000.
   */
  static final int MAX_RESULT_DEPTH = 200;

  private StorableReplies() {}

  static ModelReply model(ModelReply reply) {
    return new ModelReply(
        UnpairedSurrogates.replaced(reply.text()),
        reply.toolCalls().stream()
            .map(
                c ->
                    new ToolCall(
                        UnpairedSurrogates.replaced(c.id()),
                        UnpairedSurrogates.replaced(c.name()),
                        UnpairedSurrogates.replaced(c.arguments()),
                        UnpairedSurrogates.replaced(c.rawArguments())))
            .toList(),
        reply.inputTokens(),
        reply.outputTokens(),
        reply.costUsd());
  }

  static ToolResult tool(ToolResult result) {
    if (result instanceof ToolResult.Succeeded s) {
      if (SessionValidation.depth(s.result()) > MAX_RESULT_DEPTH) {
        return new ToolResult.Failed(
            "tool_result_too_deep",
            "the tool's result nests deeper than " + MAX_RESULT_DEPTH + " levels");
      }
      return new ToolResult.Succeeded(UnpairedSurrogates.replaced(s.result()));
    }
    if (result instanceof ToolResult.Failed f) {
      return new ToolResult.Failed(f.code(), UnpairedSurrogates.replaced(f.message()));
    }
    if (result instanceof ToolResult.Unknown u) {
      return new ToolResult.Unknown(u.code(), UnpairedSurrogates.replaced(u.message()));
    }
    return result;
  }

  static String text(String message) {
    return UnpairedSurrogates.replaced(message);
  }
}
