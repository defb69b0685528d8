#!/usr/bin/env bash
# Time from `bin/agent-runtime dev` to GET /health/ready answering 200, build excluded:
#   cold  a fresh AGENT_RUNTIME_HOME (Cassandra starts on an empty data dir, the schema is applied)
#   warm  a second start on the same home after a clean SIGTERM stop (Cassandra restarts on its data)
# Also times each SIGTERM until the node and its Cassandra have both exited. Prints a markdown table.
# The machine may be shared: each start waits until it is quiet, and is measured again if other
# processes took more than 10% of the CPU meanwhile (the table shows their share).
#   bench/startup-time.sh [RUNS]     RUNS cold + RUNS warm starts, default 5
# Build first (this script refuses to time a build): mvn -q -B install -DskipTests
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
node_jar="$root/cluster-config/target/cluster-config-0.1.0-SNAPSHOT.jar"

# Ports of our own, so a dev node (8080, 9042, 25520, 7000) or a test run (19042, 17000) is never touched.
export AGENT_RUNTIME_HTTP_PORT=18080 AGENT_RUNTIME_CASSANDRA_PORT=19342 AGENT_RUNTIME_CLUSTER_PORT=25590 AGENT_RUNTIME_MANAGEMENT_PORT=18558
# bin/agent-runtime passes these to the node JVM in place of its default heap options.
export AGENT_RUNTIME_JAVA_OPTS="-Xms256m -Xmx1g -Dagent-runtime.cassandra.managed.storage-port=17300 -Dagent-runtime.cassandra.managed.ssl-storage-port=17301"

fail() { echo "startup-time: $*" >&2; exit 1; }

if [[ ! -f "$node_jar" || -n "$(find "$root" -path '*/src/main/*' -newer "$node_jar" -type f -print -quit)" ]]; then
  fail "the build is missing or stale; run 'mvn -q -B install -DskipTests' first"
fi
for port in "$AGENT_RUNTIME_HTTP_PORT" "$AGENT_RUNTIME_CASSANDRA_PORT" "$AGENT_RUNTIME_CLUSTER_PORT" "$AGENT_RUNTIME_MANAGEMENT_PORT" 17300 17301; do
  # The managed Cassandra would reuse any CQL server it finds on its port: refuse to start instead.
  [[ -z "$(ss -Htan "( sport = :$port )")" ]] || fail "port $port is in use"
done

work="$(mktemp -d -t agent-runtime-bench.XXXXXX)"
node_pid="" cassandra_pid="" home=""

# SIGTERM to a process, SIGKILL if it is still there after 30 s.
stop_pid() {
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1"
}

# Whatever happens, every process this script started is stopped by its pid: the node, and the
# Cassandra it spawned, which a node stopped before its actor system exists leaves running.
cleanup() {
  [[ -z "$node_pid" ]] || stop_pid "$node_pid"
  if [[ -z "$cassandra_pid" && -f "${home:-}/cassandra/cassandra.pid" ]]; then
    cassandra_pid="$(cat "$home/cassandra/cassandra.pid")"
    # Only if that pid still is the Cassandra of this home (a pid file can outlive its process).
    tr '\0' ' ' 2>/dev/null <"/proc/$cassandra_pid/cmdline" | grep -q -- "$home/" || cassandra_pid=""
  fi
  [[ -z "$cassandra_pid" ]] || stop_pid "$cassandra_pid"
  rm -rf "$work"
}
trap cleanup EXIT

# Busy and total CPU jiffies of all cores (/proc/stat: user nice system idle iowait irq softirq steal).
machine_jiffies() { awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat; }
# CPU jiffies of a process and of its children that have exited (bin/agent-runtime's own checks).
process_jiffies() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"; }

# Other builds may share this machine: wait (at most 10 min) until it has been under 15% busy for 3 s.
await_quiet_machine() {
  local quiet=0 before after
  for _ in $(seq 600); do
    before=($(machine_jiffies)); sleep 1; after=($(machine_jiffies))
    if (( 100 * (after[0] - before[0]) < 15 * (after[1] - before[1]) )); then quiet=$((quiet + 1)); else quiet=0; fi
    (( quiet < 3 )) || return 0
  done
  echo "startup-time: the machine did not get quiet; measuring anyway" >&2
}

now() { echo "${EPOCHREALTIME/./}"; } # microseconds
seconds_since() { echo "scale=2; ($(now) - $1) / 1000000" | bc; }

# Whether GET /health/ready answers 200. Bash's /dev/tcp spawns no process: a curl every 50 ms
# would compete with the starting node for the CPU.
ready() {
  local status=""
  exec 3<>"/dev/tcp/127.0.0.1/$AGENT_RUNTIME_HTTP_PORT" || return 1
  printf 'GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  read -r -t 5 _ status _ <&3 || true
  exec 3<&-
  [[ "$status" == 200 ]]
}

# Starts a dev node on $1 and prints the seconds until /health/ready answers 200, then the
# percentage of all cores that other processes than the node and its Cassandra used meanwhile.
start_node() {
  local home="$1" t0 before after ours
  await_quiet_machine
  before=($(machine_jiffies))
  t0="$(now)"
  AGENT_RUNTIME_HOME="$home" "$root/bin/agent-runtime" dev >>"$home.out" 2>&1 &
  node_pid=$!
  until ready 2>/dev/null; do
    kill -0 "$node_pid" 2>/dev/null || { tail -30 "$home.out" >&2; fail "the node exited before it was ready"; }
    (( $(now) - t0 < 180000000 )) || fail "not ready within 180 s"
    sleep 0.05
  done
  seconds_since "$t0"
  after=($(machine_jiffies))
  cassandra_pid="$(cat "$home/cassandra/cassandra.pid")"
  ours=$(( $(process_jiffies "$node_pid") + $(process_jiffies "$cassandra_pid") ))
  echo "$(( 100 * (after[0] - before[0] - ours) / (after[1] - before[1]) ))"
}

# SIGTERM to the node; prints the seconds until the node and its Cassandra have both exited.
stop_node() {
  local t0 status=0
  t0="$(now)"
  kill -TERM "$node_pid"
  wait "$node_pid" || status=$?
  [[ $status == 143 || $status == 0 ]] || fail "the node exited with $status on SIGTERM"
  for _ in $(seq 300); do kill -0 "$cassandra_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$cassandra_pid" 2>/dev/null && fail "Cassandra (pid $cassandra_pid) outlived its node"
  seconds_since "$t0"
  node_pid="" cassandra_pid=""
}

# Cassandra's own start-to-CQL-ready time, from the node's log line "Cassandra ready on ... in N ms".
cassandra_seconds() {
  grep -o 'Cassandra ready on .* in [0-9]* ms' "$1.out" | tail -1 | grep -o '[0-9]* ms' | awk '{ printf "%.2f", $1 / 1000 }'
}

# Starts the node on home $1 (emptied first if $2 is "fresh") and sets s (seconds) and o (other
# processes' CPU %). A start during which others used over 10% of the cores is measured again
# (at most 3 tries), so that other builds on the machine do not decide the numbers.
measure_start() {
  for try in 1 2 3; do
    [[ "$2" != fresh ]] || { rm -rf "$1"; mkdir -p "$1"; }
    # Through a file: command substitution would run start_node in a subshell and lose its pids.
    start_node "$1" >"$work/t"
    { read -r s; read -r o; } <"$work/t"
    (( o <= 10 || try == 3 )) && return
    echo "start disturbed by other processes ($o% of the CPU): measuring it again" >&2
    stop_node >/dev/null
  done
}

cold=() warm=() cass_cold=() cass_warm=() stops=() others_cold=() others_warm=()
for i in $(seq "$runs"); do
  home="$work/home-$i"
  measure_start "$home" fresh
  cold+=("$s"); others_cold+=("$o"); cass_cold+=("$(cassandra_seconds "$home")")
  stop_node >"$work/t"; stops+=("$(cat "$work/t")")
  measure_start "$home" same
  warm+=("$s"); others_warm+=("$o"); cass_warm+=("$(cassandra_seconds "$home")")
  stop_node >"$work/t"; stops+=("$(cat "$work/t")")
  echo "run $i/$runs: cold ${cold[-1]} s, warm ${warm[-1]} s" >&2
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
max() { printf '%s\n' "$@" | sort -n | tail -1; }
row() { local name="$1"; shift; echo "| $name | $# | $(median "$@") | $(max "$@") | $* |"; }

echo "| measurement | runs | median (s) | max (s) | all runs (s) |"
echo "| --- | --- | --- | --- | --- |"
row "dev start to ready, Cassandra cold (fresh home, schema applied)" "${cold[@]}"
row "dev start to ready, Cassandra warm (restart on existing data)" "${warm[@]}"
row "of which Cassandra to CQL-ready, cold" "${cass_cold[@]}"
row "of which Cassandra to CQL-ready, warm" "${cass_warm[@]}"
row "SIGTERM to node and Cassandra exited" "${stops[@]}"
row "other processes' CPU during the cold starts (%, not s)" "${others_cold[@]}"
row "other processes' CPU during the warm starts (%, not s)" "${others_warm[@]}"
