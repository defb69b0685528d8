package io.agentruntime.runtime.session;

import io.agentruntime.runtime.session.SessionCommand.*;
import java.time.Instant;

/**
 * The writes that are one rule of {@link SessionRules} each and answer the session's summary:
 * suspend, resume, and the edits of memory, tools and permissions. Which rule decides which write.
 */
final class SessionEdits {

  private SessionEdits() {}

  /** Whether {@code cmd} is such a write, decided by {@link #decide}. */
  static boolean covers(Asked cmd) {
    return cmd instanceof SuspendSession
        || cmd instanceof ResumeSession
        || cmd instanceof WriteMemory
        || cmd instanceof DeleteMemory
        || cmd instanceof ConnectTool
        || cmd instanceof DisconnectTool
        || cmd instanceof ChangePermissions
        || cmd instanceof UpdateSession;
  }

  /** What the write {@code cmd} ({@link #covers}) decides, as of {@code now}. */
  static Decision decide(SessionRules rules, SessionState s, Asked cmd, Instant now) {
    Caller by = cmd.caller();
    if (cmd instanceof SuspendSession c) {
      return rules.suspend(s, by, c.reason(), now);
    } else if (cmd instanceof ResumeSession) {
      return rules.resume(s, by, now);
    } else if (cmd instanceof WriteMemory c) {
      return rules.writeMemory(s, by, c.key(), c.value(), now);
    } else if (cmd instanceof DeleteMemory c) {
      return rules.deleteMemory(s, by, c.key(), now);
    } else if (cmd instanceof ConnectTool c) {
      return rules.connectTool(s, by, c.tool(), now);
    } else if (cmd instanceof DisconnectTool c) {
      return rules.disconnectTool(s, by, c.name(), now);
    } else if (cmd instanceof UpdateSession c) {
      return rules.updateSession(s, by, c.agent(), c.metadata(), now);
    } else if (cmd instanceof ChangePermissions c) {
      return rules.changePermissions(s, by, c.permissions(), now);
    }
    throw new IllegalArgumentException("not an edit: " + cmd);
  }
}
