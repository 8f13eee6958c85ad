#!/usr/bin/env bash
# How long `modelyard` takes to start: N runs of each command line (output dropped) after one
# warm-up run. Wall time (min / median, `date +%s%N` around each run: no hyperfine on the bench
# machine) and CPU time (user + system, median, from GNU time), which a busy machine disturbs
# far less than wall time.
#   bash bench/cli-start.sh [runs] [launcher]     (default 20 runs of bin/modelyard.mjs)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
LAUNCHER=${2:-bin/modelyard.mjs}
CPU_FILE=$(mktemp)
trap 'rm -f "$CPU_FILE"' EXIT

measure() {
  "$@" >/dev/null 2>&1 || true
  local walls=() cpus=() start end
  for _ in $(seq 1 "$RUNS"); do
    start=$(date +%s%N)
    /usr/bin/time -f '%U %S' -o "$CPU_FILE" "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    walls+=($(((end - start) / 1000000)))
    cpus+=($(awk '{ printf "%d", ($1 + $2) * 1000 }' "$CPU_FILE"))
  done
  local wall cpu
  wall=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{ t[NR] = $1 } END { printf "wall min %4d ms, median %4d ms", t[1], t[int((NR + 1) / 2)] }')
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{ t[NR] = $1 } END { printf "cpu median %4d ms", t[int((NR + 1) / 2)] }')
  printf '%-48s %s; %s\n' "$*" "$wall" "$cpu"
}

measure node -e 0
measure node "$LAUNCHER" --help
measure node "$LAUNCHER" versions --help
measure node "$LAUNCHER" completion bash
echo "runs: $RUNS; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
