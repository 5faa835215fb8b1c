#!/usr/bin/env bash
# The scale path measured: forensics parse --dataset and index export, then
# the decision SQL (sql/) on DuckDB with SET memory_limit (it spills to a
# temporary directory past it), next to forensics analyze on the same
# inputs. Prints wall time and peak RSS of each step; the SQL's counts
# (recordings and persons by level, exposure rows by level and by
# listing, listing rows and their sums) are checked equal to analyze's.
#
#   tools/bench/sql.sh [tiny|ci|incident]        (default: ci)
#
# Environment:
#   FORENSICS_BENCH_DIR  where generated inputs are cached (default /tmp/forensics-bench)
#   SEED                 generator seed (default 1)
#   DUCKDB_LIMITS        memory_limit values to run the SQL with (default "512MB 1GB")
#   DUCKDB_THREADS       DuckDB threads (default 2)
#   ANALYZE              0: skip analyze and the check of the SQL's counts against it (default 1)
#   DUCKDB_SESSION       fresh: each statement in a fresh session over a database file
#                        (default); one: the script as "sql --run --memory-limit L
#                        --temp-dir DIR" hands it to the DuckDB command line, in one
#                        session in memory
# Needs node and tools/duckdb's node_modules (npm ci in tools/duckdb), and
# /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/../.."
preset=${1:-ci}
seed=${SEED:-1}
root=${FORENSICS_BENCH_DIR:-/tmp/forensics-bench}
limits=${DUCKDB_LIMITS:-512MB 1GB}
export DUCKDB_THREADS=${DUCKDB_THREADS:-2}
case $preset in incident | ci | tiny) ;; *) echo "sql.sh: preset must be incident, ci or tiny" >&2; exit 1 ;; esac
session=${DUCKDB_SESSION:-fresh}
case $session in fresh | one) ;; *) echo "sql.sh: DUCKDB_SESSION must be fresh or one" >&2; exit 1 ;; esac
[ -x /usr/bin/time ] || { echo "sql.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
[ -d tools/duckdb/node_modules/@duckdb/node-api ] || { echo "sql.sh: run npm ci in tools/duckdb" >&2; exit 1; }

mkdir -p "$root/bin"
bin=$root/bin
go build -o "$bin/gen" ./tools/bench/gen
go build -o "$bin/forensics" ./cmd/forensics
data=$root/sql-$preset-s$seed
if [ ! -f "$data/access.log" ]; then
  "$bin/gen" -preset "$preset" -seed "$seed" -out "$data" >/dev/null
fi
work=$(mktemp -d "$root/sql.XXXXXX")
sampler=
trap 'if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
lines=$(wc -l <"$data/access.log")
echo "preset $preset, seed $seed: $(($(wc -l <"$data/index.csv") - 1)) recordings, $lines lines ($(($(stat -L -c %s "$data/access.log") / 1000000)) MB log)"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo

# measure NAME COMMAND...: wall seconds and peak RSS (MiB) of COMMAND.
measure() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/$name.out" 2>"$work/$name.err" || {
    echo "$name failed:" >&2; tail -20 "$work/$name.err" >&2; exit 1; }
  read -r secs kib <"$work/time"
  printf '%-34s %8.1f s  %7d MiB peak RSS\n' "$name" "$secs" $((kib / 1024))
}

analyze=${ANALYZE:-1}
if [ "$analyze" = 1 ]; then
  measure "forensics analyze --no-reports" "$bin/forensics" analyze -q --no-reports --format combined --index "$data/index.csv" --out "$work/out" "$data/access.log"
fi
measure "forensics parse --dataset" "$bin/forensics" parse -q --format combined --dataset "$work/ds" "$data/access.log"
echo "  dataset: $(find "$work/ds" -name '*.parquet' | wc -l) files, $(du -sm "$work/ds" | cut -f1) MB"
measure "forensics index export" "$bin/forensics" index export -q --index "$data/index.csv" --out "$work/ix"
# counts DIR: a query that prints, on one line, the counts of the four
# outputs in DIR: recordings and persons by level, exposure rows by level
# and by listing, listing rows and their sums.
counts() {
  local r="read_parquet('$1/recordings.parquet')" p="read_parquet('$1/persons.parquet')"
  local e="read_parquet('$1/exposures.parquet')" l="read_parquet('$1/listings.parquet')"
  cat <<SQL
SELECT string_agg(s, ' ' ORDER BY s) AS s FROM (
  SELECT 'recordings.' || level || '=' || count(*) AS s FROM $r GROUP BY level
  UNION ALL SELECT 'persons.' || level || '=' || count(*) FROM $p GROUP BY level
  UNION ALL SELECT 'exposures.' || level || CASE WHEN via_listing THEN '.listing' ELSE '' END || '=' || count(*)
    FROM $e GROUP BY level, via_listing
  UNION ALL SELECT 'listings=' || count(*) || ' listed=' || sum(listings) || ' shown=' || sum(shown) FROM $l) AS t;
SQL
}
want=skipped
if [ "$analyze" = 1 ]; then
  counts "$work/out" >"$work/want.sql"
  want=$(node tools/duckdb/run.mjs "$work/want.sql" | sed 's/^{"s":"\(.*\)"}$/\1/')
fi
for limit in $limits; do
  # The SQL writes the four outputs as Parquet (forensics sql --out), as
  # analyze does, and the counts are read from the files it wrote. By
  # default it runs over a database file, reopened before each statement
  # (run.mjs DUCKDB_FRESH): in one long session DuckDB holds more than its
  # limit counts (on the incident at 1 GB: 2,465 MiB peak RSS in one
  # session, 1,579 MiB fresh). So its tables and views are persistent, not
  # TEMPORARY.
  rm -rf "$work/spill" "$work/sql-out" "$work/sql.duckdb" "$work/sql.duckdb.wal"
  mkdir -p "$work/spill" "$work/sql-out"
  # The spill folder's size, sampled every 5 s; the largest is printed.
  (while sleep 5; do du -sm "$work/spill" 2>/dev/null | cut -f1; done >"$work/spill.sizes") &
  sampler=$!
  if [ "$session" = one ]; then
    "$bin/forensics" sql --memory-limit "$limit" --temp-dir "$work/spill" --out "$work/sql-out" "$work/ds" "$work/ix" >"$work/run.sql"
    measure "duckdb decision SQL ($limit, one session)" node tools/duckdb/run.mjs "$work/run.sql"
  else
    "$bin/forensics" sql --out "$work/sql-out" "$work/ds" "$work/ix" |
      sed 's/CREATE OR REPLACE TEMPORARY /CREATE OR REPLACE /' >"$work/run.sql"
    export DUCKDB_DATABASE=$work/sql.duckdb DUCKDB_FRESH=1
    # Settings are per session: the script's SETs would hold for their
    # own statement only.
    export DUCKDB_SETTINGS="memory_limit=$limit;temp_directory=$work/spill;preserve_insertion_order=false;TimeZone=UTC"
    measure "duckdb decision SQL ($limit)" node tools/duckdb/run.mjs "$work/run.sql"
    unset DUCKDB_DATABASE DUCKDB_FRESH DUCKDB_SETTINGS
    echo "  database file: $(du -sm "$work/sql.duckdb" | cut -f1) MB"
  fi
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=
  echo "  outputs: $(du -sm "$work/sql-out" | cut -f1) MB; spill folder at most $(sort -n "$work/spill.sizes" | tail -1 || true) MB (sampled every 5 s)"
  counts "$work/sql-out" >"$work/got.sql"
  got=$(node tools/duckdb/run.mjs "$work/got.sql" | sed 's/^{"s":"\(.*\)"}$/\1/')
  if [ "$want" = skipped ]; then echo "  counts (analyze not run): $got"
  elif [ "$got" = "$want" ]; then echo "  counts equal to analyze's: $got"; else
    echo "  counts DIFFER: analyze $want, SQL $got" >&2; exit 1; fi
done
