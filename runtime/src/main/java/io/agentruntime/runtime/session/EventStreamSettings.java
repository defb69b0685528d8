package io.agentruntime.runtime.session;

import com.typesafe.config.Config;
import java.time.Duration;

/** How a session's events are streamed to a follower: see {@code agent-runtime.session.events}. */
record EventStreamSettings(String readJournal, Duration resubscribeInterval, int liveBuffer) {

  static EventStreamSettings fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.session.events");
    return new EventStreamSettings(
        c.getString("read-journal").trim(),
        c.getDuration("resubscribe-interval"),
        c.getInt("live-buffer"));
  }
}
