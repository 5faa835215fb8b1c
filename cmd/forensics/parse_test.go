package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/forensiclog/forensics/internal/testutil"
)

// TestParseScripts runs the parse command end to end
// (testdata/script/parse*.txtar).
func TestParseScripts(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/script/parse*.txtar"))
}

// TestParseDemo parses the bundled demo's logs to Parquet and checks the
// per-input line accounting against fixtures/demo/expected.json, and the
// rows per input with DuckDB.
func TestParseDemo(t *testing.T) {
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	demo := filepath.Join(root, "fixtures", "demo")
	b, err := os.ReadFile(filepath.Join(demo, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Logs []struct {
			File                              string
			Lines, Records, Skipped, Rejected int64
			NULPrefixed                       int64 `json:"nul_prefixed"`
		}
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "demo.parquet")
	var logBuf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logBuf, nil))
	cmd := &ParseCmd{Out: out, MaxErrors: 10, Logs: []string{
		filepath.Join(demo, "logs", "nginx"), filepath.Join(demo, "logs", "apache"), filepath.Join(demo, "logs", "iis")}}
	if err := cmd.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Run(log); err != nil {
		t.Fatalf("parse of the demo logs: %v", err)
	}

	type stats struct{ Lines, Records, Skipped, Rejected, NULPrefixed int64 }
	got := map[string]stats{}
	dec := json.NewDecoder(&logBuf)
	for {
		var m struct {
			Msg, Input                        string
			Lines, Records, Skipped, Rejected int64
			NULPrefixed                       int64 `json:"nul_prefixed"`
		}
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if m.Msg == "read" {
			rel, _ := filepath.Rel(demo, m.Input)
			got[filepath.ToSlash(rel)] = stats{m.Lines, m.Records, m.Skipped, m.Rejected, m.NULPrefixed}
		}
	}
	want := map[string]stats{}
	for _, l := range exp.Logs {
		want[l.File] = stats{l.Lines, l.Records, l.Skipped, l.Rejected, l.NULPrefixed}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("line accounting per input (-expected.json +parse):\n%s", diff)
	}

	// Rows per input, counted by DuckDB.
	rows := testutil.DumpParquet(t, out, "SELECT source, count(*) AS n FROM data GROUP BY source ORDER BY source")
	gotN := map[string]float64{}
	for _, r := range rows {
		rel, _ := filepath.Rel(demo, r["source"].(string))
		gotN[filepath.ToSlash(rel)] = r["n"].(float64)
	}
	wantN := map[string]float64{}
	for f, s := range want {
		wantN[f] = float64(s.Records)
	}
	if diff := cmp.Diff(wantN, gotN); diff != "" {
		t.Errorf("Parquet rows per input (-expected.json +DuckDB):\n%s", diff)
	}
}
