package io.agentruntime.runtime.session;

import io.agentruntime.runtime.session.InternalCommand.HandOffTimedOut;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Sharding moves the session to another node (the node leaves, or shards are rebalanced): it starts
 * nothing new, lets the tool calls in flight land and journals their outcomes, then stops; after
 * {@code handoff-timeout} it stops anyway (decision 0017). The driver sends the hand-off again
 * after each write while calls are in flight.
 */
final class HandingOff {

  private final ActorContext<SessionCommand> ctx;
  private final TimerScheduler<SessionCommand> timers;
  private final TurnDriver driver;
  private final SessionSettings settings;
  private final String sessionId;

  HandingOff(
      ActorContext<SessionCommand> ctx,
      TimerScheduler<SessionCommand> timers,
      TurnDriver driver,
      SessionSettings settings,
      String sessionId) {
    this.ctx = ctx;
    this.timers = timers;
    this.driver = driver;
    this.settings = settings;
    this.sessionId = sessionId;
  }

  /** A hand-off asked (again): whether the session may stop now (no calls in flight). */
  boolean mayStop() {
    if (!driver.handingOff()) {
      armTimeout();
    }
    return !driver.handOff(); // with calls in flight, they land first
  }

  /** The hand-off waited {@code handoff-timeout}: the session stops anyway. */
  void timedOut() {
    ctx.getLog()
        .warn(
            "Session {} stops for its hand-off with tool calls still in flight after {}",
            sessionId,
            settings.handoffTimeout());
  }

  /** After a restart in place (a failed write) during a hand-off, its timeout is armed again. */
  void recovered() {
    if (driver.handingOff()) {
      armTimeout();
    }
  }

  private void armTimeout() {
    timers.startSingleTimer("hand-off", new HandOffTimedOut(), settings.handoffTimeout());
  }
}
