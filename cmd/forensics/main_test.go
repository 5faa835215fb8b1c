package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/forensiclog/forensics/internal/testutil"
)

// TestMain lets testscript scripts run the forensics command in a
// subprocess, as "forensics" or "exec forensics".
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"forensics": main})
}

// scriptParams returns the testscript setup shared by the CLI tests: the
// scripts matching pattern (e.g. "testdata/script/parse*.txtar"), with
//
//   - $DEMO, the bundled demo incident (fixtures/demo);
//   - the condition [duckdb]: DuckDB can read Parquet (always true when the
//     CI environment variable is set, so that a missing DuckDB fails there);
//   - duckdb FILE [SQL]: print FILE's rows (or the query's, where the view
//     "data" is the file) as JSON lines on stdout, via tools/duckdb/dump.mjs;
//   - gzip FILE: compress FILE into FILE.gz (deterministic header);
//   - truncate FILE SIZE: cut FILE to SIZE bytes.
func scriptParams(t *testing.T, pattern string) testscript.Params {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts match %s", pattern)
	}
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return testscript.Params{
		Files: files,
		Setup: func(env *testscript.Env) error {
			env.Setenv("DEMO", filepath.Join(root, "fixtures", "demo"))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "duckdb":
				_, err := testutil.DuckDBCommand(os.DevNull)
				return err == nil || testutil.InCI(), nil
			}
			return false, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"duckdb":   cmdDuckDB,
			"gzip":     cmdGzip,
			"truncate": cmdTruncate,
		},
	}
}

func cmdDuckDB(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: duckdb FILE [SQL]")
	}
	cmd, err := testutil.DuckDBCommand(ts.MkAbs(args[0]), args[1:]...)
	ts.Check(err)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = ts.Stdout(), &stderr
	err = cmd.Run()
	if neg {
		if err == nil {
			ts.Fatalf("duckdb succeeded unexpectedly")
		}
		return
	}
	if err != nil {
		ts.Fatalf("duckdb: %v\n%s", err, stderr.Bytes())
	}
}

func cmdGzip(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gzip FILE")
	}
	path := ts.MkAbs(args[0])
	b, err := os.ReadFile(path)
	ts.Check(err)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, err = zw.Write(b)
	ts.Check(err)
	ts.Check(zw.Close())
	ts.Check(os.WriteFile(path+".gz", z.Bytes(), 0o644))
}

func cmdTruncate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: truncate FILE SIZE")
	}
	n, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	ts.Check(os.Truncate(ts.MkAbs(args[0]), n))
}
