package io.agentruntime.runtime.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Who listens to one incarnation of a session: live followers (SSE streams on any node, which
 * subscribe again now and then) and clients waiting for a turn to settle ({@code ?waitSeconds=}:
 * bounded by their own timeout, or by a deadline the session keeps). Nothing here is journaled; a
 * restart forgets it all.
 */
final class SessionAudience {

  private final Set<ActorRef<StreamItem>> followers = new HashSet<>();
  private final Map<String, List<Waiter>> turnWaiters = new HashMap<>();
  private final UnaryOperator<SessionReply> hosted;

  /**
   * @param hosted wraps an answer as the entity wraps all its replies
   */
  SessionAudience(UnaryOperator<SessionReply> hosted) {
    this.hosted = hosted;
  }

  /** True when the follower is new (and should be watched). */
  boolean follow(ActorRef<StreamItem> follower) {
    return followers.add(follower);
  }

  void unfollow(ActorRef<?> follower) {
    followers.remove(follower);
  }

  boolean hasFollowers() {
    return !followers.isEmpty();
  }

  void delta(String turnId, String text) {
    StreamItem delta = new StreamItem.Delta(turnId, text);
    followers.forEach(f -> f.tell(delta));
  }

  /** {@code waiter} hears {@code TurnFound} once the turn settles. */
  void waitFor(String turnId, ActorRef<SessionReply> waiter) {
    waitFor(turnId, waiter, SessionReply.TurnFound::new, () -> {});
  }

  /**
   * {@code waiter} hears {@code answer} of the turn once it settles, or when the session tells
   * {@link #deadlinePassed} first; {@code answered} runs once it heard from the turn settling.
   */
  void waitFor(
      String turnId,
      ActorRef<SessionReply> waiter,
      Function<Turn, SessionReply> answer,
      Runnable answered) {
    turnWaiters
        .computeIfAbsent(turnId, id -> new ArrayList<>())
        .add(new Waiter(waiter, answer, answered));
  }

  /** The deadline of {@code waiter} passed: it hears the turn as it stands (if it still waits). */
  void deadlinePassed(Turn turn, ActorRef<SessionReply> waiter) {
    List<Waiter> waiting = turnWaiters.get(turn.id());
    if (waiting == null) {
      return;
    }
    waiting.removeIf(
        w -> {
          if (!w.replyTo().equals(waiter)) {
            return false;
          }
          w.replyTo().tell(hosted.apply(w.answer().apply(turn)));
          return true;
        });
    if (waiting.isEmpty()) {
      turnWaiters.remove(turn.id());
    }
  }

  /**
   * After a persist: followers get the events, with their sequence numbers; settled turns answer
   * their waiters.
   */
  void journaled(SessionState after, List<SessionEvent> events) {
    long first = after.lastSeq() - events.size() + 1;
    for (int i = 0; i < events.size(); i++) {
      StreamItem item = new StreamItem.Journaled(first + i, events.get(i));
      followers.forEach(f -> f.tell(item));
    }
    turnWaiters
        .entrySet()
        .removeIf(
            waiting -> {
              Optional<Turn> turn = after.turn(waiting.getKey());
              if (turn.isEmpty() || !turn.get().settled()) {
                return false;
              }
              for (Waiter w : waiting.getValue()) {
                w.replyTo().tell(hosted.apply(w.answer().apply(turn.get())));
                w.answered().run();
              }
              return true;
            });
  }

  private record Waiter(
      ActorRef<SessionReply> replyTo, Function<Turn, SessionReply> answer, Runnable answered) {}
}
