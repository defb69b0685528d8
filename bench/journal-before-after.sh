#!/usr/bin/env bash
# Before and after from one run: RuntimeJournalThroughput (BENCHMARKS.md section 5) on two built
# trees in turns, A B A B, against one dev Cassandra of its own (ports 18480, 19842, 25890, 18858,
# 17800-17801; a home under /tmp). Each tree must have been built with
# `mvn -q package -DskipTests -Dload.smoke.skip=true` (its cluster-config/target/lib and test-classes).
#
#   bench/journal-before-after.sh AFTER_TREE BEFORE_TREE       (TPS=500 turns a session, SECONDS_RUN=30)
set -euo pipefail
[ $# -eq 2 ] || { sed -n '2,8p' "$0"; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
home=$(mktemp -d /tmp/journal-before-after.XXXXXX)
AGENT_RUNTIME_HOME=$home AGENT_RUNTIME_HTTP_PORT=18480 AGENT_RUNTIME_CASSANDRA_PORT=19842 \
  AGENT_RUNTIME_CLUSTER_PORT=25890 AGENT_RUNTIME_MANAGEMENT_PORT=18858 AGENT_RUNTIME_RATE_LIMIT=0 \
  AGENT_RUNTIME_JAVA_OPTS="-Xms1g -Xmx2g -Dagent-runtime.cassandra.managed.storage-port=17800 -Dagent-runtime.cassandra.managed.ssl-storage-port=17801" \
  "$repo/bin/agent-runtime" dev >"$home/node.out" 2>&1 &
node=$!
stop() {
  kill "$node" 2>/dev/null || true
  wait "$node" 2>/dev/null || true
  [ -f "$home/cassandra/cassandra.pid" ] && kill "$(cat "$home/cassandra/cassandra.pid")" 2>/dev/null || true
}
trap stop EXIT
for _ in $(seq 120); do curl -sf http://127.0.0.1:18480/health/ready >/dev/null && break; sleep 1; done
for round in 1 2; do
  for tree in "after:$1" "before:$2"; do
    label=${tree%%:*} root=${tree#*:}
    java -Xms1g -Xmx2g -Dbench.turnsPerSession="${TPS:-500}" \
      -cp "$root/cluster-config/target/test-classes:$root/cluster-config/target/classes:$root/cluster-config/target/lib/*" \
      io.agentruntime.node.RuntimeJournalThroughput 127.0.0.1:19842 50 "${SECONDS_RUN:-30}" "$home/result.json" \
      >"$home/$label-$round.log" 2>&1
    echo "$round $label $(tr -d '\n' <"$home/result.json") load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
