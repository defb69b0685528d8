package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.testing.FakeOpenAiServer.call;
import static io.agentruntime.runtime.testing.FakeOpenAiServer.text;
import static io.agentruntime.runtime.testing.FakeOpenAiServer.toolCalls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.directory.InMemorySessionDirectory;
import io.agentruntime.runtime.model.ConfiguredModelProviders;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.FakeReply;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import io.agentruntime.runtime.tools.RoutingToolExecutor;
import io.agentruntime.runtime.tools.ToolConnection;
import io.agentruntime.runtime.tools.ToolSettings;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The model's and the tools' replies are hostile input too. Over real HTTP, with the runtime's own
 * OpenAI-compatible client and HTTP tool client, and a journal that serializes every event:
 * malformed tool-call arguments, unknown tool names, oversized, deeply nested or non-Unicode tool
 * results, a tool that hangs, and a model answering garbage or a cut-off stream. Each turn ends by
 * itself with a clear outcome in the transcript (every tool call exactly one), and the session
 * takes the next message; a hanging tool's call is in doubt, and its turn waits for an approver.
 */
class HostileRepliesTest {

  private static final Caller ADA = new Caller("ada", false, true);
  private static final FakeOpenAiServer model = FakeOpenAiServer.start();
  private static final RecordingToolServer tool = RecordingToolServer.start();
  private static ActorTestKit testKit;
  private static Sessions sessions;
  private static RoutingToolExecutor tools;

  @BeforeAll
  static void start() {
    Config config =
        ConfigFactory.parseString(
                """
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = "127.0.0.1"
            pekko.remote.artery.canonical.port = 0
            pekko.loglevel = WARNING
            agent-runtime.models.default.model = "fake-model"
            agent-runtime.models.provider-defaults.timeout = 3s
            agent-runtime.models.provider-defaults.max-attempts = 2
            agent-runtime.models.provider-defaults.initial-backoff = 50ms
            agent-runtime.tools.default-timeout = 2s
            agent-runtime.turns.tool-timeout = 3s
            agent-runtime.turns.max-tool-result-size = 64KiB
            """)
            .withFallback(
                ConfigFactory.parseMap(
                    Map.of("agent-runtime.models.default.base-url", model.baseUrl())))
            .withFallback(PersistenceTestKitPlugin.config())
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.load());
    testKit = ActorTestKit.create("HostileRepliesTest", config);
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    tools =
        RoutingToolExecutor.create(
            ToolSettings.fromConfig(config),
            JacksonObjectMapperProvider.get(testKit.system())
                .getOrCreate("agent-runtime-tools", Optional.empty()));
    sessions =
        Sessions.start(
            testKit.system(),
            SessionRuntime.of(
                config,
                new InMemorySessionDirectory(),
                ConfiguredModelProviders.fromConfig(config),
                tools));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    tools.close();
    model.close();
    tool.close();
  }

  @Test
  void malformedToolCallArgumentsFailTheCallWithoutCallingTheTool() throws Exception {
    Outcome o =
        turn(
            List.of(toolCalls(call("c1", "lookup", "{\"order\": 42,")), text("sorry")),
            "/lookup",
            Reply.json("{}"));
    assertEquals(TurnStatus.COMPLETED, o.turn.status(), o.toString());
    o.assertToolOutcome("failed", "argument");
    assertEquals(0, tool.count(o.path), "never called with arguments it could not read");
  }

  @Test
  void anUnknownToolNameFailsTheCall() throws Exception {
    Outcome o =
        turn(
            List.of(
                toolCalls(call("c1", "no_such_tool", "{}"), call("c2", "x".repeat(5000), "{}")),
                text("ok")),
            "/lookup",
            Reply.json("{}"));
    assertEquals(TurnStatus.COMPLETED, o.turn.status(), o.toString());
    assertEquals(2, o.toolOutcomes().size(), o.toString());
    o.toolOutcomes()
        .forEach(
            e -> assertTrue(List.of("failed", "rejected").contains(e.outcome()), o.toString()));
  }

  @Test
  void anOversizedToolResultFailsTheCall() throws Exception {
    Outcome o =
        turn(
            List.of(toolCalls(call("c1", "lookup", "{}")), text("done")),
            "/big",
            Reply.largeJson(1_000_000));
    assertEquals(TurnStatus.COMPLETED, o.turn.status(), o.toString());
    o.assertToolOutcome("failed", "");
  }

  /**
   * Decision 0016 changed this test: it pinned "a hanging tool's call fails". The request reached
   * the tool, so its outcome is unknown: the call is in doubt, and the turn, which never hangs,
   * waits for an approver; once one fails the call, the turn goes on and completes.
   */
  @Test
  void aToolThatHangsTimesOutIntoDoubtAndTheTurnWaitsForAnApprover() throws Exception {
    String session = "hostile-" + UUID.randomUUID().toString().substring(0, 8);
    String path = "/" + session + "/hang";
    tool.script(path, Reply.hang());
    create(session, path);
    model.enqueue(toolCalls(call("c1", "lookup", "{}")), text("done"));
    String turnId = message(session, "go");

    Turn waiting = await(session, turnId, t -> t.status() == TurnStatus.AWAITING_APPROVAL);
    List<Approval> approvals =
        assertInstanceOf(
                SessionReply.ApprovalList.class,
                ask(session, r -> new SessionCommand.ListApprovals(ADA, r)))
            .approvals();
    assertEquals(1, approvals.size(), approvals::toString);
    assertEquals(Approval.IN_DOUBT, approvals.get(0).reason());
    assertEquals(1, tool.count(path), "sent once, never again by itself");

    ask(
        session,
        r -> new SessionCommand.DecideApproval(ADA, approvals.get(0).id(), "fail", null, null, r));
    Turn ended = await(session, turnId, t -> t.status().terminal());
    assertEquals(TurnStatus.COMPLETED, ended.status(), waiting + " then " + ended);
    assertEquals(1, tool.count(path));
    model.clearReplies();
  }

  @Test
  void aToolResultThatIsNotUnicodeOrNestsTooDeepStillEndsTheCall() throws Exception {
    for (String body :
        List.of(
            "{\"r\": \"bad \\ud800 text\"}",
            "{\"\\udc00\": 1}",
            "[".repeat(999) + "]".repeat(999))) {
      Outcome o =
          turn(
              List.of(toolCalls(call("c1", "lookup", "{}")), text("done")),
              "/odd",
              Reply.json(body));
      assertTrue(o.turn.status().terminal(), o.toString());
      assertEquals(1, o.toolOutcomes().size(), o.toString());
    }
  }

  @Test
  void aModelThatAnswersGarbageOrACutOffStreamFailsTheTurnClearly() throws Exception {
    List<FakeReply> garbage =
        List.of(
            FakeReply.rawStream("data: {this is not json\n\n"),
            FakeReply.rawStream(
                "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"half\"}}]}\n\n"),
            FakeReply.rawStream("<html>gateway</html>"),
            FakeReply.status(200, "not json"),
            FakeReply.disconnect());
    for (FakeReply reply : garbage) {
      Outcome o = turn(List.of(reply, reply, reply), "/lookup", Reply.json("{}"));
      assertTrue(o.turn.status().terminal(), o.toString());
      if (o.turn.status() == TurnStatus.FAILED) {
        assertFalse(o.turn.error().message().isBlank(), o.toString());
      }
    }
  }

  @Test
  void aModelReplyThatIsNotUnicodeOrNestsTooDeepStillEndsTheTurn() throws Exception {
    // On the wire as a JSON escape, which is how a lone surrogate reaches a client.
    String chunk =
        "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\"bad \\ud800 text\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
    Outcome repaired = turn(List.of(FakeReply.rawStream(chunk)), "/lookup", Reply.json("{}"));
    assertEquals(TurnStatus.COMPLETED, repaired.turn.status(), repaired.toString());
    assertEquals("bad \uFFFD text", repaired.turn.output());

    List<List<FakeReply>> scripts =
        List.of(
            List.of(toolCalls(call("c1", "lookup", "{\"a\": \"\\ud800\"}")), text("ok")),
            List.of(toolCalls(call("c1", "lookup", "[".repeat(999) + "]".repeat(999))), text("ok")),
            List.of(
                toolCalls(
                    call(
                        "c1",
                        "memory_write",
                        "{\"key\": \"k\", \"value\": " + "[".repeat(990) + "]".repeat(990) + "}")),
                text("ok")));
    for (List<FakeReply> script : scripts) {
      Outcome o = turn(script, "/lookup", Reply.json("{}"));
      assertTrue(o.turn.status().terminal(), o.toString());
    }
  }

  /** What one turn came to: the turn, the transcript, the tool's path. */
  private record Outcome(String session, Turn turn, List<TranscriptEntry> transcript, String path) {
    List<TranscriptEntry> toolOutcomes() {
      return transcript.stream().filter(e -> "tool".equals(e.role())).toList();
    }

    void assertToolOutcome(String outcome, String messagePart) {
      List<TranscriptEntry> outcomes = toolOutcomes();
      assertEquals(1, outcomes.size(), toString());
      assertEquals(outcome, outcomes.get(0).outcome(), toString());
      assertTrue(
          outcomes.get(0).content() != null && outcomes.get(0).content().contains(messagePart),
          toString());
    }
  }

  /**
   * A fresh session with the HTTP tool {@code lookup} at {@code path} answering {@code reply}, the
   * model scripted with {@code replies}: one message, the turn awaited to its end, and then a
   * second message that must complete (the session still works).
   */
  private static Outcome turn(List<FakeReply> replies, String toolPath, Reply reply)
      throws Exception {
    String session = "hostile-" + UUID.randomUUID().toString().substring(0, 8);
    String path = "/" + session + toolPath;
    tool.script(path, reply);
    create(session, path);
    model.enqueue(replies.toArray(FakeReply[]::new));
    Turn ended = await(session, message(session, "go"));
    List<TranscriptEntry> transcript =
        assertInstanceOf(
                SessionReply.TranscriptFound.class,
                ask(session, r -> new SessionCommand.GetTranscript(ADA, r)))
            .messages();
    Outcome outcome = new Outcome(session, ended, transcript, path);
    long calls = transcript.stream().flatMap(e -> e.toolCalls().stream()).count();
    assertEquals(
        calls,
        outcome.toolOutcomes().size(),
        "every tool call has exactly one outcome: " + outcome);

    model.clearReplies(); // a turn that ended early leaves replies of its script unused
    model.enqueue(text("still here"));
    Turn next = await(session, message(session, "again"));
    assertEquals(
        TurnStatus.COMPLETED,
        next.status(),
        "the session takes the next message: " + next + " after " + outcome);
    return outcome;
  }

  /** Creates session {@code session} with the HTTP tool {@code lookup} at {@code path}, allowed. */
  private static void create(String session, String path) throws Exception {
    SessionSpec spec =
        new SessionSpec(
            new AgentDefinition("", "default", new Limits(3, 30, 0, null)),
            List.of(
                new ToolConnection.Http("lookup", tool.url(path), "Looks up", null, false, null)),
            new PermissionPolicy(Map.of("*", Permission.ALLOW)),
            Map.of(),
            Map.of());
    assertInstanceOf(
        SessionReply.Created.class,
        ask(
            session,
            r ->
                new SessionCommand.CreateSession(
                    ADA, spec, SessionCommand.CreateMode.CREATE_NEW, r)));
  }

  private static String message(String session, String content) throws Exception {
    SessionReply accepted =
        ask(session, r -> new SessionCommand.SendUserMessage(ADA, content, OnBusy.QUEUE, null, r));
    return assertInstanceOf(SessionReply.TurnAccepted.class, accepted, accepted::toString)
        .turn()
        .id();
  }

  private static Turn await(String session, String turnId) throws Exception {
    return await(session, turnId, t -> t.status().terminal());
  }

  private static Turn await(String session, String turnId, java.util.function.Predicate<Turn> until)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      SessionReply found = ask(session, r -> new SessionCommand.GetTurn(ADA, turnId, r));
      Turn turn = assertInstanceOf(SessionReply.TurnFound.class, found, found::toString).turn();
      if (until.test(turn)) {
        return turn;
      }
      assertTrue(System.nanoTime() < deadline, "the turn did not end by itself: " + turn);
      Thread.sleep(50);
    }
  }

  private static SessionReply ask(
      String session, Function<ActorRef<SessionReply>, SessionCommand> command) throws Exception {
    return sessions.ask("acme", session, command).toCompletableFuture().get(15, TimeUnit.SECONDS);
  }
}
