package exposure

import (
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// Actor keys.
const (
	ActorByIP   = "ip"    // one actor per client address
	ActorByIPUA = "ip+ua" // one actor per client address and user agent
)

// DefaultHeaderBytes is subtracted from a bytes-on-the-wire count (Apache
// %O, nginx $bytes_sent, IIS sc-bytes) to estimate the body. Response
// headers for an audio file from Apache or nginx run 200 to 350 bytes; the
// low estimate keeps a complete download from being counted as partial.
const DefaultHeaderBytes = 150

// DefaultShardMemory is the default for Options.ShardMemory.
const DefaultShardMemory = 64 << 20

// maxEvidenceCap bounds Options.MaxEvidence.
const maxEvidenceCap = 32

// Options configure an Engine. The zero value works: actors by IP, no
// attribution, no proxies trusted, coverage gap chosen from the traffic.
type Options struct {
	// ActorKey is ActorByIP (default) or ActorByIPUA.
	ActorKey string
	// Proxies decides which address of a forwarded chain is the client.
	Proxies ClientResolver
	// Geo, UserAgents and Actors attribute actors; each may be nil.
	Geo        GeoLookup
	UserAgents UserAgentParser
	Actors     ActorDirectory
	// HeaderBytes is subtracted from wire byte counts; 0 means
	// DefaultHeaderBytes.
	HeaderBytes int64
	// MaxEvidence bounds the input:line references kept per recording
	// and actor, and per folder and actor; 0 means 8, at most 32. The
	// references kept are the first in (input name, line) order, so they
	// do not depend on how records were spread over shards.
	MaxEvidence int
	// ExposedFrom and ExposedTo bound the time the server was open. Zero
	// values mean the first recording's availability and the last log line.
	ExposedFrom, ExposedTo time.Time
	// Gap is the shortest silence in a log source that counts as a gap in
	// coverage; 0 chooses it from the traffic (see Coverage).
	Gap time.Duration
	// TrustedCategories are actor categories whose access is not an
	// exposure: the controller's own systems. Their rows stay in the
	// exposures output, with their category, but they raise no recording's
	// or person's level. Nil means CategoryAuthorized and CategoryInternal;
	// an empty non-nil slice trusts no one.
	TrustedCategories []string
	// InputOrder lists the inputs in reading order (rotated sets oldest
	// first, as logparse.ExpandInputs gives them). When set, overlaps
	// between consecutive inputs of a source (copytruncate leftovers) are
	// found and counted once; see Overlap. Evidence references are ordered
	// by input name; inputs not listed here are numbered as they come,
	// which makes the evidence kept for them depend on scheduling.
	InputOrder []string
	// SourceOf names the log source (a rotated set) an input belongs to;
	// nil means each input is its own source.
	SourceOf func(input string) string
	// ShardMemory bounds the memory each Shard uses for the requests it
	// has seen (recording requests and listings); beyond it, the shard
	// sorts what it holds and writes it to a run file in TempDir, merged
	// by Finish. 0 means DefaultShardMemory.
	ShardMemory int
	// PersonOrder, when set, orders the persons output by the key it
	// gives each subject ID (ties by ID) instead of by ID: with keyed
	// pseudonyms, an order that owes nothing to the numbers (birth dates).
	PersonOrder func(subjectID string) uint64
	// ListingServer is the server whose listings the logs record, as far
	// as it decides what a listing's query shows (Apache's ?P= filter,
	// Caddy's pages); ListingServerUnknown (the zero value) reads a query
	// every way and flags what only some readings show. See ListingView.
	ListingServer ListingServer
	// TempDir holds the run files; "" means os.TempDir(). Run files hold
	// recording and actor numbers, times and line numbers: no personal
	// data. They are removed by Finish (or Close).
	TempDir string
}

// An Engine correlates log records with a recording index. Observe records
// through Shards, one per goroutine, then call Finish once.
//
// Memory: the engine holds per-actor state (it grows with the distinct
// clients) and, per shard, a bounded buffer of requests (Options.ShardMemory)
// that spills sorted runs to disk; nothing grows with the number of lines.
type Engine struct {
	ix    *Index
	opt   Options
	sizes []int64 // recording sizes, read once: the hot path needs only them
	// rotated gives the overlap roles of inputs with a neighbour in their
	// rotated set; nil when no input has one.
	rotated map[string]uint8

	// inputs numbers input names; evidence references carry the number.
	inMu     sync.Mutex
	inputIDs map[string]uint32
	inputs   []string

	runMu  sync.Mutex
	shards []*Shard
	files  []string // run files to remove

	// views numbers the listing views that do not show a whole folder
	// (a filter or a page); view 0 shows everything.
	viewMu  sync.Mutex
	viewIDs map[string]uint32
	views   []ListingView
	huge    *hugeRegions // sizes, advised for huge pages (see largeSlice)
}

// viewID returns the number of the listing view a query asks for: 0 when
// it shows every entry of any folder (no query, a sort only), else the
// engine-wide number of the view.
func (s *Shard) viewID(query string) uint32 {
	if query == "" {
		return 0
	}
	if id, ok := s.viewCache[query]; ok {
		return id
	}
	v := ParseListingView(query)
	v.Server = s.e.opt.ListingServer
	v.CaseBlind = s.e.ix.mapper.FoldCase
	var id uint32
	if v.Pattern != "" && v.Server != ListingServerPlain && v.Server != ListingServerCaddy ||
		(v.Offset > 0 || v.Limit > 0) && v.Server != ListingServerPlain && v.Server != ListingServerApache {
		e := s.e
		e.viewMu.Lock()
		if e.viewIDs == nil {
			e.viewIDs = map[string]uint32{}
			e.views = []ListingView{{}}
		}
		var ok bool
		if id, ok = e.viewIDs[query]; !ok {
			id = uint32(len(e.views))
			e.viewIDs[strings.Clone(query)] = id
			e.views = append(e.views, v)
		}
		e.viewMu.Unlock()
	}
	if s.viewCache == nil {
		s.viewCache = map[string]uint32{}
	}
	if len(s.viewCache) < maxViewCache {
		s.viewCache[strings.Clone(query)] = id
	}
	return id
}

// maxViewCache bounds a shard's cache of listing queries (a crawler may
// send endless ones).
const maxViewCache = 1 << 12

// NewEngine returns an engine for the index.
func NewEngine(ix *Index, opt Options) *Engine {
	if opt.ActorKey == "" {
		opt.ActorKey = ActorByIP
	}
	if opt.HeaderBytes == 0 {
		opt.HeaderBytes = DefaultHeaderBytes
	}
	if opt.TrustedCategories == nil {
		opt.TrustedCategories = []string{CategoryAuthorized, CategoryInternal}
	}
	if opt.MaxEvidence <= 0 {
		opt.MaxEvidence = 8
	}
	opt.MaxEvidence = min(opt.MaxEvidence, maxEvidenceCap)
	if opt.ShardMemory <= 0 {
		opt.ShardMemory = DefaultShardMemory
	}
	if opt.TempDir == "" {
		opt.TempDir = os.TempDir()
	}
	e := &Engine{ix: ix, opt: opt, inputIDs: map[string]uint32{}, huge: &hugeRegions{}}
	e.sizes = largeSlice[int64](e.huge, ix.Len(), ix.Len())
	releaseWith(e, e.huge)
	e.rotated = rotationRoles(opt.InputOrder, e.sourceOf)
	for i := range e.sizes {
		e.sizes[i] = ix.Size(i)
	}
	names := slices.Clone(opt.InputOrder)
	slices.Sort(names)
	names = slices.Compact(names)
	for _, n := range names {
		e.inputIDs[n] = uint32(len(e.inputs))
		e.inputs = append(e.inputs, n)
	}
	return e
}

// inputID numbers an input name.
func (e *Engine) inputID(name string) uint32 {
	e.inMu.Lock()
	defer e.inMu.Unlock()
	id, ok := e.inputIDs[name]
	if !ok {
		name = strings.Clone(name)
		id = uint32(len(e.inputs))
		e.inputIDs[name] = id
		e.inputs = append(e.inputs, name)
	}
	return id
}

// An evRef points at one log line: input number << lineBits | line. Its
// order is (input name, line) for inputs named in Options.InputOrder.
type evRef uint64

const lineBits = 40

func makeRef(input uint32, line int64) evRef {
	if line < 0 {
		line = 0
	}
	if line >= 1<<lineBits {
		line = 1<<lineBits - 1
	}
	return evRef(uint64(input)<<lineBits | uint64(line))
}

func (r evRef) input() uint32 { return uint32(r >> lineBits) }
func (r evRef) line() int64   { return int64(r & (1<<lineBits - 1)) }

type actorKey struct {
	addr netip.Addr
	host string // a logged host name when there is no address
	ua   string // with ActorByIPUA only
}

type uaCount struct {
	ua uint32 // the shard's user-agent number
	n  int64
}

// actorState is what a shard knows of one actor: no pointers, so that the
// garbage collector has nothing to scan in the actor table.
type actorState struct {
	first, last  int64 // Unix nanoseconds, 0 when untimed
	requests     int64
	listingViews int64
	nUAs         uint8
	uas          [maxUAs]uaCount // the most seen user agents, at most maxUAs
	otherUAs     int64           // requests with a user agent beyond maxUAs
}

const maxUAs = 8

// Stats counts what the engine saw.
type Stats struct {
	Records         int64 `json:"records"`          // records observed
	Untimed         int64 `json:"untimed"`          // records without a time
	RecordingHits   int64 `json:"recording_hits"`   // requests for a recording
	ListingRequests int64 `json:"listing_requests"` // successful directory listings
	OtherRequests   int64 `json:"other_requests"`   // requests for anything else
	// GeoLookupErrors counts the actors whose GeoIP lookup failed
	// (Options.Geo returned an error): their place is unknown.
	GeoLookupErrors int64 `json:"geo_lookup_errors,omitempty"`
	// SpilledRuns counts the sorted runs written to TempDir. It depends
	// on the memory settings and the workers, so it is kept out of the
	// JSON outputs (which must not).
	SpilledRuns int64 `json:"-"`
}

func (s *Stats) add(o Stats) {
	s.Records += o.Records
	s.Untimed += o.Untimed
	s.RecordingHits += o.RecordingHits
	s.ListingRequests += o.ListingRequests
	s.OtherRequests += o.OtherRequests
	s.SpilledRuns += o.SpilledRuns
}

// A Shard observes records for one goroutine. Shards are merged by Finish.
// A Shard is not safe for concurrent use; different shards of one engine
// are.
type Shard struct {
	e         *Engine
	actors    map[actorKey]int32
	actorKeys []actorKey
	// The last actor and user agent seen: a log's consecutive lines are
	// mostly one client's (60% on the incident benchmark), which then
	// skip the maps. lastActor is -1 before the first.
	lastActor int32
	lastUA    uint32
	actorArr  []actorState
	uaIDs     map[string]uint32
	uaNames   []string
	uaMore    map[uint64]int64      // actor<<32 | user agent -> requests, beyond uas
	cover     map[string]*minuteSet // by input
	stats     Stats

	lastInput string // the input of lastSet and lastID, a one-entry cache
	lastSet   *minuteSet
	lastID    uint32

	pairs     pairBuffer
	listings  listingBuffer
	viewCache map[string]uint32 // query -> view number

	scratch [4]byteRange
	xff     []netip.Addr

	tracer overlapTracer
}

// NewShard returns a shard for one goroutine.
func (e *Engine) NewShard() *Shard {
	s := &Shard{
		e:         e,
		actors:    make(map[actorKey]int32),
		uaIDs:     make(map[string]uint32),
		lastActor: -1,
		cover:     make(map[string]*minuteSet),
	}
	s.pairs.limit = max(e.opt.ShardMemory*3/4/pairEventSize, 1024)
	s.listings.limit = max(e.opt.ShardMemory/4/listingEventSize, 1024)
	s.tracer = newOverlapTracer(e.rotated)
	e.runMu.Lock()
	e.shards = append(e.shards, s)
	e.runMu.Unlock()
	return s
}

// Observe takes one record into account. It keeps nothing that aliases
// the record, so a reused record may be passed. It does not allocate for a
// request of a recording by a known actor with a known user agent.
func (s *Shard) Observe(rec *logparse.Record) {
	s.stats.Records++
	var t int64
	if rec.Time.IsZero() {
		s.stats.Untimed++
	} else {
		s.coverage(rec.Source).add(rec.Time)
		t = rec.Time.UnixNano()
	}
	idx, ok := s.e.ix.Match(rec.Path)
	if !ok {
		if f, ok := s.listingFolder(rec); ok {
			s.stats.ListingRequests++
			a := s.actor(rec, t)
			s.actorArr[a].listingViews++
			s.listings.add(listingEvent{folder: int32(f), actor: a, t: t, ref: s.ref(rec), view: s.viewID(rec.Query)}, s)
			s.tracer.trace(rec, traceListing, pairKey{}, a)
			return
		}
		idx, ok = s.pathInfo(rec)
	}
	if !ok {
		s.stats.OtherRequests++
		a := int32(-1)
		if rec.Path != "" {
			// Record the actor's activity even for other paths: it says
			// who was looking around.
			a = s.actor(rec, t)
		}
		s.tracer.trace(rec, traceOther, pairKey{}, a)
		return
	}
	s.stats.RecordingHits++
	a := s.actor(rec, t)
	size := s.e.sizes[idx]
	d := classify(rec, size, s.e.opt.HeaderBytes, s.scratch[:0])
	ev := pairEvent{rec: int32(idx), actor: a, t: t, ref: s.ref(rec), kind: d.kind, unc: d.unc, extra: d.extra}
	if d.prior {
		ev.flags |= pfPrior
	}
	if d.spanKnown {
		ev.flags |= pfSpan
		ev.start, ev.end = d.span.Start, d.span.End
		if d.span.End < 0 {
			ev.flags |= pfWhole
		}
	}
	if d.kind == deliverContent && size <= 0 && rec.Status == 200 && d.unc&UncertainAborted == 0 {
		ev.flags |= pfWhole
	}
	s.pairs.add(ev, s)
	s.tracer.trace(rec, traceRecording, pairKey{int32(idx), a}, a)
}

// pathInfo finds the recording a request named with path info or a
// trailing slash after its file name ("x.wav/extra.mp3", "x.wav/"), when
// the answer's status and byte count fit that recording: Apache with
// AcceptPathInfo and lighttpd answer such requests with the file.
func (s *Shard) pathInfo(rec *logparse.Record) (int, bool) {
	if rec.Status != 200 && rec.Status != 206 || rec.Method != "GET" && rec.Method != "POST" {
		return 0, false
	}
	idx, ok := s.e.ix.MatchPathInfo(rec.Path)
	if !ok || !pathInfoDelivery(rec, s.e.sizes[idx], s.e.opt.HeaderBytes) {
		return 0, false
	}
	return idx, true
}

// ref returns the evidence reference of a record.
func (s *Shard) ref(rec *logparse.Record) evRef {
	if s.lastSet == nil || s.lastInput != rec.Source {
		s.coverage(rec.Source)
	}
	return makeRef(s.lastID, rec.Line)
}

// listingFolder reports whether rec is a successful directory listing of a
// folder of the index, and which.
func (s *Shard) listingFolder(rec *logparse.Record) (int, bool) {
	if !IsListing(rec, s.e.opt.HeaderBytes) {
		return 0, false
	}
	return s.e.ix.Folder(rec.Path)
}

// actor returns the shard-local index of the record's actor.
func (s *Shard) actor(rec *logparse.Record, t int64) int32 {
	var addr netip.Addr
	addr, s.xff = clientAddr(rec, s.e.opt.Proxies, s.xff[:0])
	k := actorKey{addr: addr}
	if !addr.IsValid() {
		k.host = rec.ClientHost
	}
	if s.e.opt.ActorKey == ActorByIPUA {
		k.ua = rec.UserAgent
	}
	i := s.lastActor
	if i < 0 || s.actorKeys[i] != k {
		var ok bool
		if i, ok = s.actors[k]; !ok {
			k.host, k.ua = strings.Clone(k.host), strings.Clone(k.ua)
			i = int32(len(s.actorArr))
			s.actors[k] = i
			s.actorKeys = append(s.actorKeys, k)
			s.actorArr = append(s.actorArr, actorState{})
		}
		s.lastActor = i
	}
	st := &s.actorArr[i]
	st.requests++
	seenNano(&st.first, &st.last, t)
	s.countUA(i, s.uaID(rec.UserAgent))
	return i
}

// maxUAPairs bounds the (actor, user agent) counts a shard keeps beyond
// each actor's first maxUAs user agents (a scanner may send a new user
// agent with every request); further ones are counted as other.
const maxUAPairs = 1 << 20

// countUA counts a request of actor a with user agent ua. Every count is
// kept (up to maxUAPairs), so the user agents an actor shows most do not
// depend on how records were spread over shards.
func (s *Shard) countUA(a int32, ua uint32) {
	st := &s.actorArr[a]
	for i := range st.uas[:st.nUAs] {
		if st.uas[i].ua == ua {
			st.uas[i].n++
			return
		}
	}
	if st.nUAs < maxUAs {
		st.uas[st.nUAs] = uaCount{ua, 1}
		st.nUAs++
		return
	}
	k := uint64(a)<<32 | uint64(ua)
	if _, ok := s.uaMore[k]; ok || len(s.uaMore) < maxUAPairs {
		if s.uaMore == nil {
			s.uaMore = make(map[uint64]int64)
		}
		s.uaMore[k]++
		return
	}
	st.otherUAs++
}

// uaID interns a user agent in the shard.
func (s *Shard) uaID(ua string) uint32 {
	if len(s.uaNames) > 0 && s.uaNames[s.lastUA] == ua {
		return s.lastUA
	}
	id, ok := s.uaIDs[ua]
	if !ok {
		ua = strings.Clone(ua)
		id = uint32(len(s.uaNames))
		s.uaIDs[ua] = id
		s.uaNames = append(s.uaNames, ua)
	}
	s.lastUA = id
	return id
}

// seenNano widens [first, last] to t; 0 is "no time".
func seenNano(first, last *int64, t int64) {
	if t == 0 {
		return
	}
	if *first == 0 || t < *first {
		*first = t
	}
	if *last == 0 || t > *last {
		*last = t
	}
}

func seen(first, last *time.Time, t time.Time) {
	if t.IsZero() {
		return
	}
	if first.IsZero() || t.Before(*first) {
		*first = t
	}
	if last.IsZero() || t.After(*last) {
		*last = t
	}
}

// nanoTime turns Unix nanoseconds back into a time in UTC; 0 is zero.
func nanoTime(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// appendForwarded parses an X-Forwarded-For chain without allocating
// beyond dst's capacity. An element that is not an address ("unknown", an
// obfuscated name) stays in place as the zero Addr, where ClientResolver
// stops: skipping it would let a client choose its address.
func appendForwarded(dst []netip.Addr, chain string) []netip.Addr {
	for chain != "" {
		var part string
		part, chain, _ = strings.Cut(chain, ",")
		part = strings.TrimSpace(part)
		var a netip.Addr
		if p, err := netip.ParseAddr(part); err == nil {
			a = p.Unmap()
		} else if ap, err := netip.ParseAddrPort(part); err == nil {
			a = ap.Addr().Unmap()
		} else if len(part) > 2 && part[0] == '[' {
			if p, err := netip.ParseAddr(strings.TrimSuffix(part[1:], "]")); err == nil {
				a = p.Unmap()
			}
		}
		dst = append(dst, a)
	}
	return dst
}
