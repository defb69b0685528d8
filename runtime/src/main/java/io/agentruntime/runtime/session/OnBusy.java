package io.agentruntime.runtime.session;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/** What a message does when the session already has a turn that has not ended. */
public enum OnBusy {
  /** Wait behind the earlier turns (durably). */
  QUEUE,
  /** Refuse the message (409). */
  REJECT,
  /** Cancel the unfinished turns, then start. */
  INTERRUPT,
  /**
   * Steer the active turn: the message reaches its next model call, no turn is opened (decision
   * 0024). Refused while the turn waits for a human or is being ended; with no active turn, starts
   * one as {@link #QUEUE} does.
   */
  STEER;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<OnBusy> parse(String name) {
    for (OnBusy b : values()) {
      if (b.wireName().equals(name)) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }
}
