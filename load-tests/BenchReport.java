import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The report side of {@code load-tests/bench}, run as a single-file program (JDK only):
 *
 * <ul>
 *   <li>{@code stats RESULTS_DIR REQUEST}: one request's numbers from a Gatling run's HTML report
 *       (Gatling 3.15 writes no JSON stats), printed as JSON;
 *   <li>{@code write WORK_DIR LATEST_JSON BENCHMARKS_MD SETTINGS_JSON}: assembles latest.json from
 *       the pieces the bench left in WORK_DIR and replaces the table between the markers in
 *       BENCHMARKS.md.
 * </ul>
 */
public class BenchReport {

  static final String BEGIN = "<!-- load-bench:begin -->";
  static final String END = "<!-- load-bench:end -->";

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "stats" -> System.out.println(toJson(stats(Path.of(args[1]), args[2]), ""));
      case "write" -> write(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), args[4]);
      default -> throw new IllegalArgumentException("stats | write");
    }
  }

  // ---- Gatling's HTML report ------------------------------------------------------------------

  /** requests, errors, rate (per second over the whole run), p50, p95, p99, max (ms). */
  static Map<String, Object> stats(Path resultsDir, String request) throws IOException {
    Path page;
    try (Stream<Path> files = Files.walk(resultsDir)) {
      page =
          files
              .filter(p -> p.getFileName().toString().startsWith("req_"))
              .filter(p -> read(p).contains("<title>Gatling Stats - " + request + "</title>"))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "no report page for '" + request + "' under " + resultsDir));
    }
    String html = read(page);
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("requests", (long) cell(html, "Total count", "total"));
    stats.put("errors", (long) cell(html, "Total count", "ko"));
    stats.put("rate", cell(html, "Mean count/s", "total"));
    stats.put("p50", cell(html, "50th percentile", "total"));
    stats.put("p95", cell(html, "95th percentile", "total"));
    stats.put("p99", cell(html, "99th percentile", "total"));
    stats.put("max", cell(html, "Max", "total"));
    return stats;
  }

  /**
   * A number from the report's stats table: the row titled {@code title}, column {@code column}.
   */
  static double cell(String html, String title, String column) {
    Matcher m =
        Pattern.compile(
                "<td class=\"title\">"
                    + Pattern.quote(title)
                    + "(?:</abbr>)?</td>\\s*"
                    + "<td class=\"total\">([^<]*)</td>\\s*<td class=\"ok\">([^<]*)</td>\\s*<td class=\"ko\">([^<]*)</td>")
            .matcher(html);
    if (!m.find()) {
      throw new IllegalStateException("no row '" + title + "' in the report");
    }
    String value =
        m.group(
                switch (column) {
                  case "total" -> 1;
                  case "ok" -> 2;
                  default -> 3;
                })
            .trim();
    return value.equals("-") ? 0 : Double.parseDouble(value.replace(",", ""));
  }

  // ---- latest.json and BENCHMARKS.md ------------------------------------------------------------

  static void write(Path work, Path latest, Path benchmarks, String settingsJson) throws Exception {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("machine", machine());
    result.put("settings", flat(settingsJson));

    Map<String, Object> simulations = new LinkedHashMap<>();
    for (String name : List.of("turns", "tools", "streaming", "sessions")) {
      simulations.put(name, flat(read(work.resolve(name + ".json"))));
    }
    // One-tool turns through the fake OpenAI-compatible model over HTTP (ModelTurnsSimulation).
    simulations.put("modelCapacity", flat(read(work.resolve("model-capacity.json"))));
    for (String name : List.of("turns", "streaming")) {
      Map<String, Object> stats = flat(read(work.resolve("model-" + name + ".json")));
      // What the runtime asked the fake model for: streamed or whole answers, and the deltas
      // the SSE clients saw.
      Path calls = work.resolve("model-" + name + "-calls.json");
      if (Files.exists(calls)) {
        flat(read(calls)).forEach((k, v) -> stats.put("modelCalls" + capitalized(k), v));
      }
      simulations.put("model" + capitalized(name), stats);
    }
    result.put("simulations", simulations);

    // The runtime's own journal throughput: its session entities driven in process, without HTTP
    // and without a load generator on the same cores (RuntimeJournalThroughput), against the
    // driver alone writing the same rows (JournalCeiling).
    double runtimeEvents = number(read(work.resolve("runtime-journal.json")), "eventsPerSecond");
    double driverEvents = number(read(work.resolve("ceiling.json")), "eventsPerSecond");
    // The same through HTTP at the maximum rate of the turns simulation: 4 events a turn without
    // tools (user message, turn started, assistant reply, turn completed), 1 per session created.
    String capacity = read(work.resolve("capacity.json"));
    String capacitySessions = read(work.resolve("capacity-sessions.json"));
    double httpEvents = 4 * number(capacity, "rate") + number(capacitySessions, "rate");
    Map<String, Object> ceiling = new LinkedHashMap<>();
    ceiling.put("driverEventsPerSecond", round(driverEvents, 0));
    ceiling.put("runtimeEventsPerSecond", round(runtimeEvents, 0));
    ceiling.put("ratio", round(runtimeEvents / driverEvents, 2));
    ceiling.put("runtimeOverHttpEventsPerSecond", round(httpEvents, 0));
    ceiling.put("ratioOverHttp", round(httpEvents / driverEvents, 2));
    // The journal path alone: one event a request (memory writes), against single rows.
    double pathEvents = number(read(work.resolve("runtime-journal-path.json")), "eventsPerSecond");
    double singleRows = number(read(work.resolve("ceiling-single.json")), "eventsPerSecond");
    ceiling.put("driverSingleRowEventsPerSecond", round(singleRows, 0));
    ceiling.put("runtimeJournalPathEventsPerSecond", round(pathEvents, 0));
    ceiling.put("ratioJournalPath", round(pathEvents / singleRows, 2));
    result.put("ceiling", ceiling);

    String memory = read(work.resolve("memory.json"));
    double base = number(memory, "heapBase");
    double activeBase = number(memory, "activeBase");
    double perActiveSmall =
        (number(memory, "heapSmall") - base) / (number(memory, "activeSmall") - activeBase);
    double perActive =
        (number(memory, "heapAll") - base) / (number(memory, "activeAll") - activeBase);
    // After passivation nothing is active: what is left above the baseline's heap without its
    // active sessions, per session ever created.
    double perPassivated =
        (number(memory, "heapPassivated") - (base - activeBase * perActive))
            / number(memory, "activeAll");
    Map<String, Object> mem = new LinkedHashMap<>();
    mem.put("bytesPerActiveSession", Math.round(perActive));
    mem.put("bytesPerPassivatedSession", Math.round(perPassivated));
    result.put("memory", mem);

    String recovery = read(work.resolve("recovery.json"));
    Map<String, Object> rec = new LinkedHashMap<>();
    rec.put("withSnapshotMs", number(recovery, "withSnapshotP99Ms"));
    rec.put("withoutSnapshotMs", number(recovery, "withoutSnapshotP99Ms"));
    result.put("recovery", rec);

    Files.createDirectories(latest.getParent());
    Files.writeString(latest, toJson(result, "") + "\n");

    String table =
        table(
            simulations,
            settingsJson,
            ceiling,
            memory,
            perActiveSmall,
            perActive,
            perPassivated,
            recovery,
            (Map<?, ?>) result.get("machine"));
    String md = read(benchmarks);
    int from = md.indexOf(BEGIN);
    int to = md.indexOf(END);
    if (from < 0 || to < from) {
      throw new IllegalStateException(benchmarks + " has no " + BEGIN + " ... " + END + " section");
    }
    Files.writeString(
        benchmarks, md.substring(0, from + BEGIN.length()) + "\n" + table + md.substring(to));
  }

  static String table(
      Map<String, Object> sims,
      String settings,
      Map<String, Object> ceiling,
      String memory,
      double perActiveSmall,
      double perActive,
      double perPassivated,
      String recovery,
      Map<?, ?> machine) {
    StringBuilder t = new StringBuilder();
    t.append("Measured ")
        .append(machine.get("date"))
        .append(" on commit `")
        .append(machine.get("commit"))
        .append("`, ")
        .append(machine.get("cores"))
        .append(" cores, ")
        .append(settings.contains("\"quick\"") ? "quick run" : "full run")
        .append(" (settings in `load-tests/results/latest.json`).\n\n");
    t.append(
        "| what | requests | errors | rate (/s) | p50 ms | p95 ms | p99 ms | max ms | target |\n");
    t.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    row(
        t,
        "turns, scripted model, open workload at half the maximum rate ("
            + (long) number(settings, "turnRate")
            + "/s of "
            + (long) number(settings, "maxTurnRate")
            + "/s)",
        sims.get("turns"),
        "p99 <= 25 ms");
    row(
        t,
        "one-tool turns, scripted model, "
            + (long) number(settings, "concurrency")
            + " sessions back to back",
        sims.get("tools"),
        "Restate: about 400/s");
    row(
        t,
        "turns with an SSE client per session, scripted model, "
            + (long) number(settings, "concurrency")
            + " sessions",
        sims.get("streaming"),
        "");
    row(
        t,
        "one-tool turns, model over HTTP, "
            + (long) number(settings, "concurrency")
            + " sessions back to back",
        sims.get("modelCapacity"),
        "");
    row(
        t,
        "one-tool turns, model over HTTP, open workload at half the maximum rate ("
            + (long) number(settings, "modelTurnRate")
            + "/s of "
            + (long) number(settings, "maxModelTurnRate")
            + "/s)",
        sims.get("modelTurns"),
        "");
    row(
        t,
        "one-tool turns, model over HTTP streamed to an SSE client per session, half the maximum"
            + " rate ("
            + (long) number(settings, "modelStreamingRate")
            + "/s of "
            + (long) number(settings, "maxModelStreamingRate")
            + "/s)",
        sims.get("modelStreaming"),
        "");
    row(
        t,
        "first read of a passivated session (1 in 100 of "
            + (long) number(settings, "sessions")
            + ")",
        sims.get("sessions"),
        "");
    t.append("\n| what | measured | target |\n| --- | ---: | --- |\n");
    t.append("| journal: driver ceiling, same rows, QUORUM, same concurrency (events/s) | ")
        .append(toJson(ceiling.get("driverEventsPerSecond"), ""))
        .append(" | |\n");
    t.append(
            "| journal: runtime events/s, sessions driven in process (no HTTP, no load generator) | ")
        .append(toJson(ceiling.get("runtimeEventsPerSecond"), ""))
        .append(" | |\n");
    t.append("| journal: runtime / ceiling | ")
        .append(ceiling.get("ratio"))
        .append(" | >= 0.60 |\n");
    t.append(
            "| journal: runtime events/s through HTTP at the maximum rate, Gatling on the same cores | ")
        .append(toJson(ceiling.get("runtimeOverHttpEventsPerSecond"), ""))
        .append(" | |\n");
    t.append("| journal: runtime through HTTP / ceiling | ")
        .append(ceiling.get("ratioOverHttp"))
        .append(" | |\n");
    t.append("| journal path alone: driver ceiling of single rows (events/s) | ")
        .append(toJson(ceiling.get("driverSingleRowEventsPerSecond"), ""))
        .append(" | |\n");
    t.append(
            "| journal path alone: runtime memory writes, one event each, in process (events/s) | ")
        .append(toJson(ceiling.get("runtimeJournalPathEventsPerSecond"), ""))
        .append(" | |\n");
    t.append("| journal path alone: runtime / ceiling | ")
        .append(ceiling.get("ratioJournalPath"))
        .append(" | |\n");
    t.append("| heap per active idle session, ")
        .append((long) (number(memory, "activeSmall") - number(memory, "activeBase")))
        .append(" active | ")
        .append(Math.round(perActiveSmall))
        .append(" B | <= 5 KB |\n");
    t.append("| heap per active idle session, ")
        .append((long) (number(memory, "activeAll") - number(memory, "activeBase")))
        .append(" active | ")
        .append(Math.round(perActive))
        .append(" B | <= 5 KB |\n");
    t.append("| heap per passivated session | ")
        .append(Math.round(perPassivated))
        .append(" B | |\n");
    t.append(
            "| first answer of a passivated 10,050-event session, snapshot at its tip: passivated normally (p50 / p99) | ")
        .append(number(recovery, "withSnapshotP50Ms"))
        .append(" / ")
        .append(number(recovery, "withSnapshotP99Ms"))
        .append(" ms | p99 <= 50 ms |\n");
    if (recovery.contains("afterCrashP99Ms")) {
      t.append(
              "| first answer of a 10,050-event session as after a crash: scheduled snapshot + 51 events (p50 / p99) | ")
          .append(number(recovery, "afterCrashP50Ms"))
          .append(" / ")
          .append(number(recovery, "afterCrashP99Ms"))
          .append(" ms | |\n");
    }
    t.append("| first answer of a passivated 10,050-event session, events only (p50 / p99) | ")
        .append(number(recovery, "withoutSnapshotP50Ms"))
        .append(" / ")
        .append(number(recovery, "withoutSnapshotP99Ms"))
        .append(" ms | |\n");
    return t.toString();
  }

  static void row(StringBuilder t, String name, Object stats, String target) {
    String s = toJson(stats, "");
    t.append("| ")
        .append(name)
        .append(" | ")
        .append((long) number(s, "requests"))
        .append(" | ")
        .append((long) number(s, "errors"))
        .append(" | ")
        .append(number(s, "rate"))
        .append(" | ")
        .append((long) number(s, "p50"))
        .append(" | ")
        .append((long) number(s, "p95"))
        .append(" | ")
        .append((long) number(s, "p99"))
        .append(" | ")
        .append((long) number(s, "max"))
        .append(" | ")
        .append(target)
        .append(" |\n");
  }

  static Map<String, Object> machine() throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    m.put(
        "commit",
        git("rev-parse", "--short", "HEAD")
            + (git("status", "--porcelain", "--untracked-files=no").isEmpty() ? "" : "-dirty"));
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put(
        "cpu",
        Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
            .filter(l -> l.startsWith("model name"))
            .map(l -> l.substring(l.indexOf(':') + 1).trim())
            .findFirst()
            .orElse("unknown"));
    m.put(
        "memoryBytes",
        Files.readAllLines(Path.of("/proc/meminfo")).stream()
            .filter(l -> l.startsWith("MemTotal"))
            .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024)
            .findFirst()
            .orElse(0L));
    m.put(
        "java",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put(
        "loadAverage",
        round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2));
    return m;
  }

  static String git(String... args) throws Exception {
    Process p =
        new ProcessBuilder(Stream.concat(Stream.of("git"), Stream.of(args)).toList())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    return p.waitFor() == 0 ? out : "unknown";
  }

  // ---- minimal JSON -----------------------------------------------------------------------------

  /** A flat JSON object of numbers and strings (what the bench's pieces are), in order. */
  static Map<String, Object> flat(String json) {
    Map<String, Object> map = new LinkedHashMap<>();
    Matcher m = Pattern.compile("\"([^\"]+)\"\\s*:\\s*(\"[^\"]*\"|[-0-9.eE+]+)").matcher(json);
    while (m.find()) {
      String v = m.group(2);
      map.put(
          m.group(1),
          v.startsWith("\"") ? v.substring(1, v.length() - 1) : (Object) Double.parseDouble(v));
    }
    return map;
  }

  static String capitalized(String name) {
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  static double number(String json, String key) {
    Matcher m =
        Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*(-?[0-9.eE+-]+)").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no number '" + key + "' in " + json);
    }
    return Double.parseDouble(m.group(1));
  }

  static double round(double value, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(value * f) / f;
  }

  static String toJson(Object value, String indent) {
    if (value instanceof Map<?, ?> map) {
      String inner = indent + "  ";
      return map.entrySet().stream()
          .map(e -> inner + "\"" + e.getKey() + "\": " + toJson(e.getValue(), inner))
          .collect(Collectors.joining(",\n", "{\n", "\n" + indent + "}"));
    }
    if (value instanceof String s) {
      return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return String.valueOf(value);
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + p, e);
    }
  }
}
