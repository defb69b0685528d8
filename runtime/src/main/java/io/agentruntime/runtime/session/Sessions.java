package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.Continuations;
import io.agentruntime.runtime.directory.SessionDirectory;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The sessions of the cluster, as the API reaches them: starts sharding for session entities on
 * this node and sends a command to the one node that hosts a session, wherever that is. Each
 * operation of {@link SessionService} is one command (or, to wait for a turn, an ask that falls
 * back to reading the turn); a session's event stream reads its journal and follows it live.
 */
public final class Sessions implements SessionService {

  private final ClusterSharding sharding;
  private final Executor dispatcher;
  private final SessionSettings settings;
  private final SessionDirectory directory;

  private final io.agentruntime.runtime.tools.ToolExecutor tools;
  private final SessionHosts hosts;
  private final EventFeed feed;

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
    this.feed =
        new EventFeed(system, this, EventStreamSettings.fromConfig(system.settings().config()));
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
   * Asks the session {@code tenant}/{@code sessionId} in its own protocol (the edge uses the typed
   * {@link SessionService} methods instead). Fails with a timeout when the session does not answer
   * within the ask timeout, which is how an unavailable journal shows.
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
      Duration timeout) {
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

  @Override
  public Optional<String> hostOf(String tenant, String sessionId) {
    return hosts.hostOf(SessionEntity.entityId(tenant, sessionId));
  }

  @Override
  public Limits defaultLimits() {
    return settings.defaultLimits();
  }

  /**
   * Creates a session. The tools of its MCP servers are discovered first, as when one is connected
   * later, so the model is offered them from the first turn; a server that cannot be reached is
   * refused (INVALID, field {@code tools[i].url}) and nothing is created.
   */
  @Override
  public CompletionStage<Creation> create(
      String tenant, String sessionId, Caller caller, SessionSpec spec, CreateMode mode) {
    return discovered(tenant, spec)
        .thenCompose(
            full ->
                request(
                    tenant,
                    sessionId,
                    replyTo -> new SessionCommand.CreateSession(caller, full, mode, replyTo),
                    SessionReply.class))
        .thenApply(
            reply -> {
              if (reply instanceof SessionReply.Created created) {
                return new Creation(created.session(), true);
              }
              return new Creation(expect(reply, SessionReply.Current.class).session(), false);
            });
  }

  /**
   * {@code spec} with each of its MCP connections carrying the tools discovered on it, for a
   * session of {@code tenant}. The tools are checked first, so that nothing is called for a request
   * the session would refuse anyway; a failure names the first connection (by index) that failed.
   */
  private CompletionStage<SessionSpec> discovered(String tenant, SessionSpec spec) {
    List<ToolConnection> asked = spec.tools();
    if (tools == null || asked.stream().noneMatch(t -> t instanceof ToolConnection.Mcp)) {
      return CompletableFuture.completedFuture(spec);
    }
    Optional<Problem> invalid = new SessionValidation(settings).tools(asked);
    if (invalid.isPresent()) {
      return CompletableFuture.failedFuture(new SessionRefused(invalid.get()));
    }
    List<CompletableFuture<ToolConnection>> each = new ArrayList<>();
    for (int i = 0; i < asked.size(); i++) {
      String field = "tools[" + i + "].url";
      each.add(
          asked.get(i) instanceof ToolConnection.Mcp mcp
              ? withTools(tenant, mcp, field).toCompletableFuture()
              : CompletableFuture.completedFuture(asked.get(i)));
    }
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .handle((done, failure) -> each)
        .thenApply(
            all -> {
              List<ToolConnection> found = new ArrayList<>();
              for (CompletableFuture<ToolConnection> one : all) {
                found.add(one.join()); // the first that failed, by index, fails the whole
              }
              return new SessionSpec(
                  spec.agent(), found, spec.permissions(), spec.memory(), spec.metadata());
            });
  }

  /** The connection with its tools, or a refusal naming {@code field}. */
  private CompletionStage<ToolConnection> withTools(
      String tenant, ToolConnection.Mcp mcp, String field) {
    Optional<String> refusal = tools.refusal(mcp);
    if (refusal.isPresent()) {
      return CompletableFuture.failedFuture(
          new SessionRefused(
              new Problem(
                  Problem.Kind.INVALID, "host_not_allowed", field + ": " + refusal.get(), field)));
    }
    return tools
        .discover(tenant, mcp)
        .<ToolConnection>thenApply(mcp::withTools)
        .exceptionally(
            failure -> {
              Throwable cause = unwrap(failure);
              if (cause instanceof io.agentruntime.runtime.tools.ToolException e) {
                throw new SessionRefused(
                    new Problem(
                        Problem.Kind.INVALID, e.code(), field + ": " + e.getMessage(), field));
              }
              throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
            });
  }

  @Override
  public CompletionStage<SessionView> get(String tenant, String sessionId, Caller caller) {
    return view(tenant, sessionId, replyTo -> new SessionCommand.GetSession(caller, replyTo));
  }

  @Override
  public CompletionStage<SessionPage> list(
      String tenant,
      Optional<String> owner,
      Optional<String> status,
      int limit,
      Optional<String> cursor) {
    return directory
        .list(tenant, owner, status, limit, cursor)
        .toCompletableFuture()
        .copy()
        .orTimeout(settings.askTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletionStage<SessionView> close(String tenant, String sessionId, Caller caller) {
    return view(tenant, sessionId, replyTo -> new SessionCommand.CloseSession(caller, replyTo));
  }

  @Override
  public CompletionStage<SessionView> writeMemory(
      String tenant, String sessionId, Caller caller, String key, JsonNode value) {
    return view(
        tenant, sessionId, replyTo -> new SessionCommand.WriteMemory(caller, key, value, replyTo));
  }

  @Override
  public CompletionStage<SessionView> deleteMemory(
      String tenant, String sessionId, Caller caller, String key) {
    return view(
        tenant, sessionId, replyTo -> new SessionCommand.DeleteMemory(caller, key, replyTo));
  }

  @Override
  public CompletionStage<SessionView> connectTool(
      String tenant, String sessionId, Caller caller, ToolConnection tool) {
    // Discovery calls out to the server: only for a caller who may see the session at all.
    CompletionStage<?> visible =
        tool instanceof ToolConnection.Mcp
            ? get(tenant, sessionId, caller)
            : CompletableFuture.completedFuture(null);
    return visible
        .thenCompose(seen -> connect(tenant, sessionId, caller, tool))
        .thenApply(reply -> expect(reply, SessionReply.Current.class).session());
  }

  /**
   * Connects (or replaces) a tool of a session. An MCP server is asked for its tools first, and
   * they are journaled with the connection; a server that cannot be reached is refused (INVALID,
   * field url) and nothing changes.
   */
  private CompletionStage<SessionReply> connect(
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
        .discover(tenant, mcp)
        .thenCompose(
            found ->
                ask(
                    tenant,
                    sessionId,
                    replyTo ->
                        new SessionCommand.ConnectTool(caller, mcp.withTools(found), replyTo)))
        .exceptionally(
            failure -> {
              Throwable cause = unwrap(failure);
              if (cause instanceof io.agentruntime.runtime.tools.ToolException e) {
                return new SessionReply.Rejected(
                    new Problem(Problem.Kind.INVALID, e.code(), "url: " + e.getMessage(), "url"));
              }
              throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
            });
  }

  @Override
  public CompletionStage<SessionView> disconnectTool(
      String tenant, String sessionId, Caller caller, String name) {
    return view(
        tenant, sessionId, replyTo -> new SessionCommand.DisconnectTool(caller, name, replyTo));
  }

  @Override
  public CompletionStage<SessionView> changePermissions(
      String tenant, String sessionId, Caller caller, PermissionPolicy permissions) {
    return view(
        tenant,
        sessionId,
        replyTo -> new SessionCommand.ChangePermissions(caller, permissions, replyTo));
  }

  /**
   * With a wait, in one ask: the session answers once the turn settles, or with the turn as it
   * stands when the wait is over. The turn is named here, so that a request that heard nothing (the
   * session was moving, say) can still find it; a turn that cannot be found was never accepted, and
   * the request fails as the ask did (a timeout).
   */
  @Override
  public CompletionStage<Turn> send(
      String tenant,
      String sessionId,
      Caller caller,
      String content,
      OnBusy onBusy,
      String idempotencyKey,
      Duration wait) {
    if (wait.isZero()) {
      return request(
              tenant,
              sessionId,
              replyTo ->
                  new SessionCommand.SendUserMessage(
                      caller, content, onBusy, idempotencyKey, replyTo),
              SessionReply.TurnAccepted.class)
          .thenApply(SessionReply.TurnAccepted::turn);
    }
    String turnId = Turn.newId();
    long answerBy = System.currentTimeMillis() + wait.toMillis();
    return request(
            tenant,
            sessionId,
            replyTo ->
                new SessionCommand.SendUserMessage(
                    caller, content, onBusy, idempotencyKey, turnId, answerBy, replyTo),
            SessionReply.TurnAccepted.class,
            wait.plus(settings.askTimeout()))
        .thenApply(SessionReply.TurnAccepted::turn)
        .exceptionallyCompose(
            failure ->
                timedOut(failure)
                    ? getTurn(tenant, sessionId, caller, turnId)
                        .exceptionallyCompose(lookup -> CompletableFuture.failedStage(failure))
                    : CompletableFuture.failedStage(failure));
  }

  @Override
  public CompletionStage<Turn> getTurn(
      String tenant, String sessionId, Caller caller, String turnId) {
    return request(
            tenant,
            sessionId,
            replyTo -> new SessionCommand.GetTurn(caller, turnId, replyTo),
            SessionReply.TurnFound.class)
        .thenApply(SessionReply.TurnFound::turn);
  }

  /**
   * Without holding a thread: the session answers the moment the turn settles. When the time is up
   * first (or the session restarted and forgot the waiter), the turn is read as it stands.
   */
  @Override
  public CompletionStage<Turn> awaitTurn(
      String tenant, String sessionId, Caller caller, Turn seen, Duration wait) {
    if (seen.settled() || wait.isZero()) {
      return CompletableFuture.completedFuture(seen);
    }
    return request(
            tenant,
            sessionId,
            replyTo -> new SessionCommand.AwaitTurn(caller, seen.id(), replyTo),
            SessionReply.TurnFound.class,
            wait)
        .thenApply(SessionReply.TurnFound::turn)
        .exceptionallyCompose(
            failure ->
                timedOut(failure)
                    ? getTurn(tenant, sessionId, caller, seen.id())
                    : CompletableFuture.failedStage(failure));
  }

  @Override
  public CompletionStage<SessionReply.TurnList> listTurns(
      String tenant, String sessionId, Caller caller, int limit, String afterTurnId) {
    return request(
        tenant,
        sessionId,
        replyTo -> new SessionCommand.ListTurns(caller, limit, afterTurnId, replyTo),
        SessionReply.TurnList.class);
  }

  @Override
  public CompletionStage<Turn> cancelTurn(
      String tenant, String sessionId, Caller caller, String turnId) {
    return request(
            tenant,
            sessionId,
            replyTo -> new SessionCommand.CancelTurn(caller, turnId, replyTo),
            SessionReply.TurnFound.class)
        .thenApply(SessionReply.TurnFound::turn);
  }

  @Override
  public CompletionStage<List<TranscriptEntry>> transcript(
      String tenant, String sessionId, Caller caller) {
    return request(
            tenant,
            sessionId,
            replyTo -> new SessionCommand.GetTranscript(caller, replyTo),
            SessionReply.TranscriptFound.class)
        .thenApply(SessionReply.TranscriptFound::messages);
  }

  @Override
  public CompletionStage<List<Approval>> approvals(String tenant, String sessionId, Caller caller) {
    return request(
            tenant,
            sessionId,
            replyTo -> new SessionCommand.ListApprovals(caller, replyTo),
            SessionReply.ApprovalList.class)
        .thenApply(SessionReply.ApprovalList::approvals);
  }

  @Override
  public CompletionStage<Approval> decideApproval(
      String tenant,
      String sessionId,
      Caller caller,
      String approvalId,
      String decision,
      String comment,
      JsonNode result) {
    return request(
            tenant,
            sessionId,
            replyTo ->
                new SessionCommand.DecideApproval(
                    caller, approvalId, decision, comment, result, replyTo),
            SessionReply.ApprovalDecided.class)
        .thenApply(SessionReply.ApprovalDecided::approval);
  }

  @Override
  public CompletionStage<SessionView> suspend(
      String tenant, String sessionId, Caller caller, String reason) {
    return view(
        tenant, sessionId, replyTo -> new SessionCommand.SuspendSession(caller, reason, replyTo));
  }

  @Override
  public CompletionStage<SessionView> resume(String tenant, String sessionId, Caller caller) {
    return view(tenant, sessionId, replyTo -> new SessionCommand.ResumeSession(caller, replyTo));
  }

  @Override
  public CompletionStage<SessionView> terminate(String tenant, String sessionId, Caller caller) {
    return view(tenant, sessionId, replyTo -> new SessionCommand.TerminateSession(caller, replyTo));
  }

  @Override
  public CompletionStage<String> erase(String tenant, String sessionId, Caller caller) {
    return request(
            tenant,
            sessionId,
            replyTo -> new SessionCommand.EraseSession(caller, replyTo),
            SessionReply.Erased.class)
        .thenApply(SessionReply.Erased::id);
  }

  @Override
  public CompletionStage<Source<StreamItem, NotUsed>> events(
      String tenant, String sessionId, Caller caller, long after, String requestId) {
    return get(tenant, sessionId, caller)
        .thenApply(visible -> feed.events(tenant, sessionId, caller, after, requestId));
  }

  /** The session as it is after a command that answers {@code Current}. */
  private CompletionStage<SessionView> view(
      String tenant, String sessionId, Function<ActorRef<SessionReply>, SessionCommand> command) {
    return request(tenant, sessionId, command, SessionReply.Current.class)
        .thenApply(SessionReply.Current::session);
  }

  /** The session's answer of type {@code expected}; a refusal fails with {@link SessionRefused}. */
  private <R extends SessionReply> CompletionStage<R> request(
      String tenant,
      String sessionId,
      Function<ActorRef<SessionReply>, SessionCommand> command,
      Class<R> expected) {
    return request(tenant, sessionId, command, expected, settings.askTimeout());
  }

  /** As {@link #request(String, String, Function, Class)}, waiting at most {@code timeout}. */
  private <R extends SessionReply> CompletionStage<R> request(
      String tenant,
      String sessionId,
      Function<ActorRef<SessionReply>, SessionCommand> command,
      Class<R> expected,
      Duration timeout) {
    return ask(tenant, sessionId, command, timeout).thenApply(reply -> expect(reply, expected));
  }

  private static <R extends SessionReply> R expect(SessionReply reply, Class<R> expected) {
    if (reply instanceof SessionReply.Rejected rejected) {
      throw new SessionRefused(rejected.problem());
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

  private static boolean timedOut(Throwable failure) {
    return unwrap(failure) instanceof TimeoutException;
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  public SessionDirectory directory() {
    return directory;
  }

  public SessionSettings settings() {
    return settings;
  }
}
