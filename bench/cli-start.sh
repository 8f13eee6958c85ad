#!/usr/bin/env bash
# How long `modelyard` takes to start: wall time of N runs of each command line (stdout and
# stderr dropped), after one warm-up run, as min / median / max in milliseconds. No hyperfine on
# the bench machine: `date +%s%N` around each run.
#   bash bench/cli-start.sh [runs]        (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}

measure() {
  "$@" >/dev/null 2>&1 || true
  local times=() start end
  for _ in $(seq 1 "$RUNS"); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v what="$*" '{ t[NR] = $1 } END { printf "%-45s min %4d ms  median %4d ms  max %4d ms\n", what, t[1], t[int((NR + 1) / 2)], t[NR] }'
}

measure node -e 0
measure node bin/modelyard.mjs --help
measure node bin/modelyard.mjs versions --help
measure node bin/modelyard.mjs completion bash
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
