#!/usr/bin/env bash
# Shows that analyze's memory stays flat as the log grows: the same traffic
# (60 actors over 5,000 recordings of a 50,000-recording index) at 1x and
# 10x the lines, peak RSS of each run.
#   tools/bench/memory-flat.sh [BASE_LINES]     (default 500,000)
set -euo pipefail
cd "$(dirname "$0")/../.."
base=${1:-500000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/forensics" ./cmd/forensics
for mult in 1 10; do
  lines=$((base * mult))
  go run ./tools/bench -lines "$lines" -out "$dir/in$mult" >/dev/null
  /usr/bin/time -f "%e %M" -o "$dir/time" "$dir/forensics" analyze -q --format combined \
    --index "$dir/in$mult/index.csv" --out "$dir/out$mult" "$dir/in$mult/access.log" >/dev/null
  read -r secs kb <"$dir/time"
  mb=$(awk -v b="$(stat -c %s "$dir/in$mult/access.log")" 'BEGIN{printf "%.0f", b/1e6}')
  printf '%2dx: %9d lines, %5s MB, %6.2f s, peak RSS %5.0f MiB\n' "$mult" "$lines" "$mb" "$secs" "$(awk -v k="$kb" 'BEGIN{print k/1024}')"
  rm -rf "$dir/in$mult" "$dir/out$mult"
done
