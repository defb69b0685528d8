package io.agentruntime.runtime.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The deterministic stand-in model of demos and tests (API.md, "Models"). It reads the last user
 * message and what follows it:
 *
 * <ul>
 *   <li>lines {@code /tool NAME {json}} and no tool call of its own yet: it calls those tools, one
 *       call per line, in order, with ids {@code call_<n>} unique in the conversation. Arguments
 *       default to {@code {}}; text after the name that is not a JSON object is passed on as a real
 *       model's malformed arguments would be (arguments null, {@code rawArguments} the text), so
 *       the runtime's handling of those can be tried out;
 *   <li>its tool calls made and their outcomes in: a summary, {@code Tool results: NAME: outcome;
 *       ...};
 *   <li>anything else: {@code echo: <message>}.
 * </ul>
 *
 * Text streams through {@code onDelta} a few words at a time; tokens are counted as words. The
 * reply is ready when {@code complete} returns.
 */
public final class ScriptedModel implements ModelClient {

  private static final String TOOL_PREFIX = "/tool";
  private static final int EXCERPT_CHARS = 200;
  private static final int WORDS_PER_DELTA = 3;

  @Override
  public CompletionStage<ModelReply> complete(ModelRequest request, Consumer<String> onDelta) {
    try {
      ModelReply reply = reply(request.messages());
      if (onDelta != null) {
        pieces(reply.text()).forEach(onDelta);
      }
      long input =
          words(request.instructions())
              + request.messages().stream().mapToLong(ScriptedModel::words).sum();
      long output =
          words(reply.text())
              + reply.toolCalls().stream()
                  .mapToLong(c -> words(c.name()) + words(c.argumentsJson()))
                  .sum();
      return CompletableFuture.completedFuture(
          new ModelReply(reply.text(), reply.toolCalls(), input, output));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static ModelReply reply(List<ModelMessage> messages) {
    int lastUser = messages.size() - 1;
    while (lastUser >= 0 && !"user".equals(messages.get(lastUser).role())) {
      lastUser--;
    }
    String said =
        lastUser < 0 || messages.get(lastUser).content() == null
            ? ""
            : messages.get(lastUser).content();
    List<String[]> requested = toolLines(said);
    if (requested.isEmpty()) {
      return new ModelReply("echo: " + said, List.of(), 0, 0);
    }
    List<ModelMessage> after = messages.subList(lastUser + 1, messages.size());
    int step = -1;
    for (int i = 0; i < after.size(); i++) {
      if ("assistant".equals(after.get(i).role()) && !after.get(i).toolCalls().isEmpty()) {
        step = i;
      }
    }
    if (step < 0) {
      return new ModelReply("", calls(requested, messages), 0, 0);
    }
    return new ModelReply(
        summary(after.get(step), after.subList(step + 1, after.size())), List.of(), 0, 0);
  }

  // Each element: {name, argument text}.
  private static List<String[]> toolLines(String said) {
    List<String[]> lines = new ArrayList<>();
    for (String line : said.split("\\R")) {
      String trimmed = line.strip();
      if (!trimmed.startsWith(TOOL_PREFIX + " ")) {
        continue;
      }
      String rest = trimmed.substring(TOOL_PREFIX.length()).strip();
      String[] nameAndArgs = rest.split("\\s+", 2);
      lines.add(new String[] {nameAndArgs[0], nameAndArgs.length > 1 ? nameAndArgs[1] : "{}"});
    }
    return lines;
  }

  private static List<ToolCall> calls(List<String[]> requested, List<ModelMessage> messages) {
    Set<String> taken = new HashSet<>();
    for (ModelMessage m : messages) {
      m.toolCalls().forEach(c -> taken.add(c.id()));
    }
    List<ToolCall> calls = new ArrayList<>();
    int n = taken.size();
    for (String[] line : requested) {
      String id;
      do {
        id = "call_" + ++n;
      } while (!taken.add(id));
      calls.add(ToolCall.fromRaw(id, line[0], line[1]));
    }
    return calls;
  }

  private static String summary(ModelMessage step, List<ModelMessage> outcomesAfter) {
    Map<String, String> names =
        step.toolCalls().stream()
            .collect(Collectors.toMap(ToolCall::id, ToolCall::name, (a, b) -> a));
    String outcomes =
        outcomesAfter.stream()
            .filter(m -> "tool".equals(m.role()))
            .map(
                m ->
                    names.getOrDefault(m.toolCallId(), m.toolCallId())
                        + ": "
                        + excerpt(m.content()))
            .collect(Collectors.joining("; "));
    return outcomes.isEmpty() ? "Tool results: none yet." : "Tool results: " + outcomes;
  }

  private static String excerpt(String content) {
    String text = content == null ? "" : content.replaceAll("\\s+", " ").strip();
    return text.length() <= EXCERPT_CHARS ? text : text.substring(0, EXCERPT_CHARS) + "...";
  }

  private static List<String> pieces(String text) {
    List<String> pieces = new ArrayList<>();
    String[] words = text.split("(?<=\\s)(?=\\S)");
    for (int i = 0; i < words.length; i += WORDS_PER_DELTA) {
      int end = Math.min(words.length, i + WORDS_PER_DELTA);
      pieces.add(String.join("", List.of(words).subList(i, end)));
    }
    pieces.removeIf(String::isEmpty);
    return pieces;
  }

  private static long words(ModelMessage message) {
    return words(message.content())
        + message.toolCalls().stream()
            .mapToLong(c -> words(c.name()) + words(c.argumentsJson()))
            .sum();
  }

  /**
   * Words: runs of non-whitespace. Counted without a regex: the whole conversation goes through
   * here.
   */
  private static long words(String text) {
    if (text == null) {
      return 0;
    }
    long words = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); i++) {
      boolean space = Character.isWhitespace(text.charAt(i));
      if (!space && !inWord) {
        words++;
      }
      inWord = !space;
    }
    return words;
  }

  @Override
  public String toString() {
    return "ScriptedModel";
  }
}
