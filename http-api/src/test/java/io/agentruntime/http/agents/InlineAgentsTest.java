package io.agentruntime.http.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InlineAgentsTest {

  /** Which agent ids name a session's inline agent, and which session. */
  @ParameterizedTest
  @CsvSource(
      nullValues = "-",
      value = {
        "agt_inline_sess_0a1b, sess_0a1b",
        "agt_inline_bench-ours-1, bench-ours-1",
        "agt_inline_, -",
        "agt_0a1b, -",
        "agt_inline_sess/0a1b, -",
        "agt_inline_sess_0a1b_0123456789012345678901234567890123456789012345678901234567, -",
        "AGT_INLINE_sess_0a1b, -"
      })
  void anInlineAgentsIdNamesItsSession(String agentId, String session) {
    assertEquals(Optional.ofNullable(session), InlineAgents.sessionOf(agentId));
    if (session != null) {
      assertEquals(agentId, InlineAgents.idOf(session));
    }
  }
}
