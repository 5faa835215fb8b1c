// Package sql holds the decision SQL: statements that decide, over a
// request dataset ("forensics parse --dataset") and an exported index
// ("forensics index export"), the levels the Go engine decides. See the
// README, "SQL at scale".
package sql

import (
	"embed"
	"fmt"
	"path/filepath"
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

// DuckDBTables returns the statements that keep, in DuckDB, what the
// final views use several times as tables; run them after Decision.
func DuckDBTables() string { return read("duckdb_tables.sql") }

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

// DuckDBSettings returns the SET statements for DuckDB's memory_limit
// (a size such as "1GB": past it DuckDB spills to disk) and
// temp_directory (where it spills), each only when given.
func DuckDBSettings(memoryLimit, tempDir string) string {
	var b strings.Builder
	if memoryLimit != "" {
		fmt.Fprintf(&b, "SET memory_limit = %s;\n", literal(memoryLimit))
	}
	if tempDir != "" {
		fmt.Fprintf(&b, "SET temp_directory = %s;\n", literal(tempDir))
	}
	return b.String()
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

// Summary is the closing statements of a DuckDB script: recordings and
// persons by level. Each output is counted into a table of its own first,
// so that no query holds both outputs' joins at once.
const Summary = `CREATE OR REPLACE TEMPORARY TABLE summary_recordings AS SELECT level, COUNT(*) AS n FROM recordings_sql GROUP BY level;
CREATE OR REPLACE TEMPORARY TABLE summary_persons AS SELECT level, COUNT(*) AS n FROM persons_sql GROUP BY level;
SELECT 'recordings' AS what, level, n FROM summary_recordings
UNION ALL
SELECT 'persons' AS what, level, n FROM summary_persons
ORDER BY what, n DESC;
`

// Outputs are the decision SQL's final views and the Go engine's files
// they reproduce: recordings_sql is recordings.parquet, and so on.
var Outputs = []string{"recordings", "persons", "exposures", "listings"}

// DuckDBCopy returns DuckDB statements that write the final views to dir
// as Parquet files named as the Go engine's (recordings.parquet,
// persons.parquet, exposures.parquet, listings.parquet), zstd-compressed
// in row groups of 32,768 rows, one view at a time, then a summary of
// recordings and persons by level read from the files written. DuckDB
// holds a row group per thread while writing: with its default (122,880
// rows) the ci preset's recordings ran out of memory at memory_limit
// 256 MB.
func DuckDBCopy(dir string) string {
	var b strings.Builder
	for _, o := range Outputs {
		fmt.Fprintf(&b, "COPY (SELECT * FROM %s_sql) TO %s (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 32768);\n",
			o, literal(filepath.Join(dir, o+".parquet")))
	}
	r := literal(filepath.Join(dir, "recordings.parquet"))
	p := literal(filepath.Join(dir, "persons.parquet"))
	fmt.Fprintf(&b, `SELECT 'recordings' AS what, level, COUNT(*) AS n FROM read_parquet(%s) GROUP BY level
UNION ALL
SELECT 'persons' AS what, level, COUNT(*) AS n FROM read_parquet(%s) GROUP BY level
ORDER BY what, n DESC;
`, r, p)
	return b.String()
}

// EngineDiff returns a query comparing the decision SQL's views with the
// Go engine's outputs in dir (recordings.parquet, persons.parquet,
// exposures.parquet, listings.parquet) both ways with EXCEPT ALL, on the
// columns of Compared: one row per difference (what: the table; side
// "engine": a row only the engine has, "sql": only the SQL; row: the row
// as JSON), then one row per table with its row count (side "rows", row
// the count).
func EngineDiff(dir string) string {
	return EngineViews(dir) + SQLTables() + EngineDiffQuery
}

// A Column is one compared column of a table.
type Column struct {
	Name string
	// Kind says how both sides are read: "" as they are, "int" as
	// BIGINT, "float" as DOUBLE, "time" as Unix milliseconds (the
	// engine writes times in milliseconds; integers keep the session's
	// time zone out).
	Kind string
}

// A Table is one of the engine's outputs and the view of the decision SQL
// that reproduces it.
type Table struct {
	Name, File, View string
	Columns          []Column
	// Optional is set for a table that may have no rows (logs that list
	// no folder): the equality test then asks no rows of it.
	Optional bool
}

// Compared lists the tables and columns EngineDiff compares: all the
// engine writes. The counts (requests, listings, evidence_more) are
// equal where no line repeats: the engine counts an input read twice, or
// a copytruncate overlap, once; the SQL counts the dataset's rows (see
// the README, "SQL at scale").
var Compared = []Table{
	{"recordings", "recordings.parquet", "recordings_sql", cols(
		"path", "call_id", "region", "caller_phone", "started_at:time", "available_at:time", "folder", "size_bytes:int",
		"subjects:int", "level", "max_coverage:float", "actors:int", "requests:int", "first_seen:time", "in_gap", "uncertain"), false},
	{"persons", "persons.parquet", "persons_sql", cols(
		"subject_id", "subject_id_given", "subject_kind", "child", "level", "roles", "calls:int", "calls_exposed:int",
		"calls_full:int", "calls_partial:int", "calls_metadata:int", "calls_undeterminable:int", "regions", "phones",
		"first_exposure:time", "actors:int", "actor_categories", "verdict_rests_on_gap", "listing_actors:int"), false},
	{"exposures", "exposures.parquet", "exposures_sql", cols(
		"subject_id", "subject_id_given", "subject_kind", "child", "role", "call_id", "path", "region", "caller_phone",
		"started_at:time", "level", "bytes_delivered:int", "coverage:float", "requests:int", "first_seen:time", "last_seen:time",
		"via_listing", "prior_copy", "in_gap", "uncertain", "actor_ip", "actor_ua", "actor_label", "actor_category",
		"country", "city", "asn:int", "as_org", "ua_class", "ua_name", "evidence", "evidence_more:int", "listing_actors:int",
		"listing_categories"), false},
	{"listings", "listings.parquet", "listings_sql", cols(
		"folder", "actor_ip", "actor_ua", "actor_label", "actor_category", "first:time", "last:time", "listings:int", "shown:int",
		"evidence", "evidence_more:int"), true},
}

// cols reads "name" and "name:kind".
func cols(specs ...string) []Column {
	out := make([]Column, len(specs))
	for i, s := range specs {
		name, kind, _ := strings.Cut(s, ":")
		out[i] = Column{name, kind}
	}
	return out
}

// selectList is t's columns read as their kinds say.
func (t Table) selectList() string {
	parts := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		switch c.Kind {
		case "int":
			parts[i] = "CAST(" + c.Name + " AS BIGINT) AS " + c.Name
		case "float":
			parts[i] = "CAST(" + c.Name + " AS DOUBLE) AS " + c.Name
		case "time":
			parts[i] = "epoch_ms(" + c.Name + ") AS " + c.Name
		default:
			parts[i] = c.Name
		}
	}
	return strings.Join(parts, ", ")
}

// EngineViews returns the statements reading the engine's outputs in dir
// into the tables engine_<table> that EngineDiffQuery compares.
func EngineViews(dir string) string {
	var b strings.Builder
	for _, t := range Compared {
		file := literal(strings.TrimSuffix(dir, "/") + "/" + t.File)
		fmt.Fprintf(&b, "CREATE OR REPLACE TEMPORARY TABLE engine_%s AS SELECT %s FROM read_parquet(%s);\n", t.Name, t.selectList(), file)
	}
	return b.String()
}

// SQLTables returns the statements that compute the decision SQL's views
// into the tables sql_<table> that EngineDiffQuery compares: once, where
// the comparison reads each twice (and DuckDB computes a view for every
// reading). Run it after each Decision.
func SQLTables() string {
	var b strings.Builder
	for _, t := range Compared {
		fmt.Fprintf(&b, "CREATE OR REPLACE TEMPORARY TABLE sql_%s AS SELECT %s FROM %s;\n", t.Name, t.selectList(), t.View)
	}
	return b.String()
}

// EngineDiffQuery is EngineDiff's query, after EngineViews and SQLTables.
var EngineDiffQuery = engineDiffQuery()

func engineDiffQuery() string {
	var parts []string
	for _, t := range Compared {
		for _, side := range [][2]string{{"engine", "sql"}, {"sql", "engine"}} {
			parts = append(parts, fmt.Sprintf("SELECT '%s' AS what, '%s' AS side, CAST(to_json(d) AS VARCHAR) AS row FROM (SELECT * FROM %s_%s EXCEPT ALL SELECT * FROM %s_%s) AS d",
				t.Name, side[0], side[0], t.Name, side[1], t.Name))
		}
	}
	for _, t := range Compared {
		parts = append(parts, fmt.Sprintf("SELECT '%s', 'rows', CAST(COUNT(*) AS VARCHAR) FROM engine_%s", t.Name, t.Name))
	}
	return strings.Join(parts, "\nUNION ALL ") + ";\n"
}
