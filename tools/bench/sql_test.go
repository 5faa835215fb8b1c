package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/forensiclog/forensics/internal/testutil"
)

// TestSQLAgrees runs the decision SQL (sql/) with DuckDB over the tiny
// preset, written as a request dataset and an exported index, and checks
// every recording's, person's and exposure row's level against `forensics
// analyze`, both ways.
func TestSQLAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI: not under -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "forensics")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/forensics").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfg, _ := Preset("tiny", 3)
	in := filepath.Join(dir, "in")
	if _, err := Generate(cfg, in); err != nil {
		t.Fatal(err)
	}
	index, log := filepath.Join(in, "index.csv"), filepath.Join(in, "access.log")
	out, ds, ix := filepath.Join(dir, "out"), filepath.Join(dir, "dataset"), filepath.Join(dir, "index")
	for _, args := range [][]string{
		{"analyze", "-q", "--format", "combined", "--index", index, "--out", out, log},
		{"parse", "-q", "--format", "combined", "--dataset", ds, log},
		{"index", "export", "-q", "--index", index, "--out", ix},
	} {
		cmd := exec.Command(bin, args...)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("forensics %s: %v", args[0], err)
		}
	}
	testutil.SQLEquality(t, ds, ix, out, "")
}
