package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.json")
	if err := WriteFile(p, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("two")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil || string(b) != "two" {
		t.Fatalf("content %q, %v", b, err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d entries, want only the file (no temporary left)", len(entries))
	}
	// A destination that cannot be written leaves nothing behind.
	if err := os.Mkdir(filepath.Join(dir, "taken"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(dir, "taken"), []byte("x")); err == nil {
		t.Error("renaming over a directory succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d entries after a failed write, want 2", len(entries))
	}
}

// Temporary names hold no digits: a scanner would read a run of 10 as a
// personal identity number.
func TestCreateTempNoDigits(t *testing.T) {
	dir := t.TempDir()
	for range 200 {
		f, err := CreateTemp(dir, ".x.tmp-")
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f.Name())
		f.Close()
		if strings.ContainsAny(name, "0123456789") {
			t.Fatalf("temporary name %q holds digits", name)
		}
		if !strings.HasPrefix(name, ".x.tmp-") || len(name) != len(".x.tmp-")+12 {
			t.Fatalf("temporary name %q: want .x.tmp- and 12 letters", name)
		}
		st, err := os.Stat(f.Name())
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("temporary file: %v, mode %v; want 0600", err, st.Mode().Perm())
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 200 {
		t.Errorf("%d files, want 200 distinct names", len(entries))
	}
}
