package io.agentruntime.runtime.session;

import io.agentruntime.runtime.Continuations;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * The sessions' schedules, as the API reaches them: starts sharding for {@link ScheduleEntity} and
 * asks it. The session is asked first whether the caller may see it, so another user's (or
 * tenant's) session is not found here either.
 */
final class Schedules {

  private final ClusterSharding sharding;
  private final Executor dispatcher;
  private final Duration askTimeout;

  private Schedules(ActorSystem<?> system, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.dispatcher = system.executionContext();
    this.askTimeout = askTimeout;
  }

  static Schedules start(
      ActorSystem<?> system, SessionSettings sessions, Clock clock, LifecycleFeed lifecycle) {
    ScheduleSettings settings = ScheduleSettings.fromConfig(system.settings().config());
    ScheduleRules rules = new ScheduleRules(settings, sessions.maxMessageChars());
    ActorRef<FiringGate.Command> gate = FiringGate.of(system);
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    ScheduleEntity.TYPE_KEY,
                    ctx ->
                        ScheduleEntity.create(
                            ctx.getEntityId(),
                            rules,
                            settings,
                            sessions.askTimeout(),
                            clock,
                            ctx.getShard(),
                            lifecycle,
                            gate))
                // Alive while it holds a schedule, whatever the node's defaults: remembered in the
                // journal, so a new host of its shard restarts it, and never passivated for being
                // idle (a timer a month away is no traffic); it passivates itself once empty.
                .withSettings(
                    ClusterShardingSettings.create(system)
                        .withRememberEntities(true)
                        .withRememberEntitiesStoreMode(
                            ClusterShardingSettings.RememberEntitiesStoreModeEventSourced$.MODULE$)
                        .withNoPassivationStrategy()));
    return new Schedules(system, sessions.askTimeout());
  }

  CompletionStage<Schedule> create(
      String tenant, String sessionId, Caller by, ScheduleRules.Request request) {
    return ask(tenant, sessionId, replyTo -> new ScheduleEntity.Create(request, by, null, replyTo))
        .thenApply(reply -> ((ScheduleEntity.Made) reply).schedule());
  }

  CompletionStage<List<Schedule>> list(String tenant, String sessionId) {
    return ask(tenant, sessionId, ScheduleEntity.ListSchedules::new)
        .thenApply(reply -> ((ScheduleEntity.Listed) reply).schedules());
  }

  CompletionStage<Void> delete(String tenant, String sessionId, String scheduleId) {
    return ask(tenant, sessionId, replyTo -> new ScheduleEntity.Delete(scheduleId, replyTo))
        .thenApply(reply -> null);
  }

  private CompletionStage<ScheduleEntity.Reply> ask(
      String tenant,
      String sessionId,
      Function<ActorRef<ScheduleEntity.Reply>, ScheduleEntity.Command> command) {
    return Continuations.on(
            dispatcher,
            sharding
                .entityRefFor(ScheduleEntity.TYPE_KEY, SessionEntity.entityId(tenant, sessionId))
                .ask(command::apply, askTimeout))
        .thenApply(
            reply -> {
              if (reply instanceof ScheduleEntity.Refused r) {
                throw new SessionRefused(r.problem());
              }
              return reply;
            });
  }
}
