package logparse

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// zeros reads NUL bytes and counts them.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	clear(p)
	z.n += int64(len(p))
	return len(p), nil
}

// An endless input without a newline (/dev/zero) ends at MaxDiscard with
// ErrNoLineEnd, after the over-long line is rejected; it neither hangs
// nor holds the line.
func TestReaderEndlessLine(t *testing.T) {
	z := &zeros{}
	f, _ := ParseFormat("combined")
	r := NewReader(io.LimitReader(z, 1<<40), f)
	r.Name = "zero"
	r.MaxLineLength = 1 << 10
	r.MaxDiscard = 64 << 10
	_, err := r.Read()
	var perr *ParseError
	if !errors.As(err, &perr) || !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("first Read: %v, want the line rejected as too long", err)
	}
	_, err = r.Read()
	var rerr *ReadError
	if !errors.As(err, &rerr) || !errors.Is(err, ErrNoLineEnd) {
		t.Fatalf("second Read: %v, want a *ReadError wrapping ErrNoLineEnd", err)
	}
	if _, again := r.Read(); again != err {
		t.Errorf("third Read: %v, want the same error", again)
	}
	if z.n > 2*(64<<10)+(1<<10) {
		t.Errorf("read %d bytes, want about MaxDiscard (%d)", z.n, 64<<10)
	}
	st := r.Stats()
	if st.Lines != 1 || st.Rejected != 1 {
		t.Errorf("stats: lines %d rejected %d, want 1 and 1", st.Lines, st.Rejected)
	}
	if len(r.buf) > 2<<10 {
		t.Errorf("buffer of %d bytes, want at most MaxLineLength+1", len(r.buf))
	}
}

// An over-long line that ends before MaxDiscard: rejected, and the next
// line is read.
func TestReaderLongLineWithinDiscard(t *testing.T) {
	f, _ := ParseFormat("common")
	good := `192.0.2.1 - - [17/Feb/2019:10:00:00 +0100] "GET / HTTP/1.1" 200 2`
	in := good + "\n" + strings.Repeat("x", 40<<10) + "\n" + good + "\n"
	r := NewReader(strings.NewReader(in), f)
	r.MaxLineLength = 1 << 10
	r.MaxDiscard = 64 << 10
	var recs, rejected int
	for _, err := range r.All() {
		if err != nil {
			if !errors.Is(err, ErrLineTooLong) {
				t.Fatalf("error %v, want only ErrLineTooLong", err)
			}
			rejected++
			continue
		}
		recs++
	}
	if recs != 2 || rejected != 1 {
		t.Errorf("%d records, %d rejected; want 2, 1", recs, rejected)
	}
}
