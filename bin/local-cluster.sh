# A local cluster for `bin/agent-runtime cluster ...` (sourced by bin/agent-runtime, which sets
# root, java_bin, node_jar, node_lib, cassandra_lib and AGENT_RUNTIME_HOME).
# Node I listens on HTTP 808I, cluster 2552I and management 856I, on 127.0.0.1; node 1 is the seed.
# Management's write routes are on for these nodes (loopback only): `cluster leave` uses them.
# Each node's output and logs are under $AGENT_RUNTIME_HOME/cluster/node-I/.

cluster_dir="$AGENT_RUNTIME_HOME/cluster"

http_port() { echo $((8080 + $1)); }
cluster_port() { echo $((25520 + $1)); }
management_port() { echo $((8560 + $1)); }

pid_of() { cat "$cluster_dir/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid="$(pid_of "$1")"; [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }

# Waits until a URL answers 200, at most $2 seconds.
await_ok() {
  local url="$1" seconds="$2"
  for _ in $(seq $((seconds * 5))); do
    curl -sf -o /dev/null "$url" && return 0
    sleep 0.2
  done
  return 1
}

start_cassandra() {
  alive cassandra && return 0
  mkdir -p "$cluster_dir/cassandra"
  AGENT_RUNTIME_HOME="$cluster_dir" "$java_bin" -Xms64m -Xmx256m \
    -Dagent-runtime.cassandra.lib-dir="$cassandra_lib" -Dagent-runtime.node-name=cassandra \
    -cp "$node_jar:$node_lib/*" io.agentruntime.node.Main cassandra \
    > "$cluster_dir/cassandra/output.log" 2>&1 &
  echo $! > "$cluster_dir/cassandra.pid"
  for _ in $(seq 600); do
    grep -q "Cassandra for the local cluster is ready" "$cluster_dir/cassandra/output.log" && return 0
    alive cassandra || { echo "Cassandra did not start; see $cluster_dir/cassandra/output.log" >&2; return 1; }
    sleep 0.2
  done
  echo "Cassandra did not start within 120 s" >&2
  return 1
}

start_node() {
  local i="$1" home="$cluster_dir/node-$1"
  alive "node-$i" && return 0
  mkdir -p "$home"
  AGENT_RUNTIME_PROFILE=local AGENT_RUNTIME_HOME="$home" \
  AGENT_RUNTIME_HTTP_HOST=127.0.0.1 AGENT_RUNTIME_HTTP_PORT="$(http_port "$i")" \
  AGENT_RUNTIME_CLUSTER_HOST=127.0.0.1 AGENT_RUNTIME_CLUSTER_PORT="$(cluster_port "$i")" \
  AGENT_RUNTIME_MANAGEMENT_PORT="$(management_port "$i")" AGENT_RUNTIME_MANAGEMENT_WRITE=on \
  AGENT_RUNTIME_SEED_NODES="127.0.0.1:$(cluster_port 1)" \
    "$java_bin" ${AGENT_RUNTIME_JAVA_OPTS:--Xms256m -Xmx1g} -Dagent-runtime.node-name="node-$i" \
    -cp "$node_jar:$node_lib/*" io.agentruntime.node.Main node > "$home/output.log" 2>&1 &
  echo $! > "$cluster_dir/node-$i.pid"
}

await_node() {
  local i="$1"
  if ! await_ok "http://127.0.0.1:$(http_port "$i")/health/ready" 120; then
    echo "node $i did not become ready; see $cluster_dir/node-$i/output.log" >&2
    return 1
  fi
}

node_indexes() {
  ls "$cluster_dir" 2>/dev/null | sed -n 's/^node-\([0-9]*\)\.pid$/\1/p' | sort -n
}

cluster_status() {
  printf '%-5s %-6s %-16s %-8s %s\n' node http cluster pid state
  local i state
  for i in $(node_indexes); do
    if ! alive "node-$i"; then
      state=stopped
    elif curl -sf -o /dev/null "http://127.0.0.1:$(http_port "$i")/health/ready"; then
      state=ready
    else
      state=starting
    fi
    printf '%-5s %-6s %-16s %-8s %s\n' "$i" "$(http_port "$i")" "127.0.0.1:$(cluster_port "$i")" "$(pid_of "node-$i")" "$state"
  done
  alive cassandra && echo "cassandra pid $(pid_of cassandra), CQL on 127.0.0.1:${AGENT_RUNTIME_CASSANDRA_PORT:-9042}"
  return 0
}

stop_process() {
  local name="$1" pid
  pid="$(pid_of "$name")"
  if alive "$name"; then
    kill -TERM "$pid"
    for _ in $(seq 900); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$cluster_dir/$name.pid"
}

cluster_command() {
  local command="${1:-}"
  case "$command" in
    start)
      local n="${2:?usage: cluster start N}"
      [[ "$n" =~ ^[1-9]$ ]] || { echo "N must be 1 to 9" >&2; return 2; }
      mkdir -p "$cluster_dir"
      start_cassandra
      start_node 1 && await_node 1
      local i
      for i in $(seq 2 "$n"); do start_node "$i"; done
      for i in $(seq 2 "$n"); do await_node "$i"; done
      cluster_status
      ;;
    status) cluster_status ;;
    stop)
      local i
      for i in $(node_indexes | sort -rn); do stop_process "node-$i"; done
      stop_process cassandra
      echo "stopped"
      ;;
    kill)
      local i="${2:?usage: cluster kill I}"
      alive "node-$i" || { echo "node $i is not running" >&2; return 1; }
      local pid; pid="$(pid_of "node-$i")"
      kill -KILL "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      echo "node $i killed (-9)"
      ;;
    leave)
      local i="${2:?usage: cluster leave I}"
      alive "node-$i" || { echo "node $i is not running" >&2; return 1; }
      # Graceful: the node hands its shards off, leaves, and its JVM exits.
      curl -sf -X PUT -F operation=Leave \
        "http://127.0.0.1:$(management_port "$i")/cluster/members/pekko://agent-runtime@127.0.0.1:$(cluster_port "$i")" >/dev/null
      local pid; pid="$(pid_of "node-$i")"
      for _ in $(seq 900); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -f "$cluster_dir/node-$i.pid"
      echo "node $i left the cluster"
      ;;
    add)
      local next=$(( $(node_indexes | tail -n1) + 1 ))
      [[ "$next" -le 9 ]] || { echo "at most 9 local nodes" >&2; return 2; }
      start_node "$next" && await_node "$next"
      cluster_status
      ;;
    *)
      echo "usage: agent-runtime cluster start N|status|stop|kill I|leave I|add" >&2
      return 2
      ;;
  esac
}
