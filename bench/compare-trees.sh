#!/usr/bin/env bash
# Before and after from one run on one machine: exports two commits of this repository to /tmp,
# then runs TurnLatencyBenchmark (BENCHMARKS.md section 3) on them in turns, A B A B ..., and
# prints every run and the median per tree. Both trees are built first.
#
#   bench/compare-trees.sh BASE_REV HEAD_REV [ROUNDS]      (3 rounds by default)
#
# Extra Maven arguments go in BENCH_ARGS, e.g. BENCH_ARGS="-Dbench.turns=300". With LOCK_FILE set,
# the runs (not the builds) hold that flock. Tables and logs stay in the printed work directory.
# About 1.5 minutes a run.
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,10p' "$0"
  exit 2
fi
rounds=${3:-3}
repo=$(git rev-parse --show-toplevel)
base=$(git -C "$repo" rev-parse --short "$1")
head=$(git -C "$repo" rev-parse --short "$2")
work=$(mktemp -d /tmp/compare-trees.XXXXXX)
echo "work directory: $work"

for rev in "$base" "$head"; do
  mkdir -p "$work/$rev"
  git -C "$repo" archive "$rev" | tar -x -C "$work/$rev"
done

run() { # tree round
  local log="$work/$1-run$2.log"
  echo "$(date -u +%H:%M:%S) $1 run $2 (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  (cd "$work/$1" && mvn -B verify -Pbenchmarks -pl cluster-config -am -Dtest=none \
      -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=TurnLatencyBenchmark \
      -Dfailsafe.failIfNoSpecifiedTests=false ${BENCH_ARGS:-}) >"$log" 2>&1 \
    || { echo "run failed, see $log"; exit 1; }
  grep '^| [a-z]' "$work/$1/cluster-config/target/benchmarks/turn-latency.md" | grep -v '^| turn ' \
    | sed "s/^/| $1 | $2 /" >>"$work/runs.md"
}

for rev in "$base" "$head"; do
  echo "$(date -u +%H:%M:%S) building $rev"
  (cd "$work/$rev" && mvn -q -B test-compile -pl cluster-config -am) >"$work/$rev-build.log" 2>&1 \
    || { echo "build failed, see $work/$rev-build.log"; exit 1; }
done

if [ -n "${LOCK_FILE:-}" ]; then
  exec 9>"$LOCK_FILE"
  echo "$(date -u +%H:%M:%S) waiting for $LOCK_FILE"
  flock 9
fi

for round in $(seq 1 "$rounds"); do
  run "$base" "$round"
  run "$head" "$round"
done

echo
echo "| tree | run | turn | turns timed | p50 ms | p90 ms | p99 ms | max ms | mean ms |"
echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
cat "$work/runs.md"
echo
echo "| tree | turn | runs | median p50 ms | median p99 ms | p50 of each run |"
echo "| --- | --- | ---: | ---: | ---: | --- |"
awk -F'|' '
  { tree=$2; gsub(/ /,"",tree); turn=$4; sub(/^ +/,"",turn); sub(/ +$/,"",turn);
    key=tree "|" turn; if (!(key in n)) order[++k]=key;
    n[key]++; p50[key,n[key]]=$6+0; p99[key,n[key]]=$8+0; all[key]=all[key] " " $6+0 }
  function median(a, key, count,   i, j, t, v) {
    for (i=1; i<=count; i++) v[i]=a[key,i];
    for (i=1; i<=count; i++) for (j=i+1; j<=count; j++) if (v[j]<v[i]) { t=v[i]; v[i]=v[j]; v[j]=t }
    return count%2 ? v[(count+1)/2] : (v[count/2]+v[count/2+1])/2 }
  END { for (i=1; i<=k; i++) { key=order[i]; split(key, parts, "|");
    printf "| %s | %s | %d | %.1f | %.1f |%s |\n", parts[1], parts[2], n[key], median(p50, key, n[key]), median(p99, key, n[key]), all[key] } }
' "$work/runs.md"
