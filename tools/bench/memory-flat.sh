#!/usr/bin/env bash
# Peak RSS of forensics analyze at 1x and Kx the same traffic (the same
# index, clients and period; K times the lines), from the generator's
# -scale. Issue 9 asks that the peak grows by at most 15% from 1x to 10x.
#
#   tools/bench/memory-flat.sh [incident|ci|tiny] [K]     (default: ci 10)
#
# Environment: FORENSICS_BENCH_DIR, SEED, MEM_LIMIT, TIMEOUT as run.sh;
# ANALYZE_ARGS, extra flags for analyze (e.g. --no-reports: the engine alone).
# Disk: the Kx log is K times the preset's (ci: 2 GB at 10x; incident: 20 GB).
set -euo pipefail
cd "$(dirname "$0")/../.."
preset=${1:-ci}
k=${2:-10}
seed=${SEED:-1}
root=${FORENSICS_BENCH_DIR:-/tmp/forensics-bench}
limit=${MEM_LIMIT:-16G}
timeout=${TIMEOUT:-3600}
mkdir -p "$root/bin"
go build -o "$root/bin/gen" ./tools/bench/gen
go build -o "$root/bin/forensics" ./cmd/forensics
stamp=$(cat tools/bench/*.go tools/bench/gen/*.go | sha256sum | cut -c1-16)
work=$(mktemp -d "$root/flat.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf '%-4s %11s %8s %9s %10s  %s\n' scale lines MB "wall s" "peak MiB" exit
for scale in 1 "$k"; do
  data=$root/$preset-s$seed-x$scale
  if [ "$(cat "$data/.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$data"
    "$root/bin/gen" -preset "$preset" -seed "$seed" -scale "$scale" -out "$data" -stats -json >"$work/stats.json" 2>/dev/null
    mv "$work/stats.json" "$data/stats.json"
    echo "$stamp" >"$data/.stamp"
  fi
  rc=0
  /usr/bin/time -f '%e %M' -o "$work/time" prlimit --as="$(numfmt --from=iec "$limit")" timeout "$timeout" \
    "$root/bin/forensics" analyze -q ${ANALYZE_ARGS:-} --format combined --index "$data/index.csv" --out "$work/out" "$data/access.log" \
    >/dev/null 2>"$work/err" || rc=$?
  read -r secs kib < <(tail -n 1 "$work/time")
  if grep -q '^fatal error: out of memory' "$work/err"; then rc=oom; fi
  if grep -q '^SIGQUIT: quit' "$work/err"; then rc=sigquit; fi
  echo "$kib" >"$work/peak$scale"
  lines=$(awk '/"lines"/{gsub(/[^0-9]/,"");print}' "$data/stats.json")
  printf '%3sx %11d %8d %9.2f %10.0f  %s\n' "$scale" "$lines" "$(($(stat -c %s "$data/access.log") / 1000000))" "$secs" "$(awk -v k="$kib" 'BEGIN{print k/1024}')" "$rc"
  rm -rf "$work/out"
done
awk -v a="$(cat "$work/peak1")" -v b="$(cat "$work/peak$k")" -v k="$k" 'BEGIN{printf "peak RSS %dx / 1x: %+.0f%% (issue 9: at most +15%%)\n", k, (b/a-1)*100}'
