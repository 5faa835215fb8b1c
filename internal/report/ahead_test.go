package report

import (
	"errors"
	"testing"
)

// sliceRows yields ints from a slice, reusing one row as the file
// readers do, and fails with err after them.
type sliceRows struct {
	vals   []int
	i      int
	row    int
	err    error
	closed bool
}

func (s *sliceRows) NumRows() int64 { return int64(len(s.vals)) }
func (s *sliceRows) Next() (*int, bool) {
	if s.i == len(s.vals) {
		return nil, false
	}
	s.row = s.vals[s.i]
	s.i++
	return &s.row, true
}
func (s *sliceRows) Err() error   { return s.err }
func (s *sliceRows) Close() error { s.closed = true; return nil }

// TestReadAhead reads every row in order across batches, passes the
// reader's error on after the last row, and stops early on Close.
func TestReadAhead(t *testing.T) {
	boom := errors.New("boom")
	for _, n := range []int{0, 1, aheadRows - 1, aheadRows, aheadRows + 1, 5*aheadRows + 17} {
		for _, fail := range []error{nil, boom} {
			src := &sliceRows{err: fail}
			for i := range n {
				src.vals = append(src.vals, i*7)
			}
			r := readAhead[int](src)
			if r.NumRows() != int64(n) {
				t.Errorf("n=%d: NumRows %d", n, r.NumRows())
			}
			k := 0
			for v, ok := r.Next(); ok; v, ok = r.Next() {
				if *v != k*7 {
					t.Fatalf("n=%d: row %d is %d", n, k, *v)
				}
				k++
			}
			if k != n {
				t.Errorf("n=%d: %d rows read", n, k)
			}
			if !errors.Is(r.Err(), fail) || (fail == nil) != (r.Err() == nil) {
				t.Errorf("n=%d: Err %v, want %v", n, r.Err(), fail)
			}
			if err := r.Close(); err != nil || !src.closed {
				t.Errorf("n=%d: Close %v, source closed %v", n, err, src.closed)
			}
		}
	}
	// Closed after a few rows: the goroutine stops, the source is closed.
	src := &sliceRows{vals: make([]int, 20*aheadRows)}
	r := readAhead[int](src)
	for range 3 {
		r.Next()
	}
	r.Close()
	r.Close()
	if !src.closed || src.i == len(src.vals) {
		t.Errorf("closed early: source closed %v, %d of %d rows read", src.closed, src.i, len(src.vals))
	}
}
