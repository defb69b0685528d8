package io.agentruntime.http.routes;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.runtime.session.Caller;
import io.agentruntime.runtime.session.SessionCommand;
import io.agentruntime.runtime.session.SessionReply;
import io.agentruntime.runtime.session.SessionView;
import io.agentruntime.runtime.session.Sessions;
import io.agentruntime.runtime.tools.ToolConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * How routes reach a session: always in the principal's own tenant, as the principal's caller. A
 * refusal of the session fails the stage with the matching {@link ApiError}; a session that does
 * not answer fails it with the ask timeout, which the error mapper turns into a 503.
 */
final class SessionGateway {

  private final Sessions sessions;

  SessionGateway(Sessions sessions) {
    this.sessions = sessions;
  }

  /** The session's answer of type {@code expected}. */
  <R extends SessionReply> CompletionStage<R> ask(
      Principal principal,
      String sessionId,
      BiFunction<Caller, ActorRef<SessionReply>, SessionCommand> command,
      Class<R> expected) {
    return sessions
        .ask(principal.tenant(), sessionId, replyTo -> command.apply(principal.caller(), replyTo))
        .thenApply(reply -> expect(reply, expected));
  }

  /** As {@link #ask}, waiting at most {@code timeout} for the answer. */
  <R extends SessionReply> CompletionStage<R> ask(
      Principal principal,
      String sessionId,
      BiFunction<Caller, ActorRef<SessionReply>, SessionCommand> command,
      Class<R> expected,
      java.time.Duration timeout) {
    return sessions
        .ask(
            principal.tenant(),
            sessionId,
            replyTo -> command.apply(principal.caller(), replyTo),
            timeout)
        .thenApply(reply -> expect(reply, expected));
  }

  /** How long an ask waits for a session that does not answer. */
  java.time.Duration askTimeout() {
    return sessions.settings().askTimeout();
  }

  /** The session as it is after a command that answers {@code Current}. */
  CompletionStage<SessionView> view(
      Principal principal,
      String sessionId,
      BiFunction<Caller, ActorRef<SessionReply>, SessionCommand> command) {
    return ask(principal, sessionId, command, SessionReply.Current.class)
        .thenApply(SessionReply.Current::session);
  }

  /**
   * Connects (or replaces) a tool; an MCP server is asked for its tools first, and one that cannot
   * be reached is a 400 naming the url. Answers the session as it is after the change.
   */
  CompletionStage<SessionView> connectTool(
      Principal principal, String sessionId, ToolConnection tool) {
    // Discovery calls out to the server: only for a caller who may see the session at all.
    CompletionStage<?> visible =
        tool instanceof ToolConnection.Mcp
            ? view(principal, sessionId, SessionCommand.GetSession::new)
            : CompletableFuture.completedFuture(null);
    return visible
        .thenCompose(
            seen -> sessions.connectTool(principal.tenant(), sessionId, principal.caller(), tool))
        .thenApply(reply -> expect(reply, SessionReply.Current.class).session());
  }

  private static <R extends SessionReply> R expect(SessionReply reply, Class<R> expected) {
    if (reply instanceof SessionReply.Rejected rejected) {
      throw ApiError.of(rejected.problem());
    }
    if (!expected.isInstance(reply)) {
      throw new IllegalStateException(
          "session answered "
              + reply.getClass().getSimpleName()
              + " where "
              + expected.getSimpleName()
              + " was expected");
    }
    return expected.cast(reply);
  }
}
