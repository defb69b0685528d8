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
  INTERRUPT;

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
