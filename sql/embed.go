// Package sql holds the decision SQL: statements that decide, over a
// request dataset ("forensics parse --dataset") and an exported index
// ("forensics index export"), the levels the Go engine decides. See the
// README, "SQL at scale".
package sql

import (
	"embed"
	"strings"
)

//go:embed *.sql
var files embed.FS

// Listing forms: how the first listing after a file's availability is
// found.
const (
	ListingASOF = "asof" // DuckDB's ASOF JOIN
	ListingBand = "band" // a band join and MIN, for engines without ASOF JOIN
)

// Decision returns the decision SQL (without the DuckDB sources): the
// base views, the listing views in the given form, the levels.
func Decision(listing string) string {
	l := "listing_asof.sql"
	if listing == ListingBand {
		l = "listing_band.sql"
	}
	return read("decide_base.sql") + "\n" + read(l) + "\n" + read("decide_levels.sql")
}

// DuckDBSources returns the statements that define the decision SQL's
// tables in DuckDB over the dataset and index directories. gapMinutes,
// exposedFromUS and exposedToUS are SQL literals ("NULL" to choose as
// analyze does); trusted lists the trusted actor categories. Actors are
// keyed by address (--actor-key ip).
func DuckDBSources(datasetDir, indexDir, gapMinutes, exposedFromUS, exposedToUS string, trusted []string) string {
	return DuckDBSourcesKeyed(datasetDir, indexDir, gapMinutes, exposedFromUS, exposedToUS, trusted, "ip")
}

// DuckDBSourcesKeyed is DuckDBSources with the actors keyed as analyze
// --actor-key keys them: "ip" or "ip+ua".
func DuckDBSourcesKeyed(datasetDir, indexDir, gapMinutes, exposedFromUS, exposedToUS string, trusted []string, actorKey string) string {
	vals := make([]string, 0, len(trusted))
	for _, t := range trusted {
		vals = append(vals, "("+literal(t)+")")
	}
	if len(vals) == 0 {
		vals = append(vals, "(CAST(NULL AS VARCHAR))")
	}
	return strings.NewReplacer(
		"'{dataset}", literal(datasetDir)[:len(literal(datasetDir))-1],
		"'{index}", literal(indexDir)[:len(literal(indexDir))-1],
		"{gap_minutes}", gapMinutes, "{exposed_from_us}", exposedFromUS, "{exposed_to_us}", exposedToUS,
		"{trusted_categories}", strings.Join(vals, ", "), "{actor_key}", literal(actorKey),
	).Replace(read("duckdb_sources.sql"))
}

// literal quotes s as a SQL string literal.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func read(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("sql: " + name + " not embedded")
	}
	return string(b)
}

// Summary is a closing query: recordings and persons by level.
const Summary = `SELECT 'recordings' AS what, level, COUNT(*) AS n FROM recordings_sql GROUP BY level
UNION ALL
SELECT 'persons' AS what, level, COUNT(*) AS n FROM persons_sql GROUP BY level
ORDER BY what, n DESC;
`

// EngineDiff returns a query comparing the decision SQL's levels with the
// Go engine's outputs in dir (recordings.parquet, persons.parquet,
// exposures.parquet) both ways with EXCEPT ALL: one row per difference
// (side "engine": a row only the engine has; "sql": only the SQL), then
// one row per table with its row count (side "rows", level the count).
func EngineDiff(dir string) string {
	return EngineViews(dir) + EngineDiffQuery
}

// EngineViews returns the statements defining the views EngineDiffQuery
// compares: the engine's rows from the outputs in dir, the SQL's rows.
func EngineViews(dir string) string {
	s := strings.ReplaceAll(engineDiff, "{out}", literal(dir)[1:len(literal(dir))-1])
	return s[:strings.Index(s, "SELECT 'recordings' AS what")]
}

// EngineDiffQuery is EngineDiff's query, after EngineViews.
var EngineDiffQuery = engineDiff[strings.Index(engineDiff, "SELECT 'recordings' AS what"):]

// The columns compared, in one shape for the three tables: a table's
// columns, defaults for the others'. Left out by design: requests (the
// engine counts an input read twice, or a copytruncate overlap, once),
// first_seen and last_seen, evidence, the actors' labels, places and user
// agents, persons' lists and first exposure (see the README, "SQL at
// scale").
const engineDiff = `CREATE OR REPLACE TEMPORARY VIEW engine_recordings AS
  SELECT '' AS subject_id, path, '' AS actor_ip, '' AS actor_ua, FALSE AS via_listing, level,
         CAST(0 AS BIGINT) AS bytes_delivered, 0.0 AS coverage, FALSE AS prior_copy, in_gap, uncertain,
         max_coverage, CAST(actors AS BIGINT) AS actors,
         CAST(0 AS BIGINT) AS calls, CAST(0 AS BIGINT) AS calls_exposed, CAST(0 AS BIGINT) AS calls_full, CAST(0 AS BIGINT) AS calls_partial, CAST(0 AS BIGINT) AS calls_metadata, CAST(0 AS BIGINT) AS calls_undeterminable, FALSE AS verdict_rests_on_gap
  FROM read_parquet('{out}/recordings.parquet');
CREATE OR REPLACE TEMPORARY VIEW engine_persons AS
  SELECT subject_id, '' AS path, '' AS actor_ip, '' AS actor_ua, FALSE AS via_listing, level,
         CAST(0 AS BIGINT) AS bytes_delivered, 0.0 AS coverage, FALSE AS prior_copy, FALSE AS in_gap, '' AS uncertain,
         0.0 AS max_coverage, CAST(0 AS BIGINT) AS actors,
         CAST(calls AS BIGINT) AS calls, CAST(calls_exposed AS BIGINT) AS calls_exposed, CAST(calls_full AS BIGINT) AS calls_full, CAST(calls_partial AS BIGINT) AS calls_partial, CAST(calls_metadata AS BIGINT) AS calls_metadata, CAST(calls_undeterminable AS BIGINT) AS calls_undeterminable, verdict_rests_on_gap
  FROM read_parquet('{out}/persons.parquet');
CREATE OR REPLACE TEMPORARY VIEW engine_exposures AS
  SELECT subject_id, path, actor_ip, actor_ua, via_listing, level,
         CAST(bytes_delivered AS BIGINT) AS bytes_delivered, coverage, prior_copy, in_gap, uncertain,
         0.0 AS max_coverage, CAST(0 AS BIGINT) AS actors,
         CAST(0 AS BIGINT) AS calls, CAST(0 AS BIGINT) AS calls_exposed, CAST(0 AS BIGINT) AS calls_full, CAST(0 AS BIGINT) AS calls_partial, CAST(0 AS BIGINT) AS calls_metadata, CAST(0 AS BIGINT) AS calls_undeterminable, FALSE AS verdict_rests_on_gap
  FROM read_parquet('{out}/exposures.parquet');
CREATE OR REPLACE TEMPORARY VIEW sql_recordings AS
  SELECT '' AS subject_id, path, '' AS actor_ip, '' AS actor_ua, FALSE AS via_listing, level,
         CAST(0 AS BIGINT) AS bytes_delivered, 0.0 AS coverage, FALSE AS prior_copy, in_gap, uncertain,
         max_coverage, CAST(actors AS BIGINT) AS actors,
         CAST(0 AS BIGINT) AS calls, CAST(0 AS BIGINT) AS calls_exposed, CAST(0 AS BIGINT) AS calls_full, CAST(0 AS BIGINT) AS calls_partial, CAST(0 AS BIGINT) AS calls_metadata, CAST(0 AS BIGINT) AS calls_undeterminable, FALSE AS verdict_rests_on_gap
  FROM recordings_sql;
CREATE OR REPLACE TEMPORARY VIEW sql_persons AS
  SELECT subject_id, '' AS path, '' AS actor_ip, '' AS actor_ua, FALSE AS via_listing, level,
         CAST(0 AS BIGINT) AS bytes_delivered, 0.0 AS coverage, FALSE AS prior_copy, FALSE AS in_gap, '' AS uncertain,
         0.0 AS max_coverage, CAST(0 AS BIGINT) AS actors,
         CAST(calls AS BIGINT) AS calls, CAST(calls_exposed AS BIGINT) AS calls_exposed, CAST(calls_full AS BIGINT) AS calls_full, CAST(calls_partial AS BIGINT) AS calls_partial, CAST(calls_metadata AS BIGINT) AS calls_metadata, CAST(calls_undeterminable AS BIGINT) AS calls_undeterminable, verdict_rests_on_gap
  FROM persons_sql;
CREATE OR REPLACE TEMPORARY VIEW sql_exposures AS
  SELECT subject_id, path, actor_ip, actor_ua, via_listing, level,
         CAST(bytes_delivered AS BIGINT) AS bytes_delivered, CAST(coverage AS DOUBLE) AS coverage, prior_copy, in_gap, uncertain,
         0.0 AS max_coverage, CAST(0 AS BIGINT) AS actors,
         CAST(0 AS BIGINT) AS calls, CAST(0 AS BIGINT) AS calls_exposed, CAST(0 AS BIGINT) AS calls_full, CAST(0 AS BIGINT) AS calls_partial, CAST(0 AS BIGINT) AS calls_metadata, CAST(0 AS BIGINT) AS calls_undeterminable, FALSE AS verdict_rests_on_gap
  FROM exposures_sql;
SELECT 'recordings' AS what, 'engine' AS side, d.* FROM (SELECT * FROM engine_recordings EXCEPT ALL SELECT * FROM sql_recordings) AS d
UNION ALL SELECT 'recordings', 'sql', d.* FROM (SELECT * FROM sql_recordings EXCEPT ALL SELECT * FROM engine_recordings) AS d
UNION ALL SELECT 'persons', 'engine', d.* FROM (SELECT * FROM engine_persons EXCEPT ALL SELECT * FROM sql_persons) AS d
UNION ALL SELECT 'persons', 'sql', d.* FROM (SELECT * FROM sql_persons EXCEPT ALL SELECT * FROM engine_persons) AS d
UNION ALL SELECT 'exposures', 'engine', d.* FROM (SELECT * FROM engine_exposures EXCEPT ALL SELECT * FROM sql_exposures) AS d
UNION ALL SELECT 'exposures', 'sql', d.* FROM (SELECT * FROM sql_exposures EXCEPT ALL SELECT * FROM engine_exposures) AS d
UNION ALL SELECT 'recordings', 'rows', '', '', '', '', FALSE, CAST(COUNT(*) AS VARCHAR), 0, 0.0, FALSE, FALSE, '', 0.0, 0, 0, 0, 0, 0, 0, 0, FALSE FROM engine_recordings
UNION ALL SELECT 'persons', 'rows', '', '', '', '', FALSE, CAST(COUNT(*) AS VARCHAR), 0, 0.0, FALSE, FALSE, '', 0.0, 0, 0, 0, 0, 0, 0, 0, FALSE FROM engine_persons
UNION ALL SELECT 'exposures', 'rows', '', '', '', '', FALSE, CAST(COUNT(*) AS VARCHAR), 0, 0.0, FALSE, FALSE, '', 0.0, 0, 0, 0, 0, 0, 0, 0, FALSE FROM engine_exposures;
`
