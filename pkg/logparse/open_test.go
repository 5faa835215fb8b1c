package logparse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// combinedLines returns n combined lines, the third of them damaged.
func combinedLines(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i == 3 {
			b.WriteString("damaged\n")
			continue
		}
		fmt.Fprintf(&b, "192.0.2.%d - - [18/Feb/2019:10:00:%02d +0100] \"GET /calls/%d.mp3 HTTP/1.1\" 200 %d \"-\" \"curl/7.64.0\"\n", i, i%60, i, i*10)
	}
	return b.String()
}

func TestOpen(t *testing.T) {
	text := combinedLines(40)
	bz2, err := os.ReadFile("testdata/inputs/fifty.log.bz2")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := func(name string, data []byte, format Format, wantComp, wantFormat string, wantRecords, wantRejected int64) {
		t.Helper()
		path := filepath.Join(dir, name)
		writeFile(t, path, data)
		var r *Reader
		var err error
		if format == nil {
			r, err = Open(path)
		} else {
			var ins []Input
			ins, err = ExpandInputs([]string{path})
			if err != nil {
				t.Fatal(err)
			}
			r, err = OpenInput(ins[0], format)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var n int64
		for rec, err := range r.All() {
			if err == nil {
				n++
				if rec.Source != path {
					t.Errorf("%s: record source %q, want the name given", name, rec.Source)
				}
			}
		}
		if err := r.Err(); err != nil {
			t.Errorf("%s: Err() = %v", name, err)
		}
		st := r.Stats()
		if n != wantRecords || st.Records != wantRecords || st.Rejected != wantRejected {
			t.Errorf("%s: %d records (stats %d), %d rejected; want %d, %d", name, n, st.Records, st.Rejected, wantRecords, wantRejected)
		}
		if got := r.Format().Name(); got != wantFormat {
			t.Errorf("%s: format %s, want %s", name, got, wantFormat)
		}
		if format == nil && (r.Detection() == nil || r.Detection().Format != wantFormat) {
			t.Errorf("%s: Detection %+v, want one for %s", name, r.Detection(), wantFormat)
		}
		ir := r.InputReader()
		if ir.Compression() != wantComp {
			t.Errorf("%s: compression %s, want %s", name, ir.Compression(), wantComp)
		}
		if _, ok := ir.Digest(); !ok || ir.RawBytes() != int64(len(data)) {
			t.Errorf("%s: digest ok %v, %d raw bytes; want the whole %d-byte file", name, ok, ir.RawBytes(), len(data))
		}
		if err := r.Close(); err != nil {
			t.Errorf("%s: Close: %v", name, err)
		}
	}
	// Names deliberately lie: compression is found from the bytes.
	f("plain.log.gz", []byte(text), nil, CompressionNone, "combined", 39, 1)
	f("a.log", gzipBytes(t, text[:100], text[100:]), nil, CompressionGzip, "combined", 39, 1)
	f("b.log.xz", zstdBytes(t, text), nil, CompressionZstd, "combined", 39, 1)
	f("c.log", xzBytes(t, text), nil, CompressionXz, "combined", 39, 1)
	f("d.log", bz2, spaceFormat{}, CompressionBzip2, "test-space", 50, 0) // fiftyLines, in no built-in format
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	f := func(name string, wantIs error, wantMsg string) {
		t.Helper()
		r, err := Open(name)
		if err == nil {
			r.Close()
			t.Fatalf("%s: no error", name)
		}
		if wantIs != nil && !errors.Is(err, wantIs) {
			t.Errorf("%s: error %v does not wrap %v", name, err, wantIs)
		}
		if !strings.Contains(err.Error(), wantMsg) {
			t.Errorf("%s: error %q, want it to hold %q", name, err, wantMsg)
		}
		if strings.Count(err.Error(), "logparse:") != 1 {
			t.Errorf("%s: error %q: want one package prefix", name, err)
		}
	}
	f(filepath.Join(dir, "missing.log"), os.ErrNotExist, "missing.log")
	f(dir, nil, "is a directory")
	notLog := filepath.Join(dir, "notes.txt")
	writeFile(t, notLog, gzipBytes(t, "not a log\nat all\n"))
	f(notLog, ErrNotDetected, "notes.txt: format not detected")
}

// TestOpenInput reads with a given format, and detects the format of a
// gzip file cut short from the lines before the cut.
func TestOpenInput(t *testing.T) {
	text := combinedLines(40)
	common, err := ParseFormat("common")
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenInput(ReaderInput("given.log", strings.NewReader(text)), common)
	if err != nil {
		t.Fatal(err)
	}
	if r.Detection() != nil || r.Format() != common || r.Name != "given.log" {
		t.Errorf("given format: detection %v, format %s, name %q", r.Detection(), r.Format().Name(), r.Name)
	}
	r.Close()

	gz := gzipBytes(t, text)
	cut := gz[:len(gz)*2/3]
	r, err = OpenInput(ReaderInput("cut.log.gz", bytes.NewReader(cut)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n int
	for _, err := range r.All() {
		if err == nil {
			n++
		}
	}
	var rerr *ReadError
	if !errors.As(r.Err(), &rerr) || rerr.Path != "cut.log.gz" {
		t.Errorf("Err() = %v, want a *ReadError for cut.log.gz", r.Err())
	}
	if r.Format().Name() != "combined" || n == 0 {
		t.Errorf("cut input: format %s, %d records; want combined and the records before the cut", r.Format().Name(), n)
	}
}

// TestReaderCompressed checks that NewReader refuses compressed bytes with
// one clear error, not a rejected line for each block, whatever the read
// sizes.
func TestReaderCompressed(t *testing.T) {
	text := combinedLines(5)
	bz2, err := os.ReadFile("testdata/inputs/fifty.log.bz2")
	if err != nil {
		t.Fatal(err)
	}
	combined, err := ParseFormat("combined")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		comp string
		data []byte
	}{
		{CompressionGzip, gzipBytes(t, text)},
		{CompressionBzip2, bz2},
		{CompressionZstd, zstdBytes(t, text)},
		{CompressionXz, xzBytes(t, text)},
	} {
		for _, name := range []string{"access.log.gz", ""} {
			for _, oneByte := range []bool{false, true} {
				var src io.Reader = bytes.NewReader(c.data)
				if oneByte {
					src = iotest.OneByteReader(src)
				}
				r := NewReader(src, combined)
				r.Name = name
				rec, err := r.Read()
				if rec != nil || !errors.Is(err, ErrCompressed) {
					t.Fatalf("%s: Read() = %v, %v; want ErrCompressed", c.comp, rec, err)
				}
				want := "logparse: " + displayName(name) + ": " + c.comp + ": compressed input"
				if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "logparse.Open") {
					t.Errorf("%s: error %q, want it to begin %q and name logparse.Open", c.comp, err, want)
				}
				if r.Err() != err {
					t.Errorf("%s: Err() = %v, want the Read error", c.comp, r.Err())
				}
				if st := r.Stats(); st.Lines != 0 || st.Rejected != 0 {
					t.Errorf("%s: %d lines, %d rejected; want none", c.comp, st.Lines, st.Rejected)
				}
			}
		}
	}
	// Plain text that merely begins like a magic is read.
	for _, in := range []string{"BZh", "BZhx 1 2 3\n", "\x1f", ""} {
		r := NewReader(strings.NewReader(in), spaceFormat{})
		for range r.All() {
		}
		if err := r.Err(); err != nil {
			t.Errorf("%q: Err() = %v", in, err)
		}
	}
}

// TestErrorsWithoutName checks the messages of a Reader whose Name is not
// set: they name a placeholder, never an empty name.
func TestErrorsWithoutName(t *testing.T) {
	boom := errors.New("device error")
	r := NewReader(io.MultiReader(strings.NewReader("192.0.2.1 /a 200 5\nbad\n"), iotest.ErrReader(boom)), spaceFormat{})
	var msgs []string
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			msgs = append(msgs, err.Error())
		}
		if r.Err() != nil {
			break
		}
	}
	want := []string{
		"<input>:2:4: wrong number of fields",
		"logparse: <input>: read error after line 2 (byte 23): device error",
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("messages (-want +got)\n%s", diff)
	}
}
