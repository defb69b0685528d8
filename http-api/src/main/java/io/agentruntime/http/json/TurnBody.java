package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.session.ClientCall;
import io.agentruntime.runtime.session.Turn;
import java.util.List;

/**
 * A turn as the turn endpoints show it. {@code output} is set once the turn completed, {@code
 * error} once it failed or was cancelled, or once it was told to end while a call of it is in doubt
 * (it is then still {@code awaiting_approval}, and {@code error} says how it will end: decision
 * 0016); both are null before. {@code clientCalls} are its function calls that wait for the
 * client's results while it is {@code waiting} (decision 0023), empty otherwise.
 */
public record TurnBody(
    String turnId,
    String status,
    String output,
    ErrorBody error,
    int steps,
    String acceptedAt,
    String updatedAt,
    List<ClientCallBody> clientCalls) {

  public record ErrorBody(String code, String message) {}

  /**
   * A function call that waits for the client's result (decision 0023): the client runs {@code
   * name} with {@code arguments} and posts the outcome to {@code .../turns/{turnId}/tool-results}.
   */
  public record ClientCallBody(
      String callId, String name, JsonNode arguments, String turnId, String expiresAt) {
    public static ClientCallBody of(ClientCall c) {
      return new ClientCallBody(
          c.callId(), c.name(), c.arguments(), c.turnId(), SessionBody.time(c.expiresAt()));
    }
  }

  /** The answer of {@code POST .../messages} when it does not wait for the turn to end. */
  public record Accepted(String turnId, String status) {
    public static Accepted of(Turn turn) {
      return new Accepted(turn.id(), turn.status().wireName());
    }
  }

  /** A page of turns, newest first; {@code nextCursor} is null on the last page. */
  public record Page(List<TurnBody> turns, String nextCursor) {}

  public static TurnBody of(Turn t) {
    return new TurnBody(
        t.id(),
        t.status().wireName(),
        t.output(),
        t.error() == null ? null : new ErrorBody(t.error().code(), t.error().message()),
        t.steps(),
        SessionBody.time(t.acceptedAt()),
        SessionBody.time(t.updatedAt()),
        t.clientCalls().stream().map(ClientCallBody::of).toList());
  }
}
