package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.FakeModel.call;
import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.OPERATOR;
import static io.agentruntime.runtime.session.Fixtures.TENANT;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.runtime.metrics.SessionMetrics;
import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.tools.ToolConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Writes the journal fixture that {@code JournalFromFd1131aTest} recovers: three sessions driven
 * through a realistic workflow on the in-memory journal, every persisted event as the bytes a
 * journal stores (serializer id, manifest, base64), and the answers of the read commands
 * afterwards. It was run on commit fd1131a; the code it drives has not changed its API since, so it
 * regenerates from any checkout. It writes only when {@code -Djournal.fixture.out=DIR} is set, and
 * is no {@code *Test}, so the build never runs it by itself:
 *
 * <pre>
 * mvn -B -q -pl runtime -am test -Dtest=JournalFixtureGenerator \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Djournal.fixture.out=$PWD/fixture-out
 * </pre>
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JournalFixtureGenerator {

  static final String OUT = "journal.fixture.out";
  static final String JOURNAL = "journal.jsonl";
  static final String EXPECTED = "expected.json";

  /** The one caller the read commands are asked as, in the generator and in the test. */
  static final Caller READER = ADA;

  /** Ada on her own session, with the approver role. */
  private static final Caller ADA_APPROVER = new Caller("ada", false, true);

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName("JournalFixtureGenerator")
          .withCustomConfig(EventSourcedBehaviorTestKit.config().withFallback(Fixtures.QUIET))
          .build();

  /** Tools of every kind and a policy that asks for send_email and denies delete_repo. */
  static SessionSpec spec() {
    return new SessionSpec(
        new AgentDefinition(
            "You are a support agent.\nBe brief.", "default", new Limits(3, 600, 0, null)),
        List.of(
            http("lookup", true),
            http("send_email", false),
            http("charge_card", false),
            http("delete_repo", false),
            new ToolConnection.Mcp(
                "files",
                "http://127.0.0.1:9000/mcp",
                List.of("search"),
                "MCP_TOKEN",
                List.of(
                    new ToolSpec(
                        "files__search",
                        "Searches files",
                        json(
                            "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}"))))),
        new PermissionPolicy(
            Map.of(
                "send_email",
                Permission.ASK,
                "delete_repo",
                Permission.DENY,
                "*",
                Permission.ALLOW)),
        Map.of("user_name", json("\"Ada\""), "visits", json("3")),
        Map.of("team", "support"));
  }

  private static ToolConnection.Http http(String name, boolean idempotent) {
    return new ToolConnection.Http(
        name, "http://tools.internal/" + name, "Calls " + name, null, idempotent, null);
  }

  /** One session entity on the in-memory journal with its own fakes, clock and shard probe. */
  private final class Session {
    final String sessionId;
    final MutableClock clock = new MutableClock(Fixtures.T0);
    final FakeModel model = new FakeModel();
    final FakeTools tools = new FakeTools();
    final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    final EventSourcedBehaviorTestKit<SessionCommand, SessionEvent, SessionState> kit;

    Session(String sessionId) {
      this.sessionId = sessionId;
      SessionRuntime runtime =
          new SessionRuntime(
              SessionSettings.fromConfig(testKit.system().settings().config()),
              SessionEntityTestSupport.TURNS,
              new RecordingDirectory(),
              model,
              tools,
              clock,
              SessionMetrics.NONE);
      kit =
          EventSourcedBehaviorTestKit.create(
              testKit.system(),
              SessionEntity.create(SessionEntity.entityId(TENANT, sessionId), runtime, shard.ref()),
              EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    }

    String persistenceId() {
      return PersistenceId.of(
              SessionEntity.TYPE_KEY.name(), SessionEntity.entityId(TENANT, sessionId))
          .id();
    }

    /** Moves the clock on a second, so that every step has its own time. */
    void tick() {
      clock.advance(Duration.ofSeconds(1));
    }

    SessionReply run(Function<ActorRef<SessionReply>, SessionCommand> command) {
      tick();
      return kit.<SessionReply>runCommand(command::apply).reply();
    }

    void create() {
      assertInstanceOf(
          SessionReply.Created.class,
          run(r -> new SessionCommand.CreateSession(ADA, spec(), CreateMode.CREATE_NEW, r)));
    }

    Turn send(String content, String idempotencyKey) {
      return assertInstanceOf(
              SessionReply.TurnAccepted.class,
              run(
                  r ->
                      new SessionCommand.SendUserMessage(
                          ADA, content, OnBusy.QUEUE, idempotencyKey, r)))
          .turn();
    }

    /** The one approval waiting for a decision. */
    Approval pending() {
      List<Approval> approvals =
          assertInstanceOf(
                  SessionReply.ApprovalList.class,
                  run(r -> new SessionCommand.ListApprovals(ADA, r)))
              .approvals();
      assertEquals(1, approvals.size(), () -> "approvals: " + approvals);
      return approvals.get(0);
    }

    void decide(String decision) {
      String id = pending().id();
      assertInstanceOf(
          SessionReply.ApprovalDecided.class,
          run(
              r ->
                  new SessionCommand.DecideApproval(
                      ADA_APPROVER, id, decision, "checked by ada", null, r)));
    }

    /**
     * Waits until the entity has taken in what a fake just answered (enqueued as the fake
     * completed), then moves the clock on: the other way round, the time journaled would depend on
     * which thread came first.
     */
    void settle() {
      kit.getState();
      tick();
    }

    TurnStatus status(Turn turn) {
      return kit.getState().turn(turn.id()).orElseThrow().status();
    }
  }

  /**
   * Every event type the API can journal: memory, tools, permissions; tool calls that succeed,
   * fail, are denied by policy, wait for approval then are granted, denied or expire; a queued
   * message; an in-doubt call retried after a crash; a cancelled turn; suspend and resume; a turn
   * out of steps; a passivation marker; close.
   */
  private Session closedAfterAFullLife() {
    Session s = new Session("journal-full");
    s.create();
    s.run(
        r ->
            new SessionCommand.WriteMemory(
                ADA,
                "prefs",
                json(
                    "{\"ratio\":0.5,\"big\":12345678901,\"tags\":[\"a\",null,true],\"t\":\"naïve ✓\"}"),
                r));
    s.run(r -> new SessionCommand.WriteMemory(ADA, "scratch", json("\"tmp\""), r));
    s.run(r -> new SessionCommand.DeleteMemory(ADA, "scratch", r));
    s.run(r -> new SessionCommand.ConnectTool(ADA, http("weather", true), r));
    s.run(
        r ->
            new SessionCommand.ChangePermissions(
                ADA,
                new PermissionPolicy(
                    Map.of(
                        "send_email",
                        Permission.ASK,
                        "delete_repo",
                        Permission.DENY,
                        "weather",
                        Permission.ALLOW,
                        "*",
                        Permission.ALLOW)),
                r));

    // A call that succeeds, one asked about, granted, then failing, one the policy denies; a
    // message queued behind the turn.
    Turn first = s.send("Find my open tickets and mail Bob about them", "idem-1");
    s.model
        .call(1)
        .callTools(
            call("c1", "lookup", "{\"q\":\"open\"}"),
            call("c2", "send_email", "{\"to\":\"bob@example.com\",\"body\":\"1 ticket\"}"),
            call("c3", "delete_repo", "{\"repo\":\"old\"}"));
    s.settle();
    Turn queued = s.send("And the weather in Oslo?", null);
    s.tools.invocation(1).succeed(json("{\"tickets\":[{\"id\":7,\"open\":true}],\"total\":1}"));
    s.settle();
    s.decide("approve");
    s.tools.invocation(2).fail("tool_http_error", "HTTP 502 from tools.internal");
    s.settle();
    s.model.call(2).answer("You have 1 open ticket; the mail to Bob failed.");
    s.settle();
    assertEquals(TurnStatus.COMPLETED, s.status(first));

    s.model.call(3).callTools(call("w1", "weather", "{\"city\":\"Oslo\"}"));
    s.settle();
    s.tools.invocation(3).succeed(json("{\"celsius\":-3.5}"));
    s.settle();
    s.model.call(4).answer("-3.5 °C in Oslo ✓");
    s.settle();
    assertEquals(TurnStatus.COMPLETED, s.status(queued));

    // Asked about and denied.
    s.send("Mail Bob again", null);
    s.model.call(5).callTools(call("m1", "send_email", "{\"to\":\"bob@example.com\"}"));
    s.settle();
    s.decide("deny");
    s.model.call(6).answer("I did not send it.");
    s.settle();

    // Asked about, and nobody decided in time.
    s.send("Mail Carol", null);
    s.model.call(7).callTools(call("m2", "send_email", "{\"to\":\"carol@example.com\"}"));
    s.settle();
    String asked = s.pending().id();
    s.clock.advance(SessionEntityTestSupport.TURNS.approvalTimeout());
    s.kit.runCommand(new InternalCommand.ApprovalDeadlinePassed(asked));
    s.model.call(8).answer("Nobody approved the mail.");
    s.settle();

    // A call with side effects cut off by a crash, put in doubt, retried by a human.
    s.send("Charge 5 EUR to my card", null);
    s.model.call(9).callTools(call("p1", "charge_card", "{\"amount\":5,\"currency\":\"EUR\"}"));
    s.settle();
    s.tick();
    s.kit.restart();
    s.settle();
    s.decide("retry");
    s.tools.invocation(5).succeed(json("{\"charged\":5}"));
    s.settle();
    s.model.call(10).answer("Charged 5 EUR.");
    s.settle();

    // Cancelled with a call running.
    Turn cancelled = s.send("Look up everything", null);
    s.model.call(11).callTools(call("l1", "lookup", "{\"q\":\"*\"}"));
    s.settle();
    s.run(r -> new SessionCommand.CancelTurn(ADA, cancelled.id(), r));
    assertEquals(TurnStatus.CANCELLED, s.status(cancelled));

    s.run(r -> new SessionCommand.SuspendSession(OPERATOR, "incident 7: tool vendor outage", r));
    s.run(r -> new SessionCommand.ResumeSession(OPERATOR, r));

    // Out of steps: the model still asks for tools at its third step.
    Turn looping = s.send("Keep looking", null);
    s.model.call(12).callTools(call("k1", "lookup", "{\"q\":\"a\"}"));
    s.settle();
    s.tools.invocation(7).succeed(json("{}"));
    s.settle();
    s.model.call(13).callTools(call("k2", "files__search", "{\"q\":\"b\"}"));
    s.settle();
    s.tools.invocation(8).succeed(json("{\"hits\":[]}"));
    s.settle();
    s.model.call(14).callTools(call("k3", "lookup", "{\"q\":\"c\"}"));
    s.settle();
    assertEquals(TurnStatus.FAILED, s.status(looping));

    s.run(r -> new SessionCommand.DisconnectTool(ADA, "weather", r));
    s.tick();
    s.kit.runCommand(new InternalCommand.IdleCheck());
    s.shard.expectMessageClass(ClusterSharding.Passivate.class);
    s.run(r -> new SessionCommand.CloseSession(ADA, r));
    return s;
  }

  /**
   * A session left mid-turn: a call waiting for a policy approval, a call in doubt after a crash,
   * and a message queued behind them.
   */
  private Session waitingForAHuman() {
    Session s = new Session("journal-waiting");
    s.create();
    s.send("Mail Bob and charge 5 EUR", "idem-2");
    s.model
        .call(1)
        .callTools(
            call("c1", "send_email", "{\"to\":\"bob@example.com\"}"),
            call("c2", "charge_card", "{\"amount\":5}"));
    s.settle();
    s.send("Then summarise", null);
    s.tick();
    s.kit.restart();
    s.settle();
    return s;
  }

  /** A session an operator erased: its journal holds only the tombstone. */
  private Session erased() {
    Session s = new Session("journal-erased");
    s.create();
    s.run(r -> new SessionCommand.WriteMemory(ADA, "note", json("\"forget me\""), r));
    s.send("hello", null);
    s.model.call(1).answer("hi");
    s.settle();
    assertInstanceOf(
        SessionReply.Erased.class, s.run(r -> new SessionCommand.EraseSession(OPERATOR, r)));
    return s;
  }

  /** The read commands whose answers the fixture records, by name. */
  static Map<String, Function<ActorRef<SessionReply>, SessionCommand>> reads() {
    return Map.of(
        "GetSession", r -> new SessionCommand.GetSession(READER, r),
        "GetTranscript", r -> new SessionCommand.GetTranscript(READER, r),
        "ListTurns", r -> new SessionCommand.ListTurns(READER, 100, null, r),
        "ListApprovals", r -> new SessionCommand.ListApprovals(READER, r));
  }

  @Test
  void writeTheFixture() throws IOException {
    String out = System.getProperty(OUT);
    assumeTrue(out != null && !out.isBlank(), "-D" + OUT + "=DIR not set: nothing to write");
    Path dir = Path.of(out).toAbsolutePath();
    Files.createDirectories(dir);
    ObjectMapper mapper =
        JacksonObjectMapperProvider.get(Adapter.toClassic(testKit.system()))
            .getOrCreate("jackson-json", Optional.empty());
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());

    List<String> journal = new ArrayList<>();
    ObjectNode expected = mapper.createObjectNode();
    ObjectNode sessions = expected.putObject("sessions");
    // One at a time: a new EventSourcedBehaviorTestKit clears the whole in-memory journal.
    List<Supplier<Session>> workflows =
        List.of(this::closedAfterAFullLife, this::waitingForAHuman, this::erased);
    for (Supplier<Session> workflow : workflows) {
      Session s = workflow.get();
      for (EventEnvelope envelope : stored(s.persistenceId())) {
        Object event = envelope.event();
        Serializer serializer = serialization.findSerializerFor(event);
        ObjectNode line = mapper.createObjectNode();
        line.put("persistenceId", envelope.persistenceId());
        line.put("sequenceNr", envelope.sequenceNr());
        line.put("type", ((SessionEvent) event).type());
        line.put("serializerId", serializer.identifier());
        line.put("manifest", Serializers.manifestFor(serializer, event));
        line.put("bytes", Base64.getEncoder().encodeToString(serialization.serialize(event).get()));
        journal.add(mapper.writeValueAsString(line));
      }
      ObjectNode session = sessions.putObject(s.persistenceId());
      session.put("sessionId", s.sessionId);
      session.put("clock", s.clock.instant().toString());
      ObjectNode answers = session.putObject("answers");
      reads().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(
              read -> {
                SessionReply reply = s.kit.<SessionReply>runCommand(read.getValue()::apply).reply();
                ObjectNode answer = answers.putObject(read.getKey());
                answer.put("reply", reply.getClass().getSimpleName());
                answer.set("body", mapper.valueToTree(reply));
              });
    }
    Files.write(dir.resolve(JOURNAL), journal, StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve(EXPECTED),
        mapper.writerWithDefaultPrettyPrinter().writeValueAsString(expected) + "\n",
        StandardCharsets.UTF_8);
  }

  /** What the journal holds for the session, with sequence numbers, after all it went through. */
  private List<EventEnvelope> stored(String persistenceId) {
    return PersistenceQuery.get(Adapter.toClassic(testKit.system()))
        .getReadJournalFor(
            PersistenceTestKitReadJournal.class, PersistenceTestKitReadJournal.Identifier())
        .currentEventsByPersistenceId(persistenceId, 0, Long.MAX_VALUE)
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture()
        .join();
  }
}
