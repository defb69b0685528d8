package io.agentruntime.runtime.session;

import io.agentruntime.runtime.Continuations;
import io.agentruntime.runtime.directory.SessionDirectory;
import io.agentruntime.runtime.tools.ToolConnection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The sessions of the cluster, as the API reaches them: starts sharding for session entities on
 * this node and sends a command to the one node that hosts a session, wherever that is.
 */
public final class Sessions {

  private final ClusterSharding sharding;
  private final Executor dispatcher;
  private final SessionSettings settings;
  private final SessionDirectory directory;

  private final io.agentruntime.runtime.tools.ToolExecutor tools;
  private final SessionHosts hosts;

  private Sessions(
      ActorSystem<?> system,
      SessionSettings settings,
      SessionDirectory directory,
      io.agentruntime.runtime.tools.ToolExecutor tools) {
    this.sharding = ClusterSharding.get(system);
    this.dispatcher = system.executionContext();
    this.settings = settings;
    this.directory = directory;
    this.tools = tools;
    this.hosts =
        new SessionHosts(
            system.settings().config().getInt("pekko.cluster.sharding.number-of-shards"));
  }

  public static Sessions start(ActorSystem<?> system, SessionRuntime runtime) {
    String node = SessionHosts.nodeName(Cluster.get(system).selfMember().address());
    ClusterSharding.get(system)
        .init(
            Entity.of(
                SessionEntity.TYPE_KEY,
                ctx -> SessionEntity.create(ctx.getEntityId(), runtime, ctx.getShard(), node)));
    return new Sessions(system, runtime.settings(), runtime.directory(), runtime.tools());
  }

  /**
   * Asks the session {@code tenant}/{@code sessionId}. Fails with a timeout when the session does
   * not answer within the ask timeout, which is how an unavailable journal shows.
   */
  public CompletionStage<SessionReply> ask(
      String tenant, String sessionId, Function<ActorRef<SessionReply>, SessionCommand> command) {
    return ask(tenant, sessionId, command, settings.askTimeout());
  }

  /** As {@link #ask(String, String, Function)}, waiting at most {@code timeout}. */
  public CompletionStage<SessionReply> ask(
      String tenant,
      String sessionId,
      Function<ActorRef<SessionReply>, SessionCommand> command,
      java.time.Duration timeout) {
    // The session drops the command if it only gets to it after the ask has timed out (with a
    // margin for the write itself): a client told 503 must find nothing accepted.
    long notAfter = System.currentTimeMillis() + timeout.toMillis() - timeout.toMillis() / 4;
    String entityId = SessionEntity.entityId(tenant, sessionId);
    // Off the ask's own future before any thenApply: see Continuations (decision 0010).
    return Continuations.on(
            dispatcher,
            sharding
                .entityRefFor(SessionEntity.TYPE_KEY, entityId)
                .<SessionReply>ask(
                    replyTo -> new SessionCommand.Expiring(command.apply(replyTo), notAfter),
                    timeout))
        .thenApply(reply -> hosts.unwrap(entityId, reply));
  }

  /**
   * The node ({@code host:port} of its cluster address) that hosted the session when it last
   * answered through this node; empty before it has.
   */
  public Optional<String> hostOf(String tenant, String sessionId) {
    return hosts.hostOf(SessionEntity.entityId(tenant, sessionId));
  }

  /**
   * Connects (or replaces) a tool of a session. An MCP server is asked for its tools first, and
   * they are journaled with the connection; a server that cannot be reached is refused (INVALID,
   * field url) and nothing changes.
   */
  public CompletionStage<SessionReply> connectTool(
      String tenant, String sessionId, Caller caller, ToolConnection tool) {
    if (!(tool instanceof ToolConnection.Mcp mcp) || tools == null) {
      return ask(
          tenant, sessionId, replyTo -> new SessionCommand.ConnectTool(caller, tool, replyTo));
    }
    Optional<String> refusal = tools.refusal(mcp);
    if (refusal.isPresent()) {
      return CompletableFuture.completedFuture(
          new SessionReply.Rejected(
              new Problem(
                  Problem.Kind.INVALID, "host_not_allowed", "url: " + refusal.get(), "url")));
    }
    return tools
        .discover(mcp)
        .thenCompose(
            found ->
                ask(
                    tenant,
                    sessionId,
                    replyTo ->
                        new SessionCommand.ConnectTool(caller, mcp.withTools(found), replyTo)))
        .exceptionally(
            failure -> {
              Throwable cause =
                  failure instanceof java.util.concurrent.CompletionException
                          && failure.getCause() != null
                      ? failure.getCause()
                      : failure;
              if (cause instanceof io.agentruntime.runtime.tools.ToolException e) {
                return new SessionReply.Rejected(
                    new Problem(Problem.Kind.INVALID, e.code(), "url: " + e.getMessage(), "url"));
              }
              throw cause instanceof RuntimeException r
                  ? r
                  : new java.util.concurrent.CompletionException(cause);
            });
  }

  public SessionDirectory directory() {
    return directory;
  }

  public SessionSettings settings() {
    return settings;
  }
}
