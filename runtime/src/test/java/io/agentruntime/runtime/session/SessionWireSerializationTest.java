package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.OPERATOR;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import com.fasterxml.jackson.databind.node.TextNode;
import io.agentruntime.runtime.model.ModelReply;
import io.agentruntime.runtime.model.ToolCall;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.tools.ToolConnection;
import io.agentruntime.runtime.tools.ToolResult;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Commands, replies and snapshots cross nodes and the snapshot store as jackson-cbor: every type
 * must come back equal from Pekko's real serialization, actor references included.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionWireSerializationTest {

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName("SessionWireSerializationTest")
          .withCustomConfig(Fixtures.QUIET)
          .build();

  private List<SessionReply> replies() {
    return List.of(
        new SessionReply.Created(SessionSummary.of(Samples.view())),
        new SessionReply.Current(
            SessionSummary.of(
                "s-2",
                SessionState.empty()
                    .apply(
                        new SessionEvent.SessionCreated(
                            Samples.OWNER, Samples.spec(), Samples.AT)))),
        new SessionReply.MemoryValue("prefs", json("{\"a\":[1,2.5,null]}")),
        new SessionReply.ViewStream(
            Source.<ViewPart>single(ViewPart.head(Samples.view()))
                .runWith(StreamRefs.sourceRef(), testKit.system())),
        new SessionReply.TranscriptFound(List.of(Samples.toolResultEntry()), 41L),
        new SessionReply.TurnAccepted(Turn.queued("turn_1", Samples.AT), true),
        new SessionReply.TurnFound(Samples.cancelledTurn()),
        new SessionReply.TurnList(
            List.of(Samples.completedTurn(), Samples.cancelledTurn()), "turn_0a1b2c"),
        new SessionReply.TurnList(List.of(), null),
        new SessionReply.TranscriptFound(
            List.of(
                TranscriptEntry.user(6, "turn_3d4e5f", "hi"),
                Samples.toolCallEntry(),
                Samples.toolResultEntry())),
        new SessionReply.Rejected(Problem.notFound()),
        new SessionReply.Rejected(Problem.invalid("memory.k", "memory.k must match")),
        new SessionReply.Rejected(
            new Problem(Problem.Kind.LIMIT, "budget_exhausted", "spent", null)),
        new SessionReply.Current(SessionSummary.of("s-3", Samples.busyState())),
        new SessionReply.TurnFound(Samples.busyState().turn("turn_3d4e5f").orElseThrow()),
        new SessionReply.ApprovalList(Samples.busyState().pendingApprovals()),
        new SessionReply.ApprovalList(List.of()),
        new SessionReply.ApprovalDecided(Samples.busyState().approval("appr_1a2b3c").orElseThrow()),
        new SessionReply.Subscribed(42),
        new SessionReply.Glanced(SessionView.glance("s-3", Samples.busyState())),
        new SessionReply.Erased("s-2"),
        new SessionReply.Rejected(
            new Problem(Problem.Kind.UNAVAILABLE, "erase_incomplete", "retry", null)));
  }

  /**
   * The replies as they are, and as an entity in a cluster sends them: wrapped with its node's
   * name.
   */
  private List<SessionReply> plainAndHostedReplies() {
    return Stream.concat(
            replies().stream(),
            replies().stream().map(reply -> new SessionReply.Hosted("127.0.0.2:25520", reply)))
        .toList();
  }

  private List<SessionCommand> commands(ActorRef<SessionReply> replyTo) {
    return List.of(
        new SessionCommand.CreateSession(ADA, Samples.spec(), CreateMode.CREATE_OR_MATCH, replyTo),
        new SessionCommand.GetSession(OPERATOR, replyTo),
        new SessionCommand.CloseSession(ADA, replyTo),
        new SessionCommand.SuspendSession(OPERATOR, "incident 7 ✓", replyTo),
        new SessionCommand.SuspendSession(OPERATOR, null, replyTo),
        new SessionCommand.ResumeSession(OPERATOR, replyTo),
        new SessionCommand.TerminateSession(OPERATOR, replyTo),
        new SessionCommand.EraseSession(OPERATOR, replyTo),
        new InternalCommand.ErasureEnded("java.util.concurrent.TimeoutException", 7),
        new InternalCommand.ErasureEnded(null, DeferredReplies.NOBODY),
        new SessionCommand.WriteMemory(ADA, "prefs", json("{\"a\":[1,2.5,null]}"), replyTo),
        new SessionCommand.Expiring(
            new SessionCommand.WriteMemory(ADA, "k", json("1"), replyTo), 1_700_000_000_000L),
        new SessionCommand.DeleteMemory(ADA, "prefs", replyTo),
        new SessionCommand.Keyed(
            new SessionCommand.WriteMemory(ADA, "k", json("[1,\"✓\"]"), replyTo),
            "idem-7",
            "0123456789abcdef0123456789abcdef"),
        new SessionCommand.ConnectTool(ADA, Samples.spec().tools().get(1), replyTo),
        new SessionCommand.DisconnectTool(ADA, "files", replyTo),
        new SessionCommand.ChangePermissions(ADA, Samples.spec().permissions(), replyTo),
        new SessionCommand.UpdateSession(
            ADA, Samples.spec().agent(), Samples.spec().metadata(), replyTo),
        new SessionCommand.SendUserMessage(ADA, "hello", OnBusy.INTERRUPT, "idem-1", replyTo),
        new SessionCommand.SendUserMessage(ADA, "hello", null, null, replyTo),
        new SessionCommand.SendUserMessage(
            ADA, "hello", OnBusy.QUEUE, null, "turn_9a8b", 1_790_000_000_000L, replyTo),
        new SessionCommand.GetTurn(ADA, "turn_1", replyTo),
        new SessionCommand.ListTurns(ADA, 20, "turn_1", replyTo),
        new SessionCommand.GetTranscript(ADA, replyTo),
        new SessionCommand.GetTranscript(ADA, 41, 100, replyTo),
        new SessionCommand.GetMemory(ADA, "prefs", replyTo),
        new InternalCommand.DirectoryWritten(3),
        new SessionCommand.CancelTurn(ADA, "turn_1", replyTo),
        new SessionCommand.SubmitToolResult(
            ADA, "turn_1", "call_1", true, TextNode.valueOf("42 ✓"), null, replyTo),
        new SessionCommand.ListApprovals(ADA, replyTo),
        new SessionCommand.DecideApproval(
            new Caller("ada", false, true), "appr_1", "approve", "fine ✓", null, replyTo),
        new SessionCommand.DecideApproval(
            OPERATOR, "appr_2", "result", null, json("{\"sent\":true,\"n\":[1,2.5]}"), replyTo),
        new SessionCommand.Subscribe(ADA, null, replyTo),
        new SessionCommand.Glance(ADA, null, replyTo),
        new SessionCommand.AwaitTurn(ADA, "turn_3d4e5f", replyTo),
        new SessionCommand.AwaitTurn(ADA, "turn_3d4e5f", 1_790_000_000_000L, replyTo),
        new SessionCommand.Unsubscribe(null),
        new SessionCommand.Wake(1_790_000_000_000L),
        new InternalCommand.PublishDelta("turn_1", "Hel"),
        new InternalCommand.ResumeWork(),
        new InternalCommand.HandOff(),
        new InternalCommand.HandOffTimedOut(),
        // Malformed arguments (null) would read back as a JSON null: this command never leaves the
        // entity.
        new InternalCommand.ModelAnswered(
            "turn_1",
            2,
            new ModelReply(
                "Let me look",
                List.of(
                    ToolCall.fromRaw("call_1", "lookup", "{\"q\":\"x\"}"),
                    ToolCall.fromRaw("call_2", "memory_read", "")),
                12,
                3)),
        new InternalCommand.ModelAnswered(
            "turn_1",
            3,
            new ModelReply("done", List.of(), 1, 1),
            new TenantPolicy(new PermissionPolicy(java.util.Map.of("wipe", Permission.DENY)))),
        new InternalCommand.CeilingRead(
            new SessionCommand.DecideApproval(
                new Caller("ada", false, true), "appr_1", "approve", null, null, replyTo),
            TenantPolicy.NONE,
            1_790_000_000_000L),
        new InternalCommand.CeilingRead(
            new SessionCommand.Keyed(
                new SessionCommand.DecideApproval(
                    new Caller("ada", false, true), "appr_1", "approve", null, null, replyTo),
                "key-1",
                "fp-1"),
            null,
            1_790_000_000_000L),
        new InternalCommand.ModelFailed("turn_1", 1, "model_timeout", "no answer in 120 s"),
        new InternalCommand.ToolFinished(
            "turn_1", "call_1", new ToolResult.Succeeded(json("{\"open\":2}"))),
        new InternalCommand.ToolFinished(
            "turn_1", "call_2", new ToolResult.Failed("tool_http_error", "HTTP 502")),
        new InternalCommand.ToolFinished(
            "turn_1", "call_3", new ToolResult.Unknown("tool_timeout", "no answer within PT30S")),
        new InternalCommand.RetryDue("tool/turn_1/call_3"),
        new InternalCommand.TurnDeadlinePassed("turn_1"),
        new InternalCommand.BudgetReached("turn_1", 2),
        new InternalCommand.RateLimitReached(
            "turn_1",
            "call_1",
            "idem_1",
            io.agentruntime.runtime.ratelimits.RateLimitHit.over("hour", 10, 10)),
        new InternalCommand.BudgetReached(
            "turn_1",
            2,
            new Budgets.Exceeded(
                Budgets.MONTHLY_COST,
                0,
                0,
                new java.math.BigDecimal("1.5"),
                new java.math.BigDecimal("1.75"))),
        new InternalCommand.TenantMonthRead("model/turn_1/2"),
        new InternalCommand.TenantChecked(),
        new InternalCommand.FiringsClear("turn_sched_1_1767225600000"),
        new InternalCommand.AnswerDue(4),
        new InternalCommand.ApprovalDeadlinePassed("appr_1"),
        new InternalCommand.ClientCallDeadlinePassed("turn_1", "call_1"),
        new InternalCommand.IdleCheck(),
        new InternalCommand.ReadyToPassivate(10051),
        new InternalCommand.ListStatus());
  }

  /** Commands that carry a follower besides the one to reply to. */
  private List<SessionCommand> withFollower(
      ActorRef<SessionReply> replyTo, ActorRef<StreamItem> follower) {
    return commands(replyTo).stream()
        .map(
            c ->
                c instanceof SessionCommand.Subscribe s
                    ? new SessionCommand.Subscribe(s.caller(), follower, replyTo)
                    : c instanceof SessionCommand.Unsubscribe
                        ? new SessionCommand.Unsubscribe(follower)
                        : c)
        .toList();
  }

  private Object roundTrip(Object value) {
    var serialization = SerializationExtension.get(testKit.system().classicSystem());
    Serializer serializer = serialization.findSerializerFor(value);
    assertEquals(
        SessionEventSerializationTest.JACKSON_CBOR,
        serializer.identifier(),
        value.getClass().getName());
    // serialize (unlike Serializer.toBinary) provides the transport information actor refs need.
    byte[] bytes = serialization.serialize(value).get();
    return serialization
        .deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, value))
        .get();
  }

  private static Set<Class<?>> typesOf(List<?> values) {
    return values.stream().map(Object::getClass).collect(Collectors.toSet());
  }

  /** The records of a sealed family, through its sealed sub-interfaces. */
  static Set<Class<?>> leaves(Class<?> sealed) {
    return Stream.of(sealed.getPermittedSubclasses())
        .flatMap(c -> c.isSealed() ? leaves(c).stream() : Stream.of(c))
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  @Test
  void theSamplesCoverEveryReplyAndCommandType() {
    assertEquals(
        Set.of(SessionReply.class.getPermittedSubclasses()), typesOf(plainAndHostedReplies()));
    assertEquals(leaves(SessionCommand.class), typesOf(commands(null)));
  }

  @TestFactory
  Stream<DynamicTest> everyReplySurvivesARoundTrip() {
    return plainAndHostedReplies().stream()
        .map(
            reply ->
                DynamicTest.dynamicTest(
                    reply.toString(),
                    () -> {
                      Object back = roundTrip(reply);
                      assertEquals(reply, back);
                      assertNotSame(reply, back);
                    }));
  }

  @TestFactory
  Stream<DynamicTest> everyCommandSurvivesARoundTripWithItsReplyTo() {
    ActorRef<SessionReply> probe = testKit.<SessionReply>createTestProbe().ref();
    ActorRef<StreamItem> follower = testKit.<StreamItem>createTestProbe().ref();
    return withFollower(probe, follower).stream()
        .map(
            command ->
                DynamicTest.dynamicTest(
                    command.getClass().getSimpleName(),
                    () -> assertEquals(command, roundTrip(command))));
  }

  @Test
  void aDecisionWithoutAResultMeansTheSameOnEveryNode() {
    var decision =
        new SessionCommand.DecideApproval(ADA, "appr_1", "result", null, json("null"), null);
    assertEquals(null, decision.result());
    assertEquals(decision, roundTrip(decision));
  }

  @Test
  void aReplyToFromTheWireStillReachesTheAsker() {
    var probe = testKit.<SessionReply>createTestProbe();
    var command =
        (SessionCommand.GetSession) roundTrip(new SessionCommand.GetSession(ADA, probe.ref()));
    command.replyTo().tell(new SessionReply.Rejected(Problem.notFound()));
    probe.expectMessage(new SessionReply.Rejected(Problem.notFound()));
  }

  @Test
  void theStateSurvivesARoundTripAsASnapshot() {
    SessionState state = Samples.state();
    assertEquals(state, roundTrip(state));
    assertEquals(SessionState.empty(), roundTrip(SessionState.empty()));
  }

  @Test
  void aSnapshotTakenInTheMiddleOfATurnKeepsItsCallsApprovalsAndDeadline() {
    SessionState busy = Samples.busyState();
    assertEquals(3, busy.pendingCalls().size(), busy::toString);
    assertEquals(2, busy.pendingApprovals().size(), busy::toString);
    assertEquals(TurnStatus.AWAITING_APPROVAL, busy.activeTurn().orElseThrow().status());
    assertEquals(busy, roundTrip(busy));
  }

  @Test
  void toolConnectionsKeepTheirKindOnTheWire() {
    SessionState state = Samples.state();
    SessionState back = (SessionState) roundTrip(state);
    assertEquals(
        Map.of("files", ToolConnection.Mcp.class, "send_email", ToolConnection.Http.class),
        back.tools().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getClass())));
  }

  @Test
  void enumsAndPolymorphicFieldsUseTheirStableNamesNotClassNames() throws Exception {
    var mapper =
        org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider.get(
                testKit.system().classicSystem())
            .getOrCreate("jackson-json", java.util.Optional.empty());
    String json = mapper.writeValueAsString(Samples.view());
    for (String expected :
        List.of(
            "\"kind\":\"http\"",
            "\"kind\":\"mcp\"",
            "\"status\":\"idle\"",
            "\"memory_write\":\"deny\"",
            "\"status\":\"queued\"")) {
      assertEquals(true, json.contains(expected), () -> expected + " in " + json);
    }
    assertEquals(false, json.contains("ToolConnection$"), json);
    assertEquals(
        Arrays.asList(TurnStatus.values()),
        Arrays.stream(TurnStatus.values())
            .map(s -> mapper.convertValue(s.wireName(), TurnStatus.class))
            .toList());
  }
}
