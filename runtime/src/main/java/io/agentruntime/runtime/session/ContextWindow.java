package io.agentruntime.runtime.session;

import io.agentruntime.runtime.model.ModelMessage;
import io.agentruntime.runtime.model.ToolCall;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a model is shown of the session: its recent turns as chat messages (decision 0012). One per
 * entity, used on its thread only: it keeps the messages of the last call by the transcript entry
 * each came from. Entries never change and every later state shares them, so the next call of a
 * long session converts only what is new instead of the whole window (tool arguments written as
 * JSON again each time were a tenth of what a model call allocated).
 */
final class ContextWindow {

  private Map<TranscriptEntry, ModelMessage> lastShown = new IdentityHashMap<>();

  /**
   * The conversation as a chat model takes it: turn by turn in the order they came (which is the
   * order they run), each turn's messages in journal order, the most recent {@code contextTurns}
   * turns only. A message still queued is not part of it yet: journaled as it arrived, it would
   * otherwise land between a step's tool calls and their results, or be answered by a turn it does
   * not belong to. A call still in doubt is not part of it either.
   *
   * <p>Read from the end, so that a call costs what its window holds, not the session's whole
   * history: the oldest turn of the window starts with its user message, and every later turn's
   * entries come after it (queued messages are journaled in the order they run).
   */
  List<ModelMessage> messages(SessionState s, int contextTurns) {
    List<Turn> turns = s.turns();
    Deque<Turn> window = new ArrayDeque<>();
    for (int i = turns.size() - 1; i >= 0 && window.size() < contextTurns; i--) {
      Turn turn = turns.get(i);
      if (turn.status() != TurnStatus.QUEUED) {
        window.addFirst(turn);
      }
    }
    if (window.isEmpty()) {
      return List.of();
    }
    Map<String, List<TranscriptEntry>> byTurn = new HashMap<>();
    window.forEach(t -> byTurn.put(t.id(), new ArrayList<>()));
    String oldest = window.getFirst().id();
    List<TranscriptEntry> transcript = s.transcript();
    for (int i = transcript.size() - 1; i >= 0; i--) {
      TranscriptEntry entry = transcript.get(i);
      List<TranscriptEntry> ofTurn = byTurn.get(entry.turnId());
      if (ofTurn != null) {
        ofTurn.add(entry);
      }
      if (entry.turnId().equals(oldest) && "user".equals(entry.role()) && !entry.steering()) {
        break;
      }
    }
    List<ModelMessage> messages = new ArrayList<>();
    Map<TranscriptEntry, ModelMessage> shown = new IdentityHashMap<>();
    for (Turn turn : window) {
      List<TranscriptEntry> ofTurn = byTurn.get(turn.id());
      List<TranscriptEntry> ordered = new ArrayList<>(ofTurn.size());
      for (int i = ofTurn.size() - 1; i >= 0; i--) {
        TranscriptEntry e = ofTurn.get(i);
        if (!"in_doubt".equals(e.outcome())) {
          ordered.add(e);
        }
      }
      for (TranscriptEntry e : steeredWhereSeen(ordered)) {
        ModelMessage message = lastShown.get(e);
        shown.put(e, message == null ? message(e) : message);
        messages.add(shown.get(e));
      }
    }
    lastShown = shown;
    return List.copyOf(messages);
  }

  /**
   * A turn's entries in journal order, each steering message moved to where the model first saw it
   * (decision 0024): one that came while the step's tools ran follows the step's last result (a
   * chat model takes nothing between a call and its result); one that came while the model was
   * being asked follows that answer and its results. The newest ones close the list: the call being
   * made now sees them.
   */
  static List<TranscriptEntry> steeredWhereSeen(List<TranscriptEntry> entries) {
    if (entries.stream().noneMatch(TranscriptEntry::steering)) {
      return entries;
    }
    List<TranscriptEntry> out = new ArrayList<>(entries.size());
    List<TranscriptEntry> beforeNextCall = new ArrayList<>(); // came while tools ran
    List<TranscriptEntry> afterNextAnswer = new ArrayList<>(); // came while the model was asked
    Set<String> unanswered = new HashSet<>();
    for (TranscriptEntry e : entries) {
      if (e.steering()) {
        (unanswered.isEmpty() ? afterNextAnswer : beforeNextCall).add(e);
      } else if ("assistant".equals(e.role())) {
        out.add(e);
        e.toolCalls().forEach(c -> unanswered.add(c.id()));
        beforeNextCall.addAll(afterNextAnswer);
        afterNextAnswer.clear();
        if (unanswered.isEmpty()) {
          out.addAll(beforeNextCall);
          beforeNextCall.clear();
        }
      } else if ("tool".equals(e.role())) {
        out.add(e);
        unanswered.remove(e.toolCallId());
        if (unanswered.isEmpty()) {
          out.addAll(beforeNextCall);
          beforeNextCall.clear();
        }
      } else {
        out.add(e);
      }
    }
    out.addAll(beforeNextCall);
    out.addAll(afterNextAnswer);
    return out;
  }

  private static ModelMessage message(TranscriptEntry e) {
    return switch (e.role()) {
      case "assistant" ->
          ModelMessage.assistant(
              e.content(),
              e.toolCalls().stream()
                  .map(
                      c ->
                          new ToolCall(
                              c.id(),
                              c.name(),
                              c.arguments().isObject() ? c.arguments() : null,
                              c.arguments().isTextual()
                                  ? c.arguments().asText()
                                  : c.arguments().toString()))
                  .toList());
      case "tool" -> ModelMessage.tool(e.toolCallId(), e.content());
      default -> ModelMessage.user(e.content());
    };
  }
}
