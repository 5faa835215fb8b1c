package outdir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// listDir returns the names in dir with their contents ("<dir>" for a
// directory).
func listDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			m[e.Name()] = "<dir>"
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = string(b)
	}
	return m
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// run writes files into a fresh Dir on out and commits them.
func run(t *testing.T, out string, files map[string]string, previous ...string) {
	t.Helper()
	d, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	for n, s := range files {
		write(t, filepath.Join(d.Staging(), n), s)
	}
	if err := d.Commit("manifest.json", previous); err != nil {
		t.Fatal(err)
	}
	if !d.Committed() {
		t.Error("Committed() = false after a Commit that succeeded")
	}
}

func TestCommitReplacesTheEarlierRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	run(t, out, map[string]string{"a.parquet": "a1", "b.parquet": "b1", "manifest.json": "m1"})
	write(t, filepath.Join(out, "notes.txt"), "the user's")
	run(t, out, map[string]string{"a.parquet": "a2", "manifest.json": "m2"}, "a.parquet", "b.parquet", "../x", "")
	want := map[string]string{"a.parquet": "a2", "manifest.json": "m2", "notes.txt": "the user's", LockName: ""}
	if diff := cmp.Diff(want, listDir(t, out)); diff != "" {
		t.Errorf("after the second run (-want +got):\n%s", diff)
	}
}

func TestLocked(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	d, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	staging := d.Staging()
	if _, err := Open(out); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if _, err := os.Stat(staging); err != nil {
		t.Errorf("the second Open touched the first run's staging directory: %v", err)
	}
	if err := d.Abort(); err != nil {
		t.Fatal(err)
	}
	d2, err := Open(out)
	if err != nil {
		t.Fatalf("Open after Abort: %v", err)
	}
	d2.Close()
}

func TestAbortLeavesTheEarlierRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	run(t, out, map[string]string{"a.parquet": "a1", "manifest.json": "m1"})
	before := listDir(t, out)
	d, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(d.Staging(), "a.parquet"), "a2")
	if err := d.Abort(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, listDir(t, out)); diff != "" {
		t.Errorf("an aborted run changed the directory (-before +after):\n%s", diff)
	}
	if err := d.Commit("manifest.json", nil); err == nil {
		t.Error("Commit after Abort succeeded")
	}
}

func TestLeftoversRemoved(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	run(t, out, map[string]string{"a.parquet": "a1", "manifest.json": "m1"})
	// What a killed run leaves: a staging directory with a partial file,
	// a temporary file of an older version.
	if err := os.MkdirAll(filepath.Join(out, StagingPrefix+"killed", "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(out, StagingPrefix+"killed", "persons.parquet"), "partial")
	write(t, filepath.Join(out, ".persons.parquet.tmp-abc"), "partial")
	d, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got := listDir(t, out)
	delete(got, filepath.Base(d.Staging()))
	want := map[string]string{"a.parquet": "a1", "manifest.json": "m1", LockName: ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("leftovers not removed (-want +got):\n%s", diff)
	}
}

func TestStagingName(t *testing.T) {
	out := t.TempDir()
	for range 50 {
		d, err := Open(out)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(d.Staging())
		if !strings.HasPrefix(name, StagingPrefix) || strings.ContainsAny(name, "0123456789") {
			t.Fatalf("staging directory %q: want %s and letters only", name, StagingPrefix)
		}
		d.Close()
		if _, err := os.Stat(filepath.Join(out, name)); err == nil {
			t.Fatalf("Close left %s", name)
		}
	}
}

// A final name taken by a directory: nothing moves, the earlier run stays
// whole, no marker is left.
func TestCommitNameTakenByDirectory(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	run(t, out, map[string]string{"a.parquet": "a1", "manifest.json": "m1"})
	if err := os.Mkdir(filepath.Join(out, "summary.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	before := listDir(t, out)
	d, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(d.Staging(), "a.parquet"), "a2")
	write(t, filepath.Join(d.Staging(), "summary.json"), "s2")
	write(t, filepath.Join(d.Staging(), "manifest.json"), "m2")
	err = d.Commit("manifest.json", nil)
	if err == nil || !strings.Contains(err.Error(), "summary.json") {
		t.Fatalf("Commit: %v, want an error naming summary.json", err)
	}
	if diff := cmp.Diff(before, listDir(t, out)); diff != "" {
		t.Errorf("a failed Commit changed the directory (-before +after):\n%s", diff)
	}
}

// A Commit cut short before the manifest is in place leaves the marker
// and no manifest: the directory says it is incomplete, and the next run
// replaces it whole.
func TestCommitCutShortSaysIncomplete(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	run(t, out, map[string]string{"a.parquet": "a1", "b.parquet": "b1", "manifest.json": "m1"})
	d, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(d.Staging(), "a.parquet"), "a2")
	write(t, filepath.Join(d.Staging(), "manifest.json"), "m2")
	testHookBeforeLast = func() error { return errors.New("killed") }
	err = d.Commit("manifest.json", []string{"a.parquet", "b.parquet"})
	testHookBeforeLast = nil
	if err == nil {
		t.Fatal("Commit succeeded through the hook")
	}
	got := listDir(t, out)
	want := map[string]string{"a.parquet": "a2", Incomplete: incompleteText, LockName: ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("a cut Commit (-want +got):\n%s", diff)
	}
	run(t, out, map[string]string{"c.parquet": "c3", "manifest.json": "m3"}, "a.parquet", "b.parquet")
	want = map[string]string{"c.parquet": "c3", "manifest.json": "m3", LockName: ""}
	if diff := cmp.Diff(want, listDir(t, out)); diff != "" {
		t.Errorf("the run after a cut Commit (-want +got):\n%s", diff)
	}
}

// A run that fails before its Commit leaves no directory it made.
func TestCloseRemovesTheDirectoryItMade(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	d, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(d.Staging(), "a.parquet"), "partial")
	d.Close()
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left the directory it made: %v", err)
	}
	// One that existed stays.
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	d, err = Open(out)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, err := os.Stat(out); err != nil {
		t.Errorf("Close removed a directory it did not make: %v", err)
	}
}

// A folder in the staging directory moves whole, in place of the earlier
// run's folder of that name; a folder the new run does not write is
// removed when previous names it.
func TestCommitMovesFolders(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	stage := func(files map[string]string, previous ...string) {
		t.Helper()
		d, err := Open(out)
		if err != nil {
			t.Fatal(err)
		}
		for n, s := range files {
			p := filepath.Join(d.Staging(), n)
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				t.Fatal(err)
			}
			write(t, p, s)
		}
		if err := d.Commit("manifest.json", previous); err != nil {
			t.Fatal(err)
		}
	}
	stage(map[string]string{"notify/a.csv": "a1", "notify/b.csv": "b1", "letters/x/1.md": "l1", "manifest.json": "m1"})
	stage(map[string]string{"notify/a.csv": "a2", "manifest.json": "m2"}, "notify", "letters")
	if diff := cmp.Diff(map[string]string{"notify": "<dir>", "manifest.json": "m2", LockName: ""}, listDir(t, out)); diff != "" {
		t.Errorf("after the second run (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"a.csv": "a2"}, listDir(t, filepath.Join(out, "notify"))); diff != "" {
		t.Errorf("notify/ after the second run (-want +got):\n%s", diff)
	}
}
