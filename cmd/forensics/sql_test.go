package main

import (
	"strings"
	"testing"
)

// TestSQLCommandPrints checks what "forensics sql" prints: the DuckDB
// sources over the given folders, the decision in the chosen listing
// form, the parameters as analyze's flags give them.
func TestSQLCommandPrints(t *testing.T) {
	bin := forensicsBinary(t)
	dir := t.TempDir()
	r := runForensics(t, bin, dir, "sql", "--gap", "90", "--exposed-from", "2019-01-01T00:00:00Z", "--trusted-category", "none", "d's", "ix")
	if r.exit != exitOK {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	for _, want := range []string{"'d''s/requests/*/*/*.parquet'", "'ix/recordings.parquet'", "ASOF LEFT JOIN",
		"CAST(90 AS BIGINT) AS gap_minutes", "CAST(1546300800000000 AS BIGINT) AS exposed_from_us", "(CAST(NULL AS VARCHAR))",
		"CREATE OR REPLACE TEMPORARY VIEW exposures_sql"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the SQL lacks %q", want)
		}
	}
	r = runForensics(t, bin, dir, "sql", "--listing", "band", "ds", "ix")
	if r.exit != exitOK || strings.Contains(r.stdout, "ASOF") || !strings.Contains(r.stdout, "('authorized'), ('internal')") {
		t.Errorf("--listing band: exit %d, ASOF in it or default trusted categories missing\n%s", r.exit, r.stderr)
	}
	r = runForensics(t, bin, dir, "sql", "--exposed-to", "yesterday", "ds", "ix")
	if r.exit != exitFailure || !strings.Contains(r.stderr, "--exposed-to") {
		t.Errorf("a bad time: exit %d, stderr %s", r.exit, r.stderr)
	}
}

// TestParseDatasetFlags checks parse's flags for --dataset: one output
// only, and the engine's reading flags only with --dataset.
func TestParseDatasetFlags(t *testing.T) {
	bin := forensicsBinary(t)
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"parse", "--dataset", "d", "--out", "f.parquet", "x.log"}, "--dataset and --out"},
		{[]string{"parse", "--strip-prefix", "/a", "x.log"}, "apply to --dataset only"},
		{[]string{"parse", "--dataset", "d", "--trusted-proxy", "not-a-cidr", "x.log"}, "trusted proxy 1"},
	} {
		r := runForensics(t, bin, dir, c.args...)
		if r.exit != exitFailure || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, want %d and %q in\n%s", c.args, r.exit, exitFailure, c.want, r.stderr)
		}
	}
}
