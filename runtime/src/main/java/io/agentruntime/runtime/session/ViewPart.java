package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.tools.ToolConnection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * One part of a session's view as it streams to the node that asked for it: the view is larger than
 * any message between nodes may be (1000 memory values of 64 KiB), so it travels as a head, then
 * one part per tool, then the memory in chunks, each part bounded in bytes (decision 0033). All the
 * parts of one answer come from one state of the session.
 */
public sealed interface ViewPart extends CborSerializable {

  /** The view without its memory and tools, which follow in parts of their own. */
  record Head(SessionView view) implements ViewPart {}

  /**
   * One connected tool, with the tools discovered on an MCP server: no larger than the command that
   * connected it, which crossed the cluster too.
   */
  record Tool(ToolConnection tool) implements ViewPart {}

  /** Memory entries, as many as fit the part's budget (at least one). */
  record Memory(Map<String, JsonNode> entries) implements ViewPart {
    public Memory {
      entries = Collections.unmodifiableMap(new TreeMap<>(entries));
    }
  }

  /**
   * The parts of {@code view}, built as they are taken (off the session's thread): its memory in
   * chunks of at most {@code budget} bytes as {@code size} measures a chunk of one entry.
   */
  static Iterable<ViewPart> of(SessionView view, ToIntFunction<ViewPart> size, int budget) {
    return () -> new Parts(view, size, budget);
  }

  /** The view these parts make up, in the order they came. */
  static SessionView assemble(List<ViewPart> parts) {
    if (parts.isEmpty() || !(parts.get(0) instanceof Head head)) {
      throw new IllegalStateException("a session's view came without its head");
    }
    Map<String, JsonNode> memory = new TreeMap<>();
    List<ToolConnection> tools = new ArrayList<>();
    for (ViewPart part : parts.subList(1, parts.size())) {
      if (part instanceof Tool t) {
        tools.add(t.tool());
      } else if (part instanceof Memory m) {
        memory.putAll(m.entries());
      } else {
        throw new IllegalStateException("a session's view came with a second head");
      }
    }
    SessionView v = head.view();
    return new SessionView(
        v.id(),
        v.owner(),
        v.status(),
        v.agent(),
        v.createdAt(),
        v.updatedAt(),
        v.lastSeq(),
        v.currentTurn(),
        v.queuedMessages(),
        Collections.unmodifiableMap(memory),
        List.copyOf(tools),
        v.permissions(),
        v.metadata(),
        v.pendingApprovals(),
        v.usage(),
        v.pendingClientCalls());
  }

  /** The head without memory and tools. */
  static Head head(SessionView v) {
    return new Head(
        new SessionView(
            v.id(),
            v.owner(),
            v.status(),
            v.agent(),
            v.createdAt(),
            v.updatedAt(),
            v.lastSeq(),
            v.currentTurn(),
            v.queuedMessages(),
            Map.of(),
            List.of(),
            v.permissions(),
            v.metadata(),
            v.pendingApprovals(),
            v.usage(),
            v.pendingClientCalls()));
  }

  /** The parts, in order: head, tools, memory chunks. */
  final class Parts implements Iterator<ViewPart> {
    private final SessionView view;
    private final ToIntFunction<ViewPart> size;
    private final int budget;
    private final Iterator<ToolConnection> tools;
    private final Iterator<Map.Entry<String, JsonNode>> memory;
    private boolean headSent;
    private Map.Entry<String, JsonNode> carried;

    private Parts(SessionView view, ToIntFunction<ViewPart> size, int budget) {
      this.view = view;
      this.size = size;
      this.budget = budget;
      this.tools = view.tools().iterator();
      this.memory = view.memory().entrySet().iterator();
    }

    @Override
    public boolean hasNext() {
      return !headSent || tools.hasNext() || carried != null || memory.hasNext();
    }

    @Override
    public ViewPart next() {
      if (!headSent) {
        headSent = true;
        return head(view);
      }
      if (tools.hasNext()) {
        return new Tool(tools.next());
      }
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Map<String, JsonNode> chunk = new TreeMap<>();
      long bytes = 0;
      while (carried != null || memory.hasNext()) {
        Map.Entry<String, JsonNode> e = carried != null ? carried : memory.next();
        carried = null;
        int entry = size.applyAsInt(new Memory(Map.of(e.getKey(), e.getValue())));
        if (!chunk.isEmpty() && bytes + entry > budget) {
          carried = e;
          break;
        }
        chunk.put(e.getKey(), e.getValue());
        bytes += entry;
      }
      return new Memory(chunk);
    }
  }
}
