package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
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
	byFormat := map[string][]string{}
	for _, l := range exp.Logs {
		byFormat[l.Format] = append(byFormat[l.Format], filepath.Join(demo, filepath.FromSlash(l.File)))
	}
	var parts []string
	var stderr strings.Builder
	for _, format := range slices.Sorted(maps.Keys(byFormat)) {
		part := filepath.Join(t.TempDir(), format+".parquet")
		r := runForensics(t, forensicsBinary(t), t.TempDir(), append([]string{"parse", "--format", format, "--out", part}, byFormat[format]...)...)
		if r.exit != exitOK {
			t.Fatalf("parse of the demo's %s logs: exit %d\n%s", format, r.exit, r.stderr)
		}
		stderr.WriteString(r.stderr)
		parts = append(parts, part)
	}

	type stats struct{ Lines, Records, Skipped, Rejected, NULPrefixed int64 }
	got := map[string]stats{}
	line := regexp.MustCompile(`msg="input read" input=(\S+) format=\S+ lines=(\d+) records=(\d+) skipped=(\d+) rejected=(\d+)(?: nul_prefixed=(\d+))?`)
	for _, m := range line.FindAllStringSubmatch(stderr.String(), -1) {
		n := func(i int) int64 { v, _ := strconv.ParseInt(m[i], 10, 64); return v }
		rel, _ := filepath.Rel(demo, m[1])
		got[filepath.ToSlash(rel)] = stats{n(2), n(3), n(4), n(5), n(6)}
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
