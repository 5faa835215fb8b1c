package demogen

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Exposure levels, as the domain defines them.
const (
	LevelFull           = "full"
	LevelPartial        = "partial"
	LevelMetadata       = "metadata"
	LevelNone           = "none"
	LevelUndeterminable = "undeterminable"
)

// rank orders levels for "highest": proven exposure first, then
// undeterminable (no log covers a time the recording existed), then none.
var rank = map[string]int{LevelNone: 0, LevelUndeterminable: 1, LevelMetadata: 2, LevelPartial: 3, LevelFull: 4}

func higher(a, b string) string {
	if rank[b] > rank[a] {
		return b
	}
	return a
}

var levelOrder = []string{LevelFull, LevelPartial, LevelMetadata, LevelUndeterminable, LevelNone}

// Expected is the truth of the demo by construction (expected.json).
type Expected struct {
	Note           string         `json:"note"`
	Seed           uint64         `json:"seed"`
	ExposureWindow Span           `json:"exposure_window"`
	Coverage       []Span         `json:"coverage"`
	Logs           []*logFile     `json:"logs"`
	TrustedProxies []string       `json:"trusted_proxies"`
	Totals         Totals         `json:"totals"`
	Actors         []ActorTruth   `json:"actors"`
	Recordings     []RecTruth     `json:"recordings"`
	Subjects       []SubjectTruth `json:"subjects"`
	Phones         []PhoneTruth   `json:"phones"`
}

// Span is a time interval [Start, End).
type Span struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Totals counts recordings, persons, children and phone numbers by level.
type Totals struct {
	Recordings        int            `json:"recordings"`
	RecordingsByLevel map[string]int `json:"recordings_by_level"`
	Persons           int            `json:"persons"`
	PersonsByLevel    map[string]int `json:"persons_by_level"`
	ChildrenByLevel   map[string]int `json:"children_by_level"`
	Phones            int            `json:"phones"`
	PhonesByLevel     map[string]int `json:"phones_by_level"`
}

// ActorTruth is one actor and what it reached.
type ActorTruth struct {
	ID                string         `json:"id"`
	Label             string         `json:"label,omitempty"`
	Category          string         `json:"category"`
	Addresses         []string       `json:"addresses"`
	Story             string         `json:"story"`
	Requests          int            `json:"requests"`
	RecordingsByLevel map[string]int `json:"recordings_by_level"`
}

// RecTruth is one recording: its level over the actors that are not
// authorized, whether it existed while no log covered, and each actor's
// level.
type RecTruth struct {
	Path      string            `json:"path"`
	CallID    string            `json:"call_id"`
	Level     string            `json:"level"`
	Uncovered bool              `json:"existed_uncovered"`
	Actors    map[string]string `json:"actors,omitempty"`
	Ranges    map[string][]Rng  `json:"ranges,omitempty"`
}

// Rng is a byte range [From, To) of a file that an actor received.
type Rng struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// SubjectTruth is one person: the highest level of their recordings.
type SubjectTruth struct {
	ID         string   `json:"id"`
	Kind       IDKind   `json:"kind"`
	Child      bool     `json:"child"`
	Level      string   `json:"level"`
	Recordings []string `json:"recordings"`
}

// PhoneTruth is one phone number in file names: the highest level of the
// recordings whose names hold it (a listing reveals it).
type PhoneTruth struct {
	Phone      string `json:"phone"`
	Level      string `json:"level"`
	Recordings int    `json:"recordings"`
}

const expectedNote = "Truth by construction of the demo incident (see fixtures/README.md). " +
	"A recording's level is the highest over actors that are not authorized: full (every byte received, " +
	"also as the union of ranges), partial (some bytes), metadata (named in a listing while it existed, HEAD, 304); " +
	"otherwise undeterminable when it existed while no log covers, else none. existed_uncovered is true " +
	"whatever the level. A person's and a phone number's level is the highest over their recordings, " +
	"ranked full > partial > metadata > undeterminable > none. Children are under 18 on the date of a call. " +
	"Subject ids are YYYYMMDDNNNC for valid numbers, and as written for reservnummer and the invalid number."

func rfc(t time.Time) string { return t.Format(time.RFC3339) }

// union merges ranges and returns them sorted.
func union(rs []Rng) []Rng {
	slices.SortFunc(rs, func(a, b Rng) int { return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To)) })
	var out []Rng
	for _, r := range rs {
		if n := len(out); n > 0 && r.From <= out[n-1].To {
			out[n-1].To = max(out[n-1].To, r.To)
			continue
		}
		out = append(out, r)
	}
	return out
}

func expectedJSON(recs []*recording, pop *population, evs []*event, files []*logFile) ([]byte, error) {
	type key struct {
		rec *recording
		a   *actor
	}
	levels := map[key]string{}
	ranges := map[key][]Rng{}
	requests := map[*actor]int{}
	for _, e := range evs {
		requests[e.actor]++
		if e.line == lineCut || e.line == lineNULInside {
			continue // not readable; only health checks are damaged
		}
		switch e.kind {
		case evListing:
			for _, r := range e.names {
				k := key{r, e.actor}
				levels[k] = higher(levels[k], LevelMetadata)
			}
		case evHead, evNotMod:
			k := key{e.rec, e.actor}
			levels[k] = higher(levels[k], LevelMetadata)
		case evDownload:
			k := key{e.rec, e.actor}
			ranges[k] = append(ranges[k], Rng{e.bytes[0], e.bytes[1]})
		}
	}
	for k, rs := range ranges {
		u := union(rs)
		ranges[k] = u
		lvl := LevelPartial
		if len(u) == 1 && u[0].From == 0 && u[0].To == k.rec.size {
			lvl = LevelFull
		}
		levels[k] = higher(levels[k], lvl)
	}

	exp := Expected{
		Note:           expectedNote,
		Seed:           Seed,
		ExposureWindow: Span{rfc(exposureStart), rfc(offline)},
		Coverage:       []Span{{rfc(coverA.start), rfc(coverA.end)}, {rfc(coverB.start), rfc(coverB.end)}},
		Logs:           files,
		TrustedProxies: []string{proxyAddr.String()},
	}
	recLevel := map[*recording]string{}
	actorRecs := map[*actor]map[string]int{}
	for _, a := range allActors {
		actorRecs[a] = map[string]int{}
	}
	exp.Totals.RecordingsByLevel = zeroLevels()
	for _, rec := range recs {
		rt := RecTruth{Path: rec.Path(), CallID: rec.callID, Uncovered: rec.end().Before(coverB.start)}
		lvl := ""
		for _, a := range allActors {
			l, ok := levels[key{rec, a}]
			if !ok {
				continue
			}
			if rt.Actors == nil {
				rt.Actors = map[string]string{}
			}
			rt.Actors[a.ID] = l
			actorRecs[a][l]++
			if u := ranges[key{rec, a}]; u != nil && l == LevelPartial {
				if rt.Ranges == nil {
					rt.Ranges = map[string][]Rng{}
				}
				rt.Ranges[a.ID] = u
			}
			if a.Category != "authorized" {
				lvl = higher(lvl, l)
			}
		}
		if lvl == "" {
			lvl = LevelNone
			if rt.Uncovered {
				lvl = LevelUndeterminable
			}
		}
		rt.Level = lvl
		recLevel[rec] = lvl
		exp.Totals.RecordingsByLevel[lvl]++
		exp.Recordings = append(exp.Recordings, rt)
	}
	exp.Totals.Recordings = len(recs)
	for _, a := range allActors {
		at := ActorTruth{ID: a.ID, Label: a.Label, Category: a.Category, Story: a.Story,
			Requests: requests[a], RecordingsByLevel: actorRecs[a]}
		for _, ad := range a.Addrs {
			at.Addresses = append(at.Addresses, ad.String())
		}
		exp.Actors = append(exp.Actors, at)
	}

	// Persons.
	type pinfo struct {
		level string
		child bool
		calls []string
	}
	info := map[*person]*pinfo{}
	for _, rec := range recs {
		for _, s := range rec.subjects {
			pi := info[s.p]
			if pi == nil {
				pi = &pinfo{level: LevelNone}
				info[s.p] = pi
			}
			pi.level = higher(pi.level, recLevel[rec])
			if !slices.Contains(pi.calls, rec.callID) {
				pi.calls = append(pi.calls, rec.callID)
			}
			if s.p.kind != KindReservnummer && s.p.ageAt(rec.start) < 18 {
				pi.child = true
			}
		}
	}
	exp.Totals.PersonsByLevel, exp.Totals.ChildrenByLevel = zeroLevels(), zeroLevels()
	for _, p := range pop.persons {
		pi := info[p]
		if pi == nil {
			continue // made for a household but never on a call
		}
		exp.Subjects = append(exp.Subjects, SubjectTruth{ID: p.ID(), Kind: p.kind, Child: pi.child, Level: pi.level, Recordings: pi.calls})
		exp.Totals.PersonsByLevel[pi.level]++
		if pi.child {
			exp.Totals.ChildrenByLevel[pi.level]++
		}
	}
	slices.SortFunc(exp.Subjects, func(a, b SubjectTruth) int { return cmp.Compare(a.ID, b.ID) })
	exp.Totals.Persons = len(exp.Subjects)

	// Phone numbers in file names.
	phones := map[string]*PhoneTruth{}
	for _, rec := range recs {
		pt := phones[rec.phone]
		if pt == nil {
			pt = &PhoneTruth{Phone: rec.phone, Level: LevelNone}
			phones[rec.phone] = pt
		}
		pt.Level = higher(pt.Level, recLevel[rec])
		pt.Recordings++
	}
	exp.Totals.PhonesByLevel = zeroLevels()
	for _, ph := range slices.Sorted(maps.Keys(phones)) {
		exp.Phones = append(exp.Phones, *phones[ph])
		exp.Totals.PhonesByLevel[phones[ph].Level]++
	}
	exp.Totals.Phones = len(phones)

	b, err := json.MarshalIndent(exp, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func zeroLevels() map[string]int {
	m := map[string]int{}
	for _, l := range levelOrder {
		m[l] = 0
	}
	return m
}

// indexCSV writes the recording index.
func indexCSV(recs []*recording) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"path", "call_id", "started_at", "duration_s", "size_bytes", "region", "caller_phone", "subjects"})
	for _, r := range recs {
		w.Write([]string{r.Path(), r.callID, rfc(r.start), strconv.Itoa(r.duration), strconv.FormatInt(r.size, 10),
			regions[r.region].Dir, r.phoneCol, r.subjectsColumn()})
	}
	w.Flush()
	return buf.Bytes()
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// actorsYAML lists the known actors of the demo for the analysis, in the
// format of internal/actors. The trusted proxy (192.0.2.5) is not an
// actor: it is given to the analysis separately.
const actorsYAML = `# Known actors of the demo incident (fixtures/demo), in the format of
# internal/actors: the first matching entry wins. Addresses are from the
# documentation ranges. The contractor's reverse proxy 192.0.2.5 in front of
# the IIS portal is a trusted proxy, not an actor: give it to the analysis
# as a trusted proxy so that X-Forwarded-For is believed behind it.
actors:
  - label: platform
    category: authorized
    note: the call platform's playback servers and monitoring
    cidrs: [192.0.2.10/31, 192.0.2.12]
  - label: newspaper
    category: press
    note: the journalist's home connection
    cidrs: [192.0.2.201]
  - label: Googlebot
    category: crawler
    note: a search engine's crawler, by address and user agent
    cidrs: [198.51.100.64/26, 2001:db8:3::/48]
    user_agents: [Googlebot]
`
