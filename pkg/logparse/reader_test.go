package logparse

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// spaceFormat is a test-only format: "client target status bytes",
// separated by single spaces. Blank lines and lines starting with '#' are
// skipped. It lets the Reader mechanics be tested without a real parser.
type spaceFormat struct{}

func (spaceFormat) Name() string      { return "test-space" }
func (spaceFormat) NewParser() Parser { return spaceParser{} }

// Splittable reports true: each line stands alone.
func (spaceFormat) Splittable() bool { return true }

type spaceParser struct{}

func (spaceParser) Parse(line []byte, rec *Record) error {
	if len(line) == 0 || line[0] == '#' {
		return ErrSkip
	}
	var f [4][]byte
	var col [4]int
	rest, pos := line, 0
	for i := range f {
		col[i] = pos
		if i == len(f)-1 {
			f[i] = rest
			break
		}
		sp := bytes.IndexByte(rest, ' ')
		if sp < 0 {
			return errAt(len(line), ErrFieldCount)
		}
		f[i], rest, pos = rest[:sp], rest[sp+1:], pos+sp+1
	}
	if bytes.IndexByte(f[3], ' ') >= 0 {
		return errAt(col[3]+bytes.IndexByte(f[3], ' '), ErrTrailing)
	}
	setClient(rec, f[0])
	setTarget(rec, f[1])
	st, ok := parseStatus(f[2])
	if !ok {
		return errAt(col[2], ErrStatus)
	}
	rec.Status = st
	if !(len(f[3]) == 1 && f[3][0] == '-') {
		n, ok := parseInt64(f[3])
		if !ok {
			return errAt(col[3], ErrNumber)
		}
		rec.BodyBytes = n
	}
	return nil
}

// got is one result of Read, for comparison.
type got struct {
	Line   int64
	Offset int64
	Target string
	Status int
	Err    string // kind of a *ParseError, or "" for a record
	Column int
}

// readAll reads r to the end and returns what it delivered, and the
// fatal error if any (io.EOF is not an error here).
func readAll(t *testing.T, r *Reader) ([]got, error) {
	t.Helper()
	var out []got
	for i := 0; ; i++ {
		if i > 1e6 {
			t.Fatal("reader does not end")
		}
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		var perr *ParseError
		if errors.As(err, &perr) {
			if rec != nil {
				t.Fatalf("Read returned a record with a ParseError")
			}
			out = append(out, got{Line: perr.Line, Offset: perr.Offset, Err: errorKind(perr.Err).Error(), Column: perr.Column})
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, got{Line: rec.Line, Offset: rec.Offset, Target: rec.Target, Status: rec.Status})
	}
}

func checkStats(t *testing.T, s Stats) {
	t.Helper()
	if s.Lines != s.Records+s.Skipped+s.Rejected {
		t.Errorf("stats do not add up: %d lines != %d records + %d skipped + %d rejected", s.Lines, s.Records, s.Skipped, s.Rejected)
	}
	var byKind int64
	for _, n := range s.RejectedBy {
		byKind += n
	}
	if byKind != s.Rejected {
		t.Errorf("RejectedBy sums to %d, Rejected is %d", byKind, s.Rejected)
	}
}

func TestReaderLines(t *testing.T) {
	f := func(name, in string, want []got) {
		t.Helper()
		// The same result whatever the read sizes.
		for _, mode := range []string{"whole", "onebyte", "dataerr"} {
			var src io.Reader = strings.NewReader(in)
			switch mode {
			case "onebyte":
				src = iotest.OneByteReader(src)
			case "dataerr":
				src = iotest.DataErrReader(src)
			}
			r := NewReader(src, spaceFormat{})
			r.Name = "t.log"
			out, err := readAll(t, r)
			if err != nil {
				t.Errorf("%s/%s: fatal error %v", name, mode, err)
			}
			if diff := cmp.Diff(want, out); diff != "" {
				t.Errorf("%s/%s: (-want +got)\n%s", name, mode, diff)
			}
			checkStats(t, r.Stats())
			if st := r.Stats(); st.Bytes != int64(len(in)) {
				t.Errorf("%s/%s: Stats.Bytes = %d, want %d", name, mode, st.Bytes, len(in))
			}
		}
	}
	f("plain", "192.0.2.1 /a 200 5\n192.0.2.2 /b 404 -\n", []got{
		{Line: 1, Offset: 0, Target: "/a", Status: 200},
		{Line: 2, Offset: 19, Target: "/b", Status: 404},
	})
	f("empty", "", nil)
	f("only newline", "\n", nil)
	f("no final newline", "192.0.2.1 /a 200 5\n192.0.2.2 /b 404 -", []got{
		{Line: 1, Offset: 0, Target: "/a", Status: 200},
		{Line: 2, Offset: 19, Target: "/b", Status: 404},
	})
	f("crlf", "192.0.2.1 /a 200 5\r\n192.0.2.2 /b 404 7\r\n", []got{
		{Line: 1, Offset: 0, Target: "/a", Status: 200},
		{Line: 2, Offset: 20, Target: "/b", Status: 404},
	})
	f("crlf no final newline", "192.0.2.1 /a 200 5\r\n192.0.2.2 /b 404 7\r", []got{
		{Line: 1, Offset: 0, Target: "/a", Status: 200},
		{Line: 2, Offset: 20, Target: "/b", Status: 404},
	})
	f("bom", "\xEF\xBB\xBF192.0.2.1 /a 200 5\n", []got{
		{Line: 1, Offset: 3, Target: "/a", Status: 200},
	})
	f("bom no final newline", "\xEF\xBB\xBF192.0.2.1 /a 200 5", []got{
		{Line: 1, Offset: 3, Target: "/a", Status: 200},
	})
	f("bom only on line 1", "192.0.2.1 /a 200 5\n\xEF\xBB\xBF192.0.2.1 /a 200 5\n", []got{
		{Line: 1, Offset: 0, Target: "/a", Status: 200},
		// A BOM inside the file is data: the client field is not an address.
		{Line: 2, Offset: 19, Target: "/a", Status: 200},
	})
	f("skipped lines", "#comment\n\n192.0.2.1 /a 200 5\n", []got{
		{Line: 3, Offset: 10, Target: "/a", Status: 200},
	})
	f("nul prefixed", "192.0.2.1 /a 200 5\n\x00\x00\x00192.0.2.2 /b 404 7\n", []got{
		{Line: 1, Offset: 0, Target: "/a", Status: 200},
		{Line: 2, Offset: 22, Target: "/b", Status: 404},
	})
	f("nul only tail", "192.0.2.1 /a 200 5\n\x00\x00\x00\x00", []got{
		{Line: 1, Offset: 0, Target: "/a", Status: 200},
	})
	f("nul inside", "192.0.2.1 /a 200 5\n192.0.2.2 /\x00b 404 7\n192.0.2.3 /c 200 1\n", []got{
		{Line: 1, Offset: 0, Target: "/a", Status: 200},
		{Line: 2, Offset: 30, Err: ErrBinary.Error(), Column: 12},
		{Line: 3, Offset: 39, Target: "/c", Status: 200},
	})
	f("nul prefixed then nul inside", "\x00\x00192.0.2.2 /\x00b 404 7\n", []got{
		// The NUL prefix is dropped before parsing: the column counts from
		// the first byte after it (the Offset is exact).
		{Line: 1, Offset: 13, Err: ErrBinary.Error(), Column: 12},
	})
	f("parse errors", "192.0.2.1 /a 2x0 5\n192.0.2.1 /a 200 5x\n192.0.2.1 /a\n192.0.2.1 /a 200 5 extra\n", []got{
		{Line: 1, Offset: 13, Err: ErrStatus.Error(), Column: 14},
		{Line: 2, Offset: 36, Err: ErrNumber.Error(), Column: 18},
		{Line: 3, Offset: 51, Err: ErrFieldCount.Error(), Column: 13},
		{Line: 4, Offset: 70, Err: ErrTrailing.Error(), Column: 19},
	})
	f("parse error column after crlf", "192.0.2.1 /a 200 x\r\n", []got{
		{Line: 1, Offset: 17, Err: ErrNumber.Error(), Column: 18},
	})
}

func TestReaderStats(t *testing.T) {
	in := "\xEF\xBB\xBF192.0.2.1 /a 200 5\r\n" + // 1 record, CRLF
		"#c\n" + // 2 skipped
		"\x00192.0.2.1 /\xff 200 5\n" + // 3 record, NUL prefix, invalid UTF-8
		"192.0.2.1 /a 200\n" + // 4 field count
		"192.0.2.1 /a\x00 200 5\n" + // 5 binary
		"192.0.2.1 /a 20 5\n" + // 6 status
		"192.0.2.1 /a 200 5" // 7 record, no newline
	r := NewReader(strings.NewReader(in), spaceFormat{})
	if _, err := readAll(t, r); err != nil {
		t.Fatal(err)
	}
	want := Stats{
		Lines: 7, Records: 3, Skipped: 1, Rejected: 3, Bytes: int64(len(in)),
		CRLF: 1, InvalidUTF8: 1, NULPrefixed: 1,
		RejectedBy: map[string]int64{
			ErrFieldCount.Error(): 1,
			ErrBinary.Error():     1,
			ErrStatus.Error():     1,
		},
	}
	if diff := cmp.Diff(want, r.Stats()); diff != "" {
		t.Errorf("Stats (-want +got)\n%s", diff)
	}
	checkStats(t, r.Stats())
}

func TestReaderLineTooLong(t *testing.T) {
	long := strings.Repeat("x", 40)
	f := func(name, in string, max int, want []got) {
		t.Helper()
		for _, onebyte := range []bool{false, true} {
			var src io.Reader = strings.NewReader(in)
			if onebyte {
				src = iotest.OneByteReader(src)
			}
			r := NewReader(src, spaceFormat{})
			r.MaxLineLength = max
			out, err := readAll(t, r)
			if err != nil {
				t.Errorf("%s: fatal error %v", name, err)
			}
			if diff := cmp.Diff(want, out); diff != "" {
				t.Errorf("%s (onebyte=%v): (-want +got)\n%s", name, onebyte, diff)
			}
			checkStats(t, r.Stats())
		}
	}
	ok1 := "192.0.2.1 /a 200 5\n" // 19 bytes with newline
	f("resync", ok1+long+"\n"+ok1, 18, []got{
		{Line: 1, Offset: 0, Target: "/a", Status: 200},
		{Line: 2, Offset: 19, Err: ErrLineTooLong.Error()},
		{Line: 3, Offset: 60, Target: "/a", Status: 200},
	})
	f("exactly max", ok1, 18, []got{{Line: 1, Offset: 0, Target: "/a", Status: 200}})
	f("max plus one", "192.0.2.1 /a 200 55\n"+ok1, 18, []got{
		{Line: 1, Offset: 0, Err: ErrLineTooLong.Error()},
		{Line: 2, Offset: 20, Target: "/a", Status: 200},
	})
	f("long last line without newline", ok1+long, 18, []got{
		{Line: 1, Offset: 0, Target: "/a", Status: 200},
		{Line: 2, Offset: 19, Err: ErrLineTooLong.Error()},
	})
	f("two long lines", long+"\n"+long+"\n"+ok1, 18, []got{
		{Line: 1, Offset: 0, Err: ErrLineTooLong.Error()},
		{Line: 2, Offset: 41, Err: ErrLineTooLong.Error()},
		{Line: 3, Offset: 82, Target: "/a", Status: 200},
	})
	f("very long line, small max", strings.Repeat(long, 1000)+"\n"+ok1, 18, []got{
		{Line: 1, Offset: 0, Err: ErrLineTooLong.Error()},
		{Line: 2, Offset: 40001, Target: "/a", Status: 200},
	})
}

// patternReader yields n bytes of c, then tail.
type patternReader struct {
	n    int64
	c    byte
	tail *strings.Reader
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.n <= 0 {
		return p.tail.Read(b)
	}
	if int64(len(b)) > p.n {
		b = b[:p.n]
	}
	for i := range b {
		b[i] = p.c
	}
	p.n -= int64(len(b))
	return len(b), nil
}

func TestReaderHugeLineBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 200 MB; skipped in -short mode")
	}
	const size = 100 << 20
	for _, tail := range []string{"", "\n192.0.2.1 /a 200 5\n"} {
		src := &patternReader{n: size, c: 'a', tail: strings.NewReader(tail)}
		r := NewReader(src, spaceFormat{})
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		out, err := readAll(t, r)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		want := []got{{Line: 1, Offset: 0, Err: ErrLineTooLong.Error()}}
		if tail != "" {
			want = append(want, got{Line: 2, Offset: size + 1, Target: "/a", Status: 200})
		}
		if diff := cmp.Diff(want, out); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
			t.Errorf("reading one %d-byte line allocated %d bytes; want memory bounded by MaxLineLength", size, alloc)
		}
		if got := r.Stats().Bytes; got != size+int64(len(tail)) {
			t.Errorf("Stats.Bytes = %d, want %d", got, size+len(tail))
		}
	}
}

func TestReaderReuseRecord(t *testing.T) {
	in := "192.0.2.1 /first 200 5\n192.0.2.2 /second 200 6\n"
	// Without ReuseRecord each record owns its memory.
	r := NewReader(strings.NewReader(in), spaceFormat{})
	a, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("without ReuseRecord, Read returned the same *Record twice")
	}
	if a.Target != "/first" || a.Path != "/first" || b.Target != "/second" {
		t.Errorf("records changed: %q %q %q", a.Target, a.Path, b.Target)
	}

	// With ReuseRecord, the same record; a Clone survives the next Read.
	r = NewReader(strings.NewReader(in), spaceFormat{})
	r.ReuseRecord = true
	a, err = r.Read()
	if err != nil {
		t.Fatal(err)
	}
	keep := a.Clone()
	b, err = r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatal("with ReuseRecord, Read returned a new *Record")
	}
	if keep.Target != "/first" || keep.Line != 1 || keep.Client.String() != "192.0.2.1" {
		t.Errorf("clone changed: %q line %d %v", keep.Target, keep.Line, keep.Client)
	}
	if b.Target != "/second" || b.Line != 2 || b.BodyBytes != 6 {
		t.Errorf("second record: %q line %d bytes %d", b.Target, b.Line, b.BodyBytes)
	}
	// Reset between reads: a field set on one line does not leak.
	r = NewReader(strings.NewReader("192.0.2.1 /a 200 5\nhost.example /b 200 -\n"), spaceFormat{})
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	rec, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if rec.Client.IsValid() || rec.ClientHost != "host.example" || rec.BodyBytes != NotLogged {
		t.Errorf("record not reset: client %v host %q bytes %d", rec.Client, rec.ClientHost, rec.BodyBytes)
	}
}

func TestReaderReuseRecordAllocs(t *testing.T) {
	line := "192.0.2.1 /a%20b 200 5\n"
	in := strings.Repeat(line, 1000)
	r := NewReader(strings.NewReader(""), spaceFormat{})
	src := strings.NewReader(in)
	allocs := testing.AllocsPerRun(20, func() {
		src.Reset(in)
		*r = Reader{r: src, format: spaceFormat{}, parser: spaceParser{}, ReuseRecord: true, buf: r.buf}
		for {
			if _, err := r.Read(); err != nil {
				break
			}
		}
	})
	// The buffer is allocated once per reader; nothing per line.
	if allocs > 3 {
		t.Errorf("%v allocations per 1000 lines with ReuseRecord, want at most 3", allocs)
	}
}

func TestReaderAll(t *testing.T) {
	in := "192.0.2.1 /a 200 5\nbad\n192.0.2.3 /c 200 1\n"
	r := NewReader(strings.NewReader(in), spaceFormat{})
	var lines []int64
	var errs int
	for rec, err := range r.All() {
		if err != nil {
			var perr *ParseError
			if !errors.As(err, &perr) {
				t.Fatalf("unexpected error %v", err)
			}
			errs++
			lines = append(lines, perr.Line)
			continue
		}
		lines = append(lines, rec.Line)
	}
	if diff := cmp.Diff([]int64{1, 2, 3}, lines); diff != "" {
		t.Errorf("All lines (-want +got)\n%s", diff)
	}
	if errs != 1 {
		t.Errorf("All yielded %d errors, want 1", errs)
	}

	// Breaking out early stops reading.
	r = NewReader(strings.NewReader(in), spaceFormat{})
	for range r.All() {
		break
	}
	if n := r.Stats().Lines; n != 1 {
		t.Errorf("after break, %d lines read, want 1", n)
	}

	// A fatal error is never yielded: the iteration ends and Err has it.
	// The line it cut short is a line error.
	boom := errors.New("disk on fire")
	f := func(name, in string, wantYield []string, wantErr error) {
		t.Helper()
		r := NewReader(io.MultiReader(strings.NewReader(in), iotest.ErrReader(boom)), spaceFormat{})
		if wantErr == nil {
			r = NewReader(strings.NewReader(in), spaceFormat{})
		}
		var got []string
		for rec, err := range r.All() {
			switch {
			case err == nil && rec != nil:
				got = append(got, rec.Target)
			case rec == nil:
				if _, ok := err.(*ParseError); !ok {
					t.Errorf("%s: All yielded %T %v, want only *ParseError", name, err, err)
				}
				got = append(got, "error: "+errorKind(err).Error())
			default:
				t.Errorf("%s: All yielded a record and an error", name)
			}
		}
		if diff := cmp.Diff(wantYield, got); diff != "" {
			t.Errorf("%s: yielded (-want +got)\n%s", name, diff)
		}
		if err := r.Err(); !errors.Is(err, wantErr) || (wantErr == nil) != (err == nil) {
			t.Errorf("%s: Err() = %v, want %v", name, err, wantErr)
		}
		var rerr *ReadError
		if wantErr != nil && !errors.As(r.Err(), &rerr) {
			t.Errorf("%s: Err() = %T, want a *ReadError", name, r.Err())
		}
	}
	f("fails after a line", "192.0.2.1 /a 200 5\n", []string{"/a"}, boom)
	f("fails inside a line", "192.0.2.1 /a 200 5\n192.0.2.1 /b", []string{"/a", "error: " + ErrTruncated.Error()}, boom)
	f("fails at once", "", nil, boom)
	f("ends", "192.0.2.1 /a 200 5\nbad\n", []string{"/a", "error: " + ErrFieldCount.Error()}, nil)
}

func TestReaderReadError(t *testing.T) {
	boom := errors.New("device error")
	in := "192.0.2.1 /a 200 5\n192.0.2.2 /b 200 6\n192.0.2.3 /c 2"
	r := NewReader(io.MultiReader(strings.NewReader(in), iotest.ErrReader(boom)), spaceFormat{})
	r.Name = "cut.log"
	out, err := readAll(t, r)
	want := []got{
		{Line: 1, Offset: 0, Target: "/a", Status: 200},
		{Line: 2, Offset: 19, Target: "/b", Status: 200},
		{Line: 3, Offset: 38, Err: ErrTruncated.Error()},
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	var rerr *ReadError
	if !errors.As(err, &rerr) || !errors.Is(err, boom) {
		t.Fatalf("got %v, want a *ReadError wrapping the device error", err)
	}
	if rerr.Path != "cut.log" || rerr.Line != 3 || rerr.Offset != int64(len(in)) {
		t.Errorf("ReadError at %s line %d byte %d, want cut.log line 3 byte %d", rerr.Path, rerr.Line, rerr.Offset, len(in))
	}
	// Sticky.
	if _, err2 := r.Read(); err2 != err {
		t.Errorf("second Read returned %v, want the same ReadError", err2)
	}
	checkStats(t, r.Stats())
}

func TestReaderFirstLineOffset(t *testing.T) {
	r := NewReader(strings.NewReader("192.0.2.1 /a 200 5\nbad\n"), spaceFormat{})
	r.firstLine, r.firstOffset = 1000, 1<<40
	out, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	want := []got{
		{Line: 1001, Offset: 1 << 40, Target: "/a", Status: 200},
		{Line: 1002, Offset: 1<<40 + 19 + 3, Err: ErrFieldCount.Error(), Column: 4},
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestParseErrorMessage(t *testing.T) {
	r := NewReader(strings.NewReader("203.0.113.9 /secret-name 2x0 5\n"), spaceFormat{})
	r.Name = "access.log"
	_, err := r.Read()
	if err == nil {
		t.Fatal("no error")
	}
	if got, want := err.Error(), "access.log:1:26: bad status"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "203.0.113.9") {
		t.Errorf("error message holds line contents: %q", err)
	}
}

// FuzzReader checks the Reader mechanics on arbitrary input: no panic,
// only *ParseError line errors, line numbers that grow, offsets inside the
// input, stats that add up, and the same results whatever the read sizes.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"192.0.2.1 /a 200 5\n",
		"\xEF\xBB\xBF192.0.2.1 /a 200 5\r\n#c\n\n",
		"\x00\x00192.0.2.1 /a 200 5\n192.0.2.1 /\x00 200 5",
		strings.Repeat("x", 100) + "\n192.0.2.1 /a 200 5\n",
		"192.0.2.1 /a 2x0 5\n\r\n\r",
		"\x1f\x8b\x08 compressed, or so it seems\n",
	} {
		f.Add([]byte(s), uint8(64))
	}
	f.Fuzz(func(t *testing.T, data []byte, max uint8) {
		run := func(src io.Reader) ([]got, Stats) {
			r := NewReader(src, spaceFormat{})
			r.MaxLineLength = int(max%128) + 1
			var out []got
			var last int64
			for i := 0; ; i++ {
				if i > len(data)+2 {
					t.Fatal("reader does not end")
				}
				rec, err := r.Read()
				if err == io.EOF {
					break
				}
				var g got
				var perr *ParseError
				switch {
				case errors.As(err, &perr):
					g = got{Line: perr.Line, Offset: perr.Offset, Err: errorKind(perr.Err).Error(), Column: perr.Column}
				case errors.Is(err, ErrCompressed):
					if sniffCompression(data) == CompressionNone {
						t.Fatalf("plain input refused as compressed: %v", err)
					}
					return nil, Stats{} // refused as a whole
				case err != nil:
					t.Fatalf("non-line error from a bytes.Reader: %v", err)
				default:
					g = got{Line: rec.Line, Offset: rec.Offset, Target: rec.Target, Status: rec.Status}
				}
				if g.Line <= last {
					t.Fatalf("line %d after line %d", g.Line, last)
				}
				last = g.Line
				if g.Offset < 0 || g.Offset > int64(len(data)) {
					t.Fatalf("offset %d outside the %d-byte input", g.Offset, len(data))
				}
				out = append(out, g)
			}
			s := r.Stats()
			if s.Lines != s.Records+s.Skipped+s.Rejected || s.Bytes != int64(len(data)) {
				t.Fatalf("stats %+v for %d bytes", s, len(data))
			}
			return out, s
		}
		a, sa := run(bytes.NewReader(data))
		b, sb := run(iotest.OneByteReader(bytes.NewReader(data)))
		if diff := cmp.Diff(a, b); diff != "" {
			t.Fatalf("whole and one-byte reads differ (-whole +onebyte)\n%s", diff)
		}
		if diff := cmp.Diff(sa, sb); diff != "" {
			t.Fatalf("stats differ (-whole +onebyte)\n%s", diff)
		}
	})
}
