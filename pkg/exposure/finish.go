package exposure

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"
)

// Finish merges the shards, decides every level and writes the rows to
// sink as they are decided, table by table; it returns the counts and the
// coverage. Call it once, after every shard has observed its records. It
// removes the engine's run files, also on error.
//
// Memory: Finish holds a few bytes per recording and per actor, and the
// listings of one folder at a time; rows are made one at a time.
func (e *Engine) Finish(sink Sink, shards ...*Shard) (*Report, error) {
	defer e.Close()
	d, err := e.prepare(shards)
	if err != nil {
		return nil, err
	}
	d.sink = sink
	if err := d.listingsPass(); err != nil {
		return nil, err
	}
	if err := d.recordingsPass(); err != nil {
		return nil, err
	}
	if err := d.personsPass(); err != nil {
		return nil, err
	}
	if err := d.actorsPass(); err != nil {
		return nil, err
	}
	d.rep.Summary.Engine = d.stats
	// A copy: &d.rep would keep the decider, its per-recording arrays and
	// through it the engine and index alive as long as the report.
	rep := d.rep
	return &rep, nil
}

// Collect is Finish into memory: every row in a Result. For tests and
// small inputs; at scale, write rows out with Finish.
func (e *Engine) Collect(shards ...*Shard) (*Result, error) {
	res := &Result{}
	rep, err := e.Finish(collector{res}, shards...)
	if err != nil {
		return nil, err
	}
	res.Coverage, res.Summary, res.Overlaps = rep.Coverage, rep.Summary, rep.Overlaps
	return res, nil
}

// globalActor is an actor over all shards.
type globalActor struct {
	key          actorKey
	first, last  int64
	requests     int64
	listingViews int64
	uas          []uaName
	otherUAs     int64
}

type uaName struct {
	ua string
	n  int64
}

// uaTally is one (actor, user agent) count during the merge.
type uaTally struct {
	actor int32
	ua    string
	n     int64
}

// tallyUAs sums the shards' user-agent counts per actor and keeps each
// actor's maxUAs most frequent (ties by user agent), the rest as other.
func tallyUAs(actors []globalActor, ts []uaTally) {
	slices.SortFunc(ts, func(a, b uaTally) int {
		return cmp.Or(cmp.Compare(a.actor, b.actor), strings.Compare(a.ua, b.ua))
	})
	for i := 0; i < len(ts); {
		j, a := i, ts[i].actor
		var sums []uaName
		for j < len(ts) && ts[j].actor == a {
			k := j
			var n int64
			for k < len(ts) && ts[k].actor == a && ts[k].ua == ts[j].ua {
				n += ts[k].n
				k++
			}
			sums = append(sums, uaName{ts[j].ua, n})
			j = k
		}
		slices.SortFunc(sums, func(x, y uaName) int { return cmp.Or(cmp.Compare(y.n, x.n), strings.Compare(x.ua, y.ua)) })
		ga := &actors[a]
		for k, u := range sums {
			if k < maxUAs {
				ga.uas = append(ga.uas, u)
			} else {
				ga.otherUAs += u.n
			}
		}
		i = j
	}
}

// prepare merges the shards' actors, coverage and traces, and readies the
// runs for merging.
func (e *Engine) prepare(shards []*Shard) (*decider, error) {
	d := &decider{e: e}
	defer d.huge.release()
	// Flush what the shards hold into runs: in memory for inputs that
	// never filled a buffer, else to disk like the runs before them. The
	// buffers themselves are released: decisions need the memory.
	for _, s := range shards {
		s.pairs.spill(s, len(s.pairs.runs) > 0)
		s.listings.spill(s, len(s.listings.runs) > 0)
		s.pairs.events, s.listings.events = nil, nil
		if err := errors.Join(s.pairs.err, s.listings.err); err != nil {
			return nil, err
		}
		d.stats.add(s.stats)
	}
	// Actors are numbered in a deterministic order: sorted by key.
	index := make(map[actorKey]int32)
	var keys []actorKey
	for _, s := range shards {
		for _, k := range s.actorKeys {
			if _, ok := index[k]; !ok {
				index[k] = -1
				keys = append(keys, k)
			}
		}
	}
	slices.SortFunc(keys, func(a, b actorKey) int {
		return cmp.Or(a.addr.Compare(b.addr), strings.Compare(a.host, b.host), strings.Compare(a.ua, b.ua))
	})
	d.actors = make([]globalActor, len(keys))
	for i, k := range keys {
		index[k] = int32(i)
		d.actors[i].key = k
	}
	cover := map[string]*minuteSet{}
	traces := map[string]*mergedTrace{}
	var tallies []uaTally
	for _, s := range shards {
		remap := make([]int32, len(s.actorArr))
		for i := range s.actorArr {
			a := &s.actorArr[i]
			g := index[s.actorKeys[i]]
			remap[i] = g
			ga := &d.actors[g]
			ga.requests += a.requests
			ga.listingViews += a.listingViews
			seenNano(&ga.first, &ga.last, a.first)
			seenNano(&ga.first, &ga.last, a.last)
			for _, u := range a.uas[:a.nUAs] {
				tallies = append(tallies, uaTally{g, s.uaNames[u.ua], u.n})
			}
			ga.otherUAs += a.otherUAs
		}
		for k, n := range s.uaMore {
			tallies = append(tallies, uaTally{remap[k>>32], s.uaNames[uint32(k)], n})
		}
		for _, r := range s.pairs.runs {
			d.pairRuns = append(d.pairRuns, r)
			d.pairRemaps = append(d.pairRemaps, remap)
		}
		for _, r := range s.listings.runs {
			d.listRuns = append(d.listRuns, r)
			d.listRemaps = append(d.listRemaps, remap)
		}
		for input, c := range s.cover {
			name := e.sourceOf(input)
			if gc := cover[name]; gc == nil {
				cover[name] = c
			} else {
				gc.merge(c)
			}
		}
		mergeTraces(traces, s, remap)
	}
	tallyUAs(d.actors, tallies)
	d.correctOverlaps(traces)

	// Coverage and the exposure window.
	sets := make(map[string][]int64, len(cover))
	var logsFrom, logsTo time.Time
	for name, ms := range cover {
		mins := ms.minutes()
		sets[name] = mins
		if len(mins) > 0 {
			seen(&logsFrom, &logsTo, time.Unix(mins[0]*60, 0).UTC())
			seen(&logsFrom, &logsTo, time.Unix((mins[len(mins)-1]+1)*60, 0).UTC())
		}
	}
	window := Interval{e.opt.ExposedFrom, e.opt.ExposedTo}
	if window.Start.IsZero() {
		for i := range e.ix.Len() {
			st := e.ix.StartedAt(i)
			if st.IsZero() {
				continue
			}
			if a := st.Add(e.ix.Duration(i)); window.Start.IsZero() || a.Before(window.Start) {
				window.Start = a
			}
		}
	}
	if window.End.IsZero() {
		window.End = logsTo
	}
	gap, reason := e.opt.Gap, "set by the user"
	if gap <= 0 {
		gap, reason = chooseGap(sets)
	}
	d.rep.Coverage = computeCoverage(sets, gap, window, reason)
	sum := &d.rep.Summary
	sum.Window = window
	sum.LogsFrom, sum.LogsTo = logsFrom, logsTo
	sum.Gap = gap.String()
	sum.GapReason = reason
	for _, u := range d.rep.Coverage.Uncovered {
		sum.UncoveredIntervals++
		sum.UncoveredSeconds += int64(u.Duration() / time.Second)
	}
	d.attributeAll()
	return d, nil
}

// sorted returns s sorted, never nil (an empty list in the outputs).
func sorted[T cmp.Ordered](s []T) []T {
	if s == nil {
		return []T{}
	}
	slices.Sort(s)
	return s
}

// Rows flattens the coverage for output: each source's spans and gaps,
// then the uncovered parts of the window (source "*").
func (c *Coverage) Rows() []CoverageRow {
	var rows []CoverageRow
	for _, s := range c.Sources {
		for _, sp := range s.Spans {
			rows = append(rows, CoverageRow{s.Source, "span", sp.Start, sp.End, int64(sp.Duration() / time.Second)})
		}
		for _, g := range s.Gaps {
			rows = append(rows, CoverageRow{s.Source, "gap", g.Start, g.End, int64(g.Duration() / time.Second)})
		}
	}
	rows = append(rows, uncoveredRows(c.Uncovered)...)
	return rows
}

func uncoveredRows(us []Interval) []CoverageRow {
	var rows []CoverageRow
	for _, u := range us {
		rows = append(rows, CoverageRow{"*", "uncovered", u.Start, u.End, int64(u.Duration() / time.Second)})
	}
	return rows
}
