package exposure

import (
	"cmp"
	"encoding/binary"
	"io"
	"math"
	"slices"
	"strings"
)

// Directory listings are resolved per folder, never per (recording, actor)
// pair: a shard buffers listing events (folder, actor, time), spills them
// as sorted runs like pair events, and Finish sweeps each folder once: per
// actor, its first and last listing (listings.parquet); per recording of
// the folder, the listings made after the file became available (the
// first, the last, how many, by how many actors and of which categories).
// A crawler that lists every folder of a 2.7-million-file tree costs one
// event per listing, not one state per file.

// listingEvent is one successful listing of a folder of the index.
type listingEvent struct {
	folder, actor int32
	t             int64 // Unix nanoseconds; 0 untimed
	ref           evRef
	view          uint32 // the engine's listing view; 0: the whole folder
}

const listingEventSize = 32

type listingBuffer struct {
	events []listingEvent
	limit  int
	runs   []runSource
	err    error
}

func (b *listingBuffer) add(ev listingEvent, s *Shard) {
	if b.events == nil {
		b.events = make([]listingEvent, 0, min(b.limit, 1<<14))
	}
	b.events = append(b.events, ev)
	if len(b.events) >= b.limit {
		b.spill(s, true)
	}
}

func (b *listingBuffer) spill(s *Shard, toDisk bool) {
	if len(b.events) == 0 {
		return
	}
	slices.SortFunc(b.events, func(x, y listingEvent) int {
		return cmp.Or(cmp.Compare(x.folder, y.folder), cmp.Compare(x.actor, y.actor), cmp.Compare(x.t, y.t), cmp.Compare(x.ref, y.ref))
	})
	rw := s.e.startRun(toDisk, &b.err)
	var buf []byte
	for _, ev := range b.events {
		buf = binary.AppendUvarint(buf[:0], uint64(ev.folder))
		buf = binary.AppendUvarint(buf, uint64(ev.actor))
		buf = binary.AppendVarint(buf, ev.t)
		buf = binary.AppendUvarint(buf, uint64(ev.ref))
		buf = binary.AppendUvarint(buf, uint64(ev.view))
		rw.write(buf)
	}
	b.events = b.events[:0]
	b.runs = append(b.runs, rw.finish(&s.stats, &b.err))
}

func decodeListing(r io.ByteReader, ev *listingEvent) error {
	f, err := binary.ReadUvarint(r)
	if err != nil {
		return err
	}
	a, err1 := binary.ReadUvarint(r)
	t, err2 := binary.ReadVarint(r)
	ref, err3 := binary.ReadUvarint(r)
	view, err4 := binary.ReadUvarint(r)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return errRunCorrupt
	}
	*ev = listingEvent{int32(f), int32(a), t, evRef(ref), uint32(view)}
	return nil
}

// listingMerger yields the events of every run folder by folder, with
// global actor numbers.
type listingMerger struct {
	*runMerger[listingEvent]
	group []listingEvent
}

func newListingMerger(runs []runSource, remaps [][]int32) (*listingMerger, error) {
	m, err := newRunMerger(runs, remaps, decodeListing, func(ev *listingEvent) int32 { return ev.folder })
	if err != nil {
		return nil, err
	}
	return &listingMerger{runMerger: m}, nil
}

// next returns the next folder's events, sorted by (actor, time,
// reference), or ok false at the end.
func (m *listingMerger) next() (folder int32, evs []listingEvent, ok bool, err error) {
	if len(m.h) == 0 {
		return 0, nil, false, nil
	}
	folder = m.peek()
	g, err := m.collect(folder, m.group[:0], func(ev *listingEvent, remap []int32) listingEvent {
		out := *ev
		out.actor = remap[out.actor]
		return out
	})
	if err != nil {
		return 0, nil, false, err
	}
	slices.SortFunc(g, func(x, y listingEvent) int {
		return cmp.Or(cmp.Compare(x.actor, y.actor), cmp.Compare(x.t, y.t), cmp.Compare(x.ref, y.ref))
	})
	m.group = g
	return folder, g, true, nil
}

// recListing is what listings showed of one recording: listings made
// after it became available.
type recListing struct {
	first, last int64  // first and last such listing, any actor
	exposed     int64  // first such listing by an actor not trusted; 0 none
	count       uint32 // such listings (saturating)
	actors      uint32 // distinct actors that made one
	cats        uint64 // their categories, as bits of categoryIDs
	ref         evRef  // the line of the first such listing
	// maybe: only filtered or paged listings that may or may not have
	// shown the name (ListingView's MaybeShown); flagged listing_unknown.
	maybe bool
}

type timedRef struct {
	t   int64
	ref evRef
}

// listingActor is one actor's listings of the folder being swept.
type listingActor struct {
	actor       int32
	first, last int64
	n           int64
	times       []int64 // this actor's listing times, sorted
}

// sweepFolder resolves one folder's listings: it emits a ListingRow per
// actor and fills out[rec] for the folder's recordings.
func (d *decider) sweepFolder(folder int32, evs []listingEvent) error {
	e := d.e
	recs := e.ix.FolderRecordings(int(folder))
	if slices.ContainsFunc(evs, func(ev listingEvent) bool { return ev.view != 0 }) || d.caddyCapped(recs) {
		return d.sweepFolderViews(folder, evs, recs)
	}
	avail := func(i int) int64 { return e.ix.AvailableAt(int(recs[i])) }
	var acts []listingActor
	var untrusted []int64 // listing times by actors not trusted
	var all []timedRef    // every timed listing
	for i := 0; i < len(evs); {
		j := i
		for j < len(evs) && evs[j].actor == evs[i].actor {
			j++
		}
		la := listingActor{actor: evs[i].actor, n: int64(j - i)}
		refs := make([]evRef, 0, j-i)
		for _, ev := range evs[i:j] {
			seenNano(&la.first, &la.last, ev.t)
			refs = append(refs, ev.ref)
			if ev.t != 0 {
				la.times = append(la.times, ev.t)
			}
		}
		slices.Sort(refs)
		refs = slices.Compact(refs)
		more := int64(0)
		if len(refs) > e.opt.MaxEvidence {
			more = int64(len(refs) - e.opt.MaxEvidence)
			refs = refs[:e.opt.MaxEvidence]
		}
		for _, ev := range evs[i:j] {
			if ev.t != 0 {
				all = append(all, timedRef{ev.t, ev.ref})
			}
		}
		if !d.trusted[la.actor] {
			untrusted = append(untrusted, la.times...)
		}
		// Recordings this actor's listings showed: those available by its
		// last listing.
		last := la.last
		if last == 0 {
			last = math.MaxInt64 // untimed: cannot tell; count the folder
		}
		shown, _ := slices.BinarySearchFunc(recs, last, func(r int32, t int64) int {
			if e.ix.AvailableAt(int(r)) <= t {
				return -1
			}
			return 1
		})
		d.actorListed[la.actor] += int64(shown)
		if err := d.listingRow(folder, &la, refs, more, shown); err != nil {
			return err
		}
		acts = append(acts, la)
		i = j
	}
	if len(recs) == 0 {
		return nil
	}
	slices.SortFunc(all, func(x, y timedRef) int { return cmp.Or(cmp.Compare(x.t, y.t), cmp.Compare(x.ref, y.ref)) })
	slices.Sort(untrusted)
	// Actors by their last listing, latest first: those whose last
	// listing is at or after a recording's availability saw it.
	slices.SortFunc(acts, func(a, b listingActor) int { return cmp.Compare(b.last, a.last) })
	for k := range recs {
		a := avail(k)
		var rl recListing
		i, _ := slices.BinarySearchFunc(all, a, func(x timedRef, t int64) int { return cmp.Compare(x.t, t) })
		if i < len(all) {
			rl.first, rl.last, rl.ref = all[i].t, all[len(all)-1].t, all[i].ref
			rl.count = uint32(min(len(all)-i, math.MaxUint32))
		}
		if u, _ := slices.BinarySearch(untrusted, a); u < len(untrusted) {
			rl.exposed = untrusted[u]
		}
		for _, la := range acts {
			if la.last < a || la.last == 0 {
				break
			}
			rl.actors++
			rl.cats |= 1 << d.catBit[la.actor]
		}
		if rl.count > 0 {
			d.listed[recs[k]] = rl
		}
	}
	return nil
}

// caddyCapped reports whether Caddy lists only part of a folder of these
// recordings: it reads the first 10,000 entries the file system returns.
func (d *decider) caddyCapped(recs []int32) bool {
	return d.e.opt.ListingServer == ListingServerCaddy && len(recs) > caddyDirLimit
}

// sweepFolderViews resolves a folder some of whose listings were filtered
// or paged (a view other than 0): each such listing shows the recordings
// its ListingView makes visible among those available at its time. It
// costs recordings x listings of the folder, where sweepFolder costs
// their sum: only folders with such listings take this way.
func (d *decider) sweepFolderViews(folder int32, evs []listingEvent, recs []int32) error {
	e := d.e
	// What each filtered listing showed, by position in recs.
	vis := make([][]Visibility, len(evs))
	var subdirs []string
	if l, ok := e.ix.Dir(e.ix.FolderPath(int(folder))); ok {
		subdirs = l.Subdirs
	}
	var entries []ListingEntry
	var at []int // entries[j] is recs[at[j]]; subfolders follow
	capped := d.caddyCapped(recs)
	for i, ev := range evs {
		if ev.view == 0 && !capped {
			continue
		}
		view := ListingView{Server: e.opt.ListingServer}
		if ev.view != 0 {
			view = e.views[ev.view]
		}
		entries, at = entries[:0], at[:0]
		for k, r := range recs {
			if ev.t != 0 && e.ix.AvailableAt(int(r)) > ev.t {
				break // recs are sorted by availability
			}
			key := e.ix.Key(int(r))
			// The file's time is not known (the index gives the call's
			// end): a time order stays unknown.
			entries = append(entries, ListingEntry{Name: key[strings.LastIndexByte(key, '/')+1:], Size: e.sizes[r]})
			at = append(at, k)
		}
		for _, sd := range subdirs {
			entries = append(entries, ListingEntry{Name: sd, Dir: true, Size: -1})
		}
		// The index knows the folder's recordings, not its other files:
		// a page is placed among what it knows, and flagged.
		v := view.Visible(entries, false, nil)
		vis[i] = make([]Visibility, len(recs))
		for j, k := range at {
			vis[i][k] = v[j]
		}
	}
	// Listing rows per actor, as sweepFolder writes them.
	for i := 0; i < len(evs); {
		j := i
		for j < len(evs) && evs[j].actor == evs[i].actor {
			j++
		}
		la := listingActor{actor: evs[i].actor, n: int64(j - i)}
		refs := make([]evRef, 0, j-i)
		shown := 0
		for k, ev := range evs[i:j] {
			seenNano(&la.first, &la.last, ev.t)
			refs = append(refs, ev.ref)
			n := 0
			for r := range recs {
				if (ev.t == 0 || e.ix.AvailableAt(int(recs[r])) <= ev.t) && (vis[i+k] == nil || vis[i+k][r] != Hidden) {
					n++
				}
			}
			shown = max(shown, n)
		}
		slices.Sort(refs)
		refs = slices.Compact(refs)
		more := int64(0)
		if len(refs) > e.opt.MaxEvidence {
			more = int64(len(refs) - e.opt.MaxEvidence)
			refs = refs[:e.opt.MaxEvidence]
		}
		d.actorListed[la.actor] += int64(shown)
		if err := d.listingRow(folder, &la, refs, more, shown); err != nil {
			return err
		}
		i = j
	}
	// Each recording: the timed listings after it became available that
	// did not hide it.
	for k, r := range recs {
		a := e.ix.AvailableAt(int(r))
		var rl recListing
		sure := false
		lastActor := int32(-1)
		firstT := int64(math.MaxInt64)
		for i, ev := range evs {
			if ev.t == 0 || ev.t < a {
				continue
			}
			v := Shown
			if vis[i] != nil {
				v = vis[i][k]
			}
			if v == Hidden {
				continue
			}
			sure = sure || v == Shown
			if ev.t < firstT || ev.t == firstT && ev.ref < rl.ref {
				firstT, rl.ref = ev.t, ev.ref
			}
			seenNano(&rl.first, &rl.last, ev.t)
			if rl.count < math.MaxUint32 {
				rl.count++
			}
			if !d.trusted[ev.actor] && (rl.exposed == 0 || ev.t < rl.exposed) {
				rl.exposed = ev.t
			}
			if ev.actor != lastActor {
				rl.actors++
				rl.cats |= 1 << d.catBit[ev.actor]
				lastActor = ev.actor
			}
		}
		if rl.count > 0 {
			rl.maybe = !sure
			d.listed[r] = rl
		}
	}
	return nil
}
