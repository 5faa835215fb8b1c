package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/forensiclog/forensics/internal/testutil"
	"github.com/forensiclog/forensics/pkg/exposure"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestAnalyzeScripts(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/script/analyze*.txtar"))
}

// demoTruth is the part of fixtures/demo/expected.json the tests compare.
type demoTruth struct {
	TrustedProxies []string `json:"trusted_proxies"`
	Recordings     []struct {
		Path  string `json:"path"`
		Level string `json:"level"`
	} `json:"recordings"`
	Subjects []struct {
		ID    string `json:"id"`
		Level string `json:"level"`
		Child bool   `json:"child"`
	} `json:"subjects"`
}

func demoDir(t *testing.T) string {
	t.Helper()
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "fixtures", "demo")
}

// runDemo runs analyze on the demo incident and returns the output
// directory and what the run wrote to stderr.
func runDemo(t *testing.T, demo string, truth demoTruth, out string) string {
	t.Helper()
	args := []string{"analyze", "--index", filepath.Join(demo, "index.csv"), "--out", out,
		"--actors", filepath.Join(demo, "actors.yaml"),
		"--geoip-city", filepath.Join(demo, "geoip", "city.mmdb"), "--geoip-asn", filepath.Join(demo, "geoip", "asn.mmdb"),
		"--workers", "2"}
	for _, p := range truth.TrustedProxies {
		args = append(args, "--trusted-proxy", p)
	}
	r := runForensics(t, forensicsBinary(t), t.TempDir(), append(args, filepath.Join(demo, "logs"))...)
	if r.exit != exitOK {
		t.Fatalf("analyze: exit %d\n%s", r.exit, r.stderr)
	}
	return r.stderr
}

// personVerdict is what the outputs say of one person.
type personVerdict struct {
	level string
	child bool
}

// checkTruth compares recording levels (by path) and person verdicts (by
// subject ID) with the demo's truth, without printing identity numbers.
func checkTruth(t *testing.T, truth demoTruth, levels map[string]string, people map[string]personVerdict) {
	t.Helper()
	want := map[string]string{}
	for _, r := range truth.Recordings {
		want[r.Path] = r.Level
	}
	if diff := cmp.Diff(want, levels); diff != "" {
		t.Errorf("recording levels (-want +got):\n%s", diff)
	}
	wantP := map[string]personVerdict{}
	for _, s := range truth.Subjects {
		wantP[s.ID] = personVerdict{s.Level, s.Child}
	}
	var wrong, missing int
	for id, w := range wantP {
		g, ok := people[id]
		switch {
		case !ok:
			missing++
		case g != w:
			wrong++
		}
	}
	if wrong > 0 || missing > 0 || len(people) != len(wantP) {
		t.Errorf("persons: %d with a wrong level or child flag, %d missing, %d in output vs %d expected", wrong, missing, len(people), len(wantP))
	}
}

func readTruth(t *testing.T, demo string) demoTruth {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(demo, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var truth demoTruth
	if err := json.Unmarshal(b, &truth); err != nil {
		t.Fatal(err)
	}
	return truth
}

// TestAnalyzeDemoMatchesTruth checks every recording's and every person's
// level against the demo's truth by construction: on the rows the command
// wrote, read back in Go (parquet-go), and again with DuckDB, an
// independent reader, where it is installed.
func TestAnalyzeDemoMatchesTruth(t *testing.T) {
	demo := demoDir(t)
	truth := readTruth(t, demo)
	out := t.TempDir()
	stderr := runDemo(t, demo, truth, out)

	recs, err := parquet.ReadFile[exposure.RecordingRow](filepath.Join(out, "recordings.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	persons, err := parquet.ReadFile[exposure.PersonRow](filepath.Join(out, "persons.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	levels := map[string]string{}
	for _, r := range recs {
		levels[r.Path] = r.Level
	}
	people := map[string]personVerdict{}
	for _, p := range persons {
		people[p.SubjectID.Reveal()] = personVerdict{p.Level, p.Child}
	}
	checkTruth(t, truth, levels, people)

	t.Run("duckdb", func(t *testing.T) {
		levels := map[string]string{}
		for _, row := range testutil.DumpParquet(t, filepath.Join(out, "recordings.parquet"), "select path, level from data") {
			levels[row["path"].(string)] = row["level"].(string)
		}
		people := map[string]personVerdict{}
		for _, row := range testutil.DumpParquet(t, filepath.Join(out, "persons.parquet"), "select subject_id, level, child from data") {
			people[row["subject_id"].(string)] = personVerdict{row["level"].(string), row["child"].(bool)}
		}
		checkTruth(t, truth, levels, people)
	})

	// Personal data stays in the outputs meant for it: nothing the index
	// holds about a person reaches the log output.
	for _, s := range secretsOf(t, filepath.Join(demo, "index.csv")) {
		if strings.Contains(stderr, s) {
			t.Errorf("stderr holds a personal identity or phone number from the index (%d chars)", len(s))
			break
		}
	}

	// Outputs are for the response team only.
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		info, _ := e.Info()
		want := os.FileMode(0o600)
		if e.IsDir() {
			want = 0o700 // the lists and letters (notify/, letters/)
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", e.Name(), info.Mode().Perm(), want)
		}
		if strings.HasPrefix(e.Name(), ".") && e.Name() != ".forensics.lock" { // the lock stays (flock)
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// secretsOf returns the identity and phone numbers an index CSV holds, in
// every written form the tests look for: digits only, and as written.
func secretsOf(t *testing.T, index string) []string {
	t.Helper()
	b, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	re := regexp.MustCompile(`\d{6,8}[-+]?\d{4}|\+?\d[\d -]{8,14}\d`)
	for _, m := range re.FindAllString(string(b), -1) {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, m)
		if len(digits) >= 10 {
			out = append(out, m, digits)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestAnalyzeDeterministic runs the demo twice: the data files must be
// byte-identical; what differs (run time, host) lives in the manifest.
func TestAnalyzeDeterministic(t *testing.T) {
	demo := demoDir(t)
	truth := readTruth(t, demo)
	a, b := t.TempDir(), t.TempDir()
	runDemo(t, demo, truth, a)
	runDemo(t, demo, truth, b)
	for _, f := range []string{"exposures.parquet", "persons.parquet", "recordings.parquet", "actors.parquet", "coverage.parquet", "summary.json", "report.html"} {
		x, err1 := os.ReadFile(filepath.Join(a, f))
		y, err2 := os.ReadFile(filepath.Join(b, f))
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", f, err1, err2)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs on the same inputs", f)
		}
	}
	var m1, m2 map[string]any
	for p, m := range map[string]*map[string]any{a: &m1, b: &m2} {
		raw, err := os.ReadFile(filepath.Join(p, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, m); err != nil {
			t.Fatal(err)
		}
	}
	if !cmp.Equal(m1["outputs"], m2["outputs"]) {
		t.Error("the manifest's output digests differ between runs")
	}
}

// TestAnalyzeDemoGolden compares the demo's recordings and actors
// outputs, dumped by DuckDB as JSON lines, with golden files. Run with
// -update to rewrite them after a deliberate change.
func TestAnalyzeDemoGolden(t *testing.T) {
	demo := demoDir(t)
	truth := readTruth(t, demo)
	out := t.TempDir()
	runDemo(t, demo, truth, out)
	// Input names are absolute: the golden files hold them relative to
	// the repository, so that any checkout compares equal.
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"recordings", "actors", "coverage"} {
		rows := testutil.DumpParquet(t, filepath.Join(out, f+".parquet"))
		var buf bytes.Buffer
		for _, r := range rows {
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			buf.Write(bytes.ReplaceAll(b, []byte(root+string(filepath.Separator)), nil))
			buf.WriteByte('\n')
		}
		golden := filepath.Join("testdata", "golden", "demo_"+f+".jsonl")
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to create)", err)
		}
		if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(buf.String(), "\n")); diff != "" {
			t.Errorf("%s differs from %s (-want +got):\n%s", f, golden, diff)
		}
	}
	sum, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "golden", "demo_summary.json")
	if *update {
		if err := os.WriteFile(golden, sum, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(sum)); diff != "" {
		t.Errorf("summary.json (-want +got):\n%s", diff)
	}
}

// TestAnalyzeExitStatus checks the documented exit statuses of the
// command: 0 success, 1 failure, 2 finished with an input not read in full.
func TestAnalyzeExitStatus(t *testing.T) {
	demo := demoDir(t)
	bin := forensicsBinary(t)
	dir := t.TempDir()
	gz, err := os.ReadFile(filepath.Join(demo, "logs", "nginx", "access.log.2.gz"))
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.gz")
	if err := os.WriteFile(cut, gz[:len(gz)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	f := func(want int, args ...string) {
		t.Helper()
		got := runForensics(t, bin, dir, args...).exit
		if got != want {
			t.Errorf("forensics %v: exit %d, want %d", args, got, want)
		}
	}
	idx := filepath.Join(demo, "index.csv")
	f(0, "analyze", "-q", "--index", idx, "--out", "ok", filepath.Join(demo, "logs", "nginx"))
	f(1, "analyze", "--index", idx)
	f(1, "analyze", "--bogus-flag")
	f(1, "analyze", "-q", "--index", filepath.Join(dir, "missing.csv"), "--out", "x", cut)
	f(2, "analyze", "-q", "--index", idx, "--out", "partial", cut)
}
