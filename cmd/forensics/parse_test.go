package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
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
			File, Format                      string
			Lines, Records, Skipped, Rejected int64
			NULPrefixed                       int64 `json:"nul_prefixed"`
		}
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}

	// One run per format, given by --format: detection is tested apart.
	var logBuf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logBuf, nil))
	byFormat := map[string][]string{}
	for _, l := range exp.Logs {
		byFormat[l.Format] = append(byFormat[l.Format], filepath.Join(demo, filepath.FromSlash(l.File)))
	}
	var parts []string
	for _, format := range slices.Sorted(maps.Keys(byFormat)) {
		part := filepath.Join(t.TempDir(), format+".parquet")
		cmd := &ParseCmd{Format: format, Out: part, MaxErrors: 10, Logs: byFormat[format]}
		if err := cmd.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Run(log); err != nil {
			t.Fatalf("parse of the demo's %s logs: %v", format, err)
		}
		parts = append(parts, part)
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
	var rows []map[string]any
	for _, part := range parts {
		rows = append(rows, testutil.DumpParquet(t, part, "SELECT source, count(*) AS n FROM data GROUP BY source")...)
	}
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
