package io.agentruntime.runtime.session;

import com.typesafe.config.Config;
import java.time.Duration;

/** The settings of session entities, read once from {@code agent-runtime.session}. */
public record SessionSettings(
    int snapshotEvery,
    int keepSnapshots,
    Limits defaultLimits,
    int maxInstructionsChars,
    int maxMessageChars,
    int maxMemoryEntries,
    int maxMemoryValueBytes,
    int maxTools,
    int maxMetadataEntries,
    Duration askTimeout,
    int maxQueuedMessages,
    Duration statusListingDelay,
    boolean snapshotOnPassivation,
    int snapshotOnPassivationMinEvents,
    Duration longestWait,
    int replyPageSize,
    int maxWaiters,
    Duration handoffTimeout,
    long maxSessionBytes,
    int recoveryNotices,
    Duration handoffHold) {

  public static SessionSettings fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.session");
    return new SessionSettings(
        c.getInt("snapshot-every"),
        c.getInt("keep-snapshots"),
        new Limits(
            c.getInt("default-limits.max-steps-per-turn"),
            c.getInt("default-limits.max-turn-seconds"),
            c.getLong("default-limits.max-session-tokens"),
            null),
        c.getInt("max-instructions-chars"),
        c.getInt("max-message-chars"),
        c.getInt("max-memory-entries"),
        (int) c.getBytes("max-memory-value-size").longValue(),
        c.getInt("max-tools"),
        c.getInt("max-metadata-entries"),
        c.getDuration("ask-timeout"),
        c.getInt("max-queued-messages"),
        c.getDuration("status-listing-delay"),
        c.getBoolean("snapshot-on-passivation"),
        c.getInt("snapshot-on-passivation-min-events"),
        c.getDuration("longest-wait"),
        (int) c.getBytes("reply-page-size").longValue(),
        c.getInt("max-waiters"),
        c.getDuration("handoff-timeout"),
        c.getBytes("max-session-size"),
        c.getInt("recovery-notices"),
        c.getDuration("webhook-handoff-hold"));
  }
}
