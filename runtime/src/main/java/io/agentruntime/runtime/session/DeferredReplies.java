package io.agentruntime.runtime.session;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The one way a session answers later. Six API commands cannot answer at once: create and close
 * wait for the directory, erase for the deletion, a message or an await for its turn to settle.
 * Each registers its answer here as a debt with a deadline, and the debt is paid exactly once, by
 * whichever comes first: the end of what it waited for, or its deadline (a timer of the session),
 * when the asker hears the answer due then. So no asker of a live session waits for nothing; plain
 * {@code noReply} is left to internal commands, which nobody waits for.
 *
 * <p>Nothing here is journaled: a restart forgets the debts, and the askers' own timeouts answer
 * for them (decision 0013). A restart in place (after a failed journal write) keeps this object but
 * cancels the session's timers: {@link #recovered} arms the deadlines again (decision 0017).
 */
final class DeferredReplies {

  /** The id of a debt owed to nobody: an erase that recovery repeats on its own. */
  static final long NOBODY = 0;

  private final TimerScheduler<SessionCommand> timers;
  private final UnaryOperator<SessionReply> hosted;
  private final Map<Long, Debt> debts = new LinkedHashMap<>();
  private long lastId = NOBODY;

  /**
   * @param hosted wraps an answer as the entity wraps all its replies
   */
  DeferredReplies(TimerScheduler<SessionCommand> timers, UnaryOperator<SessionReply> hosted) {
    this.timers = timers;
    this.hosted = hosted;
  }

  /**
   * What is owed: {@code due} is the answer at the deadline (or when what it waited for ends), from
   * the state then; a debt with a {@code turnId} is paid early with {@code settled} of the turn
   * once it settles.
   */
  private record Debt(
      ActorRef<SessionReply> replyTo,
      Function<SessionState, SessionReply> due,
      String turnId,
      Function<Turn, SessionReply> settled,
      long dueAtNanos) {}

  /**
   * Owes {@code replyTo} an answer, paid by {@link #payDue} or {@link #pay}, or at the latest
   * {@code within} from now with {@code due}. Returns the debt's id.
   */
  long owe(
      ActorRef<SessionReply> replyTo, Duration within, Function<SessionState, SessionReply> due) {
    return add(new Debt(replyTo, due, null, null, deadline(within)), within);
  }

  /**
   * Owes {@code replyTo} {@code answer} of the turn once it settles (at once if it has, or if no
   * time is left), or the turn as it stands {@code within} from now.
   */
  void oweOnceSettled(
      Turn turn,
      ActorRef<SessionReply> replyTo,
      Duration within,
      Function<Turn, SessionReply> answer) {
    if (turn.settled() || within.isNegative() || within.isZero()) {
      replyTo.tell(hosted.apply(answer.apply(turn)));
      return;
    }
    String turnId = turn.id();
    add(
        new Debt(
            replyTo,
            s ->
                s.turn(turnId)
                    .map(answer)
                    .orElseGet(() -> new SessionReply.Rejected(TurnMachine.turnNotFound(turnId))),
            turnId,
            answer,
            deadline(within)),
        within);
  }

  /** How many askers wait for a turn of this session to settle. */
  int turnWaiters() {
    int n = 0;
    for (Debt debt : debts.values()) {
      if (debt.turnId() != null) {
        n++;
      }
    }
    return n;
  }

  /** After a recovery: the deadlines a restart in place cancelled are armed again. */
  void recovered() {
    long now = System.nanoTime();
    debts.forEach(
        (id, debt) ->
            timers.startSingleTimer(
                timerKey(id),
                new InternalCommand.AnswerDue(id),
                Duration.ofNanos(Math.max(0, debt.dueAtNanos() - now))));
  }

  private static long deadline(Duration within) {
    return System.nanoTime() + within.toNanos();
  }

  /**
   * What debt {@code id} waited for has ended (or its deadline passed): it is paid with its due.
   */
  void payDue(long id, SessionState now) {
    Debt debt = debts.get(id);
    if (debt != null) {
      pay(id, debt.due().apply(now));
    }
  }

  /** Pays debt {@code id} with {@code reply}, unless it was paid already. */
  void pay(long id, SessionReply reply) {
    Debt debt = debts.remove(id);
    if (debt == null) {
      return;
    }
    timers.cancel(timerKey(id));
    debt.replyTo().tell(hosted.apply(reply));
  }

  /** After a persist: debts of turns that have settled are paid. */
  void journaled(SessionState after) {
    for (long id : List.copyOf(debts.keySet())) {
      Debt debt = debts.get(id);
      Optional<Turn> turn = debt.turnId() == null ? Optional.empty() : after.turn(debt.turnId());
      if (turn.isPresent() && turn.get().settled()) {
        pay(id, debt.settled().apply(turn.get()));
      }
    }
  }

  private long add(Debt debt, Duration within) {
    long id = ++lastId;
    debts.put(id, debt);
    timers.startSingleTimer(timerKey(id), new InternalCommand.AnswerDue(id), within);
    return id;
  }

  private static String timerKey(long id) {
    return "answer/" + id;
  }
}
