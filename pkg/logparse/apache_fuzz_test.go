package logparse

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// apSeedLines returns seed lines from testdata/apache and the
// generated log.
func apSeedLines(t testing.TB) [][]byte {
	var lines [][]byte
	files, _ := filepath.Glob(filepath.Join("testdata", "apache", "*.log"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, bytes.Split(data, []byte{'\n'})...)
	}
	gen := bytes.Split(apGenLog(40, "combined"), []byte{'\n'})
	return append(lines, gen...)
}

// FuzzApacheCombined reads fuzzed input as a combined log through the
// Reader: no panic, errors are *ParseError, line numbers grow, offsets stay
// inside the input; and wherever the fast path takes a line, the general
// matcher finds the same fields.
func FuzzApacheCombined(f *testing.F) {
	lines := apSeedLines(f)
	for _, l := range lines {
		f.Add(string(l), uint8(1))
	}
	f.Add(string(bytes.Join(lines[:min(len(lines), 12)], []byte{'\n'})), uint8(0))
	names := []string{"combined", "common", "combined_debian", "vhost_combined", "lighttpd"}
	f.Fuzz(func(t *testing.T, in string, which uint8) {
		if sniffCompression([]byte(in)) != CompressionNone {
			return // NewReader refuses it as a whole: TestReaderCompressed, FuzzReader
		}
		format, err := ParseFormat(names[int(which)%len(names)])
		if err != nil {
			t.Fatal(err)
		}
		for _, reuse := range []bool{false, true} {
			r := NewReader(strings.NewReader(in), format)
			r.ReuseRecord = reuse
			r.MaxLineLength = 4096
			lastLine := int64(0)
			for {
				rec, err := r.Read()
				if err == io.EOF {
					break
				}
				var line, off int64
				if err != nil {
					var perr *ParseError
					if !errors.As(err, &perr) {
						t.Fatalf("error %v (%T) is not a *ParseError", err, err)
					}
					if strings.Contains(perr.Error(), "\n") {
						t.Fatalf("error message spans lines: %q", perr.Error())
					}
					line, off = perr.Line, perr.Offset
				} else {
					line, off = rec.Line, rec.Offset
					if rec.Status != 0 && (rec.Status < 100 || rec.Status > 999) {
						t.Fatalf("status %d", rec.Status)
					}
				}
				if line <= lastLine {
					t.Fatalf("line %d after line %d", line, lastLine)
				}
				lastLine = line
				if off < 0 || off > int64(len(in)) {
					t.Fatalf("offset %d outside input of %d bytes", off, len(in))
				}
			}
			st := r.Stats()
			if st.Lines != st.Records+st.Skipped+st.Rejected {
				t.Fatalf("stats do not add up: %+v", st)
			}
		}
		af := format.(*apacheFormat)
		fp, gp := newApacheParser(af), newApacheParser(af)
		for _, l := range strings.Split(in, "\n") {
			apCheckFastPath(t, fp, gp, []byte(l), true)
		}
	})
}

// FuzzApacheLogFormat compiles fuzzed LogFormat strings: no panic; a bad
// string is a *FormatStringError with a position inside it; a compiled
// format parses lines without panic and its errors are positioned inside
// the line.
func FuzzApacheLogFormat(f *testing.F) {
	lines := apSeedLines(f)
	specs := []string{
		`%h %l %u %t "%r" %>s %b`,
		`%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`,
		`%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"`,
		`%a %{c}a %A %B %{sid}C %D %{HOME}e %f %{c}h %H %k %L %m %{n}n %{Server}o %{remote}p %{tid}P %q %R %<s %T %{ms}T %U %V %X %I %O %S %{x}^ti %{x}^to %^FB`,
		`[%{%d/%b/%Y:%H:%M:%S}t.%{msec_frac}t %{%z}t] %400,501{User-agent}i %!200,304{Referer}i`,
		`%{begin:sec}t %{end:usec_frac}t %{%c}t %{%F %T %Z}t %{%y.%j %I %p}t`,
		`%U%q%H%%`,
	}
	for i, s := range specs {
		f.Add(s, string(lines[i%len(lines)]))
	}
	f.Fuzz(func(t *testing.T, spec, line string) {
		format, err := ParseFormat("apache:" + spec)
		if err != nil {
			var ferr *FormatStringError
			if !errors.As(err, &ferr) {
				t.Fatalf("ParseFormat error %v (%T) is not a *FormatStringError", err, err)
			}
			if ferr.Pos < 0 || ferr.Pos > len(spec) {
				t.Fatalf("error position %d outside format of %d bytes", ferr.Pos, len(spec))
			}
			return
		}
		p := format.NewParser()
		for _, l := range []string{line, strings.ReplaceAll(line, "\n", " ")} {
			var rec Record
			rec.reset(true)
			err := p.Parse([]byte(l), &rec)
			var le *lineError
			switch {
			case err == nil, err == ErrSkip:
			case errors.As(err, &le):
				if le.col < 0 || le.col > len(l) {
					t.Fatalf("error column %d outside line of %d bytes", le.col, len(l))
				}
			default:
				t.Fatalf("Parse error %v (%T) is not a line error", err, err)
			}
		}
	})
}
