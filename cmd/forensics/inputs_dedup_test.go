package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// The same log plain, gzip, zstd and xz in four folders is read once;
// another log of the same size is not a duplicate.
func TestContentDuplicates(t *testing.T) {
	dir := t.TempDir()
	log := joinLines(genCombined(demoRecordings(t, 5), 200, 0), "\n")
	other := bytes.Clone(log)
	other[len(other)-2] ^= 1 // same size, other content
	compress := map[string]func([]byte) []byte{
		"a/access.log": func(b []byte) []byte { return b },
		"b/access.log.gz": func(b []byte) []byte {
			var z bytes.Buffer
			w := gzip.NewWriter(&z)
			w.Write(b)
			w.Close()
			return z.Bytes()
		},
		"c/access.log.zst": func(b []byte) []byte {
			w, _ := zstd.NewWriter(nil)
			return w.EncodeAll(b, nil) // writes the content size
		},
		"d/access.log.xz": func(b []byte) []byte {
			var z bytes.Buffer
			w, _ := xz.NewWriter(&z)
			w.Write(b)
			w.Close()
			return z.Bytes()
		},
	}
	for name, f := range compress {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		writeFile(t, filepath.Join(dir, name), f(log))
	}
	os.MkdirAll(filepath.Join(dir, "e"), 0o755)
	writeFile(t, filepath.Join(dir, "e", "other.log.gz"), compress["b/access.log.gz"](other))
	inputs, err := logparse.ExpandInputs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	dups := duplicateInputs(inputs)
	added := contentDuplicates(inputs, dups)
	got := map[string]string{}
	for i, j := range dups {
		rel := func(k int) string { r, _ := filepath.Rel(dir, inputs[k].Name); return r }
		got[rel(i)] = rel(j)
		if !added[i] {
			t.Errorf("%s: not marked as found by content", rel(i))
		}
	}
	want := map[string]string{"b/access.log.gz": "a/access.log", "c/access.log.zst": "a/access.log", "d/access.log.xz": "a/access.log"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("duplicates (-want +got):\n%s", diff)
	}
}
