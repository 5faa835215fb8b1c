package main

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/forensiclog/forensics/internal/testutil"
)

// TestMain lets testscript scripts run the forensics command in a
// subprocess, as "forensics" or "exec forensics".
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"forensics": main})
}

// The CLI tests run the command one way: as a process (runForensics, or
// forensicsCommand to signal it; testscript's scripts likewise), so that
// exit statuses, standard output and stderr are those a user sees. The
// command itself (run in main.go) writes only to the stdio it is given.

// forensicsBinary returns the command's binary: this test binary, which
// TestMain (testscript.Main) put in $PATH as "forensics" and which runs
// main when called so. No "go build": the tests run the code under test.
func forensicsBinary(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("forensics")
	if err != nil {
		t.Fatalf("forensics is not in $PATH (set up by TestMain): %v", err)
	}
	return bin
}

// forensicsCommand is the command bin with args, to run in dir: for the
// tests that signal or kill the process. Others call runForensics.
func forensicsCommand(bin, dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	return cmd
}

// forensicsRun is what one run of the command left behind.
type forensicsRun struct {
	args           []string
	exit           int
	stdout, stderr string
	maxRSS         int64 // bytes
}

// runForensics runs bin with args in dir.
func runForensics(t *testing.T, bin, dir string, args ...string) forensicsRun {
	t.Helper()
	return runForensicsStdin(t, bin, dir, "", args...)
}

// runForensicsStdin runs bin with args in dir, with the file stdin (in
// dir) on standard input when it is not "".
func runForensicsStdin(t *testing.T, bin, dir, stdin string, args ...string) forensicsRun {
	t.Helper()
	cmd := forensicsCommand(bin, dir, args...)
	if stdin != "" {
		f, err := os.Open(filepath.Join(dir, stdin))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stdin = f
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := forensicsRun{args: args, stdout: stdout.String(), stderr: stderr.String()}
	if _, ok := err.(*exec.ExitError); !ok && err != nil {
		t.Fatalf("forensics %s: %v", strings.Join(args, " "), err)
	}
	r.exit = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = int64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	return r
}

// scriptParams returns the testscript setup shared by the CLI tests: the
// scripts matching pattern (e.g. "testdata/script/parse*.txtar"), with
//
//   - $DEMO, the bundled demo incident (fixtures/demo);
//   - the condition [duckdb]: DuckDB can read Parquet (always true when the
//     CI environment variable is set, so that a missing DuckDB fails there);
//   - duckdb FILE [SQL]: print FILE's rows (or the query's, where the view
//     "data" is the file) as JSON lines on stdout, via tools/duckdb/dump.mjs;
//   - gzip FILE: compress FILE into FILE.gz (deterministic header);
//   - truncate FILE SIZE: cut FILE to SIZE bytes.
func scriptParams(t *testing.T, pattern string) testscript.Params {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts match %s", pattern)
	}
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return testscript.Params{
		Files: files,
		Setup: func(env *testscript.Env) error {
			env.Setenv("DEMO", filepath.Join(root, "fixtures", "demo"))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "duckdb":
				_, err := testutil.DuckDBCommand(os.DevNull)
				return err == nil || testutil.InCI(), nil
			}
			return false, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"duckdb":   cmdDuckDB,
			"gzip":     cmdGzip,
			"truncate": cmdTruncate,
			"unzip":    cmdUnzip,
		},
	}
}

func cmdDuckDB(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: duckdb FILE [SQL]")
	}
	cmd, err := testutil.DuckDBCommand(ts.MkAbs(args[0]), args[1:]...)
	ts.Check(err)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = ts.Stdout(), &stderr
	err = cmd.Run()
	if neg {
		if err == nil {
			ts.Fatalf("duckdb succeeded unexpectedly")
		}
		return
	}
	if err != nil {
		ts.Fatalf("duckdb: %v\n%s", err, stderr.Bytes())
	}
}

func cmdGzip(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gzip FILE")
	}
	path := ts.MkAbs(args[0])
	b, err := os.ReadFile(path)
	ts.Check(err)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, err = zw.Write(b)
	ts.Check(err)
	ts.Check(zw.Close())
	ts.Check(os.WriteFile(path+".gz", z.Bytes(), 0o644))
}

func cmdTruncate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: truncate FILE SIZE")
	}
	n, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	ts.Check(os.Truncate(ts.MkAbs(args[0]), n))
}

// cmdUnzip is "unzip ARCHIVE ENTRY": the entry's content on stdout, read
// with archive/zip (a letter of letters/<region>.zip).
func cmdUnzip(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: unzip ARCHIVE ENTRY")
	}
	z, err := zip.OpenReader(ts.MkAbs(args[0]))
	ts.Check(err)
	defer z.Close()
	b, err := fs.ReadFile(z, args[1])
	if neg {
		if err == nil {
			ts.Fatalf("unzip: %s is in %s", args[1], args[0])
		}
		return
	}
	ts.Check(err)
	ts.Stdout().Write(b)
}
