package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The answers that could outgrow a message between nodes come in pieces bounded in bytes (decision
 * 0033): the transcript and the turns in pages, the view in parts. Sizes here are what a function
 * says (the entity measures with the cluster's serializer).
 */
class RepliesInPagesTest {

  private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");

  /** Entries with seqs 2, 4, 6, ... each "size" its content's length. */
  private static List<TranscriptEntry> transcript(int n, int chars) {
    return LongStream.rangeClosed(1, n)
        .mapToObj(i -> TranscriptEntry.user(2 * i, "turn_1", "x".repeat(chars)))
        .toList();
  }

  private static SessionReply.TranscriptFound page(
      List<TranscriptEntry> all, long after, int limit, int budget) {
    return assertInstanceOf(
        SessionReply.TranscriptFound.class,
        Transcript.page(all, after, limit, e -> e.content().length(), budget));
  }

  private static List<Long> seqs(SessionReply.TranscriptFound page) {
    return page.messages().stream().map(TranscriptEntry::seq).toList();
  }

  @Test
  void aTranscriptPageStartsAfterTheSeqAndStopsAtTheLimit() {
    List<TranscriptEntry> all = transcript(10, 1);
    SessionReply.TranscriptFound first = page(all, 0, 3, 1000);
    assertEquals(List.of(2L, 4L, 6L), seqs(first));
    assertEquals(6L, first.nextAfter());
    assertEquals(List.of(8L, 10L, 12L), seqs(page(all, 6, 3, 1000)));
    assertEquals(List.of(8L, 10L), seqs(page(all, 7, 2, 1000)), "after a seq between two");
    SessionReply.TranscriptFound last = page(all, 14, 100, 1000);
    assertEquals(List.of(16L, 18L, 20L), seqs(last));
    assertNull(last.nextAfter(), "the last page says so");
    SessionReply.TranscriptFound past = page(all, 20, 100, 1000);
    assertEquals(List.of(), past.messages());
    assertNull(past.nextAfter());
  }

  @Test
  void aTranscriptPageStopsBeforeItsBytesRunOverButHoldsOneEntryAtLeast() {
    List<TranscriptEntry> all = transcript(10, 40);
    SessionReply.TranscriptFound byBytes = page(all, 0, 100, 100);
    assertEquals(List.of(2L, 4L), seqs(byBytes), "two of 40 fit 100, a third does not");
    assertEquals(4L, byBytes.nextAfter());
    SessionReply.TranscriptFound oversized = page(all, 0, 100, 10);
    assertEquals(List.of(2L), seqs(oversized), "one entry larger than the budget comes alone");
    assertEquals(2L, oversized.nextAfter());

    // Reading page by page gives every entry once, in order.
    List<Long> read = new ArrayList<>();
    Long after = 0L;
    while (after != null) {
      SessionReply.TranscriptFound p = page(all, after, 100, 100);
      read.addAll(seqs(p));
      after = p.nextAfter();
    }
    assertEquals(all.stream().map(TranscriptEntry::seq).toList(), read);
  }

  @Test
  void aBadLimitOrAfterIsRefusedNamingIt() {
    List<TranscriptEntry> all = transcript(3, 1);
    SessionReply limit = Transcript.page(all, 0, 0, e -> 1, 100);
    assertEquals("limit", assertInstanceOf(SessionReply.Rejected.class, limit).problem().field());
    SessionReply after = Transcript.page(all, -1, 10, e -> 1, 100);
    assertEquals("after", assertInstanceOf(SessionReply.Rejected.class, after).problem().field());
  }

  @Test
  void aPageOfTurnsStopsBeforeItsBytesRunOver() {
    List<Turn> turns = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      turns.add(new Turn("turn_" + i, TurnStatus.COMPLETED, 1, "y".repeat(30), null, AT, AT));
    }
    SessionReply.TurnList page =
        assertInstanceOf(
            SessionReply.TurnList.class,
            TurnList.page(turns, null, 100, t -> t.output().length(), 70));
    assertEquals(
        List.of("turn_4", "turn_3"), page.turns().stream().map(Turn::id).toList(), "newest first");
    assertEquals("turn_3", page.nextAfter());
    SessionReply.TurnList alone =
        assertInstanceOf(
            SessionReply.TurnList.class,
            TurnList.page(turns, "turn_3", 100, t -> t.output().length(), 1));
    assertEquals(List.of("turn_2"), alone.turns().stream().map(Turn::id).toList());
  }

  @Test
  void theViewStreamsAsAHeadToolsAndMemoryChunksThatMakeItUpAgain() {
    Map<String, JsonNode> memory = new TreeMap<>();
    for (int i = 0; i < 10; i++) {
      memory.put("k" + i, TextNode.valueOf("v".repeat(10)));
    }
    ToolConnection.Mcp mcp =
        new ToolConnection.Mcp("files", "http://127.0.0.1:9000/mcp", List.of(), null)
            .withTools(
                List.of(new io.agentruntime.runtime.model.ToolSpec("files__read", "d", null)));
    ToolConnection http = Fixtures.httpTool("send_email");
    SessionView view =
        new SessionView(
            "s1",
            new Owner("acme", "ada"),
            SessionStatus.IDLE,
            Fixtures.agent("Be brief."),
            AT,
            AT,
            12,
            null,
            0,
            memory,
            List.of(mcp, http),
            PermissionPolicy.empty(),
            Map.of("team", "support"),
            0,
            Usage.NONE);

    // Each entry "weighs" 10; a chunk holds 3 of them under a budget of 35.
    List<ViewPart> parts = new ArrayList<>();
    ViewPart.of(view, p -> p instanceof ViewPart.Memory m ? 10 * m.entries().size() : 0, 35)
        .forEach(parts::add);

    assertInstanceOf(ViewPart.Head.class, parts.get(0));
    assertEquals(Map.of(), ((ViewPart.Head) parts.get(0)).view().memory());
    assertEquals(new ViewPart.Tool(mcp), parts.get(1), "with the tools discovered on it");
    assertEquals(new ViewPart.Tool(http), parts.get(2));
    List<Integer> chunks =
        parts.subList(3, parts.size()).stream()
            .map(p -> ((ViewPart.Memory) p).entries().size())
            .toList();
    assertEquals(List.of(3, 3, 3, 1), chunks);

    SessionView assembled = ViewPart.assemble(parts);
    assertEquals(memory, assembled.memory());
    assertEquals(List.of(mcp, http), assembled.tools());
    assertEquals(view.agent(), assembled.agent());
    assertEquals(view.metadata(), assembled.metadata());
    assertEquals(SessionSummary.of(view), SessionSummary.of(assembled));
    assertTrue(
        new ArrayList<>(assembled.memory().keySet()).equals(new ArrayList<>(memory.keySet())),
        "memory in key order");
  }
}
