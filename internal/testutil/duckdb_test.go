package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "tools", "duckdb", "dump.mjs")); err != nil {
		t.Fatalf("RepoRoot %s has no tools/duckdb/dump.mjs: %v", root, err)
	}
}

func TestInCI(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want bool
	}{{"", false}, {"false", false}, {"0", false}, {"true", true}, {"1", true}} {
		t.Setenv("CI", tc.v)
		if got := InCI(); got != tc.want {
			t.Errorf("CI=%q: InCI() = %v, want %v", tc.v, got, tc.want)
		}
	}
}

func TestDumpParquetBadFile(t *testing.T) {
	cmd, err := DuckDBCommand(filepath.Join(t.TempDir(), "missing.parquet"))
	if err != nil {
		if InCI() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	if err := cmd.Run(); err == nil {
		t.Fatal("dump.mjs succeeded on a missing file; want a non-zero exit")
	}
}
