package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Messages waiting behind a running turn are bounded, so that a session's state stays small. */
class SessionEntityQueueLimitTest extends AgentLoopTestSupport {

  SessionEntityQueueLimitTest() {
    super("agent-runtime.session.max-queued-messages = 2");
  }

  @Test
  void oneMessageOverTheQueueIsRefusedAndAnInterruptStillGoesThrough() {
    create();
    send("runs");
    send("waits 1");
    send("waits 2");

    Problem full =
        refused(r -> new SessionCommand.SendUserMessage(ADA, "waits 3", OnBusy.QUEUE, null, r));

    assertProblem(full, Problem.Kind.LIMIT, "queue_full", null);
    assertEquals(2, kit.getState().queuedMessages());
    Turn interrupting = send("now", OnBusy.INTERRUPT);
    assertEquals(TurnStatus.RUNNING, interrupting.status());
    assertEquals(0, kit.getState().queuedMessages());
  }
}
