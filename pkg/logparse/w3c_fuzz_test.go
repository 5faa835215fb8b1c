package logparse

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/forensiclog/forensics/internal/testutil"
)

// fxFuzz reads data with f, with and without ReuseRecord, and checks the
// Reader's promises: no panic, line errors are *ParseError, line numbers
// only grow, offsets and columns stay inside the input, stats add up.
func fxFuzz(t *testing.T, f Format, data []byte) {
	if sniffCompression(data) != CompressionNone {
		return // NewReader refuses it as a whole: TestReaderCompressed, FuzzReader
	}
	for _, reuse := range []bool{false, true} {
		r := NewReader(bytes.NewReader(data), f)
		r.ReuseRecord = reuse
		r.MaxLineLength = 4096
		var last int64
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			var line, off int64
			if err != nil {
				var perr *ParseError
				if !errors.As(err, &perr) {
					t.Fatalf("error is %T, not *ParseError: %v", err, err)
				}
				if perr.Column < 0 || perr.Column > len(data)+1 {
					t.Fatalf("column %d outside the input", perr.Column)
				}
				line, off = perr.Line, perr.Offset
			} else {
				line, off = rec.Line, rec.Offset
				if rec.Status < 0 || rec.Status > 999 {
					t.Fatalf("status %d", rec.Status)
				}
			}
			if line <= last {
				t.Fatalf("line %d after line %d", line, last)
			}
			if off < 0 || off > int64(len(data)) {
				t.Fatalf("offset %d outside the input (%d bytes)", off, len(data))
			}
			last = line
		}
		st := r.Stats()
		if st.Lines != st.Records+st.Skipped+st.Rejected {
			t.Fatalf("stats do not add up: %+v", st)
		}
	}
}

// fxSeed adds the files of testdata/<sub> and of the real-world corpus
// folders (when present) as seeds.
func fxSeed(f *testing.F, sub string, corpus ...string) {
	paths, _ := filepath.Glob(filepath.Join("testdata", sub, "*"))
	root, err := testutil.CorpusDir() // extra seeds, when present
	for _, c := range corpus {
		if err != nil {
			break
		}
		more, _ := filepath.Glob(filepath.Join(root, c, "*"))
		paths = append(paths, more...)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err == nil && len(data) <= 64<<10 {
			f.Add(data)
		}
	}
}

func FuzzW3C(f *testing.F) {
	fxSeed(f, "w3c", "iis_w3c")
	f.Add([]byte("#Fields: date time c-ip\n2019-02-18 00:00:00 \"192.0.2.1\"\n#Date: 2019-02-18 00:00:00\n#Fields: time\n23:00:00\n01:00:00\n"))
	// No header, and a header cut short.
	f.Add([]byte("2019-02-18 21:02:31 198.51.100.2 GET /a.mp3 - 80 - 192.0.2.1 curl/7.64.0 - 200 0 0 15\n" +
		"#Fields: date time s-ip cs-method\n2019-02-18 21:02:31 198.51.100.2 GET /a.mp3 - 80 - 192.0.2.1 curl - 206 0 0 1405 242 283 203.0.113.1\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fxFuzz(t, W3CFormat{}, data) })
}
