package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestIndexCheck loads the demo's index with "forensics index check" and
// checks its counts against the file, then a copy with one broken row:
// the row is counted and reported by its number, never its contents.
func TestIndexCheck(t *testing.T) {
	bin := forensicsBinary(t)
	demo := filepath.Join(demoDir(t), "index.csv")
	data, err := os.ReadFile(demo)
	if err != nil {
		t.Fatal(err)
	}
	rows := bytes.Count(data, []byte("\n")) - 1 // the header
	count := func(out, name string) int {
		t.Helper()
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` +(\d+)$`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no %q line in:\n%s", name, out)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}

	r := runForensics(t, bin, t.TempDir(), "index", "check", "--index", demo)
	if r.exit != exitOK {
		t.Fatalf("exit %d: %s", r.exit, r.stderr)
	}
	if got := count(r.stdout, "recordings"); got != rows {
		t.Errorf("recordings %d, the file has %d rows", got, rows)
	}
	if got := count(r.stdout, "rows left out"); got != 0 {
		t.Errorf("rows left out %d, want 0", got)
	}
	if p, s := count(r.stdout, "persons"), count(r.stdout, "subject entries"); p == 0 || p > s {
		t.Errorf("persons %d, subject entries %d", p, s)
	}

	// Row 3 loses its columns after the path: unusable, reported by number.
	lines := strings.SplitAfter(string(data), "\n")
	secret := strings.SplitN(lines[3], ",", 2)[0]
	lines[3] = secret + "\n"
	broken := filepath.Join(t.TempDir(), "index.csv")
	if err := os.WriteFile(broken, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runForensics(t, bin, t.TempDir(), "index", "check", "--index", broken)
	if r.exit != exitOK {
		t.Fatalf("broken row: exit %d: %s", r.exit, r.stderr)
	}
	if got := count(r.stdout, "recordings"); got != rows-1 {
		t.Errorf("recordings %d with one row broken, want %d", got, rows-1)
	}
	if got := count(r.stdout, "rows left out"); got != 1 {
		t.Errorf("rows left out %d, want 1", got)
	}
	if !strings.Contains(r.stderr, "row 4") && !strings.Contains(r.stderr, "row=4") {
		t.Errorf("stderr does not name row 4:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr+r.stdout, secret) {
		t.Errorf("the broken row's contents were printed")
	}
}

// TestIndexCheckProfiles: the hidden developer flags write a CPU profile
// and a heap profile (gzipped protobuf, as runtime/pprof writes them),
// even for a load shorter than the heap profiler's tick.
func TestIndexCheckProfiles(t *testing.T) {
	bin := forensicsBinary(t)
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof")
	r := runForensics(t, bin, dir, "index", "check", "--index", filepath.Join(demoDir(t), "index.csv"),
		"--cpuprofile", cpu, "--memprofile", mem)
	if r.exit != exitOK {
		t.Fatalf("exit %d: %s", r.exit, r.stderr)
	}
	for _, name := range []string{cpu, mem} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			t.Errorf("%s: not a gzipped profile (%d bytes)", filepath.Base(name), len(b))
		}
	}
}
