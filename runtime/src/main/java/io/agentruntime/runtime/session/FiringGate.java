package io.agentruntime.runtime.session;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One per node: lets at most {@code max-firings-in-flight} schedule firings be on their way to
 * their sessions at once (decision 0048), so that many runs due at one instant reach their sessions
 * and the journal as fast as they are answered rather than all at once. The rules are {@link
 * FiringAdmission}'s; a schedule entity that stops (watched) takes its firings with it.
 */
final class FiringGate {

  sealed interface Command {}

  /**
   * Firing {@code scheduleId} of {@code entity} asks to go; answered {@code Admitted} when it may.
   */
  record Enter(ActorRef<ScheduleEntity.Command> entity, String scheduleId) implements Command {}

  /** Firing {@code scheduleId} of {@code entity} was answered, given up, or never sent. */
  record Leave(ActorRef<ScheduleEntity.Command> entity, String scheduleId) implements Command {}

  private record Gone(ActorRef<ScheduleEntity.Command> entity) implements Command {}

  private FiringGate() {}

  static Behavior<Command> create(int maxInFlight) {
    return Behaviors.setup(
        ctx -> {
          FiringAdmission<ActorRef<ScheduleEntity.Command>> admission =
              new FiringAdmission<>(maxInFlight);
          return Behaviors.receive(Command.class)
              .onMessage(
                  Enter.class,
                  e -> {
                    if (!admission.holds(e.entity())) {
                      ctx.watchWith(e.entity(), new Gone(e.entity()));
                    }
                    let(admission.enter(new FiringAdmission.Firing<>(e.entity(), e.scheduleId())));
                    return Behaviors.same();
                  })
              .onMessage(
                  Leave.class,
                  l -> {
                    let(admission.leave(new FiringAdmission.Firing<>(l.entity(), l.scheduleId())));
                    unwatchIfDone(ctx, admission, l.entity());
                    return Behaviors.same();
                  })
              .onMessage(
                  Gone.class,
                  g -> {
                    let(admission.gone(g.entity()));
                    return Behaviors.same();
                  })
              .build();
        });
  }

  private static void let(List<FiringAdmission.Firing<ActorRef<ScheduleEntity.Command>>> admitted) {
    for (var f : admitted) {
      f.owner().tell(new ScheduleEntity.Admitted(f.scheduleId()));
    }
  }

  private static void unwatchIfDone(
      ActorContext<Command> ctx,
      FiringAdmission<ActorRef<ScheduleEntity.Command>> admission,
      ActorRef<ScheduleEntity.Command> entity) {
    if (!admission.holds(entity)) {
      ctx.unwatch(entity);
    }
  }
}
