package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/forensiclog/forensics/internal/testutil"
	"github.com/forensiclog/forensics/pkg/exposure"
	decision "github.com/forensiclog/forensics/sql"
)

// demoDataset runs analyze on the demo into out, writes its logs as a
// dataset (ds) and its index as Parquet (ix), all under dir, as the
// README shows.
func demoDataset(t *testing.T, dir string) (out, ds, ix string) {
	t.Helper()
	demo := demoDir(t)
	truth := readTruth(t, demo)
	out, ds, ix = filepath.Join(dir, "out"), filepath.Join(dir, "dataset"), filepath.Join(dir, "index")
	bin := forensicsBinary(t)
	runDemo(t, demo, truth, out)
	args := []string{"parse", "--dataset", ds, "--actors", filepath.Join(demo, "actors.yaml"),
		"--geoip-city", filepath.Join(demo, "geoip", "city.mmdb"), "--geoip-asn", filepath.Join(demo, "geoip", "asn.mmdb")}
	for _, p := range truth.TrustedProxies {
		args = append(args, "--trusted-proxy", p)
	}
	if r := runForensics(t, bin, dir, append(args, filepath.Join(demo, "logs"))...); r.exit != exitOK {
		t.Fatalf("parse --dataset: exit %d\n%s", r.exit, r.stderr)
	}
	if r := runForensics(t, bin, dir, "index", "export", "--index", filepath.Join(demo, "index.csv"), "--out", ix); r.exit != exitOK {
		t.Fatalf("index export: exit %d\n%s", r.exit, r.stderr)
	}
	return out, ds, ix
}

// TestDatasetSQLMatchesEngineOnDemo writes the demo's logs as a dataset
// and its index as Parquet, runs the decision SQL on them with DuckDB and
// compares every recording, person, exposure and listing row's columns
// (sql.Compared) with the engine's outputs, both ways; then runs
// "forensics sql --run" on them (checkSQLRun).
func TestDatasetSQLMatchesEngineOnDemo(t *testing.T) {
	dir := t.TempDir()
	out, ds, ix := demoDataset(t, dir)
	testutil.SQLEquality(t, ds, ix, out, "")
	t.Run("sql --run", func(t *testing.T) { checkSQLRun(t, dir, out, ds, ix) })
}

// TestSQLActorKey runs one address with three user agents, one of them an
// authorized actor's (a rule by address and user agent), through analyze
// and the decision SQL with --actor-key ip and ip+ua: by address, the
// authorized user agent makes the whole address trusted; by address and
// user agent, the others are actors of their own. One pair has more
// lines than the engine cites, in two inputs.
func TestSQLActorKey(t *testing.T) {
	dir := t.TempDir()
	idx := "path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects\n"
	for i, name := range []string{"x1", "x2", "x3"} {
		idx += fmt.Sprintf("/r/a/%s.mp3,c%d,2019-02-01T10:00:00Z,60,1000,Stockholm,,caller:%s\n", name, i, testPersonnummer(i+1))
	}
	line := func(ua, method, path string, status, bytes, min int) string {
		return fmt.Sprintf("203.0.113.7 - - [10/Feb/2019:12:%02d:00 +0000] \"%s %s HTTP/1.1\" %d %d \"-\" %q\n", min, method, path, status, bytes, ua)
	}
	// A browser's user agent, the address's second most frequent: by
	// address, the actor's user-agent class is its most frequent one's.
	firefox := "Mozilla/5.0 (X11; Linux x86_64; rv:65.0) Gecko/20100101 Firefox/65.0"
	log := line(firefox, "GET", "/r/a/x1.mp3", 200, 400, 0) +
		line("PlayerB/2.0", "GET", "/r/a/x1.mp3", 200, 1000, 1) +
		line(firefox, "HEAD", "/r/a/x3.mp3", 200, 0, 2) +
		line("Backup-Agent/3", "GET", "/r/a/x2.mp3", 200, 1000, 3) +
		line("Backup-Agent/3", "GET", "/r/a/x2.mp3", 200, 1000, 4) +
		line("Backup-Agent/3", "GET", "/r/a/x2.mp3", 200, 1000, 5) +
		line("PlayerB/2.0", "GET", "/r/a/", 200, 900, 6)
	// More fetches of x2 in the rotated input: eleven lines of one pair,
	// of which the engine cites the first 8 in (input name, line) order,
	// here not the order of reading.
	var rotated strings.Builder
	for m := 7; m < 15; m++ {
		rotated.WriteString(line("Backup-Agent/3", "GET", "/r/a/x2.mp3", 200, 1000, m))
	}
	actors := "actors:\n  - label: backup\n    category: authorized\n    cidrs: [203.0.113.0/24]\n    user_agents: [Backup-Agent]\n"
	for name, body := range map[string]string{"index.csv": idx, "access.log": log, "access.log.1": rotated.String(), "actors.yaml": actors} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	bin := forensicsBinary(t)
	at := time.Date(2019, 2, 10, 12, 0, 0, 0, time.UTC)
	ds, ix := filepath.Join(dir, "ds"), filepath.Join(dir, "ix")
	for _, args := range [][]string{
		{"parse", "--dataset", ds, "--format", "combined", "--actors", "actors.yaml", "access.log.1", "access.log"},
		{"index", "export", "--index", "index.csv", "--out", ix},
	} {
		if r := runForensics(t, bin, dir, args...); r.exit != exitOK {
			t.Fatalf("%s: exit %d\n%s", args[0], r.exit, r.stderr)
		}
	}
	levels := map[string]map[string]string{}
	for _, key := range []string{exposure.ActorByIP, exposure.ActorByIPUA} {
		out := filepath.Join(dir, "out-"+key)
		if r := runForensics(t, bin, dir, "analyze", "--index", "index.csv", "--out", out, "--no-reports", "--format", "combined",
			"--actors", "actors.yaml", "--actor-key", key, "--exposed-from", at.Format(time.RFC3339), "access.log.1", "access.log"); r.exit != exitOK {
			t.Fatalf("analyze --actor-key %s: exit %d\n%s", key, r.exit, r.stderr)
		}
		testutil.SQLEquality(t, ds, ix, out, decision.DuckDBSourcesKeyed(ds, ix, "NULL", strconv.FormatInt(at.UnixMicro(), 10), "NULL",
			[]string{exposure.CategoryAuthorized, exposure.CategoryInternal}, key))
		levels[key] = map[string]string{}
		for _, row := range testutil.DumpParquet(t, filepath.Join(out, "recordings.parquet"), "SELECT path, level FROM data") {
			levels[key][row["path"].(string)] = row["level"].(string)
		}
	}
	// The fixture does what it is meant to: the key changes the verdicts.
	want := map[string]map[string]string{
		exposure.ActorByIP:   {"/r/a/x1.mp3": "none", "/r/a/x2.mp3": "none", "/r/a/x3.mp3": "none"},
		exposure.ActorByIPUA: {"/r/a/x1.mp3": "full", "/r/a/x2.mp3": "metadata", "/r/a/x3.mp3": "metadata"},
	}
	if diff := cmp.Diff(want, levels); diff != "" {
		t.Errorf("the engine's levels by actor key (-want +got):\n%s", diff)
	}
}
