package io.agentruntime.runtime.tools;

import static io.agentruntime.runtime.tools.ToolFailures.failed;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.runtime.model.ToolSpec;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.util.context.Context;

/**
 * Calls the tools of MCP servers over Streamable HTTP with the official SDK's async client. Nothing
 * here blocks the caller: clients are opened on this class's own small pool of threads, and the
 * SDK's answers complete the returned stages on its own threads. Clients are pooled per agent
 * session and connection (see {@link McpClientPool}); when a server that restarted turns a call
 * away because it does not know the session, the call is sent again, once, on a fresh session: the
 * server never ran it (see {@link CallTrackingHttpClient}). Each call carries its idempotency key
 * in {@code _meta} as {@code io.agentruntime/idempotency-key}, for servers that care.
 */
public final class McpToolClient implements AutoCloseable {

  /** How a discovered tool is named for the model: {@code <connection>__<tool>}. */
  public static final String SEPARATOR = McpDiscovery.SEPARATOR;

  static final String IDEMPOTENCY_META = "io.agentruntime/idempotency-key";
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private static final Logger log = LoggerFactory.getLogger(McpToolClient.class);

  private final ToolSettings settings;
  private final ToolGate gate;
  private final ObjectMapper mapper;
  private final CallTrackingHttpClient http;
  private final McpClientPool pool;
  private final McpOutcomes outcomes;
  private final McpDiscovery discovery;
  private final ScheduledExecutorService executor;

  /**
   * {@code http} is shared with every MCP transport; {@code mapper} is handed to the SDK (as {@code
   * new JacksonMcpJsonMapper(mapper)}) and reads results.
   */
  private final Secrets secrets;

  public McpToolClient(
      HttpClient http, ToolSettings settings, Secrets secrets, ObjectMapper mapper) {
    this.settings = settings;
    this.gate = new ToolGate(settings.allowedHosts(), secrets);
    this.secrets = secrets;
    this.mapper = mapper;
    this.http = new CallTrackingHttpClient(http);
    McpClients clients =
        new McpClients(this.http, settings, secrets, new JacksonMcpJsonMapper(mapper));
    this.pool = new McpClientPool(clients, settings.mcp());
    this.outcomes = new McpOutcomes(mapper, settings);
    this.executor = Executors.newScheduledThreadPool(settings.mcp().threads(), daemonThreads());
    this.discovery =
        new McpDiscovery(
            gate, clients, outcomes, mapper, executor, settings.defaultTimeout(), settings.mcp());
    long sweepMillis = Math.max(1000, settings.mcp().idleTimeout().toMillis() / 2);
    executor.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Calls the invocation's tool on its MCP connection. Never fails: every outcome is a {@link
   * ToolResult}.
   */
  public CompletionStage<ToolResult> call(ToolInvocation invocation) {
    if (!(invocation.connection() instanceof ToolConnection.Mcp connection)) {
      return CompletableFuture.completedFuture(
          failed(
              ToolFailures.INVALID_INVOCATION,
              "not an MCP connection: " + invocation.connection()));
    }
    Bearer resolved = invocation.bearer();
    Optional<ToolResult.Failed> refused =
        resolved != null
            ? gate.hostRefusal(connection)
            : gate.refusal(invocation.tenant(), connection);
    if (refused.isPresent()) {
      return CompletableFuture.completedFuture(refused.get());
    }
    if (!connection.allow().isEmpty() && !connection.allow().contains(invocation.toolName())) {
      return CompletableFuture.completedFuture(
          failed(
              ToolFailures.INVALID_INVOCATION,
              "tool '"
                  + invocation.toolName()
                  + "' is not allowed on connection '"
                  + connection.name()
                  + "'"));
    }
    JsonNode arguments = invocation.arguments();
    if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
      return CompletableFuture.completedFuture(
          failed(
              ToolFailures.INVALID_INVOCATION,
              "the arguments of an MCP tool must be a JSON object"));
    }
    Duration timeout = settings.timeoutOf(invocation);
    McpSchema.CallToolRequest request = request(invocation);
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<String> secret =
        resolved != null
            ? Optional.of(resolved.token())
            : Optional.ofNullable(connection.secretRef())
                .flatMap(ref -> secrets.resolve(invocation.tenant(), ref));
    return attempt(
            invocation.tenant(),
            invocation.sessionKey(),
            connection,
            resolved,
            request,
            deadline,
            timeout,
            true)
        .thenApply(outcome -> redacted(outcome, secret));
  }

  /**
   * Every kind of outcome redacted: an unknown one's message may quote the server, as a failure's.
   */
  private static ToolResult redacted(ToolResult outcome, Optional<String> secret) {
    if (outcome instanceof ToolResult.Unknown u) {
      ToolResult quoted =
          EchoedSecrets.redacted(new ToolResult.Failed(u.code(), u.message()), secret);
      return quoted instanceof ToolResult.Failed f
          ? new ToolResult.Unknown(f.code(), f.message())
          : outcome;
    }
    return EchoedSecrets.redacted(outcome, secret);
  }

  /**
   * Lists the server's allowed tools, named {@code <connection>__<tool>}; fails with a {@link
   * ToolException} (host_not_allowed, secret_missing, tool_unreachable, tool_timeout ...).
   */
  public CompletionStage<List<ToolSpec>> discover(String tenant, ToolConnection.Mcp connection) {
    return discovery.discover(tenant, connection, null);
  }

  /** As {@link #discover(String, ToolConnection.Mcp)}, sending {@code bearer} (null: none). */
  public CompletionStage<List<ToolSpec>> discover(
      String tenant, ToolConnection.Mcp connection, Bearer bearer) {
    return discovery.discover(tenant, connection, bearer);
  }

  /** Closes the agent session's MCP clients (the servers' sessions end too). */
  public void release(String sessionKey) {
    pool.release(sessionKey);
  }

  /** How many client sessions are open. */
  public int openClients() {
    return pool.size();
  }

  @Override
  public void close() {
    executor.shutdownNow();
    pool.close();
  }

  private CompletionStage<ToolResult> attempt(
      String tenant,
      String sessionKey,
      ToolConnection.Mcp connection,
      Bearer bearer,
      McpSchema.CallToolRequest request,
      long deadline,
      Duration timeout,
      boolean mayRetry) {
    Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    String callId = UUID.randomUUID().toString();
    Context tagged =
        Context.of(
            McpTransportContext.KEY,
            McpTransportContext.create(Map.of(McpClients.CALL_ID, callId)));
    return CompletableFuture.supplyAsync(
            () -> pool.acquire(tenant, sessionKey, connection), executor)
        .thenCompose(
            lease -> {
              // Released before the caller hears the outcome (doFinally would run after it, so a
              // caller's next call could still find this client busy); once, whichever ends it.
              lease.useBearer(bearer);
              AtomicBoolean released = new AtomicBoolean();
              Runnable release =
                  () -> {
                    if (released.compareAndSet(false, true)) {
                      lease.done();
                    }
                  };
              return lease
                  .client()
                  .callTool(request)
                  .contextWrite(tagged)
                  .timeout(left)
                  .doOnTerminate(release)
                  .doOnCancel(release)
                  .doFinally(signal -> release.run())
                  .toFuture()
                  .handle(
                      (answer, error) -> new Outcome(lease, answer, ToolFailures.unwrap(error)));
            })
        .thenCompose(
            o -> {
              boolean turnedAway = http.takeTurnedAway(callId);
              if (o.error() == null) {
                return CompletableFuture.completedFuture(outcomes.result(o.answer()));
              }
              if (mayRetry && turnedAway) {
                // The server did not know the session (it restarted), so the call never ran there.
                // The SDK client is already opening a new session: the retry waits for it.
                return attempt(
                    tenant, sessionKey, connection, bearer, request, deadline, timeout, false);
              }
              if (!McpOutcomes.clientSurvives(o.error())) {
                pool.evict(o.lease());
              }
              return CompletableFuture.completedFuture(outcomes.callFailure(o.error(), timeout));
            })
        .exceptionally(
            error -> {
              // No client could be had (pool.acquire): the call was never sent.
              http.takeTurnedAway(callId);
              return outcomes.failure(ToolFailures.unwrap(error), timeout);
            });
  }

  private void sweep() {
    try {
      pool.sweep();
    } catch (RuntimeException e) {
      // A failed sweep must not cancel the next ones.
      log.warn("Closing idle MCP clients failed", e);
    }
  }

  private record Outcome(
      McpClientPool.Lease lease, McpSchema.CallToolResult answer, Throwable error) {}

  private McpSchema.CallToolRequest request(ToolInvocation invocation) {
    JsonNode arguments = invocation.arguments();
    Map<String, Object> args =
        arguments == null || arguments.isNull() ? Map.of() : mapper.convertValue(arguments, MAP);
    Map<String, Object> meta =
        invocation.idempotencyKey() == null
            ? null
            : Map.of(IDEMPOTENCY_META, invocation.idempotencyKey());
    return new McpSchema.CallToolRequest(invocation.toolName(), args, meta);
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "agent-runtime-mcp-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
