package io.agentruntime.http.routes;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.runtime.session.Caller;
import io.agentruntime.runtime.session.SessionCommand;
import io.agentruntime.runtime.session.SessionReply;
import io.agentruntime.runtime.session.SessionView;
import io.agentruntime.runtime.session.Sessions;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * How routes reach a session: always in the principal's own tenant, as the principal's caller.
 * A refusal of the session fails the stage with the matching {@link ApiError}; a session that
 * does not answer fails it with the ask timeout, which the error mapper turns into a 503.
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
        .thenApply(reply -> {
          if (reply instanceof SessionReply.Rejected rejected) {
            throw ApiError.of(rejected.problem());
          }
          if (!expected.isInstance(reply)) {
            throw new IllegalStateException("session answered " + reply.getClass().getSimpleName()
                + " where " + expected.getSimpleName() + " was expected");
          }
          return expected.cast(reply);
        });
  }

  /** The session as it is after a command that answers {@code Current}. */
  CompletionStage<SessionView> view(
      Principal principal, String sessionId, BiFunction<Caller, ActorRef<SessionReply>, SessionCommand> command) {
    return ask(principal, sessionId, command, SessionReply.Current.class).thenApply(SessionReply.Current::session);
  }
}
