package exposure

import (
	"cmp"
	"hash/maphash"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

type pairKey struct{ rec, actor int32 }

// decider holds what Finish knows between its passes: a few bytes per
// recording and per actor.
type decider struct {
	e     *Engine
	sink  Sink
	rep   Report
	stats Stats

	actors  []globalActor
	infos   []actorInfo
	trusted []bool
	catBit  []uint8  // actor -> bit of its category in a mask
	cats    []string // bit -> category

	pairRuns   []runSource
	pairRemaps [][]int32
	listRuns   []runSource
	listRemaps [][]int32
	pairDec    map[pairKey]int64 // requests counted twice (overlaps)
	dropped    [][2]evRef        // lines of overlaps

	listed      []recListing // by recording; nil when nothing was listed
	actorListed []int64      // recordings shown by each actor's listings

	// By recording, after the recordings pass.
	recs []recVerdict
	// Actors with a row, recording by recording, kept only for the
	// recordings of persons with more than one recording (their actors
	// must be told apart across calls): recActs[recOff[i]:recOff[i+1]].
	// Everyone else's actors are counted in the recordings pass, so that
	// this grows with the few shared recordings' pairs, not with every
	// (recording, actor) pair of the log.
	recActs []int32
	recOff  []uint32

	touched uint64      // what the reads ahead read, kept so that they are made
	huge    hugeRegions // recs, recOff, listed (released when Finish ends)

	actorLevels [][3]int64
	actorBytes  []int64
	actorPerson []int64

	evBuf []string
}

// recVerdict is the verdict on one recording, kept for the persons pass.
type recVerdict struct {
	level  Level
	inGap  bool
	shared bool   // a person of it has other recordings: its actors are in recActs
	actors uint32 // actors not trusted with a row
	first  int64  // first exposure by an actor not trusted; 0 none
	cats   uint64 // categories of actors with a row or a listing
}

// actorInfo is an actor's attribution.
type actorInfo struct {
	ip, ua          string
	label, category string
	geo             Geo
	uaInfo          UserAgent
	uas             []string
	geoErr          bool // the GeoIP lookup failed
}

func (d *decider) attributeAll() {
	e := d.e
	n := len(d.actors)
	d.infos = make([]actorInfo, n)
	d.trusted = make([]bool, n)
	d.catBit = make([]uint8, n)
	// Attribution (GeoIP, user-agent parsing, the actor directory: all
	// safe for concurrent use) costs most with tens of thousands of
	// actors: it runs on every core.
	workers := runtime.GOMAXPROCS(0)
	parallel(workers, func(w int) {
		for i := w; i < n; i += workers {
			d.infos[i] = e.attribute(&d.actors[i])
		}
	})
	bitOf := map[string]uint8{}
	for i := range d.actors {
		info := &d.infos[i]
		if info.geoErr {
			d.stats.GeoLookupErrors++
		}
		d.trusted[i] = slices.Contains(e.opt.TrustedCategories, info.category)
		b, ok := bitOf[info.category]
		if !ok {
			b = uint8(min(len(d.cats), 63))
			if len(d.cats) < 64 {
				bitOf[info.category] = b
				d.cats = append(d.cats, info.category)
			}
		}
		d.catBit[i] = b
	}
	d.actorListed = make([]int64, n)
	d.actorLevels = make([][3]int64, n)
	d.actorBytes = make([]int64, n)
	d.actorPerson = make([]int64, n)
}

// catNames returns the categories of a mask, sorted.
func (d *decider) catNames(mask uint64) []string {
	return sorted(d.appendCatNames(nil, mask))
}

// appendCatNames appends the categories of a mask to dst, unsorted.
func (d *decider) appendCatNames(dst []string, mask uint64) []string {
	for mask != 0 {
		dst = append(dst, d.cats[bits.TrailingZeros64(mask)])
		mask &= mask - 1
	}
	return dst
}

func (e *Engine) attribute(a *globalActor) actorInfo {
	var info actorInfo
	switch {
	case a.key.addr.IsValid():
		info.ip = a.key.addr.String()
	default:
		info.ip = a.key.host
	}
	info.ua = a.key.ua
	slices.SortStableFunc(a.uas, func(x, y uaName) int {
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
		var err error
		info.geo, _, err = e.opt.Geo.LookupGeo(a.key.addr)
		info.geoErr = err != nil
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

// evidence turns references into "input:line" strings, in d.evBuf.
func (d *decider) evidence(refs []evRef, more int64) ([]string, int64) {
	out := d.evBuf[:0]
	for _, r := range refs {
		if d.isDropped(r) {
			continue
		}
		out = append(out, d.e.inputName(r.input())+":"+strconv.FormatInt(r.line(), 10))
	}
	d.evBuf = out
	return out, more
}

func (e *Engine) inputName(id uint32) string {
	e.inMu.Lock()
	defer e.inMu.Unlock()
	return e.inputs[id]
}

// listingsPass sweeps the listings folder by folder.
func (d *decider) listingsPass() error {
	if len(d.listRuns) == 0 {
		return nil
	}
	m, err := newListingMerger(d.listRuns, d.listRemaps)
	if err != nil {
		return err
	}
	defer m.close()
	for {
		folder, evs, ok, err := m.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if len(d.dropped) > 0 {
			evs = slices.DeleteFunc(evs, func(ev listingEvent) bool { return d.isDropped(ev.ref) })
		}
		if d.listed == nil {
			d.listed = largeSlice[recListing](&d.huge, d.e.ix.Len(), d.e.ix.Len())
		}
		if err := d.sweepFolder(folder, evs); err != nil {
			return err
		}
	}
}

func (d *decider) listingRow(folder int32, la *listingActor, refs []evRef, more int64, shown int) error {
	info := &d.infos[la.actor]
	ev, more := d.evidence(refs, more)
	row := ListingRow{
		Folder: d.e.ix.FolderPath(int(folder)), ActorIP: info.ip, ActorUA: info.ua,
		ActorLabel: info.label, ActorCategory: info.category,
		First: nanoTime(la.first), Last: nanoTime(la.last), Listings: la.n, Shown: int64(shown),
		Evidence: ev, EvidenceMore: more,
	}
	return d.sink.Listing(&row)
}

// level decides a pair's level, bytes and coverage of the file.
func (p *pairAgg) level(size int64) (Level, int64, float64) {
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
		case p.flags&pfWhole != 0:
			return Full, bytes, 1
		default:
			return Partial, bytes, 0
		}
	case deliverMetadata:
		return Metadata, 0, 0
	}
	return None, 0, 0
}

// recordingsPass decides each recording in index order, with its pairs
// merged from the runs, and writes its exposure rows and its row.
func (d *decider) recordingsPass() error {
	e := d.e
	m, err := newPairMerger(d.pairRuns, d.pairRemaps, e.opt.MaxEvidence)
	if err != nil {
		return err
	}
	defer m.close()
	ix := e.ix
	n := ix.Len()
	d.recs = largeSlice[recVerdict](&d.huge, n, n)
	d.recOff = largeSlice[uint32](&d.huge, n+1, n+1)
	sum := &d.rep.Summary
	sum.RecordingsByLevel = map[string]int64{}
	cov := &d.rep.Coverage
	var phones []uint64 // hashes of exposed callers' numbers
	seed := maphash.MakeSeed()
	var row ExposureRow
	var sink uint64
	for i := range n {
		if i%recTouchSize == 0 {
			sink += d.touchRecordings(i, min(i+recTouchSize, n))
		}
		var pairs []pairAgg
		if m.peek() == int32(i) {
			if pairs, err = m.take(int32(i)); err != nil {
				return err
			}
		}
		r := e.ix.Recording(i)
		size := e.sizes[i]
		rv := &d.recs[i]
		var requests, actors int64
		var maxCov float64
		var unc Uncertainty
		type pairOut struct {
			level Level
			bytes int64
			cov   float64
		}
		outs := make([]pairOut, len(pairs))
		// Persons of this recording alone, counted once each; any person
		// with other recordings makes it shared (see recActs).
		soloPersons := int64(0)
		if rv.shared = ix.shared(i); !rv.shared {
			persons := ix.subjPerson[ix.subjStart[i]:ix.subjStart[i+1]]
			for k, q := range persons {
				if !slices.Contains(persons[:k], q) {
					soloPersons++
				}
			}
		}
		for k := range pairs {
			p := &pairs[k]
			if dec := d.pairDec[pairKey{p.rec, p.actor}]; dec > 0 {
				p.requests -= dec
			}
			lvl, b, cv := p.level(size)
			outs[k] = pairOut{lvl, b, cv}
			requests += p.requests
			if lvl == None {
				continue
			}
			if rv.shared {
				d.recActs = append(d.recActs, p.actor)
			} else {
				d.actorPerson[p.actor] += soloPersons
			}
			rv.cats |= 1 << d.catBit[p.actor]
			if !d.trusted[p.actor] {
				rv.level = max(rv.level, lvl)
				maxCov = max(maxCov, cv)
				actors++
				unc |= p.unc
				if p.first != 0 && (rv.first == 0 || p.first < rv.first) {
					rv.first = p.first
				}
			}
			switch lvl {
			case Full:
				d.actorLevels[p.actor][0]++
			case Partial:
				d.actorLevels[p.actor][1]++
			case Metadata:
				d.actorLevels[p.actor][2]++
			}
			d.actorBytes[p.actor] += b
		}
		d.recOff[i+1] = uint32(len(d.recActs))
		rv.actors = uint32(actors)
		var rl recListing
		if d.listed != nil {
			rl = d.listed[i]
		}
		if rl.count > 0 {
			rv.cats |= rl.cats
		}
		if rl.exposed != 0 && rl.maybe && rv.level < Metadata {
			// Only a filtered or paged listing may have shown the name.
			unc |= UncertainListingUnknown
		}
		if rl.exposed != 0 {
			rv.level = max(rv.level, Metadata)
			if rv.first == 0 || rl.exposed < rv.first {
				rv.first = rl.exposed
			}
		}
		// Gaps: a file that existed while no log watched, and was not
		// proven fetched in full, may have been fetched then.
		avail := r.StartedAt.Add(r.Duration)
		switch {
		case cov.Window.End.IsZero():
			// No timed log line and no --exposed-to: nothing is covered.
			if rv.level < Full {
				rv.inGap = true
			}
		case avail.Before(cov.Window.End):
			if _, ok := cov.gapAfter(avail); ok && rv.level < Full {
				rv.inGap = true
			}
		}
		if rv.inGap && rv.level == None {
			rv.level = Undeterminable
		}
		uncs := unc.String()

		// Rows: undeterminable, then each actor's, then the listing's.
		base := func(s *Subject, lvl Level) {
			row = ExposureRow{
				SubjectID: IdentityNumber(s.ID.ID()), SubjectIDGiven: IdentityNumber(s.ID.Given), SubjectKind: s.ID.Kind.String(), Child: s.ID.Child(r.StartedAt),
				Role: s.Role, CallID: r.CallID, Path: r.Path, Region: r.Region, CallerPhone: r.CallerPhone,
				StartedAt: r.StartedAt, Level: lvl.String(), InGap: rv.inGap,
				Evidence: []string{}, ListingCategories: []string{},
			}
		}
		if rv.level == Undeterminable {
			for k := range r.Subjects {
				base(&r.Subjects[k], Undeterminable)
				if err := d.sink.Exposure(&row); err != nil {
					return err
				}
			}
		}
		for k := range pairs {
			p, o := &pairs[k], outs[k]
			if o.level == None {
				continue
			}
			info := &d.infos[p.actor]
			ev, more := d.evidence(p.ev, p.moreEv)
			for j := range r.Subjects {
				base(&r.Subjects[j], o.level)
				row.BytesDelivered, row.Coverage, row.Requests = o.bytes, o.cov, p.requests
				row.FirstSeen, row.LastSeen = nanoTime(p.first), nanoTime(p.last)
				row.PriorCopy = p.flags&pfPrior != 0
				row.Uncertain = p.unc.String()
				row.ActorIP, row.ActorUA = info.ip, info.ua
				row.ActorLabel, row.ActorCategory = info.label, info.category
				row.Country, row.City = info.geo.Country, info.geo.City
				row.ASN, row.ASOrg = int64(info.geo.ASN), info.geo.ASOrg
				row.UAClass, row.UAName = info.uaInfo.Class, info.uaInfo.Name
				row.Evidence, row.EvidenceMore = ev, more
				if err := d.sink.Exposure(&row); err != nil {
					return err
				}
			}
		}
		if rl.count > 0 {
			cats := d.catNames(rl.cats)
			for j := range r.Subjects {
				base(&r.Subjects[j], Metadata)
				row.ViaListing = true
				row.Requests = int64(rl.count)
				row.FirstSeen, row.LastSeen = nanoTime(rl.first), nanoTime(rl.last)
				row.ListingActors = int64(rl.actors)
				row.ListingCategories = cats
				if rl.maybe {
					row.Uncertain = UncertainListingUnknown.String()
				}
				row.Evidence, row.EvidenceMore = d.evidence([]evRef{rl.ref}, int64(rl.count)-1)
				if err := d.sink.Exposure(&row); err != nil {
					return err
				}
			}
		}
		if rv.level >= Metadata && r.CallerPhone != "" {
			phones = append(phones, maphash.String(seed, string(r.CallerPhone)))
		}
		rr := RecordingRow{
			Path: r.Path, CallID: r.CallID, Region: r.Region, CallerPhone: r.CallerPhone,
			StartedAt: r.StartedAt, SizeBytes: r.Size, Subjects: int64(len(r.Subjects)),
			Folder: e.ix.FolderPath(e.ix.FolderOf(i)),
			Level:  rv.level.String(), MaxCoverage: maxCov, Actors: actors, Requests: requests,
			FirstSeen: nanoTime(rv.first), InGap: rv.inGap, Uncertain: uncs,
		}
		if !r.StartedAt.IsZero() {
			rr.AvailableAt = avail
		}
		if err := d.sink.Recording(&rr); err != nil {
			return err
		}
		sum.RecordingsByLevel[rv.level.String()]++
		sum.RecordingsTotal++
		if rv.level >= Metadata {
			t := nanoTime(rv.first)
			seen(&sum.FirstExposure, &sum.LastExposure, t)
		}
	}
	d.touched += sink
	slices.Sort(phones)
	sum.PhonesExposed = int64(len(slices.Compact(phones)))
	return nil
}

// personsPass writes one row per person, visiting each person's
// recordings; it holds nothing per person. Visiting a person's recordings
// is a few scattered reads of the index each (most of the pass's time is
// waiting for memory), so batches of persons are decided on every core
// and their rows written in order here.
func (d *decider) personsPass() error {
	e := d.e
	ix := e.ix
	sum := &d.rep.Summary
	sum.PersonsByLevel = map[string]int64{}
	sum.ChildrenByLevel = map[string]int64{}
	sum.SubjectsByKind = map[string]int64{}
	n := ix.NumPersons()
	var order []int32
	if e.opt.PersonOrder != nil {
		type keyed struct {
			key uint64
			p   int32
		}
		ks := make([]keyed, n)
		for p := range n {
			ks[p] = keyed{e.opt.PersonOrder(ix.Person(p).ID()), int32(p)}
		}
		slices.SortFunc(ks, func(a, b keyed) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.p, b.p)) })
		order = make([]int32, n)
		for i, k := range ks {
			order[i] = k.p
		}
	}

	workers := runtime.GOMAXPROCS(0)
	inflight := 2*workers + 2 // batches decided or being written
	free := make(chan *personBatch, inflight)
	for range inflight {
		free <- &personBatch{}
	}
	jobs := make(chan *personBatch, inflight)  // never full: at most inflight batches exist
	queue := make(chan *personBatch, inflight) // the same batches, in order
	stop := make(chan struct{})
	go func() {
		defer close(queue)
		defer close(jobs)
		for start := 0; start < n; start += personBatchSize {
			var b *personBatch
			select {
			case b = <-free:
			case <-stop:
				return
			}
			b.start, b.end, b.done = start, min(start+personBatchSize, n), make(chan struct{})
			jobs <- b
			queue <- b
		}
	}()
	scratch := make([]*personScratch, workers)
	var wg sync.WaitGroup
	for w := range scratch {
		sc := &personScratch{actorPerson: make([]int64, len(d.actors))}
		scratch[w] = sc
		wg.Go(func() {
			for b := range jobs {
				b.rows, b.levels, b.strs, b.phones = b.rows[:0], b.levels[:0], b.strs[:0], b.phones[:0]
				for from := b.start; from < b.end; from += personTouchSize {
					to := min(from+personTouchSize, b.end)
					sc.sink += d.touchPersons(from, to, order)
					for i := from; i < to; i++ {
						p := i
						if order != nil {
							p = int(order[i])
						}
						b.rows = append(b.rows, PersonRow{})
						d.personRow(p, sc, b, &b.rows[len(b.rows)-1])
					}
				}
				close(b.done)
			}
		})
	}
	var err error
	for b := range queue {
		<-b.done
		for i := range b.rows {
			if err != nil {
				break
			}
			row, level := &b.rows[i], b.levels[i]
			if err = d.sink.Person(row); err != nil {
				close(stop)
				break
			}
			sum.PersonsByLevel[row.Level]++
			if row.Child {
				sum.ChildrenByLevel[row.Level]++
			}
			sum.SubjectsByKind[row.SubjectKind]++
			sum.PersonsTotal++
			if level > None {
				sum.PersonsNotify++
			}
			if level == Undeterminable {
				sum.PersonsOnGap++
			}
			if level >= Metadata && level < Full && row.CallsUndet > 0 {
				sum.PersonsAlsoInGap++
			}
		}
		clear(b.rows) // the strings and slices they hold
		clear(b.strs)
		free <- b
	}
	wg.Wait()
	for _, sc := range scratch {
		for a, c := range sc.actorPerson {
			d.actorPerson[a] += c
		}
	}
	return err
}

// personBatchSize is the number of persons a worker decides at a time.
const personBatchSize = 2048

// A personBatch is the rows of persons [start, end) of the pass's order,
// with their lists' backing arrays.
type personBatch struct {
	start, end int
	rows       []PersonRow
	levels     []Level  // the rows' levels
	strs       []string // the rows' Roles, Regions and ActorCategories
	phones     []Phone
	done       chan struct{} // closed when the rows are decided
}

// keepStrs copies s into the batch and returns the copy.
func (b *personBatch) keepStrs(s []string) []string {
	if len(s) == 0 {
		return []string{}
	}
	at := len(b.strs)
	b.strs = append(b.strs, s...)
	return b.strs[at:len(b.strs):len(b.strs)]
}

// personScratch is one worker's buffers.
type personScratch struct {
	roleIDs, regionIDs, phoneNums []uint64
	phoneRaw                      []string
	roles, regions, cats          []string
	phones                        []Phone
	acts                          []int32
	r                             record
	actorPerson                   []int64 // persons by actor, added to the decider's at the end
	sink                          uint32  // touchPersons' reads, kept so that they are made
}

// recTouchSize is the number of recordings whose subjects' persons the
// recordings pass touches ahead at a time.
const recTouchSize = 64

// touchRecordings reads ahead the identity keys of the persons of
// recordings [from, to), which Index.Recording reads: persons are in the
// order of their identity numbers, so a recording's are anywhere in
// memory; read in a loop with no other work, the loads overlap. It
// returns what it read, for the caller to keep so that the reads are made.
func (d *decider) touchRecordings(from, to int) uint64 {
	ix := d.e.ix
	var sink uint64
	for _, q := range ix.subjPerson[ix.subjStart[from]:ix.subjStart[to]] {
		sink += ix.personKey[q]
	}
	return sink
}

// personTouchSize is the number of persons whose recordings are touched
// ahead at a time: their data stays in the core's cache until decided.
const personTouchSize = 128

// touchPersons reads, ahead of personRow, the first bytes of what
// personRow reads of each recording of persons [from, to) of the pass's
// order. A person's recordings are scattered over the index, and
// personRow's reads of one recording depend on one another (the offset,
// then the record), so each one waits for memory; read here, in a loop
// with no other work, the loads of many recordings overlap, and personRow
// finds them in the cache. It returns what it read, for the caller to
// keep so that the reads are made.
func (d *decider) touchPersons(from, to int, order []int32) uint32 {
	ix := d.e.ix
	var sink uint32
	for i := from; i < to; i++ {
		p := i
		if order != nil {
			p = int(order[i])
		}
		for _, ri := range ix.PersonRecordings(p) {
			// A person's recording has a subject: the person.
			sink += uint32(ix.data[ix.offs[ri]]) + uint32(ix.subjPerson[ix.subjStart[ri]]) + uint32(d.recs[ri].level)
			if d.listed != nil {
				sink += uint32(d.listed[ri].actors)
			}
		}
	}
	return sink
}

// personRow decides person p into row, its lists kept in b.
func (d *decider) personRow(p int, sc *personScratch, b *personBatch, row *PersonRow) {
	e := d.e
	ix := e.ix
	r := &sc.r
	key := ix.personKey[p]
	found := false // the person's identity: as Index.Person, from its first call
	sc.roleIDs, sc.regionIDs, sc.phoneNums, sc.phoneRaw, sc.acts = sc.roleIDs[:0], sc.regionIDs[:0], sc.phoneNums[:0], sc.phoneRaw[:0], sc.acts[:0]
	var level Level
	var cats uint64
	var first int64
	for _, ri := range ix.PersonRecordings(p) {
		ix.rec(int(ri), r)
		rv := &d.recs[ri]
		c := cursor(r.subj)
		for _, q := range ix.subjPerson[ix.subjStart[ri]:ix.subjStart[ri+1]] {
			role, form, kind, given := c.subject()
			if int(q) != p {
				continue
			}
			if !found {
				found = true
				id := ix.identity(q, form, IdentityKind(kind), given)
				row.SubjectID, row.SubjectIDGiven, row.SubjectKind = IdentityNumber(id.ID()), IdentityNumber(id.Given), id.Kind.String()
			}
			sc.roleIDs = addOnce(sc.roleIDs, role+1) // +1: 0 is "none" to addOnce
			if !row.Child && key&personString == 0 && r.flags&recTime != 0 && childAt(key, r.startedAt(ix.loc)) {
				row.Child = true
			}
		}
		row.Calls++
		switch rv.level {
		case Full:
			row.CallsFull++
		case Partial:
			row.CallsPartial++
		case Metadata:
			row.CallsMetadata++
		case Undeterminable:
			row.CallsUndet++
		}
		if rv.level >= Metadata {
			row.CallsExposed++
			if rv.first != 0 && (first == 0 || rv.first < first) {
				first = rv.first
			}
		}
		level = max(level, rv.level)
		sc.regionIDs = addOnce(sc.regionIDs, r.region+1)
		switch {
		case r.flags&recPhoneE164 != 0:
			sc.phoneNums = addOnce(sc.phoneNums, r.phoneNum)
		case r.flags&recPhoneRaw != 0:
			sc.phoneRaw = addOnce(sc.phoneRaw, r.phone)
		default:
			sc.phoneRaw = addOnce(sc.phoneRaw, "")
		}
		cats |= rv.cats
		if d.listed != nil {
			row.ListingActors = max(row.ListingActors, int64(d.listed[ri].actors))
		}
		if rv.shared {
			for _, a := range d.recActs[d.recOff[ri]:d.recOff[ri+1]] {
				sc.acts = addOnce(sc.acts, a+1) // +1: 0 is "none" to addOnce
			}
		} else {
			// The person's only recording: its actors were counted
			// for the actors in the recordings pass.
			row.Actors += int64(rv.actors)
		}
	}
	for _, a := range sc.acts {
		sc.actorPerson[a-1]++
		if !d.trusted[a-1] {
			row.Actors++
		}
	}
	sc.roles, sc.regions, sc.phones = sc.roles[:0], sc.regions[:0], sc.phones[:0]
	for _, k := range sc.roleIDs {
		sc.roles = addOnce(sc.roles, ix.roles[k-1])
	}
	for _, k := range sc.regionIDs {
		sc.regions = addOnce(sc.regions, ix.region[k-1])
	}
	for _, num := range sc.phoneNums {
		sc.phones = addOnce(sc.phones, Phone(e164(num)))
	}
	for _, raw := range sc.phoneRaw {
		sc.phones = addOnce(sc.phones, Phone(strings.Clone(raw)))
	}
	row.Level = level.String()
	b.levels = append(b.levels, level)
	row.Roles = b.keepStrs(sorted(sc.roles))
	row.Regions = b.keepStrs(sorted(sc.regions))
	row.Phones = []Phone{}
	if len(sc.phones) > 0 {
		slices.Sort(sc.phones)
		at := len(b.phones)
		b.phones = append(b.phones, sc.phones...)
		row.Phones = b.phones[at:len(b.phones):len(b.phones)]
	}
	sc.cats = d.appendCatNames(sc.cats[:0], cats)
	row.ActorCategories = b.keepStrs(sorted(sc.cats))
	row.FirstExposure = nanoTime(first)
	row.VerdictRestsOnGap = level == Undeterminable
}

// actorsPass writes one row per actor.
func (d *decider) actorsPass() error {
	sum := &d.rep.Summary
	sum.ActorsByCategory = map[string]int64{}
	sum.ActorsByCountry = map[string]int64{}
	for i := range d.actors {
		a, info := &d.actors[i], &d.infos[i]
		row := ActorRow{
			ActorIP: info.ip, ActorUA: info.ua, Label: info.label, Category: info.category,
			Country: info.geo.Country, City: info.geo.City, ASN: int64(info.geo.ASN), ASOrg: info.geo.ASOrg,
			UAClass: info.uaInfo.Class, UAName: info.uaInfo.Name, UserAgents: info.uas,
			FirstSeen: nanoTime(a.first), LastSeen: nanoTime(a.last), Requests: a.requests, ListingViews: a.listingViews,
			RecordingsFull: d.actorLevels[i][0], RecordingsPartial: d.actorLevels[i][1], RecordingsMeta: d.actorLevels[i][2],
			RecordingsListed: d.actorListed[i], BytesDelivered: d.actorBytes[i], Persons: d.actorPerson[i],
		}
		if row.UserAgents == nil {
			row.UserAgents = []string{}
		}
		if err := d.sink.Actor(&row); err != nil {
			return err
		}
		sum.Actors++
		sum.ActorsByCategory[info.category]++
		if info.geo.Country != "" {
			sum.ActorsByCountry[info.geo.Country]++
		}
	}
	return nil
}

// addOnce appends v to s unless it is there already (or is "").
func addOnce[T comparable](s []T, v T) []T {
	var zero T
	if v == zero || slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
