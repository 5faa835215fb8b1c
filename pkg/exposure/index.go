package exposure

import (
	"errors"
	"hash/maphash"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Recording is one recorded call listed in the index.
type Recording struct {
	// Path is the file's path as the index gives it.
	Path string
	// CallID is the call platform's identifier, "" when not given.
	CallID string
	// StartedAt is when the call started, zero when not given or not
	// usable.
	StartedAt time.Time
	// Duration is the length of the call, 0 when not given or not usable.
	Duration time.Duration
	// Size is the file size in bytes, -1 when not given or not usable.
	Size int64
	// Region is the region (care provider) the call belongs to.
	Region string
	// CallerPhone is the caller's number in E.164 form, taken from the
	// file name when the index gives none; a number the phone metadata
	// rejects is kept as given. "" when unknown. It is personal data
	// (a Phone: masked when printed).
	CallerPhone Phone
	// Subjects are the persons the call is about, in index order (the
	// subjects of rows repeating the path follow, in row order). Their
	// identities were parsed with StartedAt as the reference date, or
	// IndexOptions.Reference when StartedAt is unknown.
	Subjects []Subject
	// Row is where the recording stands in the index: the 1-based line
	// on which its row starts for CSV (the header is line 1) and JSONL,
	// the 1-based row number for Parquet.
	Row int
	// Uncertain reports that the row's size, start or duration could not
	// be read: those facts are unknown (Size -1, zero StartedAt, 0
	// Duration), so a verdict that needs them is uncertain. The row's
	// IndexError says which column.
	Uncertain bool
}

// A Subject is a person a recording is about, with the role the index
// gives ("caller", "patient", ...; "" when none).
type Subject struct {
	Role string
	ID   Identity
	// Person is the subject's person number in the index (see
	// Index.NumPersons): equal for every spelling of one person.
	Person int32
}

// Names of the index columns, as IndexOptions.Columns keys them.
const (
	ColPath        = "path"         // the file's path: required
	ColCallID      = "call_id"      // the platform's call identifier
	ColStartedAt   = "started_at"   // RFC 3339, or "2006-01-02 15:04:05" in IndexOptions.Location: required
	ColDuration    = "duration_s"   // seconds (decimal), or [h:]mm:ss
	ColSize        = "size_bytes"   // file size in bytes: required
	ColRegion      = "region"       // region or care provider
	ColCallerPhone = "caller_phone" // the caller's phone number
	ColSubjects    = "subjects"     // persons: "caller:19800101-1234;patient:..." or a JSON list: required
)

// indexColumns lists the columns in their internal order.
var indexColumns = [...]string{ColPath, ColCallID, ColStartedAt, ColDuration, ColSize, ColRegion, ColCallerPhone, ColSubjects}

const (
	cPath = iota
	cCallID
	cStartedAt
	cDuration
	cSize
	cRegion
	cPhone
	cSubjects
	numIndexColumns
)

// requiredColumns must be present, and not empty in every row, for the
// index to be usable: without them no person, delivery or time can be
// decided.
var requiredColumns = [...]int{cPath, cSubjects, cStartedAt, cSize}

// IndexOptions control how an index is read.
type IndexOptions struct {
	// Format is "csv", "tsv", "jsonl" or a format registered with
	// RegisterIndexFormat ("parquet" by internal/parquetindex); "" chooses
	// by the file extension, then by the content.
	Format string
	// Columns renames columns: our name (ColPath, ...) -> the column name
	// in the input. Names are matched case-insensitively. A column left
	// out is looked up by our name.
	Columns map[string]string
	// PathMapper maps request paths to index paths in Match, Folder and
	// Dir; its FoldCase also applies to the index paths.
	PathMapper PathMapper
	// Location is the zone of started_at values without an offset; nil
	// means UTC.
	Location *time.Location
	// Reference is the date that decides the century of a 10-digit
	// identity number in a row without a usable started_at (for a row
	// with one, the call date decides): usually the date the index was
	// exported or is loaded. When zero, the latest call start in the
	// index is used; when no row has one either, such numbers keep an
	// unknown century (Identity.Canonical empty) and each such row gets
	// an ErrIndexCentury warning.
	Reference time.Time
}

// Sentinel errors wrapped by IndexError. Compare with errors.Is.
var (
	ErrIndexNoPath    = errors.New("missing path")
	ErrIndexDuplicate = errors.New("duplicate path (subjects merged into the first row)")
	ErrIndexNumber    = errors.New("bad number")
	ErrIndexTime      = errors.New("bad time")
	ErrIndexSyntax    = errors.New("syntax error")
	ErrIndexTooLong   = errors.New("row too long")
	ErrIndexSubjects  = errors.New("bad subjects")
	ErrIndexFields    = errors.New("wrong number of fields")
	ErrIndexCentury   = errors.New("century of a 10-digit identity number unknown (no call date, no reference date)")
)

// An IndexError reports an index row that could not be used, or only in
// part. It carries the row's position and the column, never a value from
// the row.
//
// A row left out (Kept false) adds no recording and no person. A row
// kept in part (Kept true) is one of: a row whose size, start or
// duration could not be read (its recording is Uncertain and keeps its
// subjects); a row repeating an earlier row's path (First), whose
// subjects were merged into that recording; a row with an identity
// number of unknown century.
type IndexError struct {
	Row    int    // as Recording.Row
	Column string // our column name (ColPath, ...), "" for the whole row
	Err    error  // one of the ErrIndex* values, or a wrapper of one
	// Kept reports that the row still contributes (see above).
	Kept bool
	// First is, for ErrIndexDuplicate, the row of the recording the
	// row's subjects were merged into.
	First int
}

func (e *IndexError) Error() string {
	s := "exposure: index row " + strconv.Itoa(e.Row) + ": "
	if e.Column != "" {
		s += e.Column + ": "
	}
	s += e.Err.Error()
	switch {
	case e.First > 0:
		s += " (row " + strconv.Itoa(e.First) + ")"
	case e.Kept && e.Column != "" && e.Column != ColPath && e.Column != ColSubjects:
		s += " (row kept, recording uncertain)"
	}
	return s
}

func (e *IndexError) Unwrap() error { return e.Err }

// An IndexColumnsError reports required columns that an index lacks, or
// holds empty in every row.
type IndexColumnsError struct {
	Missing []string // our names of the columns not found (ColPath, ...)
	Empty   []string // our names of the columns found but empty in every row
	// Found are the input's column names, as given, but a name that
	// looks like data (a file without a header row) is replaced by its
	// position, "#3 (holds digits: no header row?)".
	Found  []string
	Mapped map[string]string
}

func (e *IndexColumnsError) Error() string {
	var b strings.Builder
	b.WriteString("exposure: index ")
	if len(e.Missing) > 0 {
		b.WriteString("has no column for " + strings.Join(e.Missing, ", "))
		if len(e.Empty) > 0 {
			b.WriteString("; ")
		}
	}
	if len(e.Empty) > 0 {
		b.WriteString("column " + strings.Join(e.Empty, ", ") + " is empty in every row")
	}
	b.WriteString(" (columns found: ")
	if len(e.Found) == 0 {
		b.WriteString("none")
	}
	for i, f := range e.Found {
		if i > 0 {
			b.WriteString(", ")
		}
		if strings.HasPrefix(f, "#") {
			b.WriteString(f)
		} else {
			b.WriteString(strconv.Quote(f))
		}
	}
	b.WriteString("); map each with --column")
	for _, m := range append(e.Missing[:len(e.Missing):len(e.Missing)], e.Empty...) {
		b.WriteString(" " + m + "=NAME")
	}
	b.WriteString(" (IndexOptions.Columns)")
	return b.String()
}

// IndexStats counts what an index holds.
type IndexStats struct {
	Recordings int
	// Subjects counts subject entries (one person in two recordings
	// counts twice); SubjectsByKind splits them by kind.
	Subjects       int
	SubjectsByKind map[IdentityKind]int
	// Persons counts distinct persons.
	Persons int
	// Children counts subject entries under 18 at the call date.
	Children int
	// WithPhone counts recordings with a caller phone number.
	WithPhone int
	// Uncertain counts recordings whose size, start or duration could
	// not be read.
	Uncertain int
	// Errors counts rows left out (IndexError with Kept false).
	Errors int
	// Warnings counts rows kept in part (IndexError with Kept true):
	// duplicates merged, uncertain recordings, unknown centuries.
	Warnings int
}

// An Index is a recording index held in memory, compactly: for a typical
// row about 86 bytes per recording, 9 per subject and 12 per person
// (BenchmarkLoadIndex3M). Build it with LoadIndex or ReadIndex (or an IndexBuilder).
// Recordings are numbered 0 to Len()-1 in input order. An Index is
// immutable and safe for concurrent use once built.
type Index struct {
	data []byte   // the arena (index_store.go)
	offs []uint32 // recording -> its record in data
	rows []rowRun // Recording.Row by runs of recordings

	seed     maphash.Seed
	recTable slotTable // key -> recording

	huge        *hugeRegions // the arrays advised for huge pages (see largeSlice)
	folderKeys  []string     // folder paths with a trailing slash, in order
	folderTable slotTable    // folder path without its trailing slash -> folder
	folderOf    []int32      // recording -> folder directly holding it
	folderStart []uint32     // folder -> start in folderRecs; len NumFolders()+1
	folderRecs  []int32      // recordings by folder, by AvailableAt
	avail       []int64      // recording -> AvailableAt

	subjStart   []uint32 // recording -> its first subject; len Len()+1
	subjPerson  []int32  // subject -> person
	personKey   []uint64 // person -> canonical number, or personString|i
	personStrs  []string // IDs of persons without a canonical number
	personStart []uint32 // person -> start in personRecs; len NumPersons()+1
	personRecs  []int32  // recordings by person, ascending
	recShared   []uint64 // bit set of the recordings of a person with several

	roles  []string // interned roles, 0 is ""
	region []string // interned regions, 0 is ""
	loc    *time.Location
	mapper PathMapper
	// strip and add are the mapper's prefixes, normalised (and folded),
	// without a trailing slash.
	strip, add string
	errs       []*IndexError

	statsOnce sync.Once
	stats     IndexStats
}

// Len returns the number of recordings.
func (ix *Index) Len() int { return len(ix.offs) }

// Errors returns the rows left out or kept in part, by row number. The
// slice is shared: do not modify it.
func (ix *Index) Errors() []*IndexError { return ix.errs }

// Recording returns recording i (0 <= i < Len()), decoded afresh on each
// call: the caller owns the result. It panics if i is out of range.
func (ix *Index) Recording(i int) *Recording {
	var r record
	ix.rec(i, &r)
	path := r.path
	if r.flags&recPath == 0 {
		path = ix.Key(i)
	} else {
		path = strings.Clone(path)
	}
	rec := &Recording{Path: path, Row: ix.row(i), StartedAt: r.startedAt(ix.loc),
		Duration: r.duration, Size: r.size, Region: ix.region[r.region],
		CallID: strings.Clone(r.callID), CallerPhone: Phone(strings.Clone(r.callerPhone())),
		Uncertain: r.flags&recUncertain != 0}
	if r.nsubj > 0 {
		rec.Subjects = make([]Subject, r.nsubj)
		c := cursor(r.subj)
		persons := ix.subjPerson[ix.subjStart[i]:]
		for k := range rec.Subjects {
			role, form, kind, given := c.subject()
			p := persons[k]
			rec.Subjects[k] = Subject{Role: ix.roles[role], ID: ix.identity(p, form, IdentityKind(kind), given), Person: p}
		}
	}
	return rec
}

// identity builds a subject's Identity from its person and how it was given.
func (ix *Index) identity(p int32, form byte, kind IdentityKind, given string) Identity {
	k := ix.personKey[p]
	if k&personString != 0 {
		return Identity{Given: strings.Clone(given), Kind: kind}
	}
	return identityOf(k, form, kind, strings.Clone(given))
}

// Uncertain reports whether recording i's size, start or duration could
// not be read (see Recording.Uncertain).
func (ix *Index) Uncertain(i int) bool {
	c := cursor(ix.data[ix.offs[i]:])
	return c.uvarint()&recUncertain != 0
}

// shared reports whether a subject of recording i has other recordings.
func (ix *Index) shared(i int) bool { return ix.recShared[i/64]&(1<<(i%64)) != 0 }

// NumSubjects returns the number of subjects of recording i without
// decoding them.
func (ix *Index) NumSubjects(i int) int { return int(ix.subjStart[i+1] - ix.subjStart[i]) }

// Key returns the normalised path of recording i, the key Match uses.
func (ix *Index) Key(i int) string { return ix.folderKeys[ix.folderOf[i]] + ix.recName(i) }

// Size returns the size of recording i (-1 when unknown) without
// decoding the whole recording.
func (ix *Index) Size(i int) int64 {
	var r record
	ix.rec(i, &r)
	return r.size
}

// StartedAt returns the start of recording i (zero when unknown) without
// decoding the whole recording.
func (ix *Index) StartedAt(i int) time.Time {
	var r record
	ix.rec(i, &r)
	return r.startedAt(ix.loc)
}

// Duration returns the length of recording i (0 when unknown) without
// decoding the whole recording.
func (ix *Index) Duration(i int) time.Duration {
	var r record
	ix.rec(i, &r)
	return r.duration
}

// Match finds the recording a request path names. The path is the one
// logparse gives (percent-decoded once); it is normalised with
// NormalizePath and the index's PathMapper, so any spelling of the
// recording's path matches. When the mapper has a StripPrefix, a path
// outside it matches nothing. Match is a hash lookup and does not
// allocate for a path already in canonical form.
func (ix *Index) Match(requestPath string) (int, bool) {
	a, b, ok := ix.mapRequest(requestPath)
	if !ok || len(ix.offs) == 0 {
		return 0, false
	}
	h := hashKey(ix.seed, a, b)
	i, _, found := ix.recTable.probe(h, func(i int) bool {
		return eqParts(a, b, ix.folderKeys[ix.folderOf[i]], ix.recName(i))
	})
	return i, found
}

// mapRequest normalises a request path and maps it into the index's
// space: the key is a+b. A path outside a set StripPrefix names no
// recording: false.
func (ix *Index) mapRequest(p string) (a, b string, ok bool) {
	return mapRequestPath(p, ix.mapper.FoldCase, ix.strip, ix.add)
}

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
	a, b, ok := ix.mapRequest(requestPath)
	if !ok || len(ix.folderKeys) == 0 {
		return 0, false
	}
	if b = strings.TrimSuffix(b, "/"); b == "" {
		a = strings.TrimSuffix(a, "/")
	}
	h := hashKey(ix.seed, a, b)
	f, _, found := ix.folderTable.probe(h, func(f int) bool {
		k := ix.folderKeys[f]
		return eqParts(a, b, k[:len(k)-1], "")
	})
	return f, found
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
func (ix *Index) NumPersons() int { return len(ix.personKey) }

// Person returns person p's identity as parsed for the first recording
// (in index order) that names the person.
func (ix *Index) Person(p int) Identity {
	i := int(ix.personRecs[ix.personStart[p]])
	var r record
	ix.rec(i, &r)
	c := cursor(r.subj)
	for _, q := range ix.subjPerson[ix.subjStart[i]:ix.subjStart[i+1]] {
		_, form, kind, given := c.subject()
		if int(q) == p {
			return ix.identity(q, form, IdentityKind(kind), given)
		}
	}
	panic("exposure: person table out of step with its recordings")
}

// PersonRecordings returns the recordings that name person p, in
// ascending order, each once. The slice is shared: do not modify it.
func (ix *Index) PersonRecordings(p int) []int32 {
	return ix.personRecs[ix.personStart[p]:ix.personStart[p+1]:ix.personStart[p+1]]
}

// A DirListing is what a directory listing of one folder would show,
// as far as the index knows: the recordings directly in it, by index
// number in path order, and the names of its subfolders (no slash), in
// order.
type DirListing struct {
	Recordings []int
	Subdirs    []string
}

// HasDir reports whether the index holds anything under the folder a
// request path names (mapped as in Match): the cheap test for "is this
// request a listing of ours". It is Folder's hash lookup.
func (ix *Index) HasDir(dirPath string) bool {
	_, ok := ix.Folder(dirPath)
	return ok
}

// Dir returns the direct children of a folder, named by a request path
// (mapped as in Match; a trailing slash is optional). It reports false
// when the index holds nothing under the folder. Recordings listed are
// those in the index: which of them existed at a given time is the
// caller's to decide from AvailableAt.
func (ix *Index) Dir(dirPath string) (DirListing, bool) {
	f, ok := ix.Folder(dirPath)
	if !ok {
		return DirListing{}, false
	}
	var l DirListing
	for _, i := range ix.FolderRecordings(f) {
		l.Recordings = append(l.Recordings, int(i))
	}
	names := make([]string, len(l.Recordings))
	for k, i := range l.Recordings {
		names[k] = ix.recName(i)
	}
	sortByName(l.Recordings, names)
	// Subfolders follow their folder in path order, with its path as
	// their prefix.
	dir := ix.folderKeys[f]
	for g := f + 1; g < len(ix.folderKeys) && strings.HasPrefix(ix.folderKeys[g], dir); g++ {
		rest := ix.folderKeys[g][len(dir):]
		if strings.IndexByte(rest, '/') == len(rest)-1 {
			l.Subdirs = append(l.Subdirs, rest[:len(rest)-1])
		}
	}
	return l, true
}

// Stats counts the recordings, subjects and errors. The first call scans
// the index.
func (ix *Index) Stats() IndexStats {
	ix.statsOnce.Do(func() {
		s := IndexStats{Recordings: ix.Len(), Persons: ix.NumPersons(),
			SubjectsByKind: make(map[IdentityKind]int, numKinds)}
		for _, e := range ix.errs {
			if e.Kept {
				s.Warnings++
			} else {
				s.Errors++
			}
		}
		var r record
		for i := range ix.offs {
			ix.rec(i, &r)
			if r.flags&(recPhoneE164|recPhoneRaw) != 0 {
				s.WithPhone++
			}
			if r.flags&recUncertain != 0 {
				s.Uncertain++
			}
			at := r.startedAt(ix.loc)
			c := cursor(r.subj)
			for _, p := range ix.subjPerson[ix.subjStart[i]:ix.subjStart[i+1]] {
				_, _, kind, _ := c.subject()
				s.Subjects++
				s.SubjectsByKind[IdentityKind(kind)]++
				if k := ix.personKey[p]; k&personString == 0 && !at.IsZero() && childAt(k, at) {
					s.Children++
				}
			}
		}
		ix.stats = s
	})
	s := ix.stats
	s.SubjectsByKind = maps.Clone(s.SubjectsByKind)
	return s
}
