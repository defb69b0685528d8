package io.agentruntime.runtime.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One turn of the session: started by a user message, ended by the model's answer, a failure or a
 * cancellation. {@code output} and {@code error} are null until the turn ends that way. {@code
 * deadline} is when its time budget runs out (null unless running); while it waits for a human
 * ({@code pausedAt} set) the budget does not run, and the deadline moves on by the pause. The same
 * holds while it waits for the client ({@link TurnStatus#WAITING}): {@code clientCalls} are its
 * function calls that wait for the client's results (decision 0023).
 */
public record Turn(
    String id,
    TurnStatus status,
    int steps,
    String output,
    TurnError error,
    Instant acceptedAt,
    Instant updatedAt,
    Instant deadline,
    Instant pausedAt,
    List<ClientCall> clientCalls) {

  public Turn {
    clientCalls = clientCalls == null ? List.of() : List.copyOf(clientCalls);
  }

  public Turn(
      String id,
      TurnStatus status,
      int steps,
      String output,
      TurnError error,
      Instant acceptedAt,
      Instant updatedAt,
      Instant deadline,
      Instant pausedAt) {
    this(id, status, steps, output, error, acceptedAt, updatedAt, deadline, pausedAt, List.of());
  }

  public Turn(
      String id,
      TurnStatus status,
      int steps,
      String output,
      TurnError error,
      Instant acceptedAt,
      Instant updatedAt) {
    this(id, status, steps, output, error, acceptedAt, updatedAt, null, null);
  }

  static Turn queued(String id, Instant at) {
    return new Turn(id, TurnStatus.QUEUED, 0, null, null, at, at);
  }

  Turn started(Instant at, Duration budget) {
    return new Turn(
        id,
        TurnStatus.RUNNING,
        steps,
        null,
        null,
        acceptedAt,
        at,
        at.plus(budget),
        null,
        clientCalls);
  }

  Turn stepped(int step, Instant at) {
    return new Turn(id, status, step, output, error, acceptedAt, at, deadline, pausedAt);
  }

  Turn paused(Instant at) {
    Instant since = pausedAt == null ? at : pausedAt;
    return new Turn(
        id,
        TurnStatus.AWAITING_APPROVAL,
        steps,
        output,
        error,
        acceptedAt,
        at,
        deadline,
        since,
        clientCalls);
  }

  /**
   * A function call of it waits for the client: the turn waits too (unless a human is asked
   * already, which comes first), and its budget stops running as for an approval.
   */
  Turn awaitingClient(ClientCall call, Instant at) {
    List<ClientCall> calls = new ArrayList<>(clientCalls);
    calls.add(call);
    Instant since = pausedAt == null ? at : pausedAt;
    TurnStatus next = status == TurnStatus.RUNNING ? TurnStatus.WAITING : status;
    return new Turn(id, next, steps, output, error, acceptedAt, at, deadline, since, calls);
  }

  /** The client call {@code callId} has its outcome: the turn no longer lists it. */
  Turn clientCallEnded(String callId) {
    if (clientCalls.stream().noneMatch(c -> c.callId().equals(callId))) {
      return this;
    }
    List<ClientCall> calls = clientCalls.stream().filter(c -> !c.callId().equals(callId)).toList();
    return new Turn(
        id, status, steps, output, error, acceptedAt, updatedAt, deadline, pausedAt, calls);
  }

  /** From waiting for a human back to waiting for the client. */
  Turn waitingForClient() {
    return new Turn(
        id,
        TurnStatus.WAITING,
        steps,
        output,
        error,
        acceptedAt,
        updatedAt,
        deadline,
        pausedAt,
        clientCalls);
  }

  Turn resumed(Instant at) {
    Instant moved =
        deadline == null || pausedAt == null
            ? deadline
            : deadline.plus(Duration.between(pausedAt, at));
    return new Turn(
        id, TurnStatus.RUNNING, steps, output, error, acceptedAt, at, moved, null, clientCalls);
  }

  /**
   * Told to end while calls of it had an unknown outcome: it waits for a human (decision 0016) and
   * then ends as {@code why} says. The budget no longer runs: a human's retry gets the tool's own
   * timeout, not what was left of the turn.
   */
  Turn ending(TurnError why, Instant at) {
    Instant since = pausedAt == null ? at : pausedAt;
    return new Turn(
        id,
        TurnStatus.AWAITING_APPROVAL,
        steps,
        output,
        why,
        acceptedAt,
        at,
        null,
        since,
        clientCalls);
  }

  /**
   * Not ended yet, but told to end (see {@link #ending}); {@code error} says how it will end. It no
   * longer asks the model.
   */
  public boolean toldToEnd() {
    return !status.terminal() && error != null;
  }

  /** The budget's deadline moves on by {@code pause} (the session was suspended that long). */
  Turn extended(Duration pause) {
    Instant moved = deadline == null ? null : deadline.plus(pause);
    return new Turn(
        id, status, steps, output, error, acceptedAt, updatedAt, moved, pausedAt, clientCalls);
  }

  Turn completed(String text, Instant at) {
    return new Turn(id, TurnStatus.COMPLETED, steps, text, null, acceptedAt, at, null, null);
  }

  Turn failed(TurnError why, Instant at) {
    return new Turn(id, TurnStatus.FAILED, steps, output, why, acceptedAt, at, null, null);
  }

  Turn cancelled(TurnError why, Instant at) {
    return new Turn(id, TurnStatus.CANCELLED, steps, output, why, acceptedAt, at, null, null);
  }

  /**
   * A new turn id, as the session names its turns; an asker may name the turn it opens (decision
   * 0013).
   */
  public static String newId() {
    return Ids.newId("turn_");
  }

  /**
   * Ended, or waiting for a human or for the client's results: a client waiting for the turn has
   * its answer.
   */
  public boolean settled() {
    return status.terminal()
        || status == TurnStatus.AWAITING_APPROVAL
        || status == TurnStatus.WAITING;
  }

  boolean active() {
    return status == TurnStatus.RUNNING
        || status == TurnStatus.AWAITING_APPROVAL
        || status == TurnStatus.WAITING;
  }
}
