package io.agentruntime.runtime.session;

import io.agentruntime.runtime.session.SessionCommand.*;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The two commands that may wait for a turn to settle: a user message (which may start the turn)
 * and {@link AwaitTurn}. Each is answered now, or registered with {@link DeferredReplies} and
 * answered once its turn has settled, by its asker's deadline at the latest.
 */
final class TurnAskers {

  /**
   * What a message led to: a refusal, a new turn {@code turnId} to journal ({@code decision}'s
   * events), or neither (no turn id): an earlier turn of the same key answers it.
   */
  record Taken(Decision decision, String turnId) {}

  private final SessionSettings settings;
  private final TurnMachine machine;
  private final SessionRules rules;
  private final DeferredReplies replies;
  private final Clock clock;

  TurnAskers(
      SessionSettings settings,
      TurnMachine machine,
      SessionRules rules,
      DeferredReplies replies,
      Clock clock) {
    this.settings = settings;
    this.machine = machine;
    this.rules = rules;
    this.replies = replies;
    this.clock = clock;
  }

  /** The answer to {@code c} now, or empty: it is owed until the turn settles. */
  Optional<SessionReply> await(SessionState s, AwaitTurn c) {
    Optional<Turn> turn = s.turn(c.turnId());
    if (turn.isEmpty()) {
      return Optional.of(SessionReads.rejected(TurnMachine.turnNotFound(c.turnId())));
    }
    if (turn.get().settled()) {
      return Optional.of(SessionReads.found(turn.get()));
    }
    if (replies.turnWaiters() >= settings.maxWaiters()) {
      return Optional.of(SessionReads.rejected(tooManyWaiters()));
    }
    Duration within = settings.longestWait();
    if (c.answerByMillis() > 0) {
      Duration left = Duration.ofMillis(c.answerByMillis() - clock.millis());
      within = left.compareTo(within) < 0 ? left : within;
    }
    replies.oweOnceSettled(turn.get(), c.replyTo(), within, SessionReads::found);
    return Optional.empty();
  }

  /** Decides a user message; a repeat of an earlier one is owed its turn here. */
  Taken take(SessionState s, SendUserMessage c) {
    Optional<Decision> closed = SessionRules.refuseIfClosed(s);
    if (closed.isPresent()) {
      return new Taken(Decision.refuse(closed.get().refusal()), null);
    }
    if (RequestKeys.reusedByMessage(s, c.idempotencyKey(), c.content())) {
      return new Taken(Decision.refuse(RequestKeys.reused()), null);
    }
    Optional<Turn> earlier = TurnMachine.earlier(s, c.idempotencyKey(), c.turnId());
    if (earlier.isPresent()) {
      answerOnceSettled(earlier.get(), true, c);
      return new Taken(Decision.none(), null);
    }
    Optional<Problem> tooLarge =
        rules.tooLarge(s, SessionSize.text(c.content()), "the message", "content");
    if (tooLarge.isPresent()) {
      return new Taken(Decision.refuse(tooLarge.get()), null);
    }
    String turnId = c.turnId() != null ? c.turnId() : Turn.newId();
    Decision d =
        machine.userMessage(
            s,
            c.caller().user(),
            c.content(),
            c.onBusy(),
            c.idempotencyKey(),
            turnId,
            clock.instant(),
            c.source());
    // A message that steered the active turn is answered with that turn (decision 0024).
    String answered =
        d.events().stream()
            .filter(e -> e instanceof SessionEvent.UserMessageSteered)
            .map(e -> ((SessionEvent.UserMessageSteered) e).turnId())
            .findFirst()
            .orElse(turnId);
    return new Taken(d, answered);
  }

  /**
   * Once a message's new turn {@code turnId} is journaled: answers with it, now or once settled.
   */
  void accepted(SessionState next, String turnId, SendUserMessage c) {
    answerOnceSettled(next.turn(turnId).orElseThrow(), false, c);
  }

  /**
   * Answers a message with its turn now, or, when its asker waits for the turn to settle, once it
   * has settled, by the asker's deadline at the latest (the asker gives up later than that, so that
   * it hears the turn as it stands rather than a timeout).
   */
  private void answerOnceSettled(Turn turn, boolean duplicate, SendUserMessage c) {
    // With too many askers waiting already, the message is answered now: accepted, still running.
    Duration left =
        replies.turnWaiters() >= settings.maxWaiters()
            ? Duration.ZERO
            : Duration.ofMillis(c.answerByMillis() - clock.millis());
    replies.oweOnceSettled(
        turn, c.replyTo(), left, t -> new SessionReply.TurnAccepted(t, duplicate));
  }

  private Problem tooManyWaiters() {
    return new Problem(
        Problem.Kind.LIMIT,
        "too_many_waiters",
        "already "
            + settings.maxWaiters()
            + " requests wait for turns of this session; retry later or without waitSeconds",
        "waitSeconds");
  }
}
