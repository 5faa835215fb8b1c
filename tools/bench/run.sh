#!/usr/bin/env bash
# Benchmark of forensics on a generated incident, measured in one run:
# wc -l and cat on the log, forensics parse, forensics analyze (plain and
# gzip), the index load alone, and GoAccess when installed. Prints wall
# time, MB/s, lines/s, peak RSS and the ratios; then (FLAT=1) peak RSS at 1x
# and 10x the traffic (memory-flat.sh). See tools/bench/README.md.
#
#   tools/bench/run.sh [incident|ci|tiny]        (default: ci)
#
# Environment:
#   FORENSICS_BENCH_DIR  where generated inputs are cached (default /tmp/forensics-bench)
#   SEED                 generator seed (default 1)
#   MEM_LIMIT            address-space cap for each forensics run, bytes or 16G (default 16G)
#   TIMEOUT              seconds allowed to each step (default 3600)
#   FLAT                 1: also run memory-flat.sh on this preset (default: 1 but for incident)
#   KEEP_OUT             1: keep the analyze outputs (default: removed)
#   ANALYZE_ARGS         extra flags for analyze (e.g. --no-reports: without the
#                        reports, lists and one letter per person)
set -euo pipefail
cd "$(dirname "$0")/../.."
preset=${1:-ci}
seed=${SEED:-1}
root=${FORENSICS_BENCH_DIR:-/tmp/forensics-bench}
limit=${MEM_LIMIT:-16G}
timeout=${TIMEOUT:-3600}
flat=${FLAT:-$([ "$preset" = incident ] && echo 0 || echo 1)}
case $preset in incident | ci | tiny) ;; *) echo "run.sh: preset must be incident, ci or tiny" >&2; exit 1 ;; esac
[ -x /usr/bin/time ] || { echo "run.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

mkdir -p "$root/bin"
bin=$root/bin
go build -o "$bin/gen" ./tools/bench/gen
go build -o "$bin/forensics" ./cmd/forensics

# Generated inputs are cached per preset and seed, and made again when the
# generator changed (its source digest is kept next to them).
data=$root/$preset-s$seed-x1
stamp=$(cat tools/bench/*.go tools/bench/gen/*.go | sha256sum | cut -c1-16)
gen_secs=cached
if [ "$(cat "$data/.stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$data"
  /usr/bin/time -f '%e %M' -o "$root/gen.time" "$bin/gen" -preset "$preset" -seed "$seed" -out "$data" -stats -json >"$root/gen.json.tmp"
  mv "$root/gen.json.tmp" "$data/stats.json"
  read -r gen_secs _ <"$root/gen.time"
  if command -v pigz >/dev/null; then pigz -c "$data/access.log" >"$data/access.log.gz"; else gzip -c "$data/access.log" >"$data/access.log.gz"; fi
  echo "$stamp" >"$data/.stamp"
fi
log=$data/access.log
bytes=$(stat -c %s "$log")
lines=$(awk '/"lines"/{gsub(/[^0-9]/,"");print}' "$data/stats.json")
ibytes=$(stat -c %s "$data/index.csv")
irows=$(awk '/"recordings"/{gsub(/[^0-9]/,"");print}' "$data/stats.json")
work=$(mktemp -d "$root/run.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "preset $preset, seed $seed: $irows recordings ($((ibytes / 1000000)) MB index), $lines lines ($((bytes / 1000000)) MB log)"
echo "generator: ${gen_secs} s (wall, 2 workers; 'cached' when the inputs were already there)"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start$( [ "$(cut -d. -f1 /proc/loadavg)" -ge "$(nproc)" ] && echo ' (busy: times are noise)')"
echo

# measure NAME BYTES LINES COMMAND...: runs it under the memory cap and a
# time limit, keeps "secs peak_kib exit" in $work/NAME.
measure() {
  local name=$1 b=$2 n=$3 rc=0
  shift 3
  /usr/bin/time -f '%e %M' -o "$work/$name.time" prlimit --as="$(numfmt --from=iec "$limit")" timeout "$timeout" "$@" \
    >/dev/null 2>"$work/$name.err" || rc=$?
  # /usr/bin/time writes "Command exited with non-zero status N" first.
  local secs kib
  read -r secs kib < <(tail -n 1 "$work/$name.time")
  # The Go runtime exits 2 when out of memory, as analyze does for an
  # input not read in full: tell them apart.
  if grep -q '^fatal error: out of memory' "$work/$name.err"; then rc=oom; fi
  if grep -q '^SIGQUIT: quit' "$work/$name.err"; then rc=sigquit; fi
  echo "$secs $kib $rc $b $n" >"$work/$name"
  if [ "$rc" != 0 ]; then
    echo "  $name: exit $rc; first lines of its stderr:" >&2
    head -n 3 "$work/$name.err" | sed 's/^/    /' >&2
  fi
}

# Every step reads warm files: a first, unmeasured read puts the log and
# the index in the page cache (a cold wc -l took 3.0 s instead of 0.5 s
# after another benchmark had pushed them out, and every ratio with it).
cat "$log" "$data/index.csv" >/dev/null
measure "wc -l" "$bytes" "$lines" wc -l "$log"
measure "cat" "$bytes" "$lines" cat "$log"
measure "parse" "$bytes" "$lines" "$bin/forensics" parse -q --format combined "$log"
measure "index load" "$ibytes" "$irows" "$bin/forensics" index check --index "$data/index.csv"
measure "analyze" "$bytes" "$lines" "$bin/forensics" analyze -q ${ANALYZE_ARGS:-} --format combined --index "$data/index.csv" --out "$work/out" "$log"
measure "analyze gz" "$bytes" "$lines" "$bin/forensics" analyze -q ${ANALYZE_ARGS:-} --format combined --index "$data/index.csv" --out "$work/out-gz" "$data/access.log.gz"
if [ "${KEEP_OUT:-0}" = 1 ]; then cp -r "$work/out" "$root/$preset-s$seed-out"; fi
rm -rf "$work/out" "$work/out-gz"
if command -v goaccess >/dev/null; then
  measure "goaccess" "$bytes" "$lines" goaccess "$log" --log-format=COMBINED --no-progress -o "$work/goaccess.json"
fi

printf '%-11s %9s %9s %12s %10s %9s  %s\n' step "wall s" "MB/s" "lines/s" "peak MiB" "÷ wc -l" exit
wc=$(cut -d' ' -f1 "$work/wc -l")
for step in "wc -l" cat parse "index load" analyze "analyze gz" goaccess; do
  [ -f "$work/$step" ] || continue
  read -r secs kib rc b n <"$work/$step"
  awk -v s="$step" -v t="$secs" -v k="$kib" -v rc="$rc" -v b="$b" -v n="$n" -v wc="$wc" 'BEGIN{
    t0 = (t > 0 ? t : 0.01)
    printf "%-11s %9.2f %9.1f %12.0f %10.0f %9.1f  %s\n", s, t, b/1e6/t0, n/t0, k/1024, t/(wc > 0 ? wc : 0.01), rc
  }'
done
echo
echo "MB/s and lines/s: of the uncompressed log (index load: of index.csv and its rows)."
echo "index load = forensics index check: the index loaded as analyze loads it, and counted."
ratio() { # a b label: only when both ran to the end (exit 0 or 2)
  [ -f "$work/$1" ] && [ -f "$work/$2" ] || return 0
  local ra rb
  ra=$(cut -d' ' -f3 "$work/$1")
  rb=$(cut -d' ' -f3 "$work/$2")
  case "$ra$rb" in 00 | 02 | 20 | 22) ;; *)
    printf '%-28s n/a (exit %s and %s)\n' "$3" "$ra" "$rb"
    return 0 ;;
  esac
  awk -v a="$(cut -d' ' -f1 "$work/$1")" -v b="$(cut -d' ' -f1 "$work/$2")" -v l="$3" 'BEGIN{printf "%-28s %.1fx\n", l, a/(b > 0 ? b : 0.01)}'
}
ratio analyze "wc -l" "analyze / wc -l:"
ratio "analyze gz" "wc -l" "analyze (gzip) / wc -l:"
ratio goaccess analyze "goaccess / analyze:"
for step in analyze "analyze gz" "index load"; do
  read -r _ _ rc _ _ <"$work/$step"
  if [ "$rc" != 0 ]; then echo "note: $step exited $rc (2: an input not read in full, see the manifest; oom: out of memory under MEM_LIMIT=$limit; sigquit: stopped by a SIGQUIT from outside; 124: timeout; 137: killed)"; fi
done

if [ "$flat" = 1 ]; then
  echo
  tools/bench/memory-flat.sh "$preset" 10
fi
