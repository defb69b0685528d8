package io.agentruntime.runtime.session;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The settings of schedules, read once from {@code agent-runtime.schedules}: at most {@code
 * maxPerSession} per session; {@code in} at most {@code longestDelay}; a run later than {@code
 * missedAfter} was missed (its schedule's {@code missed} decides); a firing the session did not
 * take is tried again after {@code retryAfter}; a session is woken up to {@code wakeAhead} before
 * its run is due (zero: not before), so that the run finds it recovered; at most {@code
 * maxFiringsInFlight} firings of a node are on their way to their sessions at once (decision 0048);
 * a recovery offers the {@code schedule.fired} of its newest {@code recoveryNotices} firings again
 * ({@code agent-runtime.session.recovery-notices}, decision 0027); while firings of a node wait,
 * the work after them (a scheduled turn's first model call, a run's record) waits too, up to {@code
 * holdBehindFirings} (zero: it never waits; decision 0064).
 */
public record ScheduleSettings(
    int maxPerSession,
    Duration longestDelay,
    Duration missedAfter,
    Duration retryAfter,
    Duration wakeAhead,
    int maxFiringsInFlight,
    int recoveryNotices,
    Duration holdBehindFirings) {

  public static ScheduleSettings fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.schedules");
    return new ScheduleSettings(
        c.getInt("max-per-session"),
        c.getDuration("longest-delay"),
        c.getDuration("missed-after"),
        c.getDuration("retry-after"),
        c.getDuration("wake-ahead"),
        c.getInt("max-firings-in-flight"),
        root.getInt("agent-runtime.session.recovery-notices"),
        c.getDuration("hold-behind-firings"));
  }
}
