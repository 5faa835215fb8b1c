package exposure

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Finish merges the shards and decides every level. Call it once, after
// every shard has observed its records.
func (e *Engine) Finish(shards ...*Shard) *Result {
	m := e.merge(shards)
	res := &Result{}
	res.Overlaps = e.correctOverlaps(m)
	for _, o := range res.Overlaps {
		m.dropEvidence(o)
	}

	// Coverage and the exposure window.
	sets := make(map[string][]int64, len(m.cover))
	var logsFrom, logsTo time.Time
	for name, ms := range m.cover {
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
	res.Coverage = computeCoverage(sets, gap, window, reason)

	// Listings expose the names of the files present at the time.
	for k, l := range m.listings {
		dl, ok := e.ix.Dir(k.dir)
		if !ok || len(l.times) == 0 {
			continue
		}
		slices.SortFunc(l.times, time.Time.Compare)
		for _, idx := range dl.Recordings {
			r := e.ix.Recording(idx)
			avail := r.StartedAt.Add(r.Duration)
			i, _ := slices.BinarySearchFunc(l.times, avail, time.Time.Compare)
			if i == len(l.times) {
				continue // every listing predates the file
			}
			pk := pairKey{int32(idx), k.actor}
			p := m.pairs[pk]
			if p == nil {
				p = &pairState{}
				m.pairs[pk] = p
			}
			p.viaListing = true
			if p.kind < deliverMetadata {
				p.kind = deliverMetadata
			}
			seen(&p.first, &p.last, l.times[i])
			seen(&p.first, &p.last, l.times[len(l.times)-1])
			p.evidence = append(p.evidence, l.evidence...)
			p.moreEv += l.moreEv
		}
	}

	e.decide(m, res)
	res.Summary.Engine = m.stats
	res.Summary.Window = window
	res.Summary.LogsFrom, res.Summary.LogsTo = logsFrom, logsTo
	res.Summary.Gap = gap.String()
	res.Summary.GapReason = reason
	for _, u := range res.Coverage.Uncovered {
		res.Summary.UncoveredIntervals++
		res.Summary.UncoveredSeconds += int64(u.Duration() / time.Second)
	}
	return res
}

// merged is the union of all shards, with global actor indexes.
type merged struct {
	actors   []*actorState
	pairs    map[pairKey]*pairState
	listings map[listingKey]*listingState
	cover    map[string]*minuteSet
	stats    Stats
	traces   map[string]*mergedTrace
}

// dropEvidence removes references to the lines of an overlap, which
// repeat lines of the input before.
func (m *merged) dropEvidence(o Overlap) {
	keep := func(r evidenceRef) bool {
		return r.input != o.Input || r.line < o.FirstLine || r.line > o.LastLine
	}
	for _, p := range m.pairs {
		p.evidence = slices.DeleteFunc(p.evidence, func(r evidenceRef) bool { return !keep(r) })
	}
	for _, l := range m.listings {
		l.evidence = slices.DeleteFunc(l.evidence, func(r evidenceRef) bool { return !keep(r) })
	}
}

func (e *Engine) merge(shards []*Shard) *merged {
	m := &merged{
		pairs:    make(map[pairKey]*pairState),
		listings: make(map[listingKey]*listingState),
		cover:    make(map[string]*minuteSet),
		traces:   make(map[string]*mergedTrace),
	}
	index := make(map[actorKey]int32)
	// Actors are numbered in a deterministic order: sorted by key.
	var keys []actorKey
	for _, s := range shards {
		for _, a := range s.actorArr {
			if _, ok := index[a.key]; !ok {
				index[a.key] = -1
				keys = append(keys, a.key)
			}
		}
	}
	slices.SortFunc(keys, func(a, b actorKey) int {
		return cmp.Or(a.addr.Compare(b.addr), strings.Compare(a.host, b.host), strings.Compare(a.ua, b.ua))
	})
	for i, k := range keys {
		index[k] = int32(i)
		m.actors = append(m.actors, &actorState{key: k})
	}
	for _, s := range shards {
		remap := make([]int32, len(s.actorArr))
		for i, a := range s.actorArr {
			g := index[a.key]
			remap[i] = g
			ga := m.actors[g]
			ga.requests += a.requests
			ga.listingViews += a.listingViews
			seen(&ga.first, &ga.last, a.first)
			seen(&ga.first, &ga.last, a.last)
			for _, u := range a.uas {
				ga.addUA(u.ua, u.n)
			}
			ga.otherUAs += a.otherUAs
		}
		for k, p := range s.pairs {
			gk := pairKey{k.rec, remap[k.actor]}
			gp := m.pairs[gk]
			if gp == nil {
				m.pairs[gk] = p
				continue
			}
			gp.kind = max(gp.kind, p.kind)
			gp.spans = gp.spans.union(p.spans)
			gp.extra += p.extra
			gp.whole = gp.whole || p.whole
			gp.unc |= p.unc
			gp.prior = gp.prior || p.prior
			gp.requests += p.requests
			seen(&gp.first, &gp.last, p.first)
			seen(&gp.first, &gp.last, p.last)
			gp.evidence = append(gp.evidence, p.evidence...)
			gp.moreEv += p.moreEv
		}
		for k, l := range s.listings {
			gk := listingKey{k.dir, remap[k.actor]}
			gl := m.listings[gk]
			if gl == nil {
				m.listings[gk] = l
				continue
			}
			gl.times = append(gl.times, l.times...)
			gl.evidence = append(gl.evidence, l.evidence...)
			gl.moreEv += l.moreEv
		}
		for input, c := range s.cover {
			name := input
			if src := e.opt.SourceOf; src != nil {
				name = src(input)
			}
			gc := m.cover[name]
			if gc == nil {
				m.cover[name] = c
				continue
			}
			gc.merge(c)
		}
		mergeTraces(m, s, remap)
		m.stats.Records += s.stats.Records
		m.stats.Untimed += s.stats.Untimed
		m.stats.RecordingHits += s.stats.RecordingHits
		m.stats.ListingRequests += s.stats.ListingRequests
		m.stats.OtherRequests += s.stats.OtherRequests
	}
	return m
}

func (a *actorState) addUA(ua string, n int64) {
	for i := range a.uas {
		if a.uas[i].ua == ua {
			a.uas[i].n += n
			return
		}
	}
	if len(a.uas) < maxUAs {
		a.uas = append(a.uas, uaCount{ua, n})
		return
	}
	a.otherUAs += n
}

// level decides a pair's level, bytes and coverage of the file.
func (p *pairState) level(size int64) (Level, int64, float64) {
	switch p.kind {
	case deliverContent:
		covered := p.spans.covered(size)
		bytes := covered + p.extra
		if size > 0 && bytes > size {
			bytes = size
		}
		switch {
		case size > 0 && covered >= size:
			return Full, bytes, 1
		case size > 0:
			return Partial, bytes, float64(covered) / float64(size)
		case p.whole:
			return Full, bytes, 1
		default:
			return Partial, bytes, 0
		}
	case deliverMetadata:
		return Metadata, 0, 0
	}
	if p.viaListing {
		return Metadata, 0, 0
	}
	return None, 0, 0
}

// actorInfo is an actor's attribution.
type actorInfo struct {
	ip, ua          string
	label, category string
	geo             Geo
	uaInfo          UserAgent
	uas             []string
}

func (e *Engine) attribute(a *actorState) actorInfo {
	var info actorInfo
	switch {
	case a.key.addr.IsValid():
		info.ip = a.key.addr.String()
	default:
		info.ip = a.key.host
	}
	info.ua = a.key.ua
	slices.SortStableFunc(a.uas, func(x, y uaCount) int {
		return cmp.Or(cmp.Compare(y.n, x.n), strings.Compare(x.ua, y.ua))
	})
	for _, u := range a.uas {
		info.uas = append(info.uas, u.ua)
	}
	topUA := a.key.ua
	if topUA == "" && len(a.uas) > 0 {
		topUA = a.uas[0].ua
	}
	if e.opt.Geo != nil && a.key.addr.IsValid() {
		info.geo, _ = e.opt.Geo.LookupGeo(a.key.addr)
	}
	if e.opt.UserAgents != nil {
		info.uaInfo = e.opt.UserAgents.ParseUserAgent(topUA)
	}
	info.category = CategoryUnknown
	if e.opt.Actors != nil {
		cands := info.uas
		if a.key.ua != "" {
			cands = []string{a.key.ua}
		}
		if len(cands) == 0 {
			cands = []string{""}
		}
		for _, ua := range cands {
			if k, ok := e.opt.Actors.MatchActor(a.key.addr, ua); ok {
				info.label, info.category = k.Label, k.Category
				break
			}
		}
	}
	return info
}

func evidenceStrings(ev []evidenceRef, more int64, max int) ([]string, int64) {
	slices.SortFunc(ev, func(a, b evidenceRef) int {
		return cmp.Or(strings.Compare(a.input, b.input), cmp.Compare(a.line, b.line))
	})
	ev = slices.Compact(ev)
	if len(ev) > max {
		more += int64(len(ev) - max)
		ev = ev[:max]
	}
	out := make([]string, len(ev))
	for i, r := range ev {
		out[i] = r.input + ":" + strconv.FormatInt(r.line, 10)
	}
	return out, more
}

// recAgg is the verdict on one recording.
type recAgg struct {
	level    Level
	maxCov   float64
	actors   int64
	requests int64
	first    time.Time
	unc      Uncertainty
	inGap    bool
}

type personAgg struct {
	row   PersonRow
	level Level
	// Small sets, kept as slices: a person has few of each.
	roles, regions, phones, cats []string
	actors                       []int32 // actors that exposed the person
	reached                      []int32 // every actor with a row, trusted too
}

// addOnce appends v to s unless it is there already (or is "").
func addOnce[T comparable](s []T, v T) []T {
	var zero T
	if v == zero || slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

func (e *Engine) decide(m *merged, res *Result) {
	infos := make([]actorInfo, len(m.actors))
	for i, a := range m.actors {
		infos[i] = e.attribute(a)
	}
	recs := make([]recAgg, e.ix.Len())
	type pairOut struct {
		k     pairKey
		p     *pairState
		level Level
		bytes int64
		cov   float64
	}
	var outs []pairOut
	actorLevels := make([][3]int64, len(m.actors))
	actorBytes := make([]int64, len(m.actors))
	trusted := make([]bool, len(m.actors))
	for i := range infos {
		trusted[i] = slices.Contains(e.opt.TrustedCategories, infos[i].category)
	}
	for k, p := range m.pairs {
		lvl, b, cv := p.level(e.sizes[k.rec])
		ra := &recs[k.rec]
		ra.requests += p.requests
		if lvl == None {
			continue
		}
		if !trusted[k.actor] {
			ra.level = max(ra.level, lvl)
			ra.maxCov = max(ra.maxCov, cv)
			ra.actors++
			ra.unc |= p.unc
			seen(&ra.first, new(time.Time), p.first)
		}
		switch lvl {
		case Full:
			actorLevels[k.actor][0]++
		case Partial:
			actorLevels[k.actor][1]++
		case Metadata:
			actorLevels[k.actor][2]++
		}
		actorBytes[k.actor] += b
		outs = append(outs, pairOut{k, p, lvl, b, cv})
	}
	persons := make(map[string]*personAgg)
	person := func(sid string) *personAgg {
		pa := persons[sid]
		if pa == nil {
			pa = &personAgg{}
			pa.row.SubjectID = sid
			persons[sid] = pa
		}
		return pa
	}
	addRow := func(row ExposureRow, lvl Level, actor int32) {
		res.Exposures = append(res.Exposures, row)
		pa := persons[row.SubjectID]
		if actor >= 0 {
			pa.cats = addOnce(pa.cats, row.ActorCategory)
			pa.reached = addOnce(pa.reached, actor+1) // +1: 0 is "none" to addOnce
		}
		if actor >= 0 && trusted[actor] {
			return // the controller's own access: evidence, not exposure
		}
		if lvl > pa.level {
			pa.level = lvl
		}
		if !row.FirstSeen.IsZero() && lvl >= Metadata && (pa.row.FirstExposure.IsZero() || row.FirstSeen.Before(pa.row.FirstExposure)) {
			pa.row.FirstExposure = row.FirstSeen
		}
		if actor >= 0 {
			pa.actors = addOnce(pa.actors, actor+1)
		}
	}

	rowFor := func(r *Recording, s Subject, lvl Level) ExposureRow {
		return ExposureRow{
			SubjectID:   s.ID.ID(),
			SubjectKind: s.ID.Kind.String(),
			Child:       s.ID.Child(r.StartedAt),
			Role:        s.Role,
			CallID:      r.CallID,
			Path:        r.Path,
			Region:      r.Region,
			CallerPhone: r.CallerPhone,
			Level:       lvl.String(),
		}
	}
	// Exposure rows come out in index order, then actor, then subject
	// order: deterministic, and independent of the identity numbers (so
	// that pseudonymized outputs keep no order of birth dates).
	slices.SortFunc(outs, func(a, b pairOut) int {
		return cmp.Or(cmp.Compare(a.k.rec, b.k.rec), cmp.Compare(a.k.actor, b.k.actor))
	})
	// The rows are large: size the slice once (and a little more for
	// undeterminable recordings) rather than grow it by copies.
	nrows := 0
	for _, o := range outs {
		nrows += e.ix.NumSubjects(int(o.k.rec))
	}
	res.Exposures = make([]ExposureRow, 0, nrows+nrows/8+64)
	pairRows := func(r *Recording, o pairOut) {
		info := infos[o.k.actor]
		ev, more := evidenceStrings(o.p.evidence, o.p.moreEv, e.opt.MaxEvidence)
		for _, s := range r.Subjects {
			row := rowFor(r, s, o.level)
			row.BytesDelivered = o.bytes
			row.Coverage = o.cov
			row.Requests = o.p.requests
			row.FirstSeen, row.LastSeen = o.p.first, o.p.last
			row.ViaListing = o.p.viaListing
			row.PriorCopy = o.p.prior
			row.InGap = recs[o.k.rec].inGap
			row.Uncertain = strings.Join(o.p.unc.Strings(), ",")
			row.ActorIP, row.ActorUA = info.ip, info.ua
			row.ActorLabel, row.ActorCategory = info.label, info.category
			row.Country, row.City = info.geo.Country, info.geo.City
			row.ASN, row.ASOrg = int64(info.geo.ASN), info.geo.ASOrg
			row.UAClass, row.UAName = info.uaInfo.Class, info.uaInfo.Name
			row.Evidence, row.EvidenceMore = ev, more
			addRow(row, o.level, o.k.actor)
		}
	}
	j := 0

	// One pass over the index, decoding each recording once: gaps, persons,
	// exposure rows and recording rows.
	sum := &res.Summary
	sum.RecordingsByLevel = map[string]int64{}
	phonesExposed := map[string]bool{}
	for i := range recs {
		r := e.ix.Recording(i)
		ra := &recs[i]
		// Gaps: a file that existed while no log watched, and was not
		// proven fetched in full, may have been fetched then.
		avail := r.StartedAt.Add(r.Duration)
		switch {
		case res.Coverage.Window.End.IsZero():
			// No timed log line and no --exposed-to: nothing is covered.
			if ra.level < Full {
				ra.inGap = true
				if ra.level == None {
					ra.level = Undeterminable
				}
			}
		case avail.Before(res.Coverage.Window.End):
			if _, ok := res.Coverage.gapAfter(avail); ok && ra.level < Full {
				ra.inGap = true
				if ra.level == None {
					ra.level = Undeterminable
				}
			}
		}
		for _, s := range r.Subjects {
			pa := person(s.ID.ID())
			pa.row.SubjectKind = s.ID.Kind.String()
			if s.ID.Child(r.StartedAt) {
				pa.row.Child = true
			}
			pa.roles = addOnce(pa.roles, s.Role)
			pa.row.Calls++
			switch ra.level {
			case Full:
				pa.row.CallsFull++
			case Partial:
				pa.row.CallsPartial++
			case Metadata:
				pa.row.CallsMetadata++
			case Undeterminable:
				pa.row.CallsUndet++
			}
			if ra.level >= Metadata {
				pa.row.CallsExposed++
				if r.Region != "" {
					pa.regions = addOnce(pa.regions, r.Region)
				}
				if r.CallerPhone != "" && s.Role == "caller" {
					pa.phones = addOnce(pa.phones, r.CallerPhone)
				}
			}
			if ra.level == Undeterminable {
				row := rowFor(r, s, Undeterminable)
				row.InGap = true
				row.Evidence = []string{}
				addRow(row, Undeterminable, -1)
			}
		}
		// The rows of this recording's actors, in actor order.
		for ; j < len(outs) && outs[j].k.rec == int32(i); j++ {
			pairRows(r, outs[j])
		}
		if ra.level >= Metadata && r.CallerPhone != "" {
			phonesExposed[r.CallerPhone] = true
		}
		res.Recordings = append(res.Recordings, RecordingRow{
			Path: r.Path, CallID: r.CallID, Region: r.Region, CallerPhone: r.CallerPhone,
			StartedAt: r.StartedAt, SizeBytes: r.Size, Subjects: int64(len(r.Subjects)),
			Level: ra.level.String(), MaxCoverage: ra.maxCov, Actors: ra.actors, Requests: ra.requests,
			FirstSeen: ra.first, InGap: ra.inGap, Uncertain: strings.Join(ra.unc.Strings(), ","),
		})
		sum.RecordingsByLevel[ra.level.String()]++
		sum.RecordingsTotal++
		if ra.level >= Metadata {
			seen(&sum.FirstExposure, &sum.LastExposure, ra.first)
		}
	}
	sum.PhonesExposed = int64(len(phonesExposed))

	// Persons.
	actorPersons := make([]int64, len(m.actors)) // persons each actor reached
	sum.PersonsByLevel = map[string]int64{}
	sum.ChildrenByLevel = map[string]int64{}
	sum.SubjectsByKind = map[string]int64{}
	for _, pa := range persons {
		pa.row.Level = pa.level.String()
		pa.row.Roles = sorted(pa.roles)
		pa.row.Regions = sorted(pa.regions)
		pa.row.Phones = sorted(pa.phones)
		pa.row.ActorCategories = sorted(pa.cats)
		pa.row.Actors = int64(len(pa.actors))
		for _, a := range pa.reached {
			actorPersons[a-1]++
		}
		pa.row.VerdictRestsOnGap = pa.level == Undeterminable
		res.Persons = append(res.Persons, pa.row)
		sum.PersonsByLevel[pa.row.Level]++
		if pa.row.Child {
			sum.ChildrenByLevel[pa.row.Level]++
		}
		sum.SubjectsByKind[pa.row.SubjectKind]++
		sum.PersonsTotal++
		if pa.level > None {
			sum.PersonsNotify++
		}
		if pa.level == Undeterminable {
			sum.PersonsOnGap++
		}
		if pa.level >= Metadata && pa.level < Full && pa.row.CallsUndet > 0 {
			sum.PersonsAlsoInGap++
		}
	}
	slices.SortFunc(res.Persons, func(a, b PersonRow) int { return strings.Compare(a.SubjectID, b.SubjectID) })

	// Actors.
	sum.ActorsByCategory = map[string]int64{}
	sum.ActorsByCountry = map[string]int64{}
	for i, a := range m.actors {
		info := infos[i]
		res.Actors = append(res.Actors, ActorRow{
			ActorIP: info.ip, ActorUA: info.ua, Label: info.label, Category: info.category,
			Country: info.geo.Country, City: info.geo.City, ASN: int64(info.geo.ASN), ASOrg: info.geo.ASOrg,
			UAClass: info.uaInfo.Class, UAName: info.uaInfo.Name, UserAgents: info.uas,
			FirstSeen: a.first, LastSeen: a.last, Requests: a.requests, ListingViews: a.listingViews,
			RecordingsFull: actorLevels[i][0], RecordingsPartial: actorLevels[i][1], RecordingsMeta: actorLevels[i][2],
			BytesDelivered: actorBytes[i], Persons: actorPersons[i],
		})
		sum.Actors++
		sum.ActorsByCategory[info.category]++
		if info.geo.Country != "" {
			sum.ActorsByCountry[info.geo.Country]++
		}
	}
}

// sorted returns s sorted, never nil (an empty list in the outputs).
func sorted(s []string) []string {
	if s == nil {
		return []string{}
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
