package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/forensiclog/forensics/internal/testutil"
)

// TestDatasetSQLMatchesEngineOnDemo writes the demo's logs as a dataset
// and its index as Parquet, runs the decision SQL on them with DuckDB and
// compares every recording's, person's and exposure row's level with the
// engine's outputs, both ways.
func TestDatasetSQLMatchesEngineOnDemo(t *testing.T) {
	demo := demoDir(t)
	truth := readTruth(t, demo)
	dir := t.TempDir()
	out, ds, ix := filepath.Join(dir, "out"), filepath.Join(dir, "dataset"), filepath.Join(dir, "index")
	runDemo(t, demo, truth, out)
	log := slog.New(slog.NewTextHandler(os_devnull(t), nil))
	parse := &ParseCmd{Logs: []string{filepath.Join(demo, "logs")}, datasetFlags: datasetFlags{
		Dataset: ds, Actors: filepath.Join(demo, "actors.yaml"), TrustedProxy: truth.TrustedProxies, HeaderBytes: 150,
	}}
	if err := parse.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := parse.Run(log); err != nil {
		t.Fatal(err)
	}
	exp := &IndexExportCmd{Index: filepath.Join(demo, "index.csv"), Out: ix}
	if err := exp.Run(log); err != nil {
		t.Fatal(err)
	}
	testutil.SQLEquality(t, ds, ix, out, "")
}

func os_devnull(t *testing.T) *os.File {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
