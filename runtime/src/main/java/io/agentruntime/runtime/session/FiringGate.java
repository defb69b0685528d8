package io.agentruntime.runtime.session;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One per node ({@link #of}): lets at most {@code max-firings-in-flight} schedule firings be on
 * their way to their sessions at once (decision 0048), so that many runs due at one instant reach
 * their sessions and the journal as fast as they are answered rather than all at once; and holds
 * the work that comes after them (the turns they started) while firings wait (decision 0064). The
 * rules are {@link FiringAdmission}'s; a schedule entity that stops (watched) takes its firings
 * with it.
 */
final class FiringGate {

  sealed interface Command {}

  /** Answered {@link Clear} once no firing of the node waits (at once if none does). */
  record AfterFirings(ActorRef<Clear> replyTo) implements Command {}

  /** No firing of the node waits any more. */
  record Clear() {}

  /**
   * Firing {@code scheduleId} of {@code entity} asks to go; answered {@code Admitted} when it may.
   */
  record Enter(ActorRef<ScheduleEntity.Command> entity, String scheduleId) implements Command {}

  /** Firing {@code scheduleId} of {@code entity} was answered, given up, or never sent. */
  record Leave(ActorRef<ScheduleEntity.Command> entity, String scheduleId) implements Command {}

  private record Gone(ActorRef<ScheduleEntity.Command> entity) implements Command {}

  private FiringGate() {}

  /** This node's gate: one per actor system, started at the first call. */
  static ActorRef<Command> of(ActorSystem<?> system) {
    return ID.apply(system).gate;
  }

  /** How long work after the node's firings waits for them at most (0: not at all). */
  static Duration holdBehindFirings(ActorSystem<?> system) {
    return ID.apply(system).holdBehindFirings;
  }

  private static final Id ID = new Id();

  private static final class Id extends ExtensionId<OnNode> {
    @Override
    public OnNode createExtension(ActorSystem<?> system) {
      ScheduleSettings settings = ScheduleSettings.fromConfig(system.settings().config());
      return new OnNode(
          system.systemActorOf(
              create(settings.maxFiringsInFlight()), "schedule-firings", Props.empty()),
          settings.holdBehindFirings());
    }
  }

  private record OnNode(ActorRef<Command> gate, Duration holdBehindFirings) implements Extension {}

  static Behavior<Command> create(int maxInFlight) {
    return Behaviors.setup(
        ctx -> {
          FiringAdmission<ActorRef<ScheduleEntity.Command>, ActorRef<Clear>> admission =
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
                  AfterFirings.class,
                  a -> {
                    let(admission.hold(a.replyTo()));
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

  private static void let(
      FiringAdmission.Let<ActorRef<ScheduleEntity.Command>, ActorRef<Clear>> let) {
    for (var f : let.firings()) {
      f.owner().tell(new ScheduleEntity.Admitted(f.scheduleId()));
    }
    for (ActorRef<Clear> after : let.held()) {
      after.tell(new Clear());
    }
  }

  private static void unwatchIfDone(
      ActorContext<Command> ctx,
      FiringAdmission<ActorRef<ScheduleEntity.Command>, ActorRef<Clear>> admission,
      ActorRef<ScheduleEntity.Command> entity) {
    if (!admission.holds(entity)) {
      ctx.unwatch(entity);
    }
  }
}
