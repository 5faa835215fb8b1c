package exposure

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// Folders and persons: the tables an Index derives from its recordings
// once they are all read. They are built by buildTables and never change
// afterwards.

// NumFolders returns the number of folders: every folder that holds a
// recording directly or below it, the root "/" included when the index
// holds anything. Folders are numbered 0 to NumFolders()-1 in the order
// of their paths (FolderPath).
func (ix *Index) NumFolders() int { return len(ix.folderKeys) }

// Folder maps a listing request path to its folder number. The path is
// mapped and normalised exactly as Match does; a trailing slash is
// optional. It reports false when the index holds nothing under the
// folder (or the path lies outside a set StripPrefix). Folder is a hash
// lookup and does not allocate for a path already in canonical form.
func (ix *Index) Folder(requestPath string) (int, bool) {
	p, ok := ix.mapRequest(requestPath)
	if !ok {
		return 0, false
	}
	f, ok := ix.folderIDs[strings.TrimSuffix(p, "/")]
	return int(f), ok
}

// FolderPath returns the normalised index path of folder f with a
// trailing slash ("/" for the root), as Key gives recording paths.
func (ix *Index) FolderPath(f int) string { return ix.folderKeys[f] }

// FolderOf returns the folder that directly holds recording i.
func (ix *Index) FolderOf(i int) int { return int(ix.folderOf[i]) }

// FolderRecordings returns the recordings directly in folder f, sorted
// by AvailableAt, ties by recording number. The slice is shared: do not
// modify it.
func (ix *Index) FolderRecordings(f int) []int32 {
	return ix.folderRecs[ix.folderStart[f]:ix.folderStart[f+1]:ix.folderStart[f+1]]
}

// AvailableAt returns when recording i became available, in Unix
// nanoseconds: StartedAt plus Duration (a call's file appears when the
// call ends). It is math.MinInt64 when the start is unknown: such a
// recording counts as present at any time.
func (ix *Index) AvailableAt(i int) int64 { return ix.avail[i] }

// NumPersons returns the number of distinct subjects over all
// recordings. Persons are numbered 0 to NumPersons()-1 in ascending
// order of their Identity.ID(); Subject.Person gives a subject's number.
func (ix *Index) NumPersons() int { return len(ix.personStart) - 1 }

// Person returns person p's identity as parsed for the first recording
// (in index order) that names the person.
func (ix *Index) Person(p int) Identity {
	i := int(ix.personRecs[ix.personStart[p]])
	for _, s := range ix.Recording(i).Subjects {
		if int(s.Person) == p {
			return s.ID
		}
	}
	panic("exposure: person table out of step with its recordings")
}

// PersonRecordings returns the recordings that name person p, in
// ascending order, each once. The slice is shared: do not modify it.
func (ix *Index) PersonRecordings(p int) []int32 {
	return ix.personRecs[ix.personStart[p]:ix.personStart[p+1]:ix.personStart[p+1]]
}

// availableAt returns t+d in Unix nanoseconds, saturating at the limits
// of int64, and math.MinInt64 for the zero t.
func availableAt(t time.Time, d time.Duration) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	const maxSec = math.MaxInt64 / int64(time.Second)
	sec := t.Unix()
	switch {
	case sec >= maxSec:
		return math.MaxInt64
	case sec <= -maxSec:
		return math.MinInt64 + 1
	}
	ns := sec*int64(time.Second) + int64(t.Nanosecond())
	if ns > math.MaxInt64-int64(d) {
		return math.MaxInt64
	}
	return ns + int64(d)
}

// folderOfKey returns the folder path (with its trailing slash) that
// directly holds the recording with the normalised key k, and "" for the
// root. A row whose path is the root itself is held by the root.
func folderOfKey(k string) string {
	return k[:strings.LastIndexByte(strings.TrimSuffix(k, "/"), '/')+1]
}

// directFolder returns the folder that directly holds the recording with
// key k.
func directFolder(k string) string {
	if d := folderOfKey(k); d != "" {
		return d
	}
	return "/"
}

// buildTables derives the folder and person tables from the recordings.
func (ix *Index) buildTables() {
	n := ix.Len()
	// Folders: the direct folder of each recording and every ancestor.
	ids := make(map[string]int32)
	direct := make([]string, n)
	for i := range n {
		d := directFolder(ix.Key(i))
		direct[i] = d
		for d != "" {
			if _, ok := ids[d]; ok {
				break
			}
			ids[d] = 0
			d = folderOfKey(d)
		}
	}
	ix.folderKeys = make([]string, 0, len(ids))
	for k := range ids {
		ix.folderKeys = append(ix.folderKeys, k)
	}
	slices.Sort(ix.folderKeys)
	ix.folderIDs = make(map[string]int32, len(ids))
	for f, k := range ix.folderKeys {
		ix.folderIDs[strings.TrimSuffix(k, "/")] = int32(f)
	}
	ix.folderOf = make([]int32, n)
	ix.avail = make([]int64, n)
	ix.folderStart = make([]uint32, len(ix.folderKeys)+1)
	for i := range n {
		f := ix.folderIDs[strings.TrimSuffix(direct[i], "/")]
		ix.folderOf[i] = f
		ix.folderStart[f+1]++
		ix.avail[i] = availableAt(ix.StartedAt(i), ix.Duration(i))
	}
	for f := range ix.folderKeys {
		ix.folderStart[f+1] += ix.folderStart[f]
	}
	ix.folderRecs = make([]int32, n)
	next := slices.Clone(ix.folderStart[:len(ix.folderKeys)])
	for i := range n {
		f := ix.folderOf[i]
		ix.folderRecs[next[f]] = int32(i)
		next[f]++
	}
	for f := range ix.folderKeys {
		slices.SortFunc(ix.FolderRecordings(f), func(a, b int32) int {
			return cmp.Or(cmp.Compare(ix.avail[a], ix.avail[b]), cmp.Compare(a, b))
		})
	}

	// Persons: each subject parsed once, grouped by its ID.
	pids := make(map[string]int32)
	var names []string
	ix.subjStart = make([]uint32, n+1)
	for i := range n {
		d := ix.decoder(i)
		at := d.startedAt(ix.loc)
		for range d.nsubj {
			_, given := d.subject()
			id := ParseIdentity(string(given), at).ID()
			p, ok := pids[id]
			if !ok {
				p = int32(len(names))
				pids[id] = p
				names = append(names, id)
			}
			ix.subjPerson = append(ix.subjPerson, p)
		}
		ix.subjStart[i+1] = uint32(len(ix.subjPerson))
	}
	order := make([]int32, len(names))
	for k := range order {
		order[k] = int32(k)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(names[a], names[b]) })
	rank := make([]int32, len(names))
	for r, p := range order {
		rank[p] = int32(r)
	}
	ix.personStart = make([]uint32, len(names)+1)
	for k, p := range ix.subjPerson {
		ix.subjPerson[k] = rank[p]
	}
	// Count each person once per recording.
	last := make([]int32, len(names))
	for k := range last {
		last[k] = -1
	}
	for i := range n {
		for _, p := range ix.subjPerson[ix.subjStart[i]:ix.subjStart[i+1]] {
			if last[p] != int32(i) {
				last[p] = int32(i)
				ix.personStart[p+1]++
			}
		}
	}
	for p := range names {
		ix.personStart[p+1] += ix.personStart[p]
	}
	ix.personRecs = make([]int32, ix.personStart[len(names)])
	pos := slices.Clone(ix.personStart[:len(names)])
	for k := range last {
		last[k] = -1
	}
	for i := range n {
		for _, p := range ix.subjPerson[ix.subjStart[i]:ix.subjStart[i+1]] {
			if last[p] != int32(i) {
				last[p] = int32(i)
				ix.personRecs[pos[p]] = int32(i)
				pos[p]++
			}
		}
	}
}
