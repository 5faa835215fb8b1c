package exposure

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// Rotated files may overlap: with logrotate's copytruncate, lines written
// between the copy and the truncation can stand both at the end of
// access.log.1 and at the start of access.log. Levels, byte ranges and
// coverage are not changed by a line seen twice, but request counts and
// evidence are. The engine fingerprints the first and last overlapWindow
// records of every input and, at Finish, counts once the records at the
// start of an input that repeat the end of the input before it in the same
// source (Options.InputOrder gives the order).
const overlapWindow = 1024

// An Overlap is a run of records at the start of Input that repeat the
// last records of With, the input before it in the same rotated set. They
// were counted once.
type Overlap struct {
	Input     string `json:"input"`
	With      string `json:"with"`
	Records   int    `json:"records"`
	FirstLine int64  `json:"first_line"`
	LastLine  int64  `json:"last_line"`
}

type traceKind uint8

const (
	traceOther traceKind = iota
	traceRecording
	traceListing
)

// headEntry is one of the first records of an input and what it counted.
type headEntry struct {
	line  int64
	fp    uint64
	kind  traceKind
	pair  pairKey // traceRecording: shard-local until merged
	actor int32   // -1: none
}

type tailEntry struct {
	line int64
	fp   uint64
}

// inputTrace holds an input's first and last records' fingerprints.
type inputTrace struct {
	head []headEntry
	tail [overlapWindow]tailEntry
	n    int // records seen by this shard (the ring holds min(n, window))
}

var fpSeed = maphash.MakeSeed()

// fingerprint identifies a record by what the server logged.
func (tr *overlapTracer) fingerprint(rec *logparse.Record) uint64 {
	h := &tr.hash
	h.Reset()
	var b [8 + 4 + 16 + 8 + 8 + 8]byte
	binary.LittleEndian.PutUint64(b[0:], uint64(rec.Time.Unix()))
	binary.LittleEndian.PutUint32(b[8:], uint32(rec.Time.Nanosecond()))
	a := rec.Client.As16()
	copy(b[12:], a[:])
	binary.LittleEndian.PutUint64(b[28:], uint64(rec.Status))
	binary.LittleEndian.PutUint64(b[36:], uint64(rec.BodyBytes))
	binary.LittleEndian.PutUint64(b[44:], uint64(rec.WireBytes))
	h.Write(b[:])
	for _, str := range [...]string{rec.ClientHost, rec.Method, rec.Target, rec.Range, rec.Referer, rec.UserAgent, rec.ForwardedFor} {
		h.WriteString(str)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// An overlapTracer keeps, for one shard, the fingerprints of the first
// and last records of every input that has a neighbour in its rotated set
// (Options.InputOrder), and what each of the first ones counted. It is
// nil-free: a tracer with no rotated inputs does nothing.
type overlapTracer struct {
	rotated map[string]uint8       // overlap roles by input; nil: none
	traces  map[string]*inputTrace // by input
	hash    maphash.Hash
	set     bool
	input   string // the input of cur and role
	role    uint8
	cur     *inputTrace
}

func newOverlapTracer(rotated map[string]uint8) overlapTracer {
	tr := overlapTracer{rotated: rotated}
	tr.hash.SetSeed(fpSeed)
	return tr
}

// trace records what a record counted, for overlap correction.
func (tr *overlapTracer) trace(rec *logparse.Record, kind traceKind, pair pairKey, actor int32) {
	if tr.rotated == nil {
		return
	}
	if !tr.set || tr.input != rec.Source {
		tr.set, tr.input = true, rec.Source
		tr.role = tr.rotated[rec.Source]
		tr.cur = nil
		if tr.role != 0 {
			tr.cur = tr.traces[rec.Source]
			if tr.cur == nil {
				tr.cur = &inputTrace{}
				if tr.traces == nil {
					tr.traces = make(map[string]*inputTrace)
				}
				tr.traces[strings.Clone(rec.Source)] = tr.cur
			}
		}
	}
	t := tr.cur
	if t == nil {
		return // an input with no neighbour in its rotated set
	}
	head := tr.role&roleHead != 0 && rec.Line <= overlapWindow
	tail := tr.role&roleTail != 0
	if !head && !tail {
		return
	}
	fp := tr.fingerprint(rec)
	if head {
		t.head = append(t.head, headEntry{rec.Line, fp, kind, pair, actor})
	}
	if tail {
		t.tail[t.n%overlapWindow] = tailEntry{rec.Line, fp}
		t.n++
	}
}

// Roles of an input in its rotated set: its head is compared with the
// input before it, its tail with the input after it.
const (
	roleHead = 1 << iota
	roleTail
)

// rotationRoles returns the roles of the inputs that have a neighbour in
// their source, or nil when none has.
func rotationRoles(order []string, sourceOf func(string) string) map[string]uint8 {
	var roles map[string]uint8
	for i := 1; i < len(order); i++ {
		if sourceOf(order[i-1]) != sourceOf(order[i]) {
			continue
		}
		if roles == nil {
			roles = make(map[string]uint8)
		}
		roles[order[i-1]] |= roleTail
		roles[order[i]] |= roleHead
	}
	return roles
}

// mergedTrace is an input's trace over all shards, in line order.
type mergedTrace struct {
	head []headEntry
	tail []tailEntry
}

// mergeTraces gathers a shard's traces, remapping actors to global ones.
func mergeTraces(traces map[string]*mergedTrace, s *Shard, remap []int32) {
	for input, t := range s.tracer.traces {
		mt := traces[input]
		if mt == nil {
			mt = &mergedTrace{}
			traces[input] = mt
		}
		for _, h := range t.head {
			if h.actor >= 0 {
				h.actor = remap[h.actor]
				h.pair.actor = h.actor
			}
			mt.head = append(mt.head, h)
		}
		n := min(t.n, overlapWindow)
		for i := range n {
			mt.tail = append(mt.tail, t.tail[(t.n-n+i)%overlapWindow])
		}
	}
}

// correctOverlaps finds overlaps between consecutive inputs of a source
// and takes the repeated records out of the counts: request counts of
// pairs and actors here, listings and evidence as the runs are merged.
func (d *decider) correctOverlaps(traces map[string]*mergedTrace) {
	e := d.e
	order := e.opt.InputOrder
	for i := 1; i < len(order); i++ {
		prev, cur := order[i-1], order[i]
		if e.sourceOf(prev) != e.sourceOf(cur) {
			continue
		}
		a, b := traces[prev], traces[cur]
		if a == nil || b == nil {
			continue
		}
		slices.SortFunc(a.tail, func(x, y tailEntry) int { return cmp.Compare(x.line, y.line) })
		if len(a.tail) > overlapWindow {
			a.tail = a.tail[len(a.tail)-overlapWindow:]
		}
		slices.SortFunc(b.head, func(x, y headEntry) int { return cmp.Compare(x.line, y.line) })
		k := longestOverlap(a.tail, b.head)
		if k == 0 {
			continue
		}
		for _, h := range b.head[:k] {
			d.stats.Records--
			switch h.kind {
			case traceRecording:
				d.stats.RecordingHits--
				if d.pairDec == nil {
					d.pairDec = map[pairKey]int64{}
				}
				d.pairDec[h.pair]++
			case traceListing:
				d.stats.ListingRequests--
				d.actors[h.actor].listingViews--
			default:
				d.stats.OtherRequests--
			}
			if h.actor >= 0 {
				d.actors[h.actor].requests--
			}
		}
		o := Overlap{Input: cur, With: prev, Records: k, FirstLine: b.head[0].line, LastLine: b.head[k-1].line}
		d.rep.Overlaps = append(d.rep.Overlaps, o)
		id := e.inputID(cur)
		d.dropped = append(d.dropped, [2]evRef{makeRef(id, o.FirstLine), makeRef(id, o.LastLine)})
	}
}

// isDropped reports whether a reference is a line of an overlap.
func (d *decider) isDropped(r evRef) bool {
	for _, rg := range d.dropped {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}

// longestOverlap returns the largest k such that the last k entries of
// tail equal the first k of head.
func longestOverlap(tail []tailEntry, head []headEntry) int {
	for k := min(len(tail), len(head)); k > 0; k-- {
		match := true
		for i := range k {
			if tail[len(tail)-k+i].fp != head[i].fp {
				match = false
				break
			}
		}
		if match {
			return k
		}
	}
	return 0
}

func (e *Engine) sourceOf(input string) string {
	if e.opt.SourceOf != nil {
		return e.opt.SourceOf(input)
	}
	return input
}
