package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/forensiclog/forensics/internal/testutil"
	decision "github.com/forensiclog/forensics/sql"
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
		"CREATE OR REPLACE TEMPORARY VIEW exposures_sql", "CREATE OR REPLACE TEMPORARY TABLE summary_persons"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the SQL lacks %q", want)
		}
	}
	r = runForensics(t, bin, dir, "sql", "--out", "o's", "ds", "ix")
	if r.exit != exitOK || strings.Contains(r.stdout, "summary_persons") ||
		!strings.Contains(r.stdout, "COPY (SELECT * FROM listings_sql) TO '"+filepath.Join("o''s", "listings.parquet")+"' (FORMAT parquet") {
		t.Errorf("--out: exit %d, a summary instead of the outputs' COPY\n%s", r.exit, r.stderr)
	}
	// DuckDB's memory limit and spill folder come first, only when given.
	r = runForensics(t, bin, dir, "sql", "--memory-limit", "1GB", "--temp-dir", "t's", "ds", "ix")
	if r.exit != exitOK || !strings.HasPrefix(r.stdout, "SET memory_limit = '1GB';\nSET temp_directory = 't''s';\n") {
		t.Errorf("--memory-limit, --temp-dir: exit %d, the script does not start with their SETs\n%s", r.exit, r.stderr)
	}
	if r = runForensics(t, bin, dir, "sql", "ds", "ix"); strings.Contains(r.stdout, "SET memory_limit") || strings.Contains(r.stdout, "SET temp_directory") {
		t.Errorf("without --memory-limit and --temp-dir the script sets them")
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

// checkSQLRun runs "forensics sql --run" on the demo's dataset ds and
// index ix with a stand-in for the DuckDB command line on PATH (a script
// that checks the arguments and runs the script from standard input with
// tools/duckdb/run.mjs, DuckDB's node package) and checks the level
// counts it prints against the engine's outputs in out; without a DuckDB
// command, --run fails with a reason.
func checkSQLRun(t *testing.T, dir, out, ds, ix string) {
	probe, err := testutil.DuckDBCommand("x.parquet")
	if err != nil {
		if testutil.InCI() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	runner := filepath.Join(filepath.Dir(probe.Args[1]), "run.mjs")
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	shim := "#!/bin/sh\n" +
		"[ \"$#\" = 2 ] && [ \"$1\" = -batch ] && [ \"$2\" = -bail ] || { echo 'duckdb shim: unexpected arguments' >&2; exit 2; }\n" +
		"exec " + shellQuote(probe.Path) + " " + shellQuote(runner) + " /dev/stdin\n"
	if err := os.WriteFile(filepath.Join(bin, "duckdb"), []byte(shim), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(path string, args ...string) forensicsRun {
		t.Helper()
		cmd := forensicsCommand(forensicsBinary(t), dir, args...)
		cmd.Env = append(os.Environ(), "PATH="+path)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if _, ok := err.(*exec.ExitError); !ok && err != nil {
			t.Fatal(err)
		}
		return forensicsRun{args: args, exit: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
	}

	// levels runs "forensics sql --run" with args and reads the level
	// counts it prints.
	levels := func(args ...string) map[string]float64 {
		t.Helper()
		r := run(bin+string(os.PathListSeparator)+os.Getenv("PATH"), append([]string{"sql", "--run"}, args...)...)
		if r.exit != exitOK {
			t.Fatalf("sql --run %v: exit %d\n%s", args, r.exit, r.stderr)
		}
		got := map[string]float64{}
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		for {
			var row struct {
				What, Level string
				N           float64
			}
			if err := dec.Decode(&row); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("sql --run printed something else than the level counts: %v\n%s", err, r.stdout)
			}
			got[row.What+" "+row.Level] = row.N
		}
		return got
	}
	want := map[string]float64{}
	for _, what := range []string{"recordings", "persons"} {
		for _, row := range testutil.DumpParquet(t, filepath.Join(out, what+".parquet"), "SELECT level, count(*) AS n FROM data GROUP BY level") {
			want[what+" "+row["level"].(string)] = row["n"].(float64)
		}
	}
	if len(want) < 3 {
		t.Fatalf("the demo's engine outputs have too few levels to compare: %v", want)
	}
	if diff := cmp.Diff(want, levels(ds, ix)); diff != "" {
		t.Errorf("sql --run's level counts, engine (-) vs SQL (+):\n%s", diff)
	}
	// With --out, the outputs are written as the engine names them (in a
	// folder --run creates), every row, and the counts read from them.
	sqlOut := filepath.Join(dir, "sql-out", "demo")
	if diff := cmp.Diff(want, levels("--out", sqlOut, ds, ix)); diff != "" {
		t.Errorf("sql --run --out's level counts, engine (-) vs SQL (+):\n%s", diff)
	}
	for _, name := range decision.Outputs {
		count := func(dir string) float64 {
			return testutil.DumpParquet(t, filepath.Join(dir, name+".parquet"), "SELECT count(*) AS n FROM data")[0]["n"].(float64)
		}
		if e, q := count(out), count(sqlOut); e != q || e == 0 {
			t.Errorf("%s.parquet: the engine wrote %v rows, the SQL %v", name, e, q)
		}
	}

	// DuckDB's errors reach stderr without the numbers they quote: a real
	// DuckDB failing on a value (an identity number and a phone number,
	// both made up) names it in its message.
	failing := filepath.Join(dir, "fails.sql")
	if err := os.WriteFile(failing, []byte("SELECT CAST('19121212-1212 070-1740605' AS BIGINT);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	failBin := filepath.Join(dir, "failbin")
	if err := os.Mkdir(failBin, 0o755); err != nil {
		t.Fatal(err)
	}
	failShim := "#!/bin/sh\ncat >/dev/null\nexec " + shellQuote(probe.Path) + " " + shellQuote(runner) + " " + shellQuote(failing) + "\n"
	if err := os.WriteFile(filepath.Join(failBin, "duckdb"), []byte(failShim), 0o755); err != nil {
		t.Fatal(err)
	}
	r := run(failBin+string(os.PathListSeparator)+os.Getenv("PATH"), "sql", "--run", ds, ix)
	if r.exit != exitFailure || !strings.Contains(r.stderr, "Could not convert string") || !strings.Contains(r.stderr, "--run: duckdb failed") {
		t.Errorf("sql --run with a DuckDB that fails: exit %d, stderr:\n%s", r.exit, r.stderr)
	}
	for _, number := range []string{"1212", "1740605"} {
		if strings.Contains(r.stderr, number) {
			t.Errorf("sql --run printed a number DuckDB quoted (%s) on stderr:\n%s", number, r.stderr)
		}
	}

	// --memory-limit reaches DuckDB: at 256MB, spilling to --temp-dir,
	// the levels are the same; at 1MB DuckDB runs out of memory.
	if diff := cmp.Diff(want, levels("--memory-limit", "256MB", "--temp-dir", filepath.Join(dir, "spill"), ds, ix)); diff != "" {
		t.Errorf("sql --run --memory-limit 256MB's level counts, engine (-) vs SQL (+):\n%s", diff)
	}
	r = run(bin+string(os.PathListSeparator)+os.Getenv("PATH"), "sql", "--run", "--memory-limit", "1MB", ds, ix)
	if r.exit != exitFailure || !strings.Contains(r.stderr, "Out of Memory") {
		t.Errorf("sql --run --memory-limit 1MB: exit %d, stderr:\n%s", r.exit, r.stderr)
	}

	// No DuckDB: a failure that says so, not a script on stdout.
	empty := t.TempDir()
	for _, args := range [][]string{{"sql", "--run", ds, ix}, {"sql", "--run", "--duckdb", "no-such-duckdb", ds, ix}} {
		r := run(empty, args...)
		if r.exit != exitFailure || !strings.Contains(r.stderr, "--run: no DuckDB command") || r.stdout != "" {
			t.Errorf("%v without DuckDB: exit %d, stdout %d bytes, stderr %s", args, r.exit, len(r.stdout), r.stderr)
		}
	}
}

// shellQuote quotes s for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
