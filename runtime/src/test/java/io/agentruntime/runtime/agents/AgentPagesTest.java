package io.agentruntime.runtime.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pages of agents: after a cursor, at most a limit, at most a byte budget (at least one). */
class AgentPagesTest {

  private static final List<SavedAgent> FIVE =
      IntStream.range(0, 5)
          .mapToObj(
              i ->
                  new SavedAgent(
                      "a" + i,
                      JsonNodeFactory.instance.objectNode().put("name", "x".repeat(10)),
                      Instant.EPOCH,
                      Instant.EPOCH))
          .toList();

  @ParameterizedTest(name = "after {0}, limit {1}, budget {2}: {3} more {4}")
  @CsvSource({
    "'', 2, 1000, a0 a1, true",
    "a1, 2, 1000, a2 a3, true",
    "a3, 2, 1000, a4, false",
    "a4, 2, 1000, '', false",
    "zz, 2, 1000, '', false",
    "'', 10, 45, a0 a1, true",
    "'', 10, 5, a0, true",
    "'', 5, 1000, a0 a1 a2 a3 a4, false"
  })
  void pages(String after, int limit, long budget, String ids, boolean more) {
    AgentReply.Listed page = AgentPages.page(FIVE, after.isEmpty() ? null : after, limit, budget);
    assertEquals(
        ids.isEmpty() ? List.of() : List.of(ids.split(" ")),
        page.agents().stream().map(SavedAgent::id).toList());
    assertEquals(more, page.hasMore());
  }
}
