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
trap 'rm -rf "$work"' EXIT
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
  # analyze does, and the counts are read from the files it wrote. It runs
  # over a database file, reopened before each statement (run.mjs
  # DUCKDB_FRESH): in one long session on the incident, DuckDB ran out of
  # memory at 2 GB in a COPY of recordings_sql that passes at 1 GB in a
  # fresh session. So its tables and views are persistent, not TEMPORARY.
  rm -rf "$work/spill" "$work/sql-out" "$work/sql.duckdb" "$work/sql.duckdb.wal"
  mkdir -p "$work/spill" "$work/sql-out"
  "$bin/forensics" sql --out "$work/sql-out" "$work/ds" "$work/ix" |
    sed 's/CREATE OR REPLACE TEMPORARY /CREATE OR REPLACE /' >"$work/run.sql"
  export DUCKDB_DATABASE=$work/sql.duckdb DUCKDB_FRESH=1
  export DUCKDB_SETTINGS="memory_limit=$limit;temp_directory=$work/spill;preserve_insertion_order=false;TimeZone=UTC"
  measure "duckdb decision SQL ($limit)" node tools/duckdb/run.mjs "$work/run.sql"
  echo "  outputs: $(du -sm "$work/sql-out" | cut -f1) MB"
  unset DUCKDB_DATABASE DUCKDB_FRESH DUCKDB_SETTINGS
  counts "$work/sql-out" >"$work/got.sql"
  got=$(node tools/duckdb/run.mjs "$work/got.sql" | sed 's/^{"s":"\(.*\)"}$/\1/')
  if [ "$want" = skipped ]; then echo "  counts (analyze not run): $got"
  elif [ "$got" = "$want" ]; then echo "  counts equal to analyze's: $got"; else
    echo "  counts DIFFER: analyze $want, SQL $got" >&2; exit 1; fi
done
