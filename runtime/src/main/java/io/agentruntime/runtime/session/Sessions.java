package io.agentruntime.runtime.session;

import io.agentruntime.runtime.directory.SessionDirectory;
import java.time.Clock;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * The sessions of the cluster, as the API reaches them: starts sharding for session entities on
 * this node and sends a command to the one node that hosts a session, wherever that is.
 */
public final class Sessions {

  private final ClusterSharding sharding;
  private final SessionSettings settings;
  private final SessionDirectory directory;

  private Sessions(ClusterSharding sharding, SessionSettings settings, SessionDirectory directory) {
    this.sharding = sharding;
    this.settings = settings;
    this.directory = directory;
  }

  public static Sessions start(ActorSystem<?> system, SessionSettings settings, SessionDirectory directory) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Clock clock = Clock.systemUTC();
    sharding.init(
        Entity.of(
            SessionEntity.TYPE_KEY,
            ctx -> SessionEntity.create(ctx.getEntityId(), settings, directory, clock)));
    return new Sessions(sharding, settings, directory);
  }

  /**
   * Asks the session {@code tenant}/{@code sessionId}. Fails with a timeout when the session does
   * not answer within the ask timeout, which is how an unavailable journal shows.
   */
  public CompletionStage<SessionReply> ask(
      String tenant, String sessionId, Function<ActorRef<SessionReply>, SessionCommand> command) {
    return sharding
        .entityRefFor(SessionEntity.TYPE_KEY, SessionEntity.entityId(tenant, sessionId))
        .ask(command::apply, settings.askTimeout());
  }

  public SessionDirectory directory() {
    return directory;
  }

  public SessionSettings settings() {
    return settings;
  }
}
