package report

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"
)

// callIn is one call of a person as exposures.parquet tells it: the
// person's role in it, its level, when it took place and the number it
// came from. The lists and letters need every person's calls together,
// while exposures.parquet is ordered by recording: a sorter brings them
// into subject order.
type callIn struct {
	Subject string
	CallID  string
	Started time.Time
	Level   string
	Role    string
	Phone   string
	Region  string
}

// compareCall orders calls by subject, start and call, then by the
// other fields, so that the order is total: a person who is two subjects
// of one call (patient and caller) has two calls that differ only in
// role.
func compareCall(a, b callIn) int {
	if c := cmp.Compare(a.Subject, b.Subject); c != 0 {
		return c
	}
	if c := a.Started.Compare(b.Started); c != 0 {
		return c
	}
	if a.CallID != b.CallID {
		return cmp.Compare(a.CallID, b.CallID)
	}
	// Rare: one person in one call twice. cmp.Or would compare every
	// field on every call.
	return cmp.Or(cmp.Compare(a.Role, b.Role), cmp.Compare(a.Level, b.Level),
		cmp.Compare(a.Phone, b.Phone), cmp.Compare(a.Region, b.Region))
}

// callKey is a call's place in a run, with the first 16 bytes of its
// subject packed into two integers that compare as the bytes do: sorting
// keys compares integers and small values, where sorting the calls
// compared strings and moved 120-byte values.
type callKey struct {
	hi, lo uint64
	i      int32
}

// subjectKey packs the first 16 bytes of s, zero-padded, big-endian.
// When two keys differ, they compare as their strings do; when they are
// equal the strings may still differ (beyond byte 16, or in trailing
// zero bytes).
func subjectKey(s string) (hi, lo uint64) {
	var b [16]byte
	copy(b[:], s)
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}

// sortCalls returns the order of run's calls under compareCall, in keys'
// storage.
func sortCalls(run []callIn, keys []callKey) []callKey {
	keys = keys[:0]
	for i := range run {
		hi, lo := subjectKey(run[i].Subject)
		keys = append(keys, callKey{hi, lo, int32(i)})
	}
	slices.SortFunc(keys, func(a, b callKey) int {
		if a.hi != b.hi {
			return cmp.Compare(a.hi, b.hi)
		}
		if a.lo != b.lo {
			return cmp.Compare(a.lo, b.lo)
		}
		return compareCall(run[a.i], run[b.i])
	})
	return keys
}

// callSorter sorts calls by subject with a bounded memory: runs are
// sorted in memory and spilled to temporary files in dir (mode 0600: they
// hold personal data), then merged. The calls it holds are two halves of
// max calls together: while a goroutine sorts and writes one half, the
// reader fills the other, so that sorting runs beside the reading of
// exposures.parquet instead of after it.
type callSorter struct {
	dir   string
	max   int
	buf   []callIn // the half being filled
	other []callIn // the other half: being written while busy is set, then free
	keys  []callKey
	busy  chan error
	files []string
}

func newCallSorter(dir string, max int) *callSorter {
	return &callSorter{dir: dir, max: max}
}

// half is the number of calls in a run.
func (s *callSorter) half() int { return max(s.max/2, 1) }

// reserve makes room for the calls of n rows at most, up to a run: the
// buffer of half a million calls (over 50 MB) is not grown by copying.
func (s *callSorter) reserve(n int64) {
	if s.buf == nil && n > 0 {
		s.buf = make([]callIn, 0, min(int64(s.half()), n))
	}
}

func (s *callSorter) Add(c callIn) error {
	s.buf = append(s.buf, c)
	if len(s.buf) >= s.half() {
		return s.spill()
	}
	return nil
}

// spill hands the buffer to a goroutine that sorts it and writes it as a
// run, once the run before it is written, and goes on with the other
// half.
func (s *callSorter) spill() error {
	if err := s.wait(); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.dir, "calls-*.bin")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	s.files = append(s.files, f.Name())
	run := s.buf
	s.buf, s.other = s.other[:0], run
	if s.buf == nil {
		s.buf = make([]callIn, 0, cap(run))
	}
	s.busy = make(chan error, 1)
	// One run is written at a time: the keys' storage goes with it.
	if cap(s.keys) < len(run) {
		s.keys = make([]callKey, 0, cap(run))
	}
	go func(keys []callKey, done chan<- error) { done <- writeRun(f, run, keys) }(s.keys, s.busy)
	return nil
}

// wait waits for the run being written, if any.
func (s *callSorter) wait() error {
	if s.busy == nil {
		return nil
	}
	err := <-s.busy
	s.busy = nil
	clear(s.other) // the strings the calls hold
	return err
}

// writeRun sorts run, in keys' storage, and writes it to f, which it
// closes.
func writeRun(f *os.File, run []callIn, keys []callKey) error {
	keys = sortCalls(run, keys)
	bw := bufio.NewWriterSize(f, 256<<10)
	enc := &recordWriter{w: bw}
	for _, k := range keys {
		if err := enc.putCall(&run[k.i]); err != nil {
			f.Close()
			return fmt.Errorf("report: spilling calls: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("report: spilling calls: %w", err)
	}
	return f.Close()
}

// callStream yields the sorted calls.
type callStream interface {
	// Peek returns the next call without taking it, false at the end.
	Peek() (*callIn, bool)
	Next()
	Err() error
	Close()
}

// Sorted returns the calls in subject order. The sorter must not be used
// after.
func (s *callSorter) Sorted() (callStream, error) {
	if len(s.files) == 0 {
		return &memStream{calls: s.buf, order: sortCalls(s.buf, nil)}, nil
	}
	if len(s.buf) > 0 {
		if err := s.spill(); err != nil {
			return nil, err
		}
	}
	if err := s.wait(); err != nil {
		return nil, err
	}
	s.buf, s.other = nil, nil
	m := &mergeStream{}
	for _, name := range s.files {
		f, err := os.Open(name)
		if err != nil {
			m.Close()
			return nil, fmt.Errorf("report: %w", err)
		}
		r := &runReader{f: f, dec: &recordReader{r: bufio.NewReaderSize(f, 64<<10)}}
		m.runs = append(m.runs, r)
		if r.advance() {
			m.h = append(m.h, r)
		} else if r.err != nil {
			m.Close()
			return nil, r.err
		}
	}
	heap.Init(&m.h)
	return m, nil
}

type memStream struct {
	calls []callIn
	order []callKey
	i     int
}

func (m *memStream) Peek() (*callIn, bool) {
	if m.i >= len(m.order) {
		return nil, false
	}
	return &m.calls[m.order[m.i].i], true
}
func (m *memStream) Next()      { m.i++ }
func (m *memStream) Err() error { return nil }
func (m *memStream) Close()     {}

type runReader struct {
	f   *os.File
	dec *recordReader
	cur callIn
	err error
}

func (r *runReader) advance() bool {
	if err := r.dec.getCall(&r.cur); err != nil {
		if !errors.Is(err, io.EOF) {
			r.err = fmt.Errorf("report: reading spilled calls: %w", err)
		}
		return false
	}
	return true
}

type runHeap []*runReader

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return compareCall(h[i].cur, h[j].cur) < 0 }
func (h runHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)        { *h = append(*h, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type mergeStream struct {
	runs []*runReader
	h    runHeap
	err  error
}

func (m *mergeStream) Peek() (*callIn, bool) {
	if len(m.h) == 0 || m.err != nil {
		return nil, false
	}
	return &m.h[0].cur, true
}

func (m *mergeStream) Next() {
	if len(m.h) == 0 {
		return
	}
	r := m.h[0]
	if r.advance() {
		heap.Fix(&m.h, 0)
		return
	}
	if r.err != nil {
		m.err = r.err
	}
	heap.Pop(&m.h)
}

func (m *mergeStream) Err() error { return m.err }

func (m *mergeStream) Close() {
	for _, r := range m.runs {
		r.f.Close()
	}
}
