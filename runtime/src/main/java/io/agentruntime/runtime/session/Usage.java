package io.agentruntime.runtime.session;

/** Model tokens spent by the session so far. */
public record Usage(long inputTokens, long outputTokens) {
  public static final Usage NONE = new Usage(0, 0);
}
