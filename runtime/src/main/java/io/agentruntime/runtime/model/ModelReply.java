package io.agentruntime.runtime.model;

import java.math.BigDecimal;
import java.util.List;

/**
 * The model's step: text, tool calls (empty when it answered), the tokens it counted, and what they
 * cost in USD at the provider's configured prices (null: no prices configured, cost unknown).
 */
public record ModelReply(
    String text,
    List<ToolCall> toolCalls,
    long inputTokens,
    long outputTokens,
    BigDecimal costUsd) {
  public ModelReply {
    toolCalls = List.copyOf(toolCalls);
  }

  /** A reply whose cost is not known (nobody priced it yet). */
  public ModelReply(String text, List<ToolCall> toolCalls, long inputTokens, long outputTokens) {
    this(text, toolCalls, inputTokens, outputTokens, null);
  }

  /** This reply priced at {@code price}. */
  public ModelReply pricedAt(ModelPrice price) {
    return new ModelReply(
        text, toolCalls, inputTokens, outputTokens, price.cost(inputTokens, outputTokens));
  }
}
