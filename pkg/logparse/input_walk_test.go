package logparse

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExpandInputsDescends(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"nginx/access.log", "nginx/access.log.1", "apache/a.log", ".git/HEAD", "top.log"} {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ins, err := ExpandInputs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range ins {
		rel, _ := filepath.Rel(dir, in.Path)
		got = append(got, rel)
	}
	want := []string{"top.log", "apache/a.log", "nginx/access.log.1", "nginx/access.log"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
}
