package main

import (
	"path/filepath"
	"testing"

	"github.com/forensiclog/forensics/internal/testutil"
)

// demoDataset runs analyze on the demo into out, writes its logs as a
// dataset (ds) and its index as Parquet (ix), all under dir, as the
// README shows.
func demoDataset(t *testing.T, dir string) (out, ds, ix string) {
	t.Helper()
	demo := demoDir(t)
	truth := readTruth(t, demo)
	out, ds, ix = filepath.Join(dir, "out"), filepath.Join(dir, "dataset"), filepath.Join(dir, "index")
	runDemo(t, demo, truth, out)
	bin := forensicsBinary(t)
	args := []string{"parse", "--dataset", ds, "--actors", filepath.Join(demo, "actors.yaml")}
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
// compares every recording's, person's and exposure row's level, bytes,
// coverage and flags with the engine's outputs, both ways.
func TestDatasetSQLMatchesEngineOnDemo(t *testing.T) {
	dir := t.TempDir()
	out, ds, ix := demoDataset(t, dir)
	testutil.SQLEquality(t, ds, ix, out, "")
}
