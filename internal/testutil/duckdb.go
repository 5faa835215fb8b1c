// Package testutil holds helpers for the project's tests.
package testutil

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// InCI reports whether the tests run in continuous integration (the CI
// environment variable is set to anything but "", "0" or "false"). Helpers
// that would skip for a missing tool fail instead in CI.
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "0" && !strings.EqualFold(v, "false")
}

// RepoRoot returns the module's root directory: the nearest directory at or
// above the working directory that holds go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testutil: no go.mod above the working directory")
		}
		dir = parent
	}
}

// DuckDBCommand returns the command that runs tools/duckdb/dump.mjs on the
// Parquet file at path, with an optional SQL query (see dump.mjs: the view
// "data" holds the file's rows, {file} stands for its path). It returns an
// error saying what is missing when node or the tool's node_modules are
// not installed.
func DuckDBCommand(path string, query ...string) (*exec.Cmd, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node is not installed (needed for the DuckDB Parquet reader)")
	}
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	tool := filepath.Join(root, "tools", "duckdb")
	if _, err := os.Stat(filepath.Join(tool, "node_modules", "@duckdb", "node-api")); err != nil {
		return nil, errors.New("DuckDB is not installed: run `npm ci` in tools/duckdb")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	args := append([]string{filepath.Join(tool, "dump.mjs"), abs}, query...)
	return exec.Command(node, args...), nil
}

// DumpParquet reads the Parquet file at path with DuckDB, an independent
// reader, and returns its rows in file order, or the rows of query when one
// is given (see DuckDBCommand). Values are decoded from JSON: numbers are
// float64 (integers beyond 2^53 are strings), timestamps are strings, lists
// are []any and structs map[string]any.
//
// When node or DuckDB is missing the test is skipped with the reason, or
// fails when InCI reports true.
func DumpParquet(t testing.TB, path string, query ...string) []map[string]any {
	t.Helper()
	if len(query) > 1 {
		t.Fatalf("DumpParquet: at most one query, got %d", len(query))
	}
	cmd, err := DuckDBCommand(path, query...)
	if err != nil {
		if InCI() {
			t.Fatalf("DumpParquet: %v (CI is set, so this fails instead of skipping)", err)
		}
		t.Skipf("DumpParquet: %v; skipping the DuckDB check", err)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("DumpParquet %s: %v\n%s", filepath.Base(path), err, stderr.Bytes())
	}
	var rows []map[string]any
	dec := json.NewDecoder(&stdout)
	for {
		var row map[string]any
		if err := dec.Decode(&row); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("DumpParquet %s: bad output from dump.mjs: %v", filepath.Base(path), err)
		}
		rows = append(rows, row)
	}
	return rows
}

// RunDuckDB runs a SQL script with DuckDB (tools/duckdb/run.mjs) and
// returns the rows of its last statement, decoded as DumpParquet decodes
// them. When node or DuckDB is missing the test is skipped with the
// reason, or fails when InCI reports true.
func RunDuckDB(t testing.TB, script string) []map[string]any {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "script-*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(script); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cmd, err := DuckDBCommand(f.Name())
	if err != nil {
		if InCI() {
			t.Fatalf("RunDuckDB: %v (CI is set, so this fails instead of skipping)", err)
		}
		t.Skipf("RunDuckDB: %v; skipping the DuckDB check", err)
	}
	// Same tool folder, the script runner instead of the dumper.
	cmd.Args[1] = filepath.Join(filepath.Dir(cmd.Args[1]), "run.mjs")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("RunDuckDB: %v\n%s", err, stderr.Bytes())
	}
	var rows []map[string]any
	dec := json.NewDecoder(&stdout)
	for {
		var row map[string]any
		if err := dec.Decode(&row); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("RunDuckDB: bad output from run.mjs: %v", err)
		}
		rows = append(rows, row)
	}
	return rows
}
