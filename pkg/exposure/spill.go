package exposure

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// The requests a shard sees are buffered as fixed-size events. When the
// buffer is full it is sorted, events of one (recording, actor) pair are
// folded into one aggregate, and the aggregates are written to a run file
// (varint-encoded, sorted by recording, then the shard's actor number).
// Finish merges every shard's runs and its last, in-memory run, one
// recording at a time. So memory is bounded by Options.ShardMemory per
// shard, whatever the number of lines or distinct pairs.

// Flags of a pair event or aggregate.
const (
	pfPrior = 1 << iota // a 304: the client held a copy before
	pfSpan              // the event's span is known
	pfWhole             // a complete 200 of a file of unknown size, or an open-ended span
)

// pairEvent is one request for a recording.
type pairEvent struct {
	rec, actor int32
	kind       deliveryKind
	flags      uint8
	unc        Uncertainty
	t          int64 // Unix nanoseconds; 0 untimed
	ref        evRef
	start, end int64 // with pfSpan
	extra      int64 // bytes at an unknown position
}

const pairEventSize = 56

// pairAgg is every request of one actor for one recording, folded.
type pairAgg struct {
	rec, actor  int32
	kind        deliveryKind
	flags       uint8
	unc         Uncertainty
	requests    int64
	first, last int64
	extra       int64
	spans       spanSet
	ev          []evRef // sorted, at most Options.MaxEvidence
	moreEv      int64
}

// addEvent folds one event in.
func (p *pairAgg) addEvent(ev *pairEvent, maxEv int) {
	p.requests++
	p.kind = max(p.kind, ev.kind)
	p.flags |= ev.flags &^ pfSpan
	p.unc |= ev.unc
	if ev.flags&pfSpan != 0 {
		p.spans = p.spans.add(ev.start, ev.end)
	}
	p.extra += ev.extra
	seenNano(&p.first, &p.last, ev.t)
	// Events come sorted by reference within a pair.
	if len(p.ev) < maxEv {
		if n := len(p.ev); n == 0 || p.ev[n-1] != ev.ref {
			p.ev = append(p.ev, ev.ref)
		}
	} else {
		p.moreEv++
	}
}

// merge folds o into p (same recording and actor).
func (p *pairAgg) merge(o *pairAgg, maxEv int) {
	p.requests += o.requests
	p.kind = max(p.kind, o.kind)
	p.flags |= o.flags
	p.unc |= o.unc
	p.spans = p.spans.union(o.spans)
	p.extra += o.extra
	seenNano(&p.first, &p.last, o.first)
	seenNano(&p.first, &p.last, o.last)
	p.ev, p.moreEv = mergeRefs(p.ev, o.ev, p.moreEv+o.moreEv, maxEv)
}

// mergeRefs merges two sorted reference lists, keeping the first maxEv.
func mergeRefs(a, b []evRef, more int64, maxEv int) ([]evRef, int64) {
	if len(b) == 0 {
		return a, more
	}
	out := make([]evRef, 0, min(len(a)+len(b), maxEv))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var r evRef
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			r = a[i]
			i++
		case i == len(a) || b[j] < a[i]:
			r = b[j]
			j++
		default: // equal
			r = a[i]
			i++
			j++
		}
		if len(out) < maxEv {
			out = append(out, r)
		} else {
			more++
		}
	}
	return out, more
}

// pairBuffer holds a shard's pair events until they are spilled.
type pairBuffer struct {
	events []pairEvent
	limit  int
	runs   []runSource
	err    error
}

func (b *pairBuffer) add(ev pairEvent, s *Shard) {
	if b.events == nil {
		b.events = make([]pairEvent, 0, min(b.limit, 1<<16))
	}
	b.events = append(b.events, ev)
	if len(b.events) >= b.limit {
		b.spill(s, true)
	}
}

// spill sorts the buffered events and writes them as one run: to a file
// when toDisk, else to memory.
func (b *pairBuffer) spill(s *Shard, toDisk bool) {
	if len(b.events) == 0 {
		return
	}
	slices.SortFunc(b.events, func(x, y pairEvent) int {
		return cmp.Or(cmp.Compare(x.rec, y.rec), cmp.Compare(x.actor, y.actor), cmp.Compare(x.ref, y.ref))
	})
	maxEv := s.e.opt.MaxEvidence
	rw := s.e.startRun(toDisk, &b.err)
	var buf []byte
	var agg pairAgg
	flush := func() {
		buf = agg.appendTo(buf[:0])
		rw.write(buf)
	}
	for i := range b.events {
		ev := &b.events[i]
		if i == 0 || ev.rec != agg.rec || ev.actor != agg.actor {
			if i > 0 {
				flush()
			}
			agg = pairAgg{rec: ev.rec, actor: ev.actor, spans: agg.spans[:0], ev: agg.ev[:0]}
		}
		agg.addEvent(ev, maxEv)
	}
	flush()
	b.events = b.events[:0]
	b.runs = append(b.runs, rw.finish(&s.stats, &b.err))
}

// appendTo encodes the aggregate.
func (p *pairAgg) appendTo(b []byte) []byte {
	b = binary.AppendUvarint(b, uint64(p.rec))
	b = binary.AppendUvarint(b, uint64(p.actor))
	b = append(b, byte(p.kind), p.flags)
	b = binary.AppendUvarint(b, uint64(p.unc))
	b = binary.AppendUvarint(b, uint64(p.requests))
	b = binary.AppendVarint(b, p.first)
	b = binary.AppendVarint(b, p.last-p.first)
	b = binary.AppendVarint(b, p.extra)
	b = binary.AppendUvarint(b, uint64(len(p.spans)))
	for _, sp := range p.spans {
		b = binary.AppendVarint(b, sp.Start)
		b = binary.AppendVarint(b, sp.End)
	}
	b = binary.AppendUvarint(b, uint64(len(p.ev)))
	for _, r := range p.ev {
		b = binary.AppendUvarint(b, uint64(r))
	}
	return binary.AppendUvarint(b, uint64(p.moreEv))
}

var errRunCorrupt = errors.New("exposure: run file corrupt")

// decode reads one aggregate, reusing p's slices.
func (p *pairAgg) decode(r io.ByteReader) error {
	u := func() uint64 {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			panic(err)
		}
		return v
	}
	v := func() int64 {
		x, err := binary.ReadVarint(r)
		if err != nil {
			panic(err)
		}
		return x
	}
	rec, err := binary.ReadUvarint(r)
	if err != nil {
		return err // io.EOF at a record boundary is the end
	}
	var perr error
	func() {
		defer func() {
			if e := recover(); e != nil {
				perr = errRunCorrupt
			}
		}()
		p.rec = int32(rec)
		p.actor = int32(u())
		k, _ := r.ReadByte()
		f, _ := r.ReadByte()
		p.kind, p.flags = deliveryKind(k), f
		p.unc = Uncertainty(u())
		p.requests = int64(u())
		p.first = v()
		p.last = p.first + v()
		p.extra = v()
		n := u()
		if n > 1<<24 {
			panic(errRunCorrupt)
		}
		p.spans = p.spans[:0]
		for range n {
			p.spans = append(p.spans, span{v(), v()})
		}
		n = u()
		if n > maxEvidenceCap {
			panic(errRunCorrupt)
		}
		p.ev = p.ev[:0]
		for range n {
			p.ev = append(p.ev, evRef(u()))
		}
		p.moreEv = int64(u())
	}()
	return perr
}

// A runSource is a sorted run: in memory, or in a file.
type runSource struct {
	mem  []byte
	path string
}

// open returns a reader of the run.
func (r runSource) open() (io.ByteReader, io.Closer, error) {
	if r.path == "" {
		return bytes.NewReader(r.mem), io.NopCloser(nil), nil
	}
	f, err := os.Open(r.path)
	if err != nil {
		return nil, nil, err
	}
	return bufio.NewReaderSize(f, 64<<10), f, nil
}

// runWriter receives a run as it is encoded: into a temporary file in
// TempDir when spilling, through a small buffer, so that a spill holds no
// copy of the run in memory (whole-run buffers were tens of MB of garbage
// per spill, and with ten times the traffic the workers spill all the
// time); else into memory. A write error is kept in *errp, reported by
// Finish.
type runWriter struct {
	mem  []byte
	f    *os.File
	w    *bufio.Writer
	path string
	err  error
}

// startRun starts a run, on disk when toDisk and no spill failed before.
func (e *Engine) startRun(toDisk bool, errp *error) *runWriter {
	rw := &runWriter{}
	if toDisk && *errp == nil {
		f, path, err := e.createRun()
		if err != nil {
			*errp = err
		} else {
			rw.f, rw.path, rw.w = f, path, bufio.NewWriterSize(f, 256<<10)
		}
	}
	return rw
}

func (rw *runWriter) write(b []byte) {
	if rw.w == nil {
		rw.mem = append(rw.mem, b...)
		return
	}
	if rw.err == nil {
		_, rw.err = rw.w.Write(b)
	}
}

// finish ends the run. A run that could not be written sets *errp, which
// fails Finish.
func (rw *runWriter) finish(st *Stats, errp *error) runSource {
	if rw.w == nil {
		return runSource{mem: rw.mem}
	}
	err := rw.err
	if err == nil {
		err = rw.w.Flush()
	}
	if cerr := rw.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if *errp == nil {
			*errp = fmt.Errorf("exposure: spill: %w", err)
		}
		return runSource{}
	}
	st.SpilledRuns++
	return runSource{path: rw.path}
}

// createRun creates a run's temporary file, named with letters only, and
// records it for Close.
func (e *Engine) createRun() (*os.File, string, error) {
	name, err := letterName("forensics-run-", ".tmp")
	if err != nil {
		return nil, "", err
	}
	path := filepath.Join(e.opt.TempDir, name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, "", fmt.Errorf("exposure: spill: %w", err)
	}
	e.runMu.Lock()
	e.files = append(e.files, path)
	e.runMu.Unlock()
	return f, path, nil
}

// letterName returns prefix + 16 random lower-case letters + suffix: a
// temporary name with no digit run that could read as an identity number.
func letterName(prefix, suffix string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return prefix + string(b[:]) + suffix, nil
}

// Close removes the engine's run files. Finish calls it; call it yourself
// when an analysis is abandoned before Finish.
func (e *Engine) Close() error {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	var first error
	for _, p := range e.files {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) && first == nil {
			first = err
		}
	}
	e.files = nil
	return first
}

// runCursor reads one run during a merge.
type runCursor[T any] struct {
	r     io.ByteReader
	c     io.Closer
	cur   T
	remap []int32 // shard actor -> global actor
	done  bool
}

// runMerger merges sorted runs of T by a key (a recording or a folder):
// the cursors form a heap ordered by their current item's key.
type runMerger[T any] struct {
	h      []*runCursor[T]
	all    []*runCursor[T]
	decode func(io.ByteReader, *T) error
	key    func(*T) int32
}

func (m *runMerger[T]) Len() int           { return len(m.h) }
func (m *runMerger[T]) Less(i, j int) bool { return m.key(&m.h[i].cur) < m.key(&m.h[j].cur) }
func (m *runMerger[T]) Swap(i, j int)      { m.h[i], m.h[j] = m.h[j], m.h[i] }
func (m *runMerger[T]) Push(x any)         { m.h = append(m.h, x.(*runCursor[T])) }
func (m *runMerger[T]) Pop() any {
	x := m.h[len(m.h)-1]
	m.h = m.h[:len(m.h)-1]
	return x
}

func newRunMerger[T any](runs []runSource, remaps [][]int32, decode func(io.ByteReader, *T) error, key func(*T) int32) (*runMerger[T], error) {
	m := &runMerger[T]{decode: decode, key: key}
	for i, r := range runs {
		br, c, err := r.open()
		if err != nil {
			m.close()
			return nil, err
		}
		cur := &runCursor[T]{r: br, c: c, remap: remaps[i]}
		m.all = append(m.all, cur)
		if err := m.advance(cur); err != nil {
			m.close()
			return nil, err
		}
		if !cur.done {
			m.h = append(m.h, cur)
		}
	}
	heap.Init(m)
	return m, nil
}

// advance reads a cursor's next item; io.EOF at an item boundary ends it.
func (m *runMerger[T]) advance(c *runCursor[T]) error {
	err := m.decode(c.r, &c.cur)
	if err == io.EOF {
		c.done = true
		return nil
	}
	return err
}

func (m *runMerger[T]) close() {
	for _, c := range m.all {
		c.c.Close()
	}
}

// peek returns the key of the next item, or -1 at the end.
func (m *runMerger[T]) peek() int32 {
	if len(m.h) == 0 {
		return -1
	}
	return m.key(&m.h[0].cur)
}

// collect appends to dst every item of key k (which must be peek()),
// each passed through take with its cursor's actor remapping.
func (m *runMerger[T]) collect(k int32, dst []T, take func(item *T, remap []int32) T) ([]T, error) {
	for len(m.h) > 0 && m.key(&m.h[0].cur) == k {
		c := m.h[0]
		for !c.done && m.key(&c.cur) == k {
			dst = append(dst, take(&c.cur, c.remap))
			if err := m.advance(c); err != nil {
				return nil, err
			}
		}
		if c.done {
			heap.Pop(m)
		} else {
			heap.Fix(m, 0)
		}
	}
	return dst, nil
}

// pairMerger yields, recording by recording, the merged pairs of every
// run, with global actor numbers, sorted by actor.
type pairMerger struct {
	*runMerger[pairAgg]
	maxEv int
	group []pairAgg
}

func newPairMerger(runs []runSource, remaps [][]int32, maxEv int) (*pairMerger, error) {
	m, err := newRunMerger(runs, remaps, func(r io.ByteReader, p *pairAgg) error { return p.decode(r) }, func(p *pairAgg) int32 { return p.rec })
	if err != nil {
		return nil, err
	}
	return &pairMerger{runMerger: m, maxEv: maxEv}, nil
}

// take returns the merged pairs of recording rec (which must be peek()),
// valid until the next call.
func (m *pairMerger) take(rec int32) ([]pairAgg, error) {
	g, err := m.collect(rec, m.group[:0], func(p *pairAgg, remap []int32) pairAgg {
		q := *p
		q.actor = remap[q.actor]
		q.spans = slices.Clone(p.spans)
		q.ev = slices.Clone(p.ev)
		return q
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(g, func(a, b pairAgg) int { return cmp.Compare(a.actor, b.actor) })
	out := g[:0]
	for i := range g {
		if len(out) > 0 && out[len(out)-1].actor == g[i].actor {
			out[len(out)-1].merge(&g[i], m.maxEv)
			continue
		}
		out = append(out, g[i])
	}
	m.group = g
	return out, nil
}
