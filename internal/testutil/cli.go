package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The forensics command, built once per test binary for the packages that
// cannot run it themselves (cmd/forensics's tests run their own binary as
// the command, via testscript.Main).
var cli struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// Forensics returns the path of the forensics command built from this
// repository (once per test binary), or $FORENSICS_BIN when set. A
// package that calls it removes the build with RemoveForensics in its
// TestMain.
func Forensics(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("FORENSICS_BIN"); p != "" {
		return p
	}
	cli.once.Do(func() {
		root, err := RepoRoot()
		if err != nil {
			cli.err = err
			return
		}
		if cli.dir, cli.err = os.MkdirTemp("", "forensics-cli-"); cli.err != nil {
			return
		}
		cli.path = filepath.Join(cli.dir, "forensics")
		cmd := exec.Command("go", "build", "-o", cli.path, "./cmd/forensics")
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			cli.err = fmt.Errorf("go build ./cmd/forensics: %v\n%s", err, b)
		}
	})
	if cli.err != nil {
		t.Fatal(cli.err)
	}
	return cli.path
}

// RemoveForensics removes what Forensics built.
func RemoveForensics() {
	if cli.dir != "" {
		os.RemoveAll(cli.dir)
	}
}
