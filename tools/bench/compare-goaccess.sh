#!/usr/bin/env bash
# Times forensics analyze and GoAccess (Debian's goaccess) on the same
# generated combined log, and prints MB/s, peak memory and the ratio.
#   tools/bench/compare-goaccess.sh [LINES]     (default 2,000,000)
set -euo pipefail
cd "$(dirname "$0")/../.."
lines=${1:-2000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/forensics" ./cmd/forensics
go run ./tools/bench -lines "$lines" -out "$dir/in" >/dev/null
bytes=$(stat -c %s "$dir/in/access.log")
mb=$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}')
echo "log: $lines lines, $mb MB (combined); $(nproc) cores"

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$dir/time" "$@" >/dev/null 2>"$dir/stderr" || { cat "$dir/stderr"; exit 1; }
  read -r secs kb <"$dir/time"
  printf '%-10s %7.2f s  %8.1f MB/s  peak RSS %6.0f MiB\n' "$name" "$secs" "$(awk -v b="$bytes" -v s="$secs" 'BEGIN{print b/1e6/s}')" "$(awk -v k="$kb" 'BEGIN{print k/1024}')"
  echo "$secs" >"$dir/$name.secs"
}
measure forensics "$dir/forensics" analyze -q --format combined --index "$dir/in/index.csv" --out "$dir/out" "$dir/in/access.log"
if command -v goaccess >/dev/null; then
  measure goaccess goaccess "$dir/in/access.log" --log-format=COMBINED --no-progress -o "$dir/report.json"
  awk -v a="$(cat "$dir/goaccess.secs")" -v b="$(cat "$dir/forensics.secs")" 'BEGIN{printf "forensics is %.1fx GoAccess end to end\n", a/b}'
else
  echo "goaccess not installed (apt-get install goaccess): no comparison"
fi
