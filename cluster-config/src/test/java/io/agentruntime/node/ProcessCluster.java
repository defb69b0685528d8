package io.agentruntime.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.persistence.testing.TestCassandra;
import io.agentruntime.runtime.session.SessionEntity;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Node processes of one cluster on the shared test Cassandra, for the tests and benchmarks of the
 * cluster: the first node is the seed; each node's shards are read from its management API.
 */
final class ProcessCluster implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SHARDS = 100;

  private final Path home;
  private final Path keys;
  private final Map<String, String> env;
  private final int seedPort = NodeProcess.freePort();
  private final String keyspace = TestCassandra.uniqueKeyspaceName("cluster");
  final List<NodeProcess> nodes = new ArrayList<>();

  /** The nodes a load balancer would send to: ready once, and not stopped since. */
  private final List<NodeProcess> serving = new CopyOnWriteArrayList<>();

  /** JVM options of the nodes started from now on, after the defaults (a later -Xmx wins). */
  List<String> jvmOptions = List.of();

  ProcessCluster(Path home) throws IOException {
    this(home, Map.of());
  }

  /** With {@code env} added to every node's environment. */
  ProcessCluster(Path home, Map<String, String> env) throws IOException {
    this.home = home;
    this.keys = TestKeysFile.write(home);
    this.env = Map.copyOf(env);
  }

  String keyspace() {
    return keyspace;
  }

  /** {@code host:port} of the seed node's cluster address. */
  String seedAddress() {
    return "127.0.0.1:" + seedPort;
  }

  /** The environment of every node of this cluster, also for a process started beside it. */
  Map<String, String> nodeEnvironment() {
    Map<String, String> nodeEnv = new HashMap<>();
    nodeEnv.put("AGENT_RUNTIME_CASSANDRA_CONTACT_POINTS", TestCassandra.get().contactPoint());
    nodeEnv.put("AGENT_RUNTIME_KEYS_FILE", keys.toString());
    nodeEnv.put("AGENT_RUNTIME_RATE_LIMIT", "0");
    nodeEnv.put("AGENT_RUNTIME_SEED_NODES", seedAddress());
    // A graceful leave goes through management, as an operator's would.
    nodeEnv.put("AGENT_RUNTIME_MANAGEMENT_WRITE", "on");
    nodeEnv.putAll(env);
    return nodeEnv;
  }

  /**
   * Starts node {@code nodes.size()} and waits until it is ready (an Up member that reaches
   * Cassandra).
   */
  NodeProcess startNode() throws IOException {
    int index = nodes.size();
    Map<String, String> env = nodeEnvironment();
    env.put("AGENT_RUNTIME_MIGRATE_ON_START", Boolean.toString(index == 0));
    if (index == 0) {
      env.put("AGENT_RUNTIME_CLUSTER_PORT", Integer.toString(seedPort));
    }
    List<String> options = new ArrayList<>(jvmOptions);
    options.add("-Dagent-runtime.cassandra.keyspace=" + keyspace);
    options.add("-Dagent-runtime.node-name=node" + index);
    NodeProcess node = NodeProcess.start("node", home.resolve("node" + index), env, options);
    nodes.add(node);
    node.awaitReady(Duration.ofSeconds(90));
    serving.add(node);
    return node;
  }

  NodeProcess node(int index) {
    return nodes.get(index);
  }

  /** The base URLs of the nodes that have been ready and are alive now. */
  List<String> servingUrls() {
    return serving.stream().filter(NodeProcess::isAlive).map(NodeProcess::baseUrl).toList();
  }

  HttpClientSupport client(int node) {
    return new HttpClientSupport(nodes.get(node).baseUrl(), TestKeysFile.ADA);
  }

  void awaitMembersUp(int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String members =
          new HttpClientSupport(nodes.get(0).managementUrl(), null).get("/cluster/members").body();
      if (members.split("\"status\":\"Up\"", -1).length - 1 == count) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the cluster did not reach " + count + " Up members");
  }

  /** Which live node's shard region holds the session's shard; -1 when none does now. */
  int hostOf(String sessionId) throws IOException {
    String shard =
        Integer.toString(Math.abs(SessionEntity.entityId("acme", sessionId).hashCode() % SHARDS));
    for (int n = 0; n < nodes.size(); n++) {
      if (nodes.get(n).isAlive() && shardsOf(n).contains(shard)) {
        return n;
      }
    }
    return -1;
  }

  List<Integer> hostingNodes() throws IOException {
    List<Integer> hosting = new ArrayList<>();
    for (int n = 0; n < nodes.size(); n++) {
      if (nodes.get(n).isAlive() && !shardsOf(n).isEmpty()) {
        hosting.add(n);
      }
    }
    return hosting;
  }

  List<String> shardsOf(int node) throws IOException {
    return shardsOf(node, "Session");
  }

  /** The shards of entity type {@code typeName} that live node {@code node} hosts. */
  List<String> shardsOf(int node, String typeName) throws IOException {
    JsonNode regions =
        JSON.readTree(
                new HttpClientSupport(nodes.get(node).managementUrl(), null)
                    .get("/cluster/shards/" + typeName)
                    .body())
            .path("regions");
    List<String> shards = new ArrayList<>();
    regions.forEach(r -> shards.add(r.path("shardId").asText()));
    return shards;
  }

  @Override
  public void close() throws InterruptedException {
    for (NodeProcess node : nodes) {
      if (node.isAlive()) {
        node.terminate(Duration.ofSeconds(60));
      }
    }
  }
}
