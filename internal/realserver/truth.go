package realserver

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A Level is how much of a recording an actor obtained.
type Level int

// Levels, weakest first, as the domain defines them.
const (
	LevelNone     Level = iota // nothing
	LevelMetadata              // the name in a listing, a HEAD, a 304, a 416
	LevelPartial               // some of the bytes
	LevelFull                  // every byte
)

// String returns "none", "metadata", "partial" or "full", the names the
// analyzer writes.
func (l Level) String() string {
	switch l {
	case LevelMetadata:
		return "metadata"
	case LevelPartial:
		return "partial"
	case LevelFull:
		return "full"
	}
	return "none"
}

// MarshalText writes the level's name, as in JSON.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// ParseLevel is the inverse of Level.String; ok is false for other names.
func ParseLevel(s string) (Level, bool) {
	for l := LevelNone; l <= LevelFull; l++ {
		if l.String() == s {
			return l, true
		}
	}
	return LevelNone, false
}

// An Exchange is one request an actor made and what the client saw of the
// response.
type Exchange struct {
	Step   string     // the scenario step ("full-get", "ranges-1", ...)
	Actor  netip.Addr // the X-Forwarded-For address sent
	Time   time.Time  // when the request was sent
	Method string
	Target string // the request target exactly as sent
	// Range is the Range header sent, if any.
	Range string
	// Raw is set when the request went over a raw connection, bypassing
	// Go's URL handling; Curl when curl made it.
	Raw    bool
	Curl   bool
	Status int
	// Proto is the response's protocol as the client saw it ("HTTP/1.1",
	// "HTTP/2.0").
	Proto string
	// BodyBytes is the number of body bytes the client read.
	BodyBytes    int64
	ContentRange string
	ETag         string
	LastModified string
	// Parts holds the byte ranges of a multipart/byteranges response, as
	// the client read them.
	Parts []Part
	// Aborted is set when the client closed the connection before the
	// end of the body.
	Aborted bool
	// Recording is the path of the recording the request was for, "" for
	// listings and probes of things that are not recordings. PathInfo is
	// set when the target named it with something after its file name
	// and the body was the recording's bytes.
	Recording string
	PathInfo  bool
	// Listing is set when the response was a directory listing; Listed
	// holds the recordings whose names it showed, in order of appearance.
	Listing bool
	Listed  []string
}

// A Part is one part of a multipart/byteranges response: N bytes from
// offset From.
type Part struct {
	From, N int64
}

type span struct{ from, to int64 } // [from, to)

type observation struct {
	spans []span
	meta  bool
}

type pairKey struct {
	actor netip.Addr
	path  string
}

// Truth is what every actor received, recorded on the client side.
type Truth struct {
	Tree      *Tree
	Exchanges []Exchange
	obs       map[pairKey]*observation
}

// NewTruth returns an empty Truth for tree.
func NewTruth(tree *Tree) *Truth {
	return &Truth{Tree: tree, obs: map[pairKey]*observation{}}
}

func (t *Truth) observe(actor netip.Addr, path string) *observation {
	k := pairKey{actor, path}
	o := t.obs[k]
	if o == nil {
		o = &observation{}
		t.obs[k] = o
	}
	return o
}

// Add records an exchange and what it gave its actor.
func (t *Truth) Add(ex Exchange) {
	t.Exchanges = append(t.Exchanges, ex)
	for _, p := range ex.Listed {
		t.observe(ex.Actor, p).meta = true
	}
	if ex.Recording == "" {
		return
	}
	switch {
	case ex.Status == 304:
		t.observe(ex.Actor, ex.Recording).meta = true
	case ex.Method == "HEAD" && ex.Status == 200:
		t.observe(ex.Actor, ex.Recording).meta = true
	case ex.Status == 416:
		// Range Not Satisfiable: the client learned that the file exists,
		// as from a HEAD, and from nginx and Caddy its size too
		// ("Content-Range: bytes */SIZE"; Apache 2.4 and lighttpd send
		// none).
		t.observe(ex.Actor, ex.Recording).meta = true
	case ex.Method == "GET" && ex.Status == 200 && ex.BodyBytes > 0:
		o := t.observe(ex.Actor, ex.Recording)
		o.spans = append(o.spans, span{0, ex.BodyBytes})
	case ex.Method == "GET" && ex.Status == 206 && len(ex.Parts) > 0:
		o := t.observe(ex.Actor, ex.Recording)
		for _, p := range ex.Parts {
			o.spans = append(o.spans, span{p.From, p.From + p.N})
		}
	case ex.Method == "GET" && ex.Status == 206 && ex.BodyBytes > 0:
		from, ok := contentRangeStart(ex.ContentRange)
		if !ok {
			panic("realserver: 206 without a single Content-Range (multipart is not scripted)")
		}
		o := t.observe(ex.Actor, ex.Recording)
		o.spans = append(o.spans, span{from, from + ex.BodyBytes})
	}
}

// contentRangeStart returns a from "bytes a-b/n".
func contentRangeStart(cr string) (int64, bool) {
	rest, ok := strings.CutPrefix(cr, "bytes ")
	if !ok {
		return 0, false
	}
	a, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(a, 10, 64)
	return n, err == nil
}

// Covered returns how many distinct bytes of the recording at path the
// actor received.
func (t *Truth) Covered(actor netip.Addr, path string) int64 {
	o := t.obs[pairKey{actor, path}]
	if o == nil {
		return 0
	}
	return union(o.spans)
}

func union(spans []span) int64 {
	s := slices.Clone(spans)
	slices.SortFunc(s, func(a, b span) int { return cmp.Compare(a.from, b.from) })
	var n, end int64
	for _, x := range s {
		if x.from > end {
			end = x.from
		}
		if x.to > end {
			n += x.to - end
			end = x.to
		}
	}
	return n
}

// RecordingLevel returns the level the actor reached on the recording at
// path.
func (t *Truth) RecordingLevel(actor netip.Addr, path string) Level {
	o := t.obs[pairKey{actor, path}]
	if o == nil {
		return LevelNone
	}
	rec, ok := t.Tree.ByPath(path)
	if !ok {
		panic("realserver: observation of a path outside the tree")
	}
	switch n := union(o.spans); {
	case n >= rec.Size:
		return LevelFull
	case n > 0:
		return LevelPartial
	case o.meta:
		return LevelMetadata
	}
	return LevelNone
}

// A Pair is one (recording, actor) with the level the actor reached.
type Pair struct {
	Path  string
	Actor netip.Addr
	Level Level
}

func (p Pair) String() string {
	return fmt.Sprintf("%s by %s: %s", p.Path, p.Actor, p.Level)
}

// Pairs returns every (recording, actor) pair with a level above none,
// sorted by path and actor.
func (t *Truth) Pairs() []Pair {
	var out []Pair
	for k := range t.obs {
		if l := t.RecordingLevel(k.actor, k.path); l > LevelNone {
			out = append(out, Pair{k.path, k.actor, l})
		}
	}
	slices.SortFunc(out, func(a, b Pair) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), a.Actor.Compare(b.Actor))
	})
	return out
}

// RecordingLevels returns every recording's highest level over all actors,
// by path; recordings nobody reached are LevelNone.
func (t *Truth) RecordingLevels() map[string]Level {
	out := map[string]Level{}
	for _, r := range t.Tree.Recordings {
		out[r.Path] = LevelNone
	}
	for _, p := range t.Pairs() {
		out[p.Path] = max(out[p.Path], p.Level)
	}
	return out
}

// SubjectLevels returns every subject's highest level over the recordings
// that name it, by personnummer as written in the index.
func (t *Truth) SubjectLevels() map[string]Level {
	recs := t.RecordingLevels()
	out := map[string]Level{}
	for _, r := range t.Tree.Recordings {
		for _, s := range r.Subjects {
			out[s.Number] = max(out[s.Number], recs[r.Path])
		}
	}
	return out
}

// Actors returns the actors that made requests, sorted.
func (t *Truth) Actors() []netip.Addr {
	var out []netip.Addr
	for _, ex := range t.Exchanges {
		if !slices.Contains(out, ex.Actor) {
			out = append(out, ex.Actor)
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out
}
