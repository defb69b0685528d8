package io.agentruntime.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.persistence.testing.TestCassandra;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * agent-runtime-cassandra.conf and the migrated schema together: a persistent actor journals and
 * snapshots in Cassandra, and a new incarnation recovers from them.
 */
class CassandraPluginIntegrationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static String keyspace;
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    TestCassandra cassandra = TestCassandra.get();
    keyspace = cassandra.createKeyspace("plugin");
    Config node =
        ConfigFactory.parseString(
                // A string, as the environment variable gives it: the session provider splits it.
                "agent-runtime.cassandra.contact-points = \""
                    + cassandra.contactPoint()
                    + "\"\n"
                    + "pekko.actor.provider = local\n")
            .withFallback(
                cassandra.config(keyspace).withoutPath("agent-runtime.cassandra.contact-points"))
            .withFallback(ConfigFactory.parseResources("agent-runtime-cassandra.conf"));
    testKit = ActorTestKit.create("plugin", ConfigFactory.load(node));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void eventsAndSnapshotsAreStoredInTheKeyspaceAndRecovered() {
    String id = "entity-1";
    ActorRef<Log.Command> first = testKit.spawn(Log.create(id));
    TestProbe<String> probe = testKit.createTestProbe();
    for (String word : new String[] {"a", "b", "c", "d"}) {
      first.tell(new Log.Append(word, probe.ref()));
      probe.expectMessage(TIMEOUT, word);
    }
    testKit.stop(first);

    ActorRef<Log.Command> second = testKit.spawn(Log.create(id));
    second.tell(new Log.Get(probe.ref()));
    probe.expectMessage(TIMEOUT, "a,b,c,d");

    CqlSession session = TestCassandra.get().session();
    String pid = "Log|" + id;
    assertEquals(4, count(session, "messages WHERE persistence_id = ? AND partition_nr = 0", pid));
    assertTrue(
        count(session, "snapshots WHERE persistence_id = ?", pid) >= 1,
        "a snapshot after 3 events");
    assertEquals(1, count(session, "all_persistence_ids WHERE persistence_id = ?", pid));
  }

  private static long count(CqlSession session, String fromWhere, String pid) {
    return session
        .execute("SELECT count(*) FROM " + keyspace + "." + fromWhere, pid)
        .one()
        .getLong(0);
  }

  /** Keeps the words it was sent; its state is them joined by commas. */
  static final class Log extends EventSourcedBehavior<Log.Command, String, String> {

    interface Command {}

    /** Replies the appended word once it is journaled. */
    record Append(String word, ActorRef<String> replyTo) implements Command {}

    /** Replies the state. */
    record Get(ActorRef<String> replyTo) implements Command {}

    static Behavior<Command> create(String id) {
      return new Log(PersistenceId.of("Log", id));
    }

    private Log(PersistenceId persistenceId) {
      super(persistenceId);
    }

    @Override
    public String emptyState() {
      return "";
    }

    @Override
    public CommandHandler<Command, String, String> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(
              Append.class,
              (state, c) -> Effect().persist(c.word()).thenReply(c.replyTo(), s -> c.word()))
          .onCommand(Get.class, (state, c) -> Effect().reply(c.replyTo(), state))
          .build();
    }

    @Override
    public EventHandler<String, String> eventHandler() {
      return (state, word) -> state.isEmpty() ? word : state + "," + word;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
      return RetentionCriteria.snapshotEvery(3, 2);
    }
  }
}
