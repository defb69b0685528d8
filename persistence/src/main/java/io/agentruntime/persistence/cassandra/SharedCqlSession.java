package io.agentruntime.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * The node's driver session, offered to the journal, snapshot and query plugins so that a node
 * opens one session rather than two (decision 0068). The second one connected only once the first
 * had checked the schema, and the shard coordinator's first read waited for it: half a second of
 * every start, and a second set of driver threads and connections for the life of the node. A
 * system with nothing offered (a test of the plugins alone) has its plugins open their own.
 */
public final class SharedCqlSession implements Extension {

  /** The extension's id: {@code SharedCqlSession.get(system)}. */
  public static final class Id extends AbstractExtensionId<SharedCqlSession> {
    @Override
    public SharedCqlSession createExtension(ExtendedActorSystem system) {
      return new SharedCqlSession();
    }
  }

  private static final Id ID = new Id();

  public static SharedCqlSession get(ClassicActorSystemProvider system) {
    return ID.get(system.classicSystem());
  }

  private final AtomicReference<CompletionStage<CqlSession>> offered = new AtomicReference<>();

  private SharedCqlSession() {}

  /**
   * The session the plugins use, once it completes: it must be the session of the same driver
   * settings and contact points, with the schema already there. Whoever offers it closes it.
   */
  public void offer(CompletionStage<CqlSession> session) {
    offered.set(session);
  }

  /** What was offered, if anything. */
  Optional<CompletionStage<CqlSession>> offered() {
    return Optional.ofNullable(offered.get());
  }
}
