package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.Continuations;
import io.agentruntime.runtime.directory.CostPosition;
import io.agentruntime.runtime.directory.SessionDirectory;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.tools.ToolConnection;
import io.agentruntime.runtime.vault.VaultProblem;
import io.agentruntime.runtime.vault.VaultRefused;
import io.agentruntime.runtime.vault.Vaults;
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
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The sessions of the cluster, as the API reaches them: starts sharding for session entities on
 * this node and sends a command to the one node that hosts a session, wherever that is. Each
 * operation of {@link SessionService} is one command (or, to wait for a turn, an ask that falls
 * back to reading the turn); a session's event stream reads its journal and follows it live.
 *
 * <p>A write whose session does not answer in time is told apart (decision 0034): looked up (a
 * message by the turn it names, a keyed write by sending it again under its key, create, close and
 * erase by the session's state), it answers what was found, fails as "nothing was accepted" (the
 * ask's timeout) when the look-up proves the write is not there, and with {@link OutcomeUnknown}
 * when nothing can tell.
 */
public final class Sessions implements SessionService {

  private final ClusterSharding sharding;
  private final Executor dispatcher;
  private final SessionSettings settings;
  private final SessionDirectory directory;

  private final io.agentruntime.runtime.tools.ToolExecutor tools;
  private final SessionHosts hosts;
  private final EventFeed feed;
  private final TenantPolicies policies;
  private final Vaults vaults;
  private final Materializer materializer;
  private final io.agentruntime.runtime.model.ModelProviders models;
  private final Schedules schedules;

  /** The client's idempotency key for this request's write, or null (see {@link #keyed}). */
  private final String requestKey;

  private Sessions(
      ActorSystem<?> system,
      SessionSettings settings,
      SessionDirectory directory,
      io.agentruntime.runtime.tools.ToolExecutor tools,
      TenantPolicies policies,
      io.agentruntime.runtime.model.ModelProviders models,
      Schedules schedules) {
    this.policies = policies;
    this.schedules = schedules;
    this.vaults = Vaults.get(system);
    this.models = models;
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
    this.materializer = Materializer.matFromSystem(system);
    this.requestKey = null;
  }

  private Sessions(Sessions sessions, String requestKey) {
    this.sharding = sessions.sharding;
    this.dispatcher = sessions.dispatcher;
    this.settings = sessions.settings;
    this.directory = sessions.directory;
    this.tools = sessions.tools;
    this.hosts = sessions.hosts;
    this.feed = sessions.feed;
    this.policies = sessions.policies;
    this.vaults = sessions.vaults;
    this.materializer = sessions.materializer;
    this.models = sessions.models;
    this.schedules = sessions.schedules;
    this.requestKey = requestKey;
  }

  @Override
  public SessionService keyed(String idempotencyKey) {
    return idempotencyKey == null ? this : new Sessions(this, idempotencyKey);
  }

  /** Starts sharding for the sessions and for the tenants' policies, which sessions read. */
  public static Sessions start(ActorSystem<?> system, SessionRuntime runtime) {
    String node = SessionHosts.nodeName(Cluster.get(system).selfMember().address());
    TenantPolicies policies =
        TenantPolicies.start(
            system,
            runtime.settings(),
            system.settings().config().getDuration("agent-runtime.session.ceiling-refresh"),
            runtime.clock());
    // Tool calls resolve their vault credentials when they are made (decision 0029).
    io.agentruntime.runtime.tools.ToolExecutor tools =
        runtime.tools() == null ? null : Vaults.get(system).guarding(runtime.tools());
    SessionRuntime governed = runtime.withCeilings(policies).withTools(tools);
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    SessionEntity.TYPE_KEY,
                    ctx -> SessionEntity.create(ctx.getEntityId(), governed, ctx.getShard(), node))
                // A session that moves lets its tool calls in flight land first (decision 0017).
                .withStopMessage(new InternalCommand.HandOff()));
    // The sessions this node had work in flight for when it last stopped are asked for before the
    // coordinator queues the remembered shards (decision 0068).
    RestartHints.get(system)
        .wakeLastRun(
            id ->
                ClusterSharding.get(system)
                    .entityRefFor(SessionEntity.TYPE_KEY, id)
                    .tell(new SessionCommand.Wake(runtime.clock().millis())));
    // A session's schedules wake it, passivated or not (decision 0038).
    Schedules schedules =
        Schedules.start(system, runtime.settings(), runtime.clock(), runtime.lifecycle());
    return new Sessions(
        system,
        runtime.settings(),
        runtime.directory(),
        tools,
        policies,
        runtime.models(),
        schedules);
  }

  @Override
  public CompletionStage<TenantPolicy> tenantPolicy(String tenant, Caller caller) {
    return policies.get(tenant, caller);
  }

  @Override
  public CompletionStage<TenantMonth> tenantMonth(String tenant, Caller caller) {
    return policies.month(tenant, true);
  }

  @Override
  public CompletionStage<TenantPolicy> suspendTenant(String tenant, Caller caller) {
    return policies.setSuspended(tenant, caller, true);
  }

  @Override
  public CompletionStage<TenantPolicy> resumeTenant(String tenant, Caller caller) {
    return policies.setSuspended(tenant, caller, false);
  }

  /**
   * Refused (409 {@code tenant_suspended}) while the tenant is suspended as this node knows it (at
   * most {@code ceiling-refresh} old, decision 0042). An unreadable policy refuses nothing here:
   * the session's driver holds its calls on what it can read.
   */
  private CompletionStage<Void> tenantRunning(String tenant) {
    return policies
        .ceiling(tenant)
        .exceptionally(unreadable -> TenantPolicy.NONE)
        .thenAccept(
            policy -> {
              if (policy.suspended()) {
                throw new SessionRefused(
                    Problem.conflict(
                        "tenant_suspended",
                        "an operator suspended this tenant: its sessions take no message until"
                            + " it is resumed"));
              }
            });
  }

  @Override
  public CompletionStage<TenantPolicy> replaceTenantPolicy(
      String tenant, Caller caller, TenantPolicy policy) {
    // A replacement is idempotent by its content: sent again under the same Idempotency-Key (or
    // none) it changes nothing more, so the key needs no journal. The tenant's entity has no
    // Expiring guard, so a replacement whose ask timed out may still land: the policy is read back,
    // and unless it is the one asked for, the outcome is unknown (decision 0034), never 503.
    return settled(
        policies.replace(tenant, caller, policy),
        "tenant policy change",
        () ->
            policies
                .get(tenant, caller)
                .thenApply(
                    read -> {
                      if (read.tools().equals(policy.tools())
                          && read.budgets().equals(policy.budgets())) {
                        return Optional.of(read);
                      }
                      throw new CompletionException(
                          new IllegalStateException("the tenant's policy read back differs"));
                    }));
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
  public CompletionStage<Schedule> createSchedule(
      String tenant, String sessionId, Caller caller, ScheduleRules.Request request) {
    return visible(tenant, sessionId, caller)
        .thenCompose(v -> schedules.create(tenant, sessionId, caller, request));
  }

  @Override
  public CompletionStage<List<Schedule>> listSchedules(
      String tenant, String sessionId, Caller caller) {
    return visible(tenant, sessionId, caller).thenCompose(v -> schedules.list(tenant, sessionId));
  }

  @Override
  public CompletionStage<Void> deleteSchedule(
      String tenant, String sessionId, Caller caller, String scheduleId) {
    return visible(tenant, sessionId, caller)
        .thenCompose(v -> schedules.delete(tenant, sessionId, scheduleId));
  }

  @Override
  public Optional<String> hostOf(String tenant, String sessionId) {
    return hosts.hostOf(SessionEntity.entityId(tenant, sessionId));
  }

  @Override
  public boolean knowsModel(String model) {
    return models.provider(model).isPresent();
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
    // A session made before this request (less the skew of two clocks) was not made by it.
    java.time.Instant notBefore = java.time.Instant.now().minus(settings.askTimeout());
    CompletionStage<Creation> created =
        attachable(tenant, caller, spec)
            .thenCompose(ok -> discovered(tenant, caller, spec))
            .thenCompose(
                full ->
                    request(
                        tenant,
                        sessionId,
                        replyTo -> new SessionCommand.CreateSession(caller, full, mode, replyTo),
                        SessionReply.class))
            .thenApply(
                reply -> {
                  if (reply instanceof SessionReply.Created c) {
                    return new Creation(c.session(), true);
                  }
                  return new Creation(expect(reply, SessionReply.Current.class).session(), false);
                });
    // Found, the caller's and new: this request made it.
    return settled(
        created,
        "create",
        () ->
            found(get(tenant, sessionId, caller))
                .thenApply(
                    view ->
                        view.filter(
                                v ->
                                    v.owner().user().equals(caller.user())
                                        && v.createdAt().isAfter(notBefore))
                            .map(v -> new Creation(SessionSummary.of(v), true))));
  }

  /**
   * Succeeds when the creator may use every vault the spec names (decision 0029); an unknown vault,
   * another tenant's or another user's is refused as not found (404, naming {@code vaultIds}).
   */
  private CompletionStage<Void> attachable(String tenant, Caller caller, SessionSpec spec) {
    if (spec.vaultIds().isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return vaults
        .checkAttachable(tenant, caller.user(), spec.vaultIds())
        .exceptionally(
            failure -> {
              Throwable t =
                  failure instanceof java.util.concurrent.CompletionException
                          && failure.getCause() != null
                      ? failure.getCause()
                      : failure;
              if (t instanceof VaultRefused refused) {
                VaultProblem p = refused.problem();
                throw new SessionRefused(
                    new Problem(
                        p.kind() == VaultProblem.Kind.NOT_FOUND
                            ? Problem.Kind.NOT_FOUND
                            : Problem.Kind.INVALID,
                        p.code(),
                        p.message(),
                        "vaultIds"));
              }
              throw t instanceof RuntimeException r
                  ? r
                  : new java.util.concurrent.CompletionException(t);
            });
  }

  /**
   * The view streams in parts from the session's node; a stream that does not end within the ask
   * timeout, or breaks (its node left, say), fails as a session that does not answer does.
   */
  @Override
  public CompletionStage<SessionView> get(String tenant, String sessionId, Caller caller) {
    return request(
            tenant,
            sessionId,
            replyTo -> new SessionCommand.GetSession(caller, replyTo),
            SessionReply.ViewStream.class)
        .thenCompose(
            stream ->
                Continuations.on(
                    dispatcher,
                    stream
                        .parts()
                        .getSource()
                        .completionTimeout(settings.askTimeout())
                        .runWith(Sink.seq(), materializer)))
        .handle(
            (parts, failure) -> {
              if (failure == null) {
                return ViewPart.assemble(parts);
              }
              Throwable cause = unwrap(failure);
              if (cause instanceof SessionRefused || cause instanceof TimeoutException) {
                throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
              }
              TimeoutException broken =
                  new TimeoutException("the session's view did not arrive whole: " + cause);
              broken.initCause(cause);
              throw new CompletionException(broken);
            });
  }

  /**
   * {@code spec} with each of its MCP connections carrying the tools discovered on it, for a
   * session of {@code tenant}. The tools are checked first, so that nothing is called for a request
   * the session would refuse anyway; a failure names the first connection (by index) that failed.
   */
  private CompletionStage<SessionSpec> discovered(String tenant, Caller caller, SessionSpec spec) {
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
              ? withTools(tenant, credentials(caller, spec), mcp, field).toCompletableFuture()
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
              return spec.withTools(found);
            });
  }

  /** Whose vault credentials the new session's MCP discovery may use (decision 0029). */
  private static io.agentruntime.runtime.tools.CredentialScope credentials(
      Caller caller, SessionSpec spec) {
    return spec.vaultIds().isEmpty()
        ? io.agentruntime.runtime.tools.CredentialScope.NONE
        : new io.agentruntime.runtime.tools.CredentialScope(caller.user(), spec.vaultIds());
  }

  /** The connection with its tools, or a refusal naming {@code field}. */
  private CompletionStage<ToolConnection> withTools(
      String tenant,
      io.agentruntime.runtime.tools.CredentialScope credentials,
      ToolConnection.Mcp mcp,
      String field) {
    Optional<String> refusal = tools.refusal(mcp);
    if (refusal.isPresent()) {
      return CompletableFuture.failedFuture(
          new SessionRefused(
              new Problem(
                  Problem.Kind.INVALID, "host_not_allowed", field + ": " + refusal.get(), field)));
    }
    return tools
        .discover(tenant, credentials, mcp)
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
  public CompletionStage<JsonNode> memoryValue(
      String tenant, String sessionId, Caller caller, String key) {
    return request(
            tenant,
            sessionId,
            replyTo -> new SessionCommand.GetMemory(caller, key, replyTo),
            SessionReply.MemoryValue.class)
        .thenApply(SessionReply.MemoryValue::value);
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
  public CompletionStage<SessionPage> listByCost(
      String tenant,
      Optional<String> owner,
      Optional<String> status,
      int limit,
      Optional<CostPosition> after) {
    return directory
        .listByCost(tenant, owner, status, limit, after)
        .toCompletableFuture()
        .copy()
        .orTimeout(settings.askTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletionStage<SessionSummary> close(String tenant, String sessionId, Caller caller) {
    return settled(
        view(tenant, sessionId, replyTo -> new SessionCommand.CloseSession(caller, replyTo)),
        "close",
        () -> withStatus(tenant, sessionId, caller, SessionStatus.CLOSED::equals));
  }

  @Override
  public CompletionStage<SessionSummary> writeMemory(
      String tenant, String sessionId, Caller caller, String key, JsonNode value) {
    return write(
            tenant,
            sessionId,
            keyed(
                replyTo -> new SessionCommand.WriteMemory(caller, key, value, replyTo),
                "memory.put",
                caller,
                key,
                value),
            SessionReply.Current.class,
            "memory write")
        .thenApply(SessionReply.Current::session);
  }

  @Override
  public CompletionStage<SessionSummary> deleteMemory(
      String tenant, String sessionId, Caller caller, String key) {
    return write(
            tenant,
            sessionId,
            keyed(
                replyTo -> new SessionCommand.DeleteMemory(caller, key, replyTo),
                "memory.delete",
                caller,
                key),
            SessionReply.Current.class,
            "memory delete")
        .thenApply(SessionReply.Current::session);
  }

  @Override
  public CompletionStage<SessionSummary> connectTool(
      String tenant, String sessionId, Caller caller, ToolConnection tool) {
    // Discovery calls out to the server: only for a caller who may see the session at all, with
    // the session's vault credentials (decision 0029).
    CompletionStage<io.agentruntime.runtime.tools.CredentialScope> visible =
        tool instanceof ToolConnection.Mcp
            ? get(tenant, sessionId, caller)
                .thenApply(
                    view ->
                        view.vaultIds().isEmpty()
                            ? io.agentruntime.runtime.tools.CredentialScope.NONE
                            : new io.agentruntime.runtime.tools.CredentialScope(
                                view.owner().user(), view.vaultIds()))
            : CompletableFuture.completedFuture(io.agentruntime.runtime.tools.CredentialScope.NONE);
    return visible
        .thenCompose(credentials -> connect(tenant, sessionId, caller, tool, credentials))
        .thenApply(reply -> expect(reply, SessionReply.Current.class).session());
  }

  /**
   * Connects (or replaces) a tool of a session. An MCP server is asked for its tools first, and
   * they are journaled with the connection; a server that cannot be reached is refused (INVALID,
   * field url) and nothing changes.
   */
  private CompletionStage<SessionReply> connect(
      String tenant,
      String sessionId,
      Caller caller,
      ToolConnection tool,
      io.agentruntime.runtime.tools.CredentialScope credentials) {
    if (!(tool instanceof ToolConnection.Mcp mcp) || tools == null) {
      return connected(tenant, sessionId, caller, tool, tool);
    }
    Optional<String> refusal = tools.refusal(mcp);
    if (refusal.isPresent()) {
      return CompletableFuture.completedFuture(
          new SessionReply.Rejected(
              new Problem(
                  Problem.Kind.INVALID, "host_not_allowed", "url: " + refusal.get(), "url")));
    }
    return tools
        .discover(tenant, credentials, mcp)
        .thenCompose(found -> connected(tenant, sessionId, caller, mcp.withTools(found), tool))
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

  /** Connects {@code tool}, keyed by {@code asked} (the request, before any discovery). */
  private CompletionStage<SessionReply> connected(
      String tenant, String sessionId, Caller caller, ToolConnection tool, ToolConnection asked) {
    return write(
        tenant,
        sessionId,
        keyed(
            replyTo -> new SessionCommand.ConnectTool(caller, tool, replyTo),
            "tools.put",
            caller,
            asked),
        SessionReply.class,
        "tool connection");
  }

  @Override
  public CompletionStage<SessionSummary> disconnectTool(
      String tenant, String sessionId, Caller caller, String name) {
    return write(
            tenant,
            sessionId,
            keyed(
                replyTo -> new SessionCommand.DisconnectTool(caller, name, replyTo),
                "tools.delete",
                caller,
                name),
            SessionReply.Current.class,
            "tool disconnection")
        .thenApply(SessionReply.Current::session);
  }

  @Override
  public CompletionStage<SessionSummary> updateSession(
      String tenant,
      String sessionId,
      Caller caller,
      AgentDefinition agent,
      java.util.Map<String, String> metadata) {
    return write(
            tenant,
            sessionId,
            keyed(
                replyTo -> new SessionCommand.UpdateSession(caller, agent, metadata, replyTo),
                "session.update",
                caller,
                agent,
                metadata),
            SessionReply.Current.class,
            "session update")
        .thenApply(SessionReply.Current::session);
  }

  @Override
  public CompletionStage<SessionSummary> changePermissions(
      String tenant, String sessionId, Caller caller, PermissionPolicy permissions) {
    return write(
            tenant,
            sessionId,
            keyed(
                replyTo -> new SessionCommand.ChangePermissions(caller, permissions, replyTo),
                "permissions.put",
                caller,
                permissions),
            SessionReply.Current.class,
            "permissions change")
        .thenApply(SessionReply.Current::session);
  }

  /**
   * In one ask: the session answers once the message is accepted, or with a wait once the turn
   * settles, or with the turn as it stands when the wait is over. The turn is named here, with or
   * without a wait, so that a request that heard nothing (the session was moving, or its write was
   * slow) can still find it: found, it is the answer; not found, the message was never accepted and
   * the request fails as the ask did (a timeout); when the look-up hears nothing either, the
   * outcome is unknown.
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
    return tenantRunning(tenant)
        .thenCompose(
            running ->
                sendToSession(tenant, sessionId, caller, content, onBusy, idempotencyKey, wait));
  }

  private CompletionStage<Turn> sendToSession(
      String tenant,
      String sessionId,
      Caller caller,
      String content,
      OnBusy onBusy,
      String idempotencyKey,
      Duration wait) {
    String turnId = Turn.newId();
    long answerBy = wait.isZero() ? 0 : System.currentTimeMillis() + wait.toMillis();
    return settled(
        request(
                tenant,
                sessionId,
                replyTo ->
                    new SessionCommand.SendUserMessage(
                        caller, content, onBusy, idempotencyKey, turnId, answerBy, replyTo),
                SessionReply.TurnAccepted.class,
                wait.plus(settings.askTimeout()))
            .thenApply(SessionReply.TurnAccepted::turn),
        "message",
        () ->
            found(getTurn(tenant, sessionId, caller, turnId))
                .thenCompose(
                    found ->
                        // A message that steered a turn opened none: only its key can find it
                        // (the message sent again under it answers the turn it steered).
                        found.isPresent() || onBusy != OnBusy.STEER
                            ? CompletableFuture.completedStage(found)
                            : idempotencyKey == null
                                ? CompletableFuture.<Optional<Turn>>failedStage(
                                    new IllegalStateException(
                                        "a steering message without a key cannot be looked up"))
                                : request(
                                        tenant,
                                        sessionId,
                                        replyTo ->
                                            new SessionCommand.SendUserMessage(
                                                caller,
                                                content,
                                                onBusy,
                                                idempotencyKey,
                                                turnId,
                                                0,
                                                replyTo),
                                        SessionReply.TurnAccepted.class)
                                    .thenApply(a -> Optional.of(a.turn()))));
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
   * Without holding a thread: the session answers the moment the turn settles, or with the turn as
   * it stands when the wait is over (so that it owes the asker nothing after that). When the
   * session does not answer (it moved and forgot the waiter), the turn is read as it stands.
   */
  @Override
  public CompletionStage<Turn> awaitTurn(
      String tenant, String sessionId, Caller caller, Turn seen, Duration wait) {
    if (seen.settled() || wait.isZero()) {
      return CompletableFuture.completedFuture(seen);
    }
    long answerBy = System.currentTimeMillis() + wait.toMillis();
    return request(
            tenant,
            sessionId,
            replyTo -> new SessionCommand.AwaitTurn(caller, seen.id(), answerBy, replyTo),
            SessionReply.TurnFound.class,
            wait.plus(settings.askTimeout()))
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
    return write(
            tenant,
            sessionId,
            keyed(
                replyTo -> new SessionCommand.CancelTurn(caller, turnId, replyTo),
                "turn.cancel",
                caller,
                turnId),
            SessionReply.TurnFound.class,
            "cancel")
        .thenApply(SessionReply.TurnFound::turn);
  }

  @Override
  public CompletionStage<Optional<Turn>> cancelActiveTurn(
      String tenant, String sessionId, Caller caller) {
    return write(
            tenant,
            sessionId,
            keyed(
                replyTo -> new SessionCommand.CancelTurn(caller, null, replyTo),
                "turn.cancel_active",
                caller),
            SessionReply.TurnFound.class,
            "cancel")
        .thenApply(found -> Optional.ofNullable(found.turn()));
  }

  @Override
  public CompletionStage<Turn> submitToolResult(
      String tenant, String sessionId, Caller caller, ClientToolResult result) {
    return write(
            tenant,
            sessionId,
            keyed(
                replyTo ->
                    new SessionCommand.SubmitToolResult(
                        caller,
                        result.turnId(),
                        result.callId(),
                        result.success(),
                        result.output(),
                        result.error(),
                        replyTo),
                "turn.tool_result",
                caller,
                result.turnId(),
                result.callId(),
                result.success(),
                result.output(),
                result.error()),
            SessionReply.TurnFound.class,
            "tool result")
        .thenApply(SessionReply.TurnFound::turn);
  }

  @Override
  public CompletionStage<SessionReply.TranscriptFound> transcript(
      String tenant, String sessionId, Caller caller, long after, int limit) {
    return request(
        tenant,
        sessionId,
        replyTo -> new SessionCommand.GetTranscript(caller, after, limit, replyTo),
        SessionReply.TranscriptFound.class);
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
    return raiseTenantBudgetFirst(tenant, sessionId, caller, approvalId, decision, result)
        .thenCompose(
            raised ->
                write(
                    tenant,
                    sessionId,
                    keyed(
                        replyTo ->
                            new SessionCommand.DecideApproval(
                                caller, approvalId, decision, comment, result, replyTo),
                        "approval.decide",
                        caller,
                        approvalId,
                        decision,
                        comment,
                        result),
                    SessionReply.ApprovalDecided.class,
                    "approval decision"))
        .thenApply(SessionReply.ApprovalDecided::approval);
  }

  /**
   * An approval of a pending tenant budget approval (decision 0045): the raise is checked (an
   * operator's, above what the tenant had spent) and written to the tenant's policy <em>before</em>
   * the session is told, so that the turn it lets go on finds the new budget; a raise refused
   * changes nothing. Any other decision goes to the session as it is (which decides and refuses).
   * An approval that ends between the two (it expired, its turn was cancelled) leaves the raise
   * written: the operator raised the tenant's budget, the session answers why it did not go on.
   */
  private CompletionStage<Void> raiseTenantBudgetFirst(
      String tenant,
      String sessionId,
      Caller caller,
      String approvalId,
      String decision,
      JsonNode raise) {
    CompletableFuture<Void> nothing = CompletableFuture.completedFuture(null);
    if (!"approve".equals(decision)
        || !caller.approver()
        || raise == null
        || !(raise.has(TenantBudgets.MONTHLY_TOKENS) || raise.has(TenantBudgets.MONTHLY_COST))) {
      return nothing;
    }
    return approvals(tenant, sessionId, caller)
        .thenCompose(
            pending -> {
              Approval a =
                  pending.stream()
                      .filter(p -> p.id().equals(approvalId) && p.pending())
                      .findFirst()
                      .orElse(null);
              if (a == null || !Budgets.ofTenant(a)) {
                return nothing;
              }
              Budgets.TenantRaise taken = Budgets.tenantRaise(a, raise, caller.operator());
              if (taken.problem() != null) {
                return CompletableFuture.failedFuture(new SessionRefused(taken.problem()));
              }
              return policies
                  .raiseBudget(tenant, caller, taken.budget(), taken.value())
                  .thenApply(written -> (Void) null);
            });
  }

  @Override
  public CompletionStage<SessionSummary> suspend(
      String tenant, String sessionId, Caller caller, String reason) {
    return requestKey != null
        ? write(
                tenant,
                sessionId,
                keyed(
                    replyTo -> new SessionCommand.SuspendSession(caller, reason, replyTo),
                    "session.suspend",
                    caller,
                    reason),
                SessionReply.Current.class,
                "suspend")
            .thenApply(SessionReply.Current::session)
        : settled(
            view(
                tenant,
                sessionId,
                replyTo -> new SessionCommand.SuspendSession(caller, reason, replyTo)),
            "suspend",
            () -> withStatus(tenant, sessionId, caller, SessionStatus.SUSPENDED::equals));
  }

  @Override
  public CompletionStage<SessionSummary> resume(String tenant, String sessionId, Caller caller) {
    return requestKey != null
        ? write(
                tenant,
                sessionId,
                keyed(
                    replyTo -> new SessionCommand.ResumeSession(caller, replyTo),
                    "session.resume",
                    caller),
                SessionReply.Current.class,
                "resume")
            .thenApply(SessionReply.Current::session)
        : settled(
            view(tenant, sessionId, replyTo -> new SessionCommand.ResumeSession(caller, replyTo)),
            "resume",
            () ->
                withStatus(tenant, sessionId, caller, status -> status != SessionStatus.SUSPENDED));
  }

  @Override
  public CompletionStage<SessionSummary> terminate(String tenant, String sessionId, Caller caller) {
    return settled(
        view(tenant, sessionId, replyTo -> new SessionCommand.TerminateSession(caller, replyTo)),
        "terminate",
        () -> withStatus(tenant, sessionId, caller, SessionStatus.CLOSED::equals));
  }

  @Override
  public CompletionStage<String> erase(String tenant, String sessionId, Caller caller) {
    CompletionStage<String> erased =
        request(
                tenant,
                sessionId,
                replyTo -> new SessionCommand.EraseSession(caller, replyTo),
                SessionReply.Erased.class)
            .thenApply(SessionReply.Erased::id);
    // The tombstone answers every read with session_erased: then it is erased for good.
    return settled(
        erased,
        "erase",
        () ->
            get(tenant, sessionId, caller)
                .handle(
                    (view, failure) -> {
                      if (failure == null) {
                        return Optional.<String>empty();
                      }
                      if (unwrap(failure) instanceof SessionRefused refused) {
                        return "session_erased".equals(refused.problem().code())
                            ? Optional.of(sessionId)
                            : Optional.<String>empty();
                      }
                      throw failure instanceof CompletionException c
                          ? c
                          : new CompletionException(failure);
                    }));
  }

  @Override
  public CompletionStage<Source<StreamItem, NotUsed>> events(
      String tenant, String sessionId, Caller caller, long after, String requestId) {
    return visible(tenant, sessionId, caller)
        .thenApply(visible -> feed.events(tenant, sessionId, caller, after, requestId));
  }

  @Override
  public CompletionStage<SessionView> glance(String tenant, String sessionId, Caller caller) {
    return request(
            tenant,
            sessionId,
            replyTo -> new SessionCommand.Glance(caller, null, replyTo),
            SessionReply.Glanced.class)
        .thenApply(SessionReply.Glanced::view);
  }

  @Override
  public CompletionStage<Followed> follow(
      String tenant, String sessionId, Caller caller, String requestId) {
    return feed.open(tenant, sessionId, caller, materializer, requestId);
  }

  /**
   * Completes when the caller may see the session, fails as a read of it would otherwise: an empty
   * page of the transcript, so that the check carries nothing of the session.
   */
  private CompletionStage<?> visible(String tenant, String sessionId, Caller caller) {
    return transcript(tenant, sessionId, caller, Long.MAX_VALUE, 1);
  }

  /**
   * {@code command}, sent with this request's idempotency key (when the client gave one) and a
   * fingerprint of {@code operation}, the user and {@code arguments}: see {@link
   * SessionCommand.Keyed}.
   */
  private Function<ActorRef<SessionReply>, SessionCommand> keyed(
      Function<ActorRef<SessionReply>, SessionCommand.Asked> command,
      String operation,
      Caller caller,
      Object... arguments) {
    if (requestKey == null) {
      return command::apply;
    }
    String fingerprint = RequestKeys.fingerprint(operation, caller.user(), arguments);
    return replyTo -> new SessionCommand.Keyed(command.apply(replyTo), requestKey, fingerprint);
  }

  /**
   * A write: keyed, a timeout is looked up by sending it again under its key (it answers the first
   * outcome, or is accepted now); without a key, nothing can tell whether it landed.
   */
  private <R extends SessionReply> CompletionStage<R> write(
      String tenant,
      String sessionId,
      Function<ActorRef<SessionReply>, SessionCommand> command,
      Class<R> expected,
      String what) {
    return settled(
        request(tenant, sessionId, command, expected),
        what,
        requestKey == null
            ? null
            : () -> request(tenant, sessionId, command, expected).thenApply(Optional::of));
  }

  /**
   * {@code asked}, or when its session did not answer in time, what {@code lookUp} finds: present,
   * the write landed and that is the answer; empty, it did not (and cannot any more: a command its
   * session gets to after its asker gave up is dropped), and the request fails as the ask did; a
   * look-up that is refused answers with that refusal; one that does not answer, or no look-up,
   * leaves the outcome unknown (decision 0034).
   */
  private <T> CompletionStage<T> settled(
      CompletionStage<T> asked, String what, Supplier<CompletionStage<Optional<T>>> lookUp) {
    return asked.exceptionallyCompose(
        failure -> {
          if (!timedOut(failure)) {
            return CompletableFuture.failedStage(failure);
          }
          if (lookUp == null) {
            return CompletableFuture.failedStage(unknown(what, failure));
          }
          return lookUp
              .get()
              .handle(
                  (found, lookupFailure) -> {
                    if (lookupFailure == null) {
                      return found
                          .map(CompletableFuture::completedStage)
                          .orElseGet(() -> CompletableFuture.failedStage(failure));
                    }
                    Throwable cause = unwrap(lookupFailure);
                    return CompletableFuture.<T>failedStage(
                        cause instanceof SessionRefused ? cause : unknown(what, failure));
                  })
              .thenCompose(Function.identity());
        });
  }

  private static OutcomeUnknown unknown(String what, Throwable failure) {
    return new OutcomeUnknown(
        "the outcome of the " + what + " is unknown: the session did not answer in time",
        unwrap(failure));
  }

  /** What a read finds: the value, or empty when the session refused it (e.g. not found). */
  private static <T> CompletionStage<Optional<T>> found(CompletionStage<T> read) {
    return read.handle(
        (value, failure) -> {
          if (failure == null) {
            return Optional.of(value);
          }
          if (unwrap(failure) instanceof SessionRefused) {
            return Optional.<T>empty();
          }
          throw failure instanceof CompletionException c ? c : new CompletionException(failure);
        });
  }

  /** The session in summary, if it is there and its status is as {@code expected}. */
  private CompletionStage<Optional<SessionSummary>> withStatus(
      String tenant, String sessionId, Caller caller, Predicate<SessionStatus> expected) {
    return found(get(tenant, sessionId, caller))
        .thenApply(view -> view.filter(v -> expected.test(v.status())).map(SessionSummary::of));
  }

  /** The session, in summary, as it is after a command that answers {@code Current}. */
  private CompletionStage<SessionSummary> view(
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
