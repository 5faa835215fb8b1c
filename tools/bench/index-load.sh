#!/usr/bin/env bash
# Index load time of two or more forensics binaries, alternated run by
# run on one index (index check prints the load time), so that a change
# is judged against the machine's drift: prints each binary's load times
# and CPU-seconds (user + system, of the whole command), sorted.
#
#   tools/bench/index-load.sh INDEX RUNS BINARY...
#
# e.g. tools/bench/index-load.sh D/index.csv 12 /tmp/forensics-main /tmp/forensics-new
# Needs /usr/bin/time.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: index-load.sh INDEX RUNS BINARY..." >&2; exit 2; }
index=$1
runs=$2
shift 2
cat "$index" >/dev/null # into the page cache before the first run
raw=$(mktemp)
trap 'rm -f "$raw" "$raw.t" "$raw.o"' EXIT
for _ in $(seq "$runs"); do
  for b in "$@"; do
    /usr/bin/time -f "%U %S" -o "$raw.t" "$b" index check --index "$index" >"$raw.o" 2>&1
    load=$(awk '/^load time/ {print $3}' "$raw.o")
    cpu=$(awk '{print $1 + $2}' "$raw.t")
    echo "$b ${load%s} $cpu" >>"$raw"
  done
done
for b in "$@"; do
  echo "$b"
  echo "  load s: $(awk -v b="$b" '$1 == b {print $2}' "$raw" | sort -n | tr '\n' ' ')"
  echo "  CPU s:  $(awk -v b="$b" '$1 == b {print $3}' "$raw" | sort -n | tr '\n' ' ')"
done
