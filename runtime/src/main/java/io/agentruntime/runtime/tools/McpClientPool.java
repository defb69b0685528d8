package io.agentruntime.runtime.tools;

import io.modelcontextprotocol.client.McpAsyncClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Open MCP client sessions, one per (agent session, connection). Reusing one keeps the server's
 * session (and its state) across the calls of an agent session. A client is closed when its agent
 * session releases it, when it breaks, when it has been idle too long, or when the pool is over its
 * size and it is the least recently used idle one; a client with a call in flight is never closed
 * for idleness or size.
 */
final class McpClientPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(McpClientPool.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  /**
   * The secretRef is part of the key: a connection replaced with another credential gets a new
   * client. So is the tenant whose secrets the client's requests carry.
   */
  record Key(String tenant, String sessionKey, String name, String url, String secretRef) {
    static Key of(String tenant, String sessionKey, ToolConnection.Mcp connection) {
      return new Key(
          tenant, sessionKey, connection.name(), connection.url(), connection.secretRef());
    }
  }

  /** One pooled client; {@link #done()} must follow every {@link McpClientPool#acquire}. */
  static final class Lease {
    private final Key key;
    private final McpAsyncClient client;
    private final java.util.concurrent.atomic.AtomicReference<Bearer> bearer;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long lastUsed = System.nanoTime();

    private Lease(
        Key key,
        McpAsyncClient client,
        java.util.concurrent.atomic.AtomicReference<Bearer> bearer) {
      this.key = key;
      this.client = client;
      this.bearer = bearer;
    }

    /**
     * The vault credential this client's requests send from now on (null: the granted secret); set
     * before each call, so a rotation reaches an open client at its next call.
     */
    void useBearer(Bearer next) {
      bearer.set(next);
    }

    McpAsyncClient client() {
      return client;
    }

    void done() {
      lastUsed = System.nanoTime();
      inFlight.decrementAndGet();
    }

    private boolean idleFor(long nanos, long now) {
      return inFlight.get() == 0 && now - lastUsed >= nanos;
    }
  }

  private final McpClients clients;
  private final ToolSettings.McpLimits limits;
  private final Map<Key, Lease> open = new ConcurrentHashMap<>();

  McpClientPool(McpClients clients, ToolSettings.McpLimits limits) {
    this.clients = clients;
    this.limits = limits;
  }

  /**
   * The open client for the key, opened if there is none. Builds a client: not for a caller's
   * thread.
   */
  Lease acquire(String tenant, String sessionKey, ToolConnection.Mcp connection) {
    Key key = Key.of(tenant, sessionKey, connection);
    Lease lease =
        open.compute(
            key,
            (k, existing) -> {
              Lease l = existing != null ? existing : open(k, tenant, connection, sessionKey);
              // Counted inside compute, so the sweeper never sees it idle between lookup and use.
              l.inFlight.incrementAndGet();
              l.lastUsed = System.nanoTime();
              return l;
            });
    if (open.size() > limits.maxClients()) {
      shrinkTo(limits.maxClients());
    }
    return lease;
  }

  private Lease open(Key k, String tenant, ToolConnection.Mcp connection, String sessionKey) {
    java.util.concurrent.atomic.AtomicReference<Bearer> bearer =
        new java.util.concurrent.atomic.AtomicReference<>();
    return new Lease(k, clients.open(tenant, connection, sessionKey, bearer::get), bearer);
  }

  /** Drops a broken client unless it was already replaced, so the next call opens a fresh one. */
  void evict(Lease lease) {
    if (open.remove(lease.key, lease)) {
      close(lease);
    }
  }

  /** Closes the clients of one agent session. */
  void release(String sessionKey) {
    for (Lease lease : List.copyOf(open.values())) {
      if (lease.key.sessionKey().equals(sessionKey) && open.remove(lease.key, lease)) {
        close(lease);
      }
    }
  }

  /** Closes the clients idle for longer than the idle timeout; called periodically. */
  void sweep() {
    long now = System.nanoTime();
    long idle = limits.idleTimeout().toNanos();
    for (Lease lease : List.copyOf(open.values())) {
      removeIf(lease, l -> l.idleFor(idle, now));
    }
  }

  int size() {
    return open.size();
  }

  @Override
  public void close() {
    List<Mono<Void>> closing = new ArrayList<>();
    for (Lease lease : List.copyOf(open.values())) {
      if (open.remove(lease.key, lease)) {
        closing.add(closing(lease));
      }
    }
    try {
      Mono.when(closing).block(CLOSE_TIMEOUT.plusSeconds(1));
    } catch (RuntimeException e) {
      log.debug("MCP clients did not all close in time", e);
    }
  }

  private void shrinkTo(int max) {
    List<Lease> idle = new ArrayList<>(open.values());
    idle.sort(Comparator.comparingLong(l -> l.lastUsed));
    int excess = open.size() - max;
    for (Lease lease : idle) {
      if (excess <= 0) {
        return;
      }
      if (removeIf(lease, l -> l.inFlight.get() == 0)) {
        excess--;
      }
    }
    // Every client is busy: the limit is soft rather than failing calls.
  }

  private boolean removeIf(Lease lease, Predicate<Lease> condition) {
    boolean[] removed = {false};
    open.computeIfPresent(
        lease.key,
        (k, current) -> {
          if (current == lease && condition.test(current)) {
            removed[0] = true;
            return null;
          }
          return current;
        });
    if (removed[0]) {
      close(lease);
    }
    return removed[0];
  }

  private void close(Lease lease) {
    closing(lease).subscribe();
  }

  /**
   * Ends the server's session (HTTP DELETE); a server that does not answer in time is dropped
   * anyway.
   */
  private static Mono<Void> closing(Lease lease) {
    return lease
        .client
        .closeGracefully()
        .timeout(CLOSE_TIMEOUT)
        .onErrorResume(
            e -> {
              lease.client.close();
              return Mono.empty();
            });
  }
}
