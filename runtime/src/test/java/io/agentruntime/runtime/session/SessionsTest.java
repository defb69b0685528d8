package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.BOB;
import static io.agentruntime.runtime.session.Fixtures.TENANT;
import static io.agentruntime.runtime.session.Fixtures.json;
import static io.agentruntime.runtime.session.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.metrics.SessionMetrics;
import io.agentruntime.runtime.model.ModelClient;
import io.agentruntime.runtime.model.ModelProviders;
import io.agentruntime.runtime.model.ScriptedModel;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionCommand.CreateSession;
import io.agentruntime.runtime.session.SessionCommand.GetSession;
import io.agentruntime.runtime.session.SessionCommand.GetTranscript;
import io.agentruntime.runtime.session.SessionCommand.GetTurn;
import io.agentruntime.runtime.session.SessionCommand.SendUserMessage;
import io.agentruntime.runtime.session.SessionCommand.WriteMemory;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sessions as the API reaches them: through Cluster Sharding on a one-node cluster, on the
 * in-memory journal with real serialization of every event and snapshot, turns answered by the
 * scripted model.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionsTest {

  private static final Config CLUSTER =
      ConfigFactory.parseString(
          """
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.hostname = "127.0.0.1"
          pekko.remote.artery.canonical.port = 0
          pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
          pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout = 2s
          # Events and snapshots are stored as bytes, as a real journal would, and read back from them.
          pekko.persistence.testkit.events.serialize = on
          pekko.persistence.testkit.snapshots.serialize = on
          agent-runtime.session.snapshot-every = 4
          agent-runtime.session.snapshot-on-passivation-min-events = 1
          # A session with no work in flight passivates itself (through its shard) after this long.
          agent-runtime.turns.idle-timeout = 1s
          agent-runtime.session.events.read-journal = "pekko.persistence.testkit.query"
          """);

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName("SessionsTest")
          .withCustomConfig(
              CLUSTER
                  .withFallback(PersistenceTestKitPlugin.config())
                  .withFallback(PersistenceTestKitSnapshotPlugin.config())
                  .withFallback(Fixtures.QUIET))
          .build();

  private final RecordingDirectory directory = new RecordingDirectory();
  private Sessions sessions;

  @BeforeAll
  void joinItselfAndStartSharding() {
    Cluster cluster = Cluster.get(testKit.system());
    TestProbe<SelfUp> up = testKit.createTestProbe(SelfUp.class);
    cluster.subscriptions().tell(Subscribe.create(up.ref(), SelfUp.class));
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    up.expectMessageClass(SelfUp.class, Duration.ofSeconds(20));
    Config config = testKit.system().settings().config();
    ModelProviders scripted =
        new ModelProviders() {
          @Override
          public Optional<ModelClient> provider(String name) {
            return "default".equals(name) ? Optional.of(new ScriptedModel()) : Optional.empty();
          }

          @Override
          public Set<String> names() {
            return Set.of("default");
          }
        };
    sessions =
        Sessions.start(
            testKit.system(),
            new SessionRuntime(
                SessionSettings.fromConfig(config),
                TurnSettings.fromConfig(config),
                directory,
                scripted,
                new FakeTools(),
                Clock.systemUTC(),
                SessionMetrics.NONE));
  }

  private Turn awaitTurnEnded(String tenant, String id, String turnId) {
    Turn[] ended = new Turn[1];
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(10),
            () -> {
              SessionReply found = ask(tenant, id, r -> new GetTurn(ADA, turnId, r));
              ended[0] = assertInstanceOf(SessionReply.TurnFound.class, found).turn();
              assertTrue(ended[0].status().terminal(), ended[0]::toString);
              return null;
            });
    return ended[0];
  }

  private SessionReply ask(
      String tenant, String id, Function<ActorRef<SessionReply>, SessionCommand> command)
      throws Exception {
    return sessions.ask(tenant, id, command).toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  private Set<String> liveEntities() {
    TestProbe<ShardRegion.CurrentShardRegionState> probe = testKit.createTestProbe();
    ClusterSharding.get(testKit.system())
        .shardState()
        .tell(new GetShardRegionState(SessionEntity.TYPE_KEY, probe.ref()));
    return probe.receiveMessage().getShards().stream()
        .flatMap(shard -> shard.getEntityIds().stream())
        .collect(Collectors.toSet());
  }

  @Test
  void aSessionIsCreatedAndReadThroughSharding() throws Exception {
    SessionReply created =
        ask(
            TENANT,
            "through-sharding",
            r -> new CreateSession(ADA, spec(), CreateMode.CREATE_NEW, r));
    SessionSummary made = assertInstanceOf(SessionReply.Created.class, created).session();
    assertEquals("through-sharding", made.id());
    assertEquals(new Owner(TENANT, "ada"), made.owner());
    assertTrue(liveEntities().contains(SessionEntity.entityId(TENANT, "through-sharding")));

    SessionView read = view(TENANT, "through-sharding");
    assertEquals(made, SessionSummary.of(read));
    assertEquals(spec().memory(), read.memory(), "the view streams whole, memory included");
    assertTrue(
        directory.listed(TENANT).stream().anyMatch(s -> s.sessionId().equals("through-sharding")));
  }

  @Test
  void theServiceAnswersTypedAndARefusalFailsWithItsProblem() throws Exception {
    SessionService service = sessions;
    SessionService.Creation creation =
        service
            .create(TENANT, "typed", ADA, spec(), CreateMode.CREATE_NEW)
            .toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
    assertTrue(creation.created());
    assertEquals("typed", creation.session().id());

    ExecutionException refused =
        assertThrows(
            ExecutionException.class,
            () ->
                service.get(TENANT, "typed", BOB).toCompletableFuture().get(15, TimeUnit.SECONDS));
    assertEquals(
        Problem.notFound(), assertInstanceOf(SessionRefused.class, refused.getCause()).problem());

    Turn turn =
        service
            .send(TENANT, "typed", ADA, "hi", OnBusy.QUEUE, null, Duration.ofSeconds(10))
            .toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
    assertEquals(TurnStatus.COMPLETED, turn.status(), turn::toString);
    assertEquals(
        turn,
        service
            .awaitTurn(TENANT, "typed", ADA, turn, Duration.ofSeconds(5))
            .toCompletableFuture()
            .get(15, TimeUnit.SECONDS));
  }

  @Test
  void anEventStreamReadsTheJournalInOrderForACallerWhoSeesTheSession() throws Exception {
    SessionService service = sessions;
    service
        .create(TENANT, "streamed", ADA, spec(), CreateMode.CREATE_NEW)
        .thenCompose(
            created ->
                service.send(
                    TENANT, "streamed", ADA, "hi", OnBusy.QUEUE, null, Duration.ofSeconds(10)))
        .toCompletableFuture()
        .get(15, TimeUnit.SECONDS);

    List<StreamItem> items =
        service
            .events(TENANT, "streamed", ADA, 0, "test")
            .thenCompose(
                source ->
                    source
                        .filter(item -> item instanceof StreamItem.Journaled)
                        .take(3)
                        .runWith(Sink.seq(), testKit.system()))
            .toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
    assertEquals(
        List.of(1L, 2L, 3L),
        items.stream().map(item -> ((StreamItem.Journaled) item).seq()).toList());
    assertInstanceOf(
        SessionEvent.SessionCreated.class, ((StreamItem.Journaled) items.get(0)).event());

    ExecutionException refused =
        assertThrows(
            ExecutionException.class,
            () ->
                service
                    .events(TENANT, "streamed", BOB, 0, "test")
                    .toCompletableFuture()
                    .get(15, TimeUnit.SECONDS));
    assertInstanceOf(SessionRefused.class, refused.getCause());
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  private Turn awaitTurnStatus(SessionService service, String id, String turnId, TurnStatus status)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Turn turn = await(service.getTurn(TENANT, id, ADA, turnId));
    while (turn.status() != status && System.nanoTime() < deadline) {
      Thread.sleep(20);
      turn = await(service.getTurn(TENANT, id, ADA, turnId));
    }
    assertEquals(status, turn.status(), turn::toString);
    return turn;
  }

  /** What the Agents-API edge calls: a function round trip, a refusal, steering, cancel. */
  @Test
  void theServiceRunsAClientsFunctionRoundTrip() throws Exception {
    SessionService service = sessions;
    String id = "client-tools";
    await(
        service.create(
            TENANT,
            id,
            ADA,
            Fixtures.specWithTools(
                List.of(new ToolConnection.Function("weather", "The weather", null))),
            CreateMode.CREATE_NEW));
    Turn sent =
        await(
            service.send(
                TENANT,
                id,
                ADA,
                "/tool weather {\"city\": \"Oslo\"}",
                OnBusy.QUEUE,
                null,
                Duration.ZERO));
    Turn waiting = awaitTurnStatus(service, id, sent.id(), TurnStatus.WAITING);
    ClientCall call = waiting.clientCalls().get(0);
    assertEquals("weather", call.name());
    SessionView view = await(service.get(TENANT, id, ADA));
    assertEquals(SessionStatus.AWAITING_CLIENT, view.status());
    assertEquals(List.of(call), view.pendingClientCalls());

    Turn steered =
        await(service.send(TENANT, id, ADA, "in Celsius", OnBusy.STEER, "steer-1", Duration.ZERO));
    assertEquals(sent.id(), steered.id(), "the steered turn");

    ExecutionException unknown =
        assertThrows(
            ExecutionException.class,
            () ->
                await(
                    service
                        .keyed("result-1")
                        .submitToolResult(
                            TENANT,
                            id,
                            ADA,
                            ClientToolResult.succeeded(sent.id(), "call_nope", "sunny"))));
    Problem p = assertInstanceOf(SessionRefused.class, unknown.getCause()).problem();
    assertEquals("Unknown pending tool call: call_nope", p.message());
    assertEquals(Problem.Kind.INVALID, p.kind());

    Turn after =
        await(
            service
                .keyed("result-1")
                .submitToolResult(
                    TENANT,
                    id,
                    ADA,
                    ClientToolResult.succeeded(sent.id(), call.callId(), "sunny")));
    assertEquals(sent.id(), after.id());
    awaitTurnStatus(service, id, sent.id(), TurnStatus.COMPLETED);
    assertEquals(Optional.empty(), await(service.cancelActiveTurn(TENANT, id, ADA)), "none active");
  }

  @Test
  void theServiceCancelsTheActiveTurnWithoutItsId() throws Exception {
    SessionService service = sessions;
    String id = "cancel-active";
    await(
        service.create(
            TENANT,
            id,
            ADA,
            Fixtures.specWithTools(
                List.of(new ToolConnection.Function("weather", "The weather", null))),
            CreateMode.CREATE_NEW));
    Turn sent =
        await(service.send(TENANT, id, ADA, "/tool weather {}", OnBusy.QUEUE, null, Duration.ZERO));
    awaitTurnStatus(service, id, sent.id(), TurnStatus.WAITING);
    Turn cancelled = await(service.cancelActiveTurn(TENANT, id, ADA)).orElseThrow();
    assertEquals(sent.id(), cancelled.id());
    assertEquals(TurnStatus.CANCELLED, cancelled.status());
    assertEquals(SessionStatus.IDLE, await(service.get(TENANT, id, ADA)).status(), "nothing waits");
  }

  @Test
  void theSameIdInAnotherTenantIsAnotherSession() throws Exception {
    ask(TENANT, "shared-id", r -> new CreateSession(ADA, spec(), CreateMode.CREATE_NEW, r));
    SessionReply elsewhere = ask("globex", "shared-id", r -> new GetSession(ADA, r));
    assertEquals(new SessionReply.Rejected(Problem.notFound()), elsewhere);
    SessionReply created =
        ask("globex", "shared-id", r -> new CreateSession(ADA, spec(), CreateMode.CREATE_NEW, r));
    assertEquals(
        new Owner("globex", "ada"),
        assertInstanceOf(SessionReply.Created.class, created).session().owner());
  }

  @Test
  void aPassivatedSessionComesBackFromTheJournalAsItWas() throws Exception {
    String id = "passivated";
    String entityId = SessionEntity.entityId(TENANT, id);
    // A tool without a parameter schema: its null must read back as null for the PUT below to
    // match.
    SessionSpec spec =
        Fixtures.specWithTools(
            List.of(
                new ToolConnection.Http(
                    "lookup", "http://tools.internal/lookup", null, null, true, null)));
    ask(TENANT, id, r -> new CreateSession(ADA, spec, CreateMode.CREATE_NEW, r));
    for (int i = 0; i < 5; i++) {
      int n = i;
      ask(
          TENANT,
          id,
          r ->
              new WriteMemory(
                  ADA, "k" + n, json("{\"n\":" + n + ",\"half\":" + (n + 0.5) + "}"), r));
    }
    SessionReply accepted =
        ask(TENANT, id, r -> new SendUserMessage(ADA, "hello", OnBusy.QUEUE, "idem-1", r));
    Turn answered =
        awaitTurnEnded(
            TENANT, id, assertInstanceOf(SessionReply.TurnAccepted.class, accepted).turn().id());
    assertEquals("echo: hello", answered.output());
    SessionView before = view(TENANT, id);
    // created, five memory writes, the message, its turn started, answered and completed
    assertEquals(10, before.lastSeq());

    // Idle for longer than the passivation timeout, the entity stops.
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(15),
            () -> {
              assertFalse(liveEntities().contains(entityId));
              return null;
            });
    int directoryWrites = directory.writes().size();

    // Before it stopped, it journaled its passivation marker (11) and saved a snapshot there, so
    // recovery reads that snapshot and no events.
    String persistenceId = PersistenceId.of(SessionEntity.TYPE_KEY.name(), entityId).id();
    assertEquals(
        List.of(4L, 8L, 11L),
        SnapshotTestKit.create(testKit.system()).persistedInStorage(persistenceId).stream()
            .map(stored -> stored.first().sequenceNr())
            .toList());
    SessionView after = view(TENANT, id);

    assertEquals(
        sameButLastSeq(before, 11),
        after,
        "all but the marker's sequence number as before, updatedAt too");
    assertTrue(
        directory.writes().size() > directoryWrites,
        "a recovered session writes its summary again");
    // The snapshot was read back from bytes: the same PUT still matches, and the idempotency key
    // still answers the same turn.
    assertEquals(
        new SessionReply.Current(SessionSummary.of(after)),
        ask(TENANT, id, r -> new CreateSession(ADA, spec, CreateMode.CREATE_OR_MATCH, r)));
    SessionReply retry =
        ask(TENANT, id, r -> new SendUserMessage(ADA, "hello", OnBusy.QUEUE, "idem-1", r));
    assertEquals(new SessionReply.TurnAccepted(answered, true), retry);
  }

  /** The whole view, as the service reads it: streamed in parts. */
  private SessionView view(String tenant, String id) throws Exception {
    return sessions.get(tenant, id, ADA).toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  private static SessionView sameButLastSeq(SessionView v, long lastSeq) {
    return new SessionView(
        v.id(),
        v.owner(),
        v.status(),
        v.agent(),
        v.createdAt(),
        v.updatedAt(),
        lastSeq,
        v.currentTurn(),
        v.queuedMessages(),
        v.memory(),
        v.tools(),
        v.permissions(),
        v.metadata(),
        v.pendingApprovals(),
        v.usage());
  }

  @Test
  void aTurnWithAToolStepRunsThroughShardingWithTheScriptedModel() throws Exception {
    String id = "scripted-turn";
    ask(TENANT, id, r -> new CreateSession(ADA, spec(), CreateMode.CREATE_NEW, r));

    SessionReply accepted =
        ask(
            TENANT,
            id,
            r ->
                new SendUserMessage(
                    ADA,
                    "/tool memory_write {\"key\":\"city\",\"value\":\"Paris\"}",
                    OnBusy.QUEUE,
                    null,
                    r));
    Turn turn =
        awaitTurnEnded(
            TENANT, id, assertInstanceOf(SessionReply.TurnAccepted.class, accepted).turn().id());

    assertEquals(TurnStatus.COMPLETED, turn.status());
    assertEquals(2, turn.steps());
    assertEquals("Tool results: memory_write: {\"written\":\"city\"}", turn.output());
    SessionView view = view(TENANT, id);
    assertEquals(json("\"Paris\""), view.memory().get("city"));
    var transcript =
        assertInstanceOf(
            SessionReply.TranscriptFound.class, ask(TENANT, id, r -> new GetTranscript(ADA, r)));
    assertEquals(
        List.of("user", "assistant", "tool", "assistant"),
        transcript.messages().stream().map(TranscriptEntry::role).toList());
  }
}
