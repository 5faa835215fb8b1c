package logparse

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A folder walk reports what it cannot read as that input's error and
// skips named pipes and devices; the rest is read.
func TestExpandInputsSkipped(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.log", "b.log"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "gone.log"), filepath.Join(dir, "dangling.log")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.log"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(os.DevNull, filepath.Join(dir, "null.log")); err != nil {
		t.Fatal(err)
	}
	inputs, skipped, err := ExpandInputsSkipped([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range inputs {
		names = append(names, filepath.Base(in.Name))
		if filepath.Base(in.Name) == "dangling.log" {
			if in.Err == nil || !errors.Is(in.Err, fs.ErrNotExist) {
				t.Errorf("dangling.log: Err %v, want a dangling-link error wrapping fs.ErrNotExist", in.Err)
			}
			if _, err := in.Open(); err == nil || !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("dangling.log: Open = %v, want its Err", err)
			}
		} else if in.Err != nil {
			t.Errorf("%s: Err %v", in.Name, in.Err)
		}
	}
	if diff := cmp.Diff([]string{"a.log", "b.log", "dangling.log"}, names); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	want := []SkippedInput{
		{filepath.Join(dir, "null.log"), "device"},
		{filepath.Join(dir, "pipe.log"), "named pipe"},
	}
	if diff := cmp.Diff(want, skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	// ExpandInputs gives the same inputs.
	plain, err := ExpandInputs([]string{dir})
	if err != nil || len(plain) != len(inputs) {
		t.Errorf("ExpandInputs: %d inputs, %v; want %d", len(plain), err, len(inputs))
	}
	// A missing argument is still an error.
	if _, _, err := ExpandInputsSkipped([]string{filepath.Join(dir, "nosuch.log")}); err == nil {
		t.Error("a missing argument: no error")
	}
}
