package exposure

import (
	"hash/maphash"
	"net/netip"
	"strings"
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
	// and actor; 0 means 8.
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
	// found and counted once; see Overlap.
	InputOrder []string
	// SourceOf names the log source (a rotated set) an input belongs to;
	// nil means each input is its own source.
	SourceOf func(input string) string
}

// An Engine correlates log records with a recording index. Observe records
// through Shards, one per goroutine, then call Finish once.
type Engine struct {
	ix    *Index
	opt   Options
	sizes []int64 // recording sizes, read once: the hot path needs only them
	// rotated gives the overlap roles of inputs with a neighbour in their
	// rotated set; nil when no input has one.
	rotated map[string]uint8
}

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
	e := &Engine{ix: ix, opt: opt, sizes: make([]int64, ix.Len())}
	e.rotated = rotationRoles(opt.InputOrder, e.sourceOf)
	for i := range e.sizes {
		e.sizes[i] = ix.Size(i)
	}
	return e
}

// An evidenceRef points at one log line.
type evidenceRef struct {
	input string
	line  int64
}

type actorKey struct {
	addr netip.Addr
	host string // a logged host name when there is no address
	ua   string // with ActorByIPUA only
}

type uaCount struct {
	ua string
	n  int64
}

type actorState struct {
	key          actorKey
	first, last  time.Time
	requests     int64
	listingViews int64
	uas          []uaCount // the most seen user agents, at most maxUAs
	otherUAs     int64     // requests with a user agent beyond maxUAs
}

const maxUAs = 8

type pairKey struct{ rec, actor int32 }

type pairState struct {
	kind        deliveryKind
	spans       spanSet
	extra       int64 // bytes at unknown positions
	whole       bool  // a complete 200 of a file of unknown size
	unc         Uncertainty
	prior       bool
	viaListing  bool
	requests    int64
	first, last time.Time
	evidence    []evidenceRef
	moreEv      int64
}

type listingKey struct {
	dir   string
	actor int32
}

type listingState struct {
	times    []time.Time // distinct listing times, in log order
	evidence []evidenceRef
	moreEv   int64
}

// A Shard observes records for one goroutine. Shards are merged by Finish.
type Shard struct {
	e        *Engine
	actors   map[actorKey]int32
	actorArr []*actorState
	pairs    map[pairKey]*pairState
	listings map[listingKey]*listingState
	cover    map[string]*minuteSet // by input
	stats    Stats

	lastInput string // the input of lastSet, a one-entry cache
	lastSet   *minuteSet

	// matches caches Index.Match by request path: recordings found (it
	// grows with the recordings touched and their spellings) and, up to
	// maxMisses, paths that are none.
	matches map[string]int32
	misses  int

	scratch [4]byteRange
	xff     []netip.Addr

	traces     map[string]*inputTrace // by input, with Options.InputOrder
	hash       maphash.Hash
	traceSet   bool
	traceInput string // the input of curTrace and traceRole
	traceRole  uint8
	curTrace   *inputTrace
}

// maxMisses bounds the cached paths that match no recording (probes may
// be endless).
const maxMisses = 1 << 16

// match is Index.Match through the shard's cache.
func (s *Shard) match(path string) (int, bool) {
	if i, ok := s.matches[path]; ok {
		return int(i), i >= 0
	}
	i, ok := s.e.ix.Match(path)
	if !ok {
		if s.misses >= maxMisses {
			return 0, false
		}
		s.misses++
		i = -1
	}
	if s.matches == nil {
		s.matches = make(map[string]int32)
	}
	s.matches[strings.Clone(path)] = int32(i)
	return i, ok
}

// Stats counts what the engine saw.
type Stats struct {
	Records         int64 `json:"records"`          // records observed
	Untimed         int64 `json:"untimed"`          // records without a time
	RecordingHits   int64 `json:"recording_hits"`   // requests for a recording
	ListingRequests int64 `json:"listing_requests"` // successful directory listings
	OtherRequests   int64 `json:"other_requests"`   // requests for anything else
}

// NewShard returns a shard for one goroutine.
func (e *Engine) NewShard() *Shard {
	s := &Shard{
		e:        e,
		actors:   make(map[actorKey]int32),
		pairs:    make(map[pairKey]*pairState),
		listings: make(map[listingKey]*listingState),
		cover:    make(map[string]*minuteSet),
	}
	s.hash.SetSeed(fpSeed)
	return s
}

// Observe takes one record into account. It keeps nothing that aliases
// the record, so a reused record may be passed. It does not allocate for a
// request of a recording by a known actor once that pair has been seen.
func (s *Shard) Observe(rec *logparse.Record) {
	s.stats.Records++
	if rec.Time.IsZero() {
		s.stats.Untimed++
	} else {
		s.coverage(rec.Source).add(rec.Time)
	}
	idx, ok := s.match(rec.Path)
	if !ok {
		if s.isListing(rec) {
			s.stats.ListingRequests++
			a := s.actor(rec)
			s.actorArr[a].listingViews++
			s.listing(rec, a)
			s.trace(rec, traceListing, pairKey{}, a)
			return
		}
		s.stats.OtherRequests++
		a := int32(-1)
		if rec.Path != "" {
			// Record the actor's activity even for other paths: it says
			// who was looking around.
			a = s.actor(rec)
		}
		s.trace(rec, traceOther, pairKey{}, a)
		return
	}
	s.stats.RecordingHits++
	a := s.actor(rec)
	size := s.e.sizes[idx]
	d := classify(rec, size, s.e.opt.HeaderBytes, s.scratch[:0])
	k := pairKey{int32(idx), a}
	p := s.pairs[k]
	if p == nil {
		p = &pairState{}
		s.pairs[k] = p
	}
	p.requests++
	if d.kind > p.kind {
		p.kind = d.kind
	}
	p.unc |= d.unc
	p.prior = p.prior || d.prior
	if d.spanKnown {
		p.spans = p.spans.add(d.span.Start, d.span.End)
		if d.span.End < 0 {
			p.whole = true
		}
	}
	p.extra += d.extra
	if d.kind == deliverContent && size <= 0 && rec.Status == 200 && d.unc&UncertainAborted == 0 {
		p.whole = true
	}
	seen(&p.first, &p.last, rec.Time)
	if len(p.evidence) < s.e.opt.MaxEvidence {
		p.evidence = append(p.evidence, evidenceRef{rec.Source, rec.Line})
	} else {
		p.moreEv++
	}
	s.trace(rec, traceRecording, k, a)
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

// isListing reports whether rec is a successful directory listing of a
// folder of the index.
func (s *Shard) isListing(rec *logparse.Record) bool {
	if rec.Method != "GET" && rec.Method != "POST" {
		return false
	}
	if rec.Status != 200 {
		return false
	}
	if rec.BodyBytes == 0 || (rec.BodyBytes == logparse.NotLogged && rec.WireBytes != logparse.NotLogged && rec.WireBytes <= s.e.opt.HeaderBytes) {
		return false
	}
	if !IsListingRequest(rec.Path, rec.Query) {
		return false
	}
	return s.e.ix.HasDir(rec.Path)
}

func (s *Shard) listing(rec *logparse.Record, a int32) {
	// Index.Dir maps the path itself: normalise without the mapper here.
	dir := NormalizePath(rec.Path, PathMapper{})
	k := listingKey{dir, a}
	l := s.listings[k]
	if l == nil {
		// The path may alias a reused line buffer: keep a copy.
		k.dir = strings.Clone(k.dir)
		l = &listingState{}
		s.listings[k] = l
	}
	if !rec.Time.IsZero() && (len(l.times) == 0 || !l.times[len(l.times)-1].Equal(rec.Time)) {
		l.times = append(l.times, rec.Time)
	}
	if len(l.evidence) < s.e.opt.MaxEvidence {
		l.evidence = append(l.evidence, evidenceRef{rec.Source, rec.Line})
	} else {
		l.moreEv++
	}
}

// actor returns the shard-local index of the record's actor.
func (s *Shard) actor(rec *logparse.Record) int32 {
	addr := rec.Client
	if rec.ForwardedFor != "" && len(s.e.opt.Proxies.Trusted) > 0 {
		s.xff = appendForwarded(s.xff[:0], rec.ForwardedFor)
		addr = s.e.opt.Proxies.Client(addr, s.xff)
	}
	k := actorKey{addr: addr}
	if !addr.IsValid() {
		k.host = rec.ClientHost
	}
	if s.e.opt.ActorKey == ActorByIPUA {
		k.ua = rec.UserAgent
	}
	i, ok := s.actors[k]
	if !ok {
		k.host, k.ua = strings.Clone(k.host), strings.Clone(k.ua)
		i = int32(len(s.actorArr))
		s.actors[k] = i
		s.actorArr = append(s.actorArr, &actorState{key: k})
	}
	st := s.actorArr[i]
	st.requests++
	seen(&st.first, &st.last, rec.Time)
	st.countUA(rec.UserAgent)
	return i
}

func (a *actorState) countUA(ua string) {
	for i := range a.uas {
		if a.uas[i].ua == ua {
			a.uas[i].n++
			return
		}
	}
	if len(a.uas) < maxUAs {
		a.uas = append(a.uas, uaCount{strings.Clone(ua), 1})
		return
	}
	a.otherUAs++
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
