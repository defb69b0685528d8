package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.BOB;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.agentruntime.runtime.session.SessionCommand.GetMemory;
import io.agentruntime.runtime.session.SessionCommand.GetTranscript;
import io.agentruntime.runtime.session.SessionCommand.WriteMemory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the session answers is small whatever it holds (decision 0033): writes answer it in summary,
 * one memory value is read alone, the view streams whole in parts.
 */
class SessionEntityRepliesTest extends SessionEntityTestSupport {

  SessionEntityRepliesTest() {
    super("");
  }

  @BeforeEach
  void created() {
    createSession();
  }

  @Test
  void aWriteAnswersTheSessionInSummary() {
    var result = run(r -> new WriteMemory(ADA, "plan", json("{\"tier\":\"pro\"}"), r));

    SessionSummary summary = assertInstanceOf(SessionReply.Current.class, result.reply()).session();
    SessionView now = view(ADA);
    assertEquals(SessionSummary.of(now), summary);
    assertEquals(2, summary.lastSeq());
    assertEquals(json("{\"tier\":\"pro\"}"), now.memory().get("plan"));
  }

  @Test
  void oneMemoryValueIsReadAloneAndAnAbsentKeyIsNotFound() {
    var read = run(r -> new GetMemory(ADA, "user_name", r));
    assertEquals(new SessionReply.MemoryValue("user_name", json("\"Ada\"")), read.reply());

    assertProblem(
        refused(r -> new GetMemory(ADA, "nothing", r)),
        Problem.Kind.NOT_FOUND,
        "memory_key_not_found",
        "key");
    assertProblem(
        refused(r -> new GetMemory(BOB, "user_name", r)),
        Problem.Kind.NOT_FOUND,
        "session_not_found",
        null);
  }

  @Test
  void theViewStreamsWholeWithEveryMemoryEntry() {
    for (int i = 0; i < 200; i++) {
      int n = i;
      run(r -> new WriteMemory(ADA, "k" + n, json("\"" + "v".repeat(8000) + "\""), r));
    }
    SessionView view = view(ADA);
    assertEquals(200 + Fixtures.spec().memory().size(), view.memory().size());
    assertEquals(json("\"" + "v".repeat(8000) + "\""), view.memory().get("k199"));
    assertEquals(Fixtures.spec().tools().size(), view.tools().size());
  }

  @Test
  void aTranscriptPageIsRefusedForABadLimitOrAfter() {
    assertProblem(
        refused(r -> new GetTranscript(ADA, 0, 0, r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "limit");
    assertProblem(
        refused(r -> new GetTranscript(ADA, -1, 10, r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "after");
  }
}
